//! The HTTP stack around the routes: request ids, logging, metrics, problem+json for every
//! error (including the ones axum and tower produce themselves), idempotent POSTs, security
//! headers and body limits.

use std::time::{Duration, Instant};

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hmms_store::entities::idempotency_key;
use sea_orm::{ActiveValue::Set, EntityTrait};

use crate::auth::tokens;
use crate::error::{PROBLEM_JSON, Problem, problem_response};
use crate::state::AppState;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");

/// The address of the client a request came from: the peer, or — when the peer is a trusted
/// reverse proxy — the last address in `X-Forwarded-For` that is not itself a trusted proxy.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub std::net::IpAddr);

/// Works out [`ClientAddr`] for every request.
pub async fn client_addr(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let peer = req
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip());
    if let Some(peer) = peer {
        let forwarded = req
            .headers()
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .map(str::to_string)
            .collect::<Vec<_>>();
        let client = client_of(peer, &forwarded, &state.proxies);
        req.extensions_mut().insert(ClientAddr(client));
    }
    next.run(req).await
}

/// The client behind `peer`: walking `X-Forwarded-For` from the right (the entries the
/// trusted proxies appended), the first address that is not a trusted proxy. An entry that is
/// not an address stops the walk at the last trusted hop.
pub fn client_of(
    peer: std::net::IpAddr,
    forwarded: &[String],
    trusted: &[ipnet::IpNet],
) -> std::net::IpAddr {
    let mut client = peer;
    for entry in forwarded.iter().rev() {
        if !trusted.iter().any(|n| n.contains(&client)) {
            break;
        }
        match entry.parse::<std::net::IpAddr>() {
            Ok(ip) => client = ip,
            Err(_) => break,
        }
    }
    client
}

/// Counts requests and their time for `/metrics`.
pub async fn metrics(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let method = req.method().as_str().to_string();
    let started = Instant::now();
    state.metrics.start();
    let res = next.run(req).await;
    state.metrics.finish(
        &method,
        res.status().as_u16(),
        started.elapsed().as_micros() as u64,
    );
    res
}

fn generic_problem(status: StatusCode, detail: Option<String>) -> Problem {
    let (kind, title) = match status.as_u16() {
        400 => ("bad-request", "The request is malformed"),
        401 => ("unauthenticated", "Sign-in required"),
        403 => ("forbidden", "Not allowed"),
        404 => ("not-found", "Not found"),
        405 => ("method-not-allowed", "Method not allowed"),
        408 => ("timeout", "The request took too long"),
        413 => ("payload-too-large", "The request body is too large"),
        415 => ("unsupported-media-type", "Unsupported media type"),
        422 => ("validation", "The request has invalid fields"),
        429 => ("too-many-requests", "Too many requests"),
        s if s >= 500 => ("internal", "Something went wrong on the server"),
        _ => ("error", "The request failed"),
    };
    Problem {
        kind: format!("urn:hmms:problem:{kind}"),
        title: title.into(),
        status: status.as_u16(),
        detail,
        errors: vec![],
        request_id: None,
        allowed: None,
    }
}

/// Turns every error response into problem+json carrying the request id, whoever produced it.
pub async fn problems(req: Request, next: Next) -> Response {
    let request_id = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let path = req.uri().path().to_string();
    let method = req.method().clone();
    let res = next.run(req).await;
    let status = res.status();
    if status.as_u16() < 400 {
        return res;
    }
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with(PROBLEM_JSON));
    let (mut parts, body) = res.into_parts();
    let bytes = to_bytes(body, 1024 * 1024).await.unwrap_or_default();
    let parsed = is_problem
        .then(|| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
        .flatten()
        .filter(serde_json::Value::is_object);
    let mut value = if let Some(problem) = parsed {
        problem
    } else {
        let detail = match status.as_u16() {
            404 => Some(format!(
                "Nothing is served at {path}. See /api/docs for the API."
            )),
            405 => Some(format!(
                "{path} does not accept {method}. The Allow header lists what it accepts."
            )),
            _ => std::str::from_utf8(&bytes)
                .ok()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(|t| t.chars().take(500).collect()),
        };
        serde_json::to_value(generic_problem(status, detail)).unwrap_or_default()
    };
    if let (Some(obj), Some(rid)) = (value.as_object_mut(), request_id) {
        obj.insert("requestId".into(), rid.into());
    }
    let body = serde_json::to_vec(&value).unwrap_or_default();
    parts
        .headers
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(body))
}

