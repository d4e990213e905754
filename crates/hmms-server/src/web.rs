//! The web app, embedded in the binary (built into `web/dist` by `build.rs`): hashed assets with
//! a year's cache, everything else revalidated, and `index.html` for any other path that is
//! not the API, so the app's own routes (`/work-orders/…`, `/l/{site}/{location}`) load on a
//! reload or from a QR code.

use axum::body::Body;
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "../../web/dist"]
struct Dist;

/// Paths that belong to the server, never to the app.
fn server_path(path: &str) -> bool {
    path.starts_with("api/") || path == "api" || path.starts_with("health/") || path == "metrics"
}

fn file(path: &str) -> Option<Response> {
    let f = Dist::get(path)?;
    let immutable = path.starts_with("assets/");
    let cache = if immutable {
        "public, max-age=31536000, immutable"
    } else {
        // index.html, the service worker and the manifest must be revalidated, or an update
        // never reaches installed apps.
        "no-cache"
    };
    let mut res = Response::new(Body::from(f.data.into_owned()));
    let headers = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(f.metadata.mimetype()) {
        headers.insert(header::CONTENT_TYPE, v);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if let Ok(v) = HeaderValue::from_str(&format!(
        "\"{}\"",
        hex::encode(&f.metadata.sha256_hash()[..8])
    )) {
        headers.insert(header::ETAG, v);
    }
    Some(res)
}

/// The fallback handler: an embedded file, else the app shell for app routes, else 404.
pub async fn serve(method: Method, uri: Uri) -> Response {
    let path = uri.path().trim_start_matches('/');
    if (method != Method::GET && method != Method::HEAD) || server_path(path) {
        return StatusCode::NOT_FOUND.into_response();
    }
    if let Some(res) = file(if path.is_empty() { "index.html" } else { path }) {
        return res;
    }
    // A missing hashed asset is a stale page asking for an old build: say so, do not send HTML.
    if path.starts_with("assets/")
        || path
            .rsplit('/')
            .next()
            .is_some_and(|last| last.contains('.'))
    {
        return StatusCode::NOT_FOUND.into_response();
    }
    file("index.html").unwrap_or_else(|| StatusCode::NOT_FOUND.into_response())
}
