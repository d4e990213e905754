//! Preventive maintenance through HTTP: plans generate their work ahead of time and once (also
//! with generators racing and after downtime), meters trigger work, checklists are versioned and
//! must be complete, failed checks open corrective work, occurrences end on time, late or
//! missed, compliance adds up to hand-computed figures, the calendar and its feed, and scope.

use chrono::{Datelike, Duration, NaiveDateTime, Timelike, Weekday};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::both;
use crate::helpers::{TestApp, expect};

mod execution;
mod generator;
mod plans;
mod reporting;

/// St. Mary's local time (Africa/Nairobi, UTC+3) `hours` from the server's now, on the hour:
/// between `hours - 1` and `hours` from now, whatever the time of day the test runs at.
fn at(app: &TestApp, hours: i64) -> NaiveDateTime {
    let zone: chrono_tz::Tz = "Africa/Nairobi".parse().unwrap();
    let t = (app.state.clock.now() + Duration::hours(hours))
        .with_timezone(&zone)
        .naive_local();
    t.date().and_hms_opt(t.hour(), 0, 0).unwrap()
}

fn fmt(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%S").to_string()
}

/// An in-service asset at St. Mary's ICU.
async fn asset(app: &TestApp, tag: &str, body: Value) -> Value {
    let admin = app.admin().await;
    let icu = app.department_id("SMGH", "ICU").await;
    let mut b = json!({ "tag": tag, "name": "Ventilator", "departmentId": icu, "status": "in_service",
                        "make": "Hamilton Medical", "model": "C6" });
    for (k, v) in body.as_object().unwrap() {
        b[k] = v.clone();
    }
    expect(
        app.post("/api/v1/assets", &admin, b).await,
        StatusCode::CREATED,
    )
    .await
}

async fn template(app: &TestApp, name: &str) -> Value {
    let manager = app.token("facility_manager").await;
    let body = json!({
        "name": name,
        "items": [
            { "key": "visual", "label": "Visual inspection of casing and cables", "kind": "pass_fail" },
            { "key": "earth", "label": "Protective earth resistance", "kind": "number", "unit": "Ω", "max": 0.3 },
            { "key": "alarms", "label": "Alarms sound", "kind": "pass_fail", "allowNa": true },
            { "key": "remarks", "label": "Remarks", "kind": "text", "required": false }
        ]
    });
    expect(
        app.post("/api/v1/preventive/checklists", &manager, body)
            .await,
        StatusCode::CREATED,
    )
    .await
}

async fn plan(app: &TestApp, body: Value) -> Value {
    let manager = app.token("facility_manager").await;
    let mut b = json!({ "siteId": app.site_id("SMGH").await, "name": "Ventilator PM",
                        "task": "Replace filters, calibrate oxygen cell, run self-test.",
                        "targetKind": "asset", "leadDays": 7, "graceDays": 3 });
    for (k, v) in body.as_object().unwrap() {
        b[k] = v.clone();
    }
    expect(
        app.post("/api/v1/preventive/plans", &manager, b).await,
        StatusCode::CREATED,
    )
    .await
}

async fn generate(app: &TestApp) -> Value {
    let manager = app.token("facility_manager").await;
    expect(
        app.request(
            Method::POST,
            "/api/v1/preventive/run-generator",
            Some(&manager),
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await
}

async fn instances(app: &TestApp, query: &str) -> Vec<Value> {
    let manager = app.token("facility_manager").await;
    let page = expect(
        app.get(
            &format!("/api/v1/preventive/instances?limit=200&{query}"),
            &manager,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    page["items"].as_array().unwrap().clone()
}

async fn work_order(app: &TestApp, id: &str) -> Value {
    let manager = app.token("facility_manager").await;
    expect(
        app.get(&format!("/api/v1/work-orders/{id}"), &manager)
            .await,
        StatusCode::OK,
    )
    .await
}

/// The technician starts and completes preventive work (answering its checklist if it has one).
async fn finish(app: &TestApp, id: &str, answers: Option<Value>) -> StatusCode {
    let tech = app.token("technician").await;
    let wo = work_order(app, id).await;
    if wo["status"] == "assigned" {
        let res = app
            .patch(
                &format!("/api/v1/work-orders/{id}"),
                &tech,
                json!({ "status": "in_progress", "version": wo["version"] }),
            )
            .await;
        expect(res, StatusCode::OK).await;
    }
    if let Some(a) = answers {
        let res = app
            .request(
                Method::PUT,
                &format!("/api/v1/work-orders/{id}/checklist"),
                Some(&tech),
                Some(json!({ "answers": a })),
            )
            .await;
        expect(res, StatusCode::OK).await;
    }
    let wo = work_order(app, id).await;
    app.post(
        &format!("/api/v1/work-orders/{id}/complete"),
        &tech,
        json!({ "resolutionCategory": "repaired", "version": wo["version"] }),
    )
    .await
    .status()
}

fn passing() -> Value {
    json!([
        { "key": "visual", "result": "pass" },
        { "key": "earth", "value": 0.12 },
        { "key": "alarms", "result": "na" }
    ])
}

async fn notification_kinds(app: &TestApp, role: &str) -> Vec<String> {
    let t = app.token(role).await;
    let n = expect(
        app.get("/api/v1/notifications?limit=200", &t).await,
        StatusCode::OK,
    )
    .await;
    n["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["kind"].as_str().unwrap().to_string())
        .collect()
}

/// The open work order of the asset with `tag`.
async fn open_of(app: &TestApp, tag: &str) -> String {
    instances(app, "status=generated")
        .await
        .into_iter()
        .find(|i| i["assetTag"] == tag)
        .unwrap()["workOrderId"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn start_work(app: &TestApp, id: &str) {
    let t = app.token("technician").await;
    let wo = work_order(app, id).await;
    let res = app
        .patch(
            &format!("/api/v1/work-orders/{id}"),
            &t,
            json!({ "status": "in_progress", "version": wo["version"] }),
        )
        .await;
    expect(res, StatusCode::OK).await;
}
