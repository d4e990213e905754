//! Every error is problem+json with a request id; no malformed input produces a 500.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::both;
use crate::helpers::{TestApp, expect};

async fn assert_problem(res: reqwest::Response, status: StatusCode) -> Value {
    assert_eq!(res.status(), status);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let rid = res.headers()["x-request-id"].to_str().unwrap().to_string();
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["status"], status.as_u16());
    assert!(
        body["type"]
            .as_str()
            .unwrap()
            .starts_with("urn:hmms:problem:")
    );
    assert!(!body["title"].as_str().unwrap().is_empty());
    assert_eq!(
        body["requestId"],
        rid.as_str(),
        "the problem quotes the request id"
    );
    body
}

/// Posts to /sites by hand: the headers declare `declared` bytes, and `send` of them follow
/// (written concurrently, since the server may answer before reading them all).
async fn oversized_post(app: &TestApp, token: &str, declared: usize, send: usize) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = app.base.trim_start_matches("http://").to_string();
    let stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    let head = format!(
        "POST /api/v1/sites HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {declared}\r\n\r\n"
    );
    writer.write_all(head.as_bytes()).await.unwrap();
    tokio::spawn(async move {
        let chunk = vec![b' '; 64 * 1024];
        let mut left = send;
        while left > 0 {
            let n = left.min(chunk.len());
            if writer.write_all(&chunk[..n]).await.is_err() {
                break;
            }
            left -= n;
        }
    });
    let mut buf = vec![0u8; 8192];
    let n = tokio::time::timeout(std::time::Duration::from_secs(20), reader.read(&mut buf))
        .await
        .expect("an answer")
        .unwrap();
    String::from_utf8_lossy(&buf[..n]).to_string()
}

