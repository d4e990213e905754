//! The live event stream: scoped per user, resumable, and shared between servers.

use reqwest::StatusCode;
use serde_json::json;

use crate::both;
use crate::helpers::{EventStream, TestApp, expect};

async fn each_user_hears_only_about_what_they_may_see(app: TestApp) {
    let (tech, staff, vendor, manager) = (
        app.token("technician").await,
        app.token("staff").await,
        app.token("vendor").await,
        app.token("facility_manager").await,
    );
    let mut tech_stream = EventStream::open(&app.client, &app.base, &tech, None).await;
    let mut staff_stream = EventStream::open(&app.client, &app.base, &staff, None).await;
    let mut vendor_stream = EventStream::open(&app.client, &app.base, &vendor, None).await;

    let tech_id = app.user_id("technician@demo.hmms").await;
    let icu = app.department_id("SMGH", "ICU").await;
    let body =
        json!({ "title": "Monitor screen dark", "departmentId": icu, "assigneeId": tech_id });
    let wo = expect(
        app.post("/api/v1/work-orders", &manager, body).await,
        StatusCode::CREATED,
    )
    .await;
    let id = wo["id"].as_str().unwrap();

    let got = tech_stream
        .next(10)
        .await
        .expect("the assignee hears of it");
    assert_eq!(got.event, "WORK_ORDER_CREATED");
    assert_eq!(got.data["entityId"], id);
    assert_eq!(got.data["data"]["code"], wo["code"]);
    let got = staff_stream.next(10).await.expect("the ICU hears of it");
    assert_eq!(got.data["entityId"], id);

    // The vendor is not involved: the next thing it hears is its own work, not the ICU's.
    let vendor_id = app.user_id("vendor@demo.hmms").await;
    let theirs = expect(
        app.post(
            "/api/v1/work-orders",
            &manager,
            json!({ "title": "Autoclave seal", "assigneeId": vendor_id }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let got = vendor_stream
        .next(10)
        .await
        .expect("the vendor hears of its own work");
    assert_eq!(
        got.data["entityId"], theirs["id"],
        "nothing about the ICU's work order reached the vendor"
    );
    // Sign-in events and notifications are never streamed.
    app.login_raw("staff@demo.hmms", "wrong password!").await;
    let staff_next = staff_stream.next(3).await;
    assert!(
        staff_next
            .as_ref()
            .is_none_or(|e| e.data["entityType"] == "work_order"),
        "{staff_next:?}"
    );
}
both!(each_user_hears_only_about_what_they_may_see);

async fn a_reconnecting_client_receives_what_it_missed(app: TestApp) {
    let manager = app.token("facility_manager").await;
    let mut stream = EventStream::open(&app.client, &app.base, &manager, None).await;
    let first = expect(
        app.post("/api/v1/work-orders", &manager, json!({ "title": "First" }))
            .await,
        StatusCode::CREATED,
    )
    .await;
    let seen = stream.next(10).await.expect("event");
    assert_eq!(seen.data["entityId"], first["id"]);
    drop(stream);
    // While disconnected, two more changes.
    let second = expect(
        app.post(
            "/api/v1/work-orders",
            &manager,
            json!({ "title": "Second" }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let path = format!("/api/v1/work-orders/{}", second["id"].as_str().unwrap());
    expect(
        app.patch(&path, &manager, json!({ "priority": "critical" }))
            .await,
        StatusCode::OK,
    )
    .await;
    let mut stream = EventStream::open(&app.client, &app.base, &manager, Some(seen.id)).await;
    let a = stream.next(10).await.expect("first missed event");
    let b = stream.next(10).await.expect("second missed event");
    assert_eq!(
        (a.event.as_str(), b.event.as_str()),
        ("WORK_ORDER_CREATED", "WORK_ORDER_UPDATED")
    );
    assert!(
        a.id > seen.id && b.id > a.id,
        "in order, after the last one seen"
    );
    assert_eq!(b.data["data"]["priority"], "critical");
    let bad = app
        .client
        .get(app.url("/api/v1/events"))
        .bearer_auth(&manager)
        .header("Last-Event-ID", "yesterday")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
}
both!(a_reconnecting_client_receives_what_it_missed);

/// Two servers on one database: a change made through one reaches a client of the other
/// (PostgreSQL: LISTEN/NOTIFY; SQLite: the pump's poll).
async fn events_cross_between_servers(app: TestApp) {
    let other = app.second_server().await;
    let manager = app.token("facility_manager").await;
    let mut stream = EventStream::open(&app.client, &other.base, &manager, None).await;
    let wo = expect(
        app.post(
            "/api/v1/work-orders",
            &manager,
            json!({ "title": "Lift alarm" }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    // PostgreSQL relays at once through NOTIFY (its fallback poll is a minute); SQLite's
    // second process polls every two seconds.
    let got = stream
        .next(5)
        .await
        .expect("the other server relays the event");
    assert_eq!(got.data["entityId"], wo["id"]);
}
both!(events_cross_between_servers);
