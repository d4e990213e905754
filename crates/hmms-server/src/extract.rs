//! Request extractors whose failures are problem+json with a message a client can act on.

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::header;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// A JSON body: `application/json` required (415), syntax checked (400), and shape checked with
/// the failing field named (422). DTOs deny unknown fields.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|m| {
                let m = m.trim().to_ascii_lowercase();
                m == "application/json" || (m.starts_with("application/") && m.ends_with("+json"))
            });
        if !is_json {
            return Err(ApiError::UnsupportedMediaType(
                "Send the body as `Content-Type: application/json`.".into(),
            ));
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e: BytesRejection| {
                if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::PayloadTooLarge(
                        "The body is larger than this endpoint accepts.".into(),
                    )
                } else {
                    ApiError::BadRequest(format!("The body could not be read: {}", e.body_text()))
                }
            })?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// NUL characters have no place in hospital records and PostgreSQL cannot store them in text,
/// so they are refused at the edge rather than failing deep inside a query.
fn contains_nul_escape(bytes: &[u8]) -> bool {
    bytes
        .windows(6)
        .any(|w| w[0] == b'\\' && (w[1] == b'u' || w[1] == b'U') && &w[2..] == b"0000")
}

pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if contains_nul_escape(bytes) {
        return Err(ApiError::BadRequest(
            "Text must not contain NUL (\\u0000) characters.".into(),
        ));
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Ok(v) => v,
        Err(e) => {
            let inner = e.inner();
            if inner.is_syntax() || inner.is_eof() {
                return Err(ApiError::BadRequest(format!(
                    "The body is not valid JSON: {inner}"
                )));
            }
            let path = e.path().to_string();
            let field = if path == "." { String::new() } else { path };
            return Err(ApiError::validation(
                &field,
                strip_position(&inner.to_string()),
            ));
        }
    };
    de.end()
        .map_err(|e| ApiError::BadRequest(format!("The body is not valid JSON: {e}")))?;
    Ok(value)
}

fn strip_position(msg: &str) -> String {
    match msg.find(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

/// Query parameters; a malformed one is a 400 naming it.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        if parts
            .uri
            .query()
            .is_some_and(|q| q.to_ascii_lowercase().contains("%00"))
        {
            return Err(ApiError::BadRequest(
                "Query parameters must not contain NUL characters.".into(),
            ));
        }
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(v)| ApiQuery(v))
            .map_err(|e: QueryRejection| {
                ApiError::BadRequest(format!("Invalid query string: {}", e.body_text()))
            })
    }
}

/// Path parameters; a malformed id is a 400.
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(v)| ApiPath(v))
            .map_err(|e: PathRejection| {
                ApiError::BadRequest(format!("Invalid path: {}", e.body_text()))
            })
    }
}

/// Whether a body could not be read because it is longer than its route accepts. A body sent
/// in chunks declares no length to refuse up front; it fails part-way, and the failure is
/// wrapped by the multipart reader: this looks through the wrapping.
pub fn too_large(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur = Some(e);
    while let Some(err) = cur {
        if err.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        cur = err.source();
    }
    false
}

/// The problem for an upload form that could not be read: 413 when it is too large.
pub fn upload_error(e: axum::extract::multipart::MultipartError, what: &str) -> ApiError {
    if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE || too_large(&e) {
        ApiError::PayloadTooLarge(format!("The {what} is larger than uploads may be."))
    } else {
        ApiError::BadRequest(format!("The upload could not be read: {}", e.body_text()))
    }
}