async fn every_error_is_a_problem_document(app: TestApp) {
    let admin = app.admin().await;
    let p = assert_problem(
        app.get("/api/v1/no-such-thing", &admin).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("/api/v1/no-such-thing")
    );
    let res = app
        .request(Method::DELETE, "/api/v1/users", Some(&admin), None)
        .await;
    assert!(res.headers()["allow"].to_str().unwrap().contains("GET"));
    assert_problem(res, StatusCode::METHOD_NOT_ALLOWED).await;

    // A body over the limit is refused from its declared length, before it is uploaded. (Sent
    // by hand: an HTTP client still writing the body would see the early answer as a broken pipe.)
    // Declared larger than any upload: refused before the body is sent.
    let head = oversized_post(&app, &admin, 25 * 1024 * 1024, 0).await;
    assert!(head.starts_with("HTTP/1.1 413"), "{head}");
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: application/problem+json"),
        "{head}"
    );
    // Over the JSON limit (1 MiB) though within the upload limit: refused once read that far.
    let head = oversized_post(&app, &admin, 1536 * 1024, 1536 * 1024).await;
    assert!(head.starts_with("HTTP/1.1 413"), "{head}");
    let res = app
        .client
        .post(app.url("/api/v1/sites"))
        .bearer_auth(&admin)
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
    let res = app
        .client
        .post(app.url("/api/v1/sites"))
        .bearer_auth(&admin)
        .header("content-type", "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::BAD_REQUEST).await;
    let res = app
        .post(
            "/api/v1/sites",
            &admin,
            json!({ "name": "A", "code": "A", "timeZone": "UTC", "colour": "red" }),
        )
        .await;
    let p = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(
        p["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("colour"),
        "unknown fields are named: {p}"
    );
    let res = app
        .post(
            "/api/v1/sites",
            &admin,
            json!({ "name": 5, "code": "A", "timeZone": "UTC" }),
        )
        .await;
    let p = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(p["errors"][0]["field"], "name");
    assert_problem(
        app.get("/api/v1/users/not-a-uuid", &admin).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_problem(
        app.get("/api/v1/users?status=sleeping", &admin).await,
        StatusCode::BAD_REQUEST,
    )
    .await;

    // 401 (who are you?) and 403 (you may not) are different.
    let p = assert_problem(
        app.request(Method::GET, "/api/v1/users", None, None).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("Bearer"));
    assert_problem(
        app.request(
            Method::GET,
            "/api/v1/users",
            Some("garbage.token.here"),
            None,
        )
        .await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    let vendor = app.token("vendor").await;
    assert_problem(
        app.get("/api/v1/users", &vendor).await,
        StatusCode::FORBIDDEN,
    )
    .await;
}
both!(every_error_is_a_problem_document);

async fn every_response_carries_a_request_id(app: TestApp) {
    let res = app.request(Method::GET, "/health/live", None, None).await;
    assert!(!res.headers()["x-request-id"].is_empty());
    let res = app
        .client
        .get(app.url("/health/live"))
        .header("x-request-id", "trace-me-42")
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.headers()["x-request-id"],
        "trace-me-42",
        "a caller's request id is kept"
    );
}
both!(every_response_carries_a_request_id);

async fn malformed_input_never_causes_a_server_error(app: TestApp) {
    let admin = app.admin().await;
    let bodies = [
        "",
        "null",
        "[]",
        "\"text\"",
        "0",
        "{}",
        "{\"email\": null}",
        "{\"email\": {}}",
        "\u{0}",
        "{\"name\": \"\u{202e}x\"}",
        "{\"siteId\": \"00000000-0000-0000-0000-000000000000\", \"name\": \"x\", \"code\": \"x\"}",
        "{\"departmentId\": 12, \"name\": [], \"code\": true}",
    ];
    let paths = [
        (Method::POST, "/api/v1/auth/login"),
        (Method::POST, "/api/v1/auth/verify-otp"),
        (Method::POST, "/api/v1/auth/refresh"),
        (Method::POST, "/api/v1/users"),
        (Method::POST, "/api/v1/roles"),
        (Method::POST, "/api/v1/sites"),
        (Method::POST, "/api/v1/departments"),
        (Method::POST, "/api/v1/sections"),
        (Method::POST, "/api/v1/locations"),
        (Method::PATCH, "/api/v1/organization"),
    ];
    for (method, path) in &paths {
        for body in bodies {
            let res = app
                .client
                .request(method.clone(), app.url(path))
                .bearer_auth(&admin)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap();
            // An empty change is a valid (no-op) edit; everything else here is the client's error.
            let ok_noop =
                *method == Method::PATCH && body == "{}" && res.status() == StatusCode::OK;
            assert!(
                res.status().is_client_error() || ok_noop,
                "{method} {path} with {body:?}: {}",
                res.status()
            );
        }
    }
    // NUL characters (which PostgreSQL cannot store) are refused at the edge.
    let nul = r#"{"key": "nul_role", "name": "N", "description": "a\u0000b", "defaultScope": "site", "permissions": []}"#;
    let res = app
        .client
        .post(app.url("/api/v1/roles"))
        .bearer_auth(&admin)
        .header("content-type", "application/json")
        .body(nul)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        app.get("/api/v1/users?q=a%00b", &admin).await.status(),
        StatusCode::BAD_REQUEST
    );
    let queries = [
        "limit=-1",
        "limit=99999999999999999999",
        "cursor=%00",
        "siteId=1",
        "sort=%27;drop",
        "q=%25%25%25",
        "q=%5C",
    ];
    for q in queries {
        for path in [
            "/api/v1/users",
            "/api/v1/sites",
            "/api/v1/locations",
            "/api/v1/audit",
        ] {
            let res = app.get(&format!("{path}?{q}"), &admin).await;
            assert!(res.status().as_u16() < 500, "{path}?{q}: {}", res.status());
        }
    }
}
both!(malformed_input_never_causes_a_server_error);

async fn a_repeated_idempotency_key_replays_instead_of_repeating(app: TestApp) {
    let admin = app.admin().await;
    let send = || {
        app.client
            .post(app.url("/api/v1/sites"))
            .bearer_auth(&admin)
            .header("idempotency-key", "c0ffee-1")
            .json(&json!({ "name": "Once Only", "code": "ONCE", "timeZone": "UTC" }))
            .send()
    };
    let first = send().await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.unwrap();
    let second = send().await.unwrap();
    assert_eq!(second.status(), StatusCode::CREATED);
    assert_eq!(second.headers()["idempotent-replayed"], "true");
    let second: Value = second.json().await.unwrap();
    assert_eq!(first["id"], second["id"]);
    let sites = app.get_ok("/api/v1/sites").await;
    assert_eq!(
        sites["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["code"] == "ONCE")
            .count(),
        1
    );
    // The same key with another body is refused, not replayed.
    let res = app
        .client
        .post(app.url("/api/v1/sites"))
        .bearer_auth(&admin)
        .header("idempotency-key", "c0ffee-1")
        .json(&json!({ "name": "Twice", "code": "TWICE", "timeZone": "UTC" }))
        .send()
        .await
        .unwrap();
    let p = expect(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(p["errors"][0]["field"], "Idempotency-Key");
    // The same key on another endpoint is a client error, not a silent replay.
    let res = app
        .client
        .post(app.url("/api/v1/roles"))
        .bearer_auth(&admin)
        .header("idempotency-key", "c0ffee-1")
        .json(&json!({ "key": "x_role", "name": "X", "defaultScope": "site", "permissions": [] }))
        .send()
        .await
        .unwrap();
    expect(res, StatusCode::CONFLICT).await;
}
both!(a_repeated_idempotency_key_replays_instead_of_repeating);
