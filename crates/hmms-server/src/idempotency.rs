//! `Idempotency-Key` on a POST by a signed-in user: the first request with a key claims it, and
//! any repeat of the same key by the same user gets the first answer again instead of a second
//! effect. This is what lets the offline technician app retry safely — also when a phone on a
//! flaky network retries before the first answer has arrived.
//!
//! The claim is a row inserted (in its own short transaction, before the work) with a unique
//! `(user, key)`: of requests sent at once exactly one inserts it. The others wait for its
//! answer and replay it; after [`WAIT`] without one they get 409 with `Retry-After`. An answer
//! that is not final (5xx, 401, 429) releases the claim so a retry may do the work.

use std::time::{Duration, Instant};

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use hmms_store::entities::idempotency_key::{self, Column as C};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::auth::tokens;
use crate::error::{ApiError, PROBLEM_JSON};
use crate::state::AppState;

const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");

/// The stored status of a claim whose answer is not yet known.
const IN_PROGRESS: i32 = 0;
/// How long a repeat waits for the first request's answer before answering 409.
const WAIT: Duration = Duration::from_secs(10);
/// How often a waiting repeat looks again.
const POLL: Duration = Duration::from_millis(25);
/// A claim this old without an answer was left by a server that stopped mid-request (its work
/// rolled back with it): the key may be claimed again.
const ABANDONED_AFTER_SECS: i64 = 120;

/// What a request finds when it tries to claim its key.
enum Claim {
    /// It holds the claim and does the work.
    Mine,
    /// Another request with the key has answered; this is its answer.
    Answered(idempotency_key::Model),
    /// Another request with the key is still at work.
    Busy,
}

struct Ask<'a> {
    user: Uuid,
    org: Uuid,
    key: &'a str,
    path: &'a str,
    hash: &'a str,
}