/// A panic in a handler becomes a 500 problem, never a dropped connection.
pub fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("handler panicked");
    problem_response(
        StatusCode::INTERNAL_SERVER_ERROR,
        &generic_problem(StatusCode::INTERNAL_SERVER_ERROR, None),
    )
}

/// `Idempotency-Key` on a POST by a signed-in user: the first response is stored and any
/// repeat of the same key by the same user gets it again instead of a second effect. This is
/// what lets the offline technician app retry safely.
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
        return crate::error::ApiError::validation(
            "Idempotency-Key",
            "must be 1 to 200 characters",
        )
        .into_response();
    }
    let path = req.uri().path().to_string();
    // The body is read here to fingerprint it, then handed on unchanged.
    let (parts, body) = req.into_parts();
    let Ok(body) = to_bytes(
        body,
        state
            .config
            .max_body_bytes
            .max(state.config.max_upload_bytes),
    )
    .await
    else {
        return crate::error::ApiError::PayloadTooLarge(
            "The body is larger than this endpoint accepts.".into(),
        )
        .into_response();
    };
    let request_hash = crate::auth::tokens::hash_secret(&String::from_utf8_lossy(&body));
    let req = Request::from_parts(parts, Body::from(body));
    match idempotency_key::Entity::find_by_id((claims.sub, key.clone()))
        .one(&state.db)
        .await
    {
        Ok(Some(stored)) => {
            if stored.method != "POST" || stored.path != path {
                return crate::error::ApiError::Conflict(format!(
                    "This Idempotency-Key was already used for {} {}. Use a new key for a new request.",
                    stored.method, stored.path
                ))
                .into_response();
            }
            if stored.request_hash != request_hash {
                return crate::error::ApiError::validation(
                    "Idempotency-Key",
                    "was already used with a different body; use a new key for a new request",
                )
                .into_response();
            }
            let status = StatusCode::from_u16(stored.status_code as u16).unwrap_or(StatusCode::OK);
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
            return res;
        }
        Ok(None) => {}
        Err(e) => return crate::error::ApiError::from(e).into_response(),
    }
    let res = next.run(req).await;
    let status = res.status();
    if status.is_server_error()
        || status == StatusCode::UNAUTHORIZED
        || status == StatusCode::TOO_MANY_REQUESTS
    {
        // Not a final answer: the client may retry with the same key.
        return res;
    }
    let (parts, body) = res.into_parts();
    let Ok(bytes) = to_bytes(body, 4 * 1024 * 1024).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let text = String::from_utf8_lossy(&bytes).to_string();
    let row = idempotency_key::ActiveModel {
        user_id: Set(claims.sub),
        key: Set(key),
        organization_id: Set(claims.org),
        method: Set("POST".into()),
        path: Set(path),
        request_hash: Set(request_hash),
        status_code: Set(status.as_u16() as i32),
        response_body: Set(text),
        created_at: Set(state.clock.now()),
    };
    if let Err(e) = idempotency_key::Entity::insert(row)
        .exec_without_returning(&state.db)
        .await
    {
        tracing::warn!(error = %e, "could not store idempotency key");
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// How long a graceful shutdown waits for in-flight requests before cancelling them.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

#[cfg(test)]
mod tests {
    use super::client_of;

    #[test]
    fn the_client_is_found_behind_trusted_proxies_only() {
        let trusted: Vec<ipnet::IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        let ip = |s: &str| s.parse::<std::net::IpAddr>().unwrap();
        let fwd = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        // Straight from the internet: the header is the client's own word, ignored.
        assert_eq!(
            client_of(ip("203.0.113.9"), &fwd(&["1.2.3.4"]), &trusted),
            ip("203.0.113.9")
        );
        // Through our proxy: the address it saw.
        assert_eq!(
            client_of(ip("10.0.0.2"), &fwd(&["203.0.113.9"]), &trusted),
            ip("203.0.113.9")
        );
        // A forged entry before the real one is not believed; two proxies in a row are.
        assert_eq!(
            client_of(
                ip("10.0.0.2"),
                &fwd(&["1.2.3.4", "203.0.113.9", "10.0.0.3"]),
                &trusted
            ),
            ip("203.0.113.9")
        );
        // Garbage stops at the last trusted hop.
        assert_eq!(
            client_of(ip("10.0.0.2"), &fwd(&["nonsense"]), &trusted),
            ip("10.0.0.2")
        );
    }
}
