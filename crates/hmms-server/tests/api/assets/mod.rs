//! The equipment registry through HTTP: registration and validation, status steps and moves in
//! the history, scope by role, QR codes that decode to this server, and scanning.

use base64::Engine;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::helpers::{TestApp, expect};

mod recalls_labels;
mod records;
mod registry;
mod reliability;
mod sheets;

/// Registers equipment already in use (`in_service` unless the body says otherwise); new
/// equipment's acceptance is tested in `new_equipment_enters_service_through_acceptance`.
async fn register(app: &TestApp, token: &str, mut body: Value) -> Value {
    if body.get("status").is_none() {
        body["status"] = json!("in_service");
    }
    expect(
        app.post("/api/v1/assets", token, body).await,
        StatusCode::CREATED,
    )
    .await
}