pub async fn idempotency(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if req.method() != Method::POST {
        return next.run(req).await;
    }
    let Some(key) = req
        .headers()
        .get(&IDEMPOTENCY_KEY)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
    else {
        return next.run(req).await;
    };
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .and_then(|t| tokens::verify(&state.keys, t.trim(), tokens::ACCESS, state.clock.now()));
    let Some(claims) = bearer else {
        return next.run(req).await;
    };
    if key.is_empty() || key.len() > 200 {
        return ApiError::validation("Idempotency-Key", "must be 1 to 200 characters")
            .into_response();
    }
    let path = req.uri().path().to_string();
    // A retried upload is the same request under a new multipart boundary.
    let boundary = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|ct| {
            ct.split(';')
                .find_map(|p| p.trim().strip_prefix("boundary="))
        })
        .map(|b| b.trim_matches('"').to_string());
    // The body is read here to fingerprint it, then handed on unchanged.
    let (parts, body) = req.into_parts();
    let limit = state
        .config
        .max_body_bytes
        .max(state.config.max_upload_bytes);
    let Ok(body) = to_bytes(body, limit).await else {
        return ApiError::PayloadTooLarge("The body is larger than this endpoint accepts.".into())
            .into_response();
    };
    let mut text = String::from_utf8_lossy(&body).into_owned();
    if let Some(b) = boundary.filter(|b| !b.is_empty()) {
        text = text.replace(&b, "boundary");
    }
    let hash = tokens::hash_secret(&text);
    let req = Request::from_parts(parts, Body::from(body));
    let ask = Ask {
        user: claims.sub,
        org: claims.org,
        key: &key,
        path: &path,
        hash: &hash,
    };
    match claim(&state, &ask).await {
        Ok(Claim::Mine) => {}
        Ok(Claim::Answered(stored)) => return replay(&ask, stored),
        Ok(Claim::Busy) => {
            // 409 with `Retry-After`: the offline queue sends it again later, same key.
            let mut res = ApiError::Conflict(
                "A request with this Idempotency-Key is still being handled. Retry shortly to \
                 get its answer."
                    .into(),
            )
            .into_response();
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            return res;
        }
        Err(e) => return e.into_response(),
    }
    let res = next.run(req).await;
    let status = res.status();
    if status.is_server_error()
        || status == StatusCode::UNAUTHORIZED
        || status == StatusCode::TOO_MANY_REQUESTS
    {
        // Not a final answer: the client may retry with the same key.
        if let Err(e) = release(&state, &ask).await {
            tracing::warn!(error = %e, "could not release an idempotency key");
        }
        return res;
    }
    let (parts, body) = res.into_parts();
    let Ok(bytes) = to_bytes(body, 4 * 1024 * 1024).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let text = String::from_utf8_lossy(&bytes).to_string();
    if let Err(e) = answer(&state, &ask, status, text).await {
        tracing::warn!(error = %e, "could not store an idempotency answer");
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// Claims the key, or waits (up to [`WAIT`]) for the answer of the request that did.
async fn claim(state: &AppState, ask: &Ask<'_>) -> Result<Claim, ApiError> {
    let started = Instant::now();
    loop {
        let now = state.clock.now();
        if insert_claim(state, ask, now).await? {
            return Ok(Claim::Mine);
        }
        let Some(stored) = idempotency_key::Entity::find_by_id((ask.user, ask.key.to_string()))
            .one(&state.db)
            .await?
        else {
            // Released meanwhile: try again.
            continue;
        };
        if stored.status_code != IN_PROGRESS {
            return Ok(Claim::Answered(stored));
        }
        if stored.method != "POST" || stored.path != ask.path || stored.request_hash != ask.hash {
            // A different request under the same key: refused without waiting.
            return Ok(Claim::Answered(stored));
        }
        if (now - stored.created_at).num_seconds() > ABANDONED_AFTER_SECS {
            take_over(state, &stored).await?;
            continue;
        }
        if started.elapsed() > WAIT {
            return Ok(Claim::Busy);
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Inserts the claim row unless the key is taken; whether it was inserted.
async fn insert_claim(
    state: &AppState,
    ask: &Ask<'_>,
    now: DateTime<Utc>,
) -> Result<bool, ApiError> {
    let row = idempotency_key::ActiveModel {
        user_id: Set(ask.user),
        key: Set(ask.key.to_string()),
        organization_id: Set(ask.org),
        method: Set("POST".into()),
        path: Set(ask.path.to_string()),
        request_hash: Set(ask.hash.to_string()),
        status_code: Set(IN_PROGRESS),
        response_body: Set(String::new()),
        created_at: Set(now),
    };
    // Every write goes through the write lock (a write beside it would make a request's SQLite
    // transaction fail to upgrade); this one is a single short insert.
    let tx = state.begin_write().await?;
    let inserted = idempotency_key::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([C::UserId, C::Key])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(&*tx)
        .await;
    let inserted = match inserted {
        Ok(rows) => rows == 1,
        Err(sea_orm::DbErr::RecordNotInserted) => false,
        Err(e) => return Err(e.into()),
    };
    tx.commit().await?;
    Ok(inserted)
}

/// Clears an abandoned claim, unless another request took it over first.
async fn take_over(state: &AppState, stored: &idempotency_key::Model) -> Result<(), ApiError> {
    let tx = state.begin_write().await?;
    idempotency_key::Entity::delete_many()
        .filter(C::UserId.eq(stored.user_id))
        .filter(C::Key.eq(stored.key.as_str()))
        .filter(C::StatusCode.eq(IN_PROGRESS))
        .filter(C::CreatedAt.eq(stored.created_at))
        .exec(&*tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

async fn release(state: &AppState, ask: &Ask<'_>) -> Result<(), ApiError> {
    let tx = state.begin_write().await?;
    idempotency_key::Entity::delete_many()
        .filter(C::UserId.eq(ask.user))
        .filter(C::Key.eq(ask.key))
        .filter(C::StatusCode.eq(IN_PROGRESS))
        .exec(&*tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

async fn answer(
    state: &AppState,
    ask: &Ask<'_>,
    status: StatusCode,
    body: String,
) -> Result<(), ApiError> {
    let tx = state.begin_write().await?;
    idempotency_key::Entity::update_many()
        .col_expr(C::StatusCode, Expr::value(i32::from(status.as_u16())))
        .col_expr(C::ResponseBody, Expr::value(body))
        .filter(C::UserId.eq(ask.user))
        .filter(C::Key.eq(ask.key))
        .exec(&*tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// The stored answer again, or a refusal when the key was used for another request.
fn replay(ask: &Ask<'_>, stored: idempotency_key::Model) -> Response {
    if stored.method != "POST" || stored.path != ask.path {
        return ApiError::Conflict(format!(
            "This Idempotency-Key was already used for {} {}. Use a new key for a new request.",
            stored.method, stored.path
        ))
        .into_response();
    }
    if stored.request_hash != ask.hash {
        return ApiError::validation(
            "Idempotency-Key",
            "was already used with a different body; use a new key for a new request",
        )
        .into_response();
    }
    let status = u16::try_from(stored.status_code)
        .ok()
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::OK);
    let mut res = (status, stored.response_body).into_response();
    let ct = if status.is_success() {
        "application/json"
    } else {
        PROBLEM_JSON
    };
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
    res.headers_mut()
        .insert("idempotent-replayed", HeaderValue::from_static("true"));
    res
}
