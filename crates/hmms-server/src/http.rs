//! The HTTP stack around the routes: request ids, logging, metrics, problem+json for every
//! error (including the ones axum and tower produce themselves), idempotent POSTs, security
//! headers and body limits.

use std::time::{Duration, Instant};

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::error::{PROBLEM_JSON, Problem, problem_response};
use crate::state::AppState;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

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
