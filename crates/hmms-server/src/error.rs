//! RFC 9457 problem details: the one shape every error of the API takes.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hmms_domain::validate::FieldError;
use serde::Serialize;
use utoipa::ToSchema;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// One invalid field of a request.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProblemField {
    /// The field, in the request's own (camelCase) naming; nested fields use dots.
    pub field: String,
    /// What is wrong and what would be accepted.
    pub message: String,
}

/// The most field errors one problem lists (an import of thousands of bad rows names the
/// first ones and says how many there are), so every problem stays a small document.
pub const MAX_LISTED_ERRORS: usize = 1000;

/// An error response (RFC 9457 `application/problem+json`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// A stable identifier of the kind of problem, e.g. `urn:hmms:problem:validation`.
    #[serde(rename = "type")]
    pub kind: String,
    /// A short summary of the kind of problem.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What happened in this case, and what to do about it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Field errors, for validation problems.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
    /// The request id, to quote when reporting the problem.
    #[serde(rename = "requestId", skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// For `409` on a state change: the states that would be accepted.
    #[serde(rename = "allowed", skip_serializing_if = "Option::is_none")]
    pub allowed: Option<Vec<String>>,
}

/// Everything a handler or service can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("unauthenticated: {0}")]
    Unauthenticated(String),
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// The user must enrol a second factor before anything else.
    #[error("two-factor enrolment required")]
    EnrolmentRequired,
    #[error("not found: {0}")]
    NotFound(String),
    #[error("conflict: {0}")]
    Conflict(String),
    /// A status change the state machine does not have; `allowed` lists what would be accepted.
    #[error("invalid transition: {detail}")]
    InvalidTransition {
        detail: String,
        allowed: Vec<String>,
    },
    #[error("precondition failed: {0}")]
    PreconditionFailed(String),
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    #[error("too many requests: {detail}")]
    TooManyRequests {
        detail: String,
        retry_after_secs: i64,
    },
    #[error("unsupported media type: {0}")]
    UnsupportedMediaType(String),
    #[error("payload too large: {0}")]
    PayloadTooLarge(String),
    #[error("unavailable: {0}")]
    Unavailable(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// A field parsed before `Errors::into_result` answered. It is present unless its own check
/// failed, and then that call has already answered 422; should the checks ever be reordered,
/// this is still a 422 naming the field, never a panic.
pub fn parsed<T>(value: Option<T>, field: &str) -> ApiResult<T> {
    value.ok_or_else(|| ApiError::validation(field, "is missing or invalid"))
}

impl ApiError {
    pub fn validation(field: &str, message: impl Into<String>) -> Self {
        ApiError::Validation(vec![FieldError::new(field, message)])
    }

    pub fn not_found(what: &str) -> Self {
        ApiError::NotFound(format!(
            "No {what} with that id exists, or you may not see it."
        ))
    }

    pub fn missing_permission(permission: &str) -> Self {
        ApiError::Forbidden(format!(
            "Your role does not include the permission `{permission}`."
        ))
    }

    fn parts(&self) -> (StatusCode, &'static str, &'static str) {
        match self {
            ApiError::BadRequest(_) => (
                StatusCode::BAD_REQUEST,
                "bad-request",
                "The request is malformed",
            ),
            ApiError::Unauthenticated(_) => (
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "Sign-in required",
            ),
            ApiError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden", "Not allowed"),
            ApiError::EnrolmentRequired => (
                StatusCode::FORBIDDEN,
                "totp-enrolment-required",
                "Two-factor enrolment required",
            ),
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "not-found", "Not found"),
            ApiError::Conflict(_) => (StatusCode::CONFLICT, "conflict", "Conflict"),
            ApiError::InvalidTransition { .. } => (
                StatusCode::CONFLICT,
                "invalid-transition",
                "That status change is not possible now",
            ),
            ApiError::PreconditionFailed(_) => (
                StatusCode::PRECONDITION_FAILED,
                "stale-version",
                "The record was changed by someone else",
            ),
            ApiError::Validation(_) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation",
                "The request has invalid fields",
            ),
            ApiError::TooManyRequests { .. } => (
                StatusCode::TOO_MANY_REQUESTS,
                "too-many-requests",
                "Too many attempts",
            ),
            ApiError::UnsupportedMediaType(_) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "Unsupported media type",
            ),
            ApiError::PayloadTooLarge(_) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload-too-large",
                "The request body is too large",
            ),
            ApiError::Unavailable(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "Temporarily unavailable",
            ),
            ApiError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Something went wrong on the server",
            ),
        }
    }

    pub fn to_problem(&self) -> Problem {
        let (status, kind, title) = self.parts();
        let (detail, errors) = match self {
            ApiError::BadRequest(d)
            | ApiError::Unauthenticated(d)
            | ApiError::Forbidden(d)
            | ApiError::NotFound(d)
            | ApiError::Conflict(d)
            | ApiError::PreconditionFailed(d)
            | ApiError::UnsupportedMediaType(d)
            | ApiError::PayloadTooLarge(d)
            | ApiError::Unavailable(d) => (Some(d.clone()), vec![]),
            ApiError::TooManyRequests { detail, .. } | ApiError::InvalidTransition { detail, .. } => {
                (Some(detail.clone()), vec![])
            }
            ApiError::EnrolmentRequired => (
                Some(
                    "Your role requires two-factor sign-in. Set it up with POST /api/v1/auth/totp/setup \
                     and confirm it with POST /api/v1/auth/totp/confirm."
                        .into(),
                ),
                vec![],
            ),
            ApiError::Validation(fields) => (
                Some(if fields.len() > MAX_LISTED_ERRORS {
                    format!(
                        "Correct the fields listed in `errors` and try again. There are {} problems; \
                         the first {MAX_LISTED_ERRORS} are listed.",
                        fields.len()
                    )
                } else {
                    "Correct the fields listed in `errors` and try again.".into()
                }),
                fields
                    .iter()
                    .take(MAX_LISTED_ERRORS)
                    .map(|f| ProblemField { field: f.field.clone(), message: f.message.clone() })
                    .collect(),
            ),
            ApiError::Internal(_) => (
                Some("The error was logged. Quote the request id when reporting it.".into()),
                vec![],
            ),
        };
        Problem {
            kind: format!("urn:hmms:problem:{kind}"),
            title: title.into(),
            status: status.as_u16(),
            detail,
            errors,
            request_id: None,
            allowed: match self {
                ApiError::InvalidTransition { allowed, .. } => Some(allowed.clone()),
                _ => None,
            },
        }
    }
}

