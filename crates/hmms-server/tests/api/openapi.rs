//! The API document, the docs page, health and metrics.

use reqwest::{Method, StatusCode};

use crate::both;
use crate::helpers::TestApp;

async fn the_document_describes_every_operation(app: TestApp) {
    let res = app
        .request(Method::GET, "/api/v1/openapi.json", None, None)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let doc: serde_json::Value = res.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    let mut ops = 0;
    let mut ids = std::collections::HashSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            ops += 1;
            // The web client's generator refuses a document with two operations of one name.
            let id = op["operationId"].as_str().unwrap_or_default().to_string();
            assert!(ids.insert(id), "{method} {path}: operationId used twice");
            assert!(
                op["responses"].get("500").is_some(),
                "{method} {path} documents its errors"
            );
            assert!(
                op.get("summary").is_some() || op.get("description").is_some(),
                "{method} {path} is described"
            );
            let public = op["security"].as_array().is_some_and(|s| {
                s.iter()
                    .all(|r| r.as_object().is_some_and(|o| o.is_empty()))
            });
            assert_eq!(
                op["responses"].get("403").is_some(),
                !public,
                "{method} {path}"
            );
        }
    }
    assert!(ops >= 40, "{ops} operations");
}
both!(the_document_describes_every_operation);

async fn the_docs_page_is_served_without_a_cdn(app: TestApp) {
    let html = app
        .request(Method::GET, "/api/docs", None, None)
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("<script src=\"/api/docs/docs.js\">"));
    assert!(!html.contains("https://"), "nothing loads from elsewhere");
    let js = app
        .request(Method::GET, "/api/docs/docs.js", None, None)
        .await;
    assert_eq!(js.status(), StatusCode::OK);
    assert!(js.text().await.unwrap().contains("/api/v1/openapi.json"));
}
both!(the_docs_page_is_served_without_a_cdn);

async fn health_and_metrics(app: TestApp) {
    let live: serde_json::Value = app
        .request(Method::GET, "/health/live", None, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(live["status"], "live");
    let ready: serde_json::Value = app
        .request(Method::GET, "/health/ready", None, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ready["status"], "ready");
    let expected = match app.backend {
        crate::helpers::Backend::Sqlite => "sqlite",
        crate::helpers::Backend::Postgres => "postgres",
    };
    assert_eq!(ready["database"], expected);
    app.login_raw("staff@demo.hmms", "wrong password!").await;
    let text = app
        .request(Method::GET, "/metrics", None, None)
        .await
        .text()
        .await
        .unwrap();
    assert!(text.contains("hmms_http_requests_total{method=\"GET\",status=\"2xx\"}"));
    assert!(text.contains("hmms_logins_failed_total 1"), "{text}");
}
both!(health_and_metrics);

/// The web app's API client is generated from `web/openapi.json`; when the server's document
/// changes and the copy does not, the client is stale (`npm run api:check` then compares the
/// generated types with the copy).
#[test]
fn the_web_client_is_generated_from_this_document() {
    let served = hmms_server::app::openapi()
        .to_pretty_json()
        .expect("document serializes");
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../web/openapi.json");
    let copy = std::fs::read_to_string(path).expect("web/openapi.json exists");
    assert!(
        copy.trim_end() == served.trim_end(),
        "web/openapi.json is stale. Run: cargo run -p hmms -- openapi > web/openapi.json && npm --prefix web run api:generate"
    );
}