impl From<sea_orm::DbErr> for ApiError {
    /// A constraint the services did not foresee is still the client's conflict, not a crash:
    /// the transaction rolls back and nothing is half-written.
    fn from(e: sea_orm::DbErr) -> Self {
        match e.sql_err() {
            Some(sea_orm::SqlErr::ForeignKeyConstraintViolation(_)) => {
                tracing::warn!(error = %e, "foreign key violation reached the database");
                ApiError::Conflict("Other records still refer to this one, or it refers to a record that does not exist.".into())
            }
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
                tracing::warn!(error = %e, "unique violation reached the database");
                ApiError::Conflict(
                    "A record with the same identifying values already exists.".into(),
                )
            }
            _ if matches!(e, sea_orm::DbErr::ConnectionAcquire(_)) => {
                tracing::warn!(error = %e, "no database connection free in time");
                ApiError::Unavailable("The server is busy. Try again in a moment.".into())
            }
            _ => ApiError::Internal(anyhow::Error::new(e)),
        }
    }
}

impl From<sea_orm::TransactionError<ApiError>> for ApiError {
    fn from(e: sea_orm::TransactionError<ApiError>) -> Self {
        match e {
            sea_orm::TransactionError::Connection(db) => db.into(),
            sea_orm::TransactionError::Transaction(api) => api,
        }
    }
}

impl From<Vec<FieldError>> for ApiError {
    fn from(v: Vec<FieldError>) -> Self {
        ApiError::Validation(v)
    }
}

/// Writes a problem as a response. The request id is added later by the problem layer.
pub fn problem_response(status: StatusCode, problem: &Problem) -> Response {
    let body = serde_json::to_vec(problem).unwrap_or_default();
    let mut res = (status, body).into_response();
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    res
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(e) = &self {
            tracing::error!(error = ?e, "internal error");
        }
        let (status, _, _) = self.parts();
        let mut res = problem_response(status, &self.to_problem());
        match &self {
            ApiError::Unauthenticated(_) => {
                res.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"hmms\""),
                );
            }
            ApiError::TooManyRequests {
                retry_after_secs, ..
            } => {
                if let Ok(v) = HeaderValue::from_str(&retry_after_secs.max(&1).to_string()) {
                    res.headers_mut().insert(header::RETRY_AFTER, v);
                }
            }
            _ => {}
        }
        res
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
