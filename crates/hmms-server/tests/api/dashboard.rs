//! `GET /work-orders/summary`: the dashboard's figures, counted under each role's scope.

use reqwest::StatusCode;
use serde_json::json;

use crate::both;
use crate::helpers::{TestApp, expect, work_order_in};

async fn dashboard_counts_the_work_each_role_may_see(app: TestApp) {
    let (staff, manager, tech) = (
        app.token("staff").await,
        app.token("facility_manager").await,
        app.token("technician").await,
    );
    let icu = app.department_id("SMGH", "ICU").await;
    let empty = expect(
        app.get("/api/v1/work-orders/summary", &manager).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        empty["openByPriority"],
        json!({ "critical": 0, "high": 0, "medium": 0, "low": 0 })
    );
    assert_eq!(empty["mttrHoursThisMonth"], json!(null));
    assert_eq!(empty["backlogByDepartment"], json!([]));

    // One repair done and waiting for approval (raised by the ICU nurse, worked by the technician).
    work_order_in(&app, "completed").await;
    for (title, priority) in [
        ("Monitor blank", "critical"),
        ("Bed rail loose", "high"),
        ("Lamp flickers", "medium"),
    ] {
        let res = app
            .post(
                "/api/v1/work-orders",
                &staff,
                json!({ "title": title, "priority": priority }),
            )
            .await;
        expect(res, StatusCode::CREATED).await;
    }

    let s = expect(
        app.get("/api/v1/work-orders/summary", &manager).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        s["openByPriority"],
        json!({ "critical": 1, "high": 1, "medium": 1, "low": 0 })
    );
    assert_eq!(s["pendingRequests"], 3);
    assert_eq!(s["awaitingApproval"], 1);
    assert_eq!(
        (s["atRisk"].as_i64(), s["breached"].as_i64()),
        (Some(0), Some(0))
    );
    assert_eq!(s["assignedToMe"], 0);
    assert_eq!(
        s["completedThisMonth"], 1,
        "the completed repair counts for MTTR"
    );
    assert!(s["mttrHoursThisMonth"].as_f64().is_some_and(|h| h >= 0.0));
    assert_eq!(
        s["backlogByDepartment"],
        json!([{ "departmentId": icu, "open": 3, "breached": 0 }])
    );

    // The technician (another department) sees only the work he did, not the ICU's new requests.
    let t = expect(
        app.get("/api/v1/work-orders/summary", &tech).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        t["openByPriority"],
        json!({ "critical": 0, "high": 0, "medium": 0, "low": 0 })
    );
    assert_eq!(t["awaitingApproval"], 1);
    assert_eq!(t["backlogByDepartment"], json!([]));

    // Three hours on, the critical request (4 h to resolve) is at risk; a day later all but the
    // medium one (72 h) are breached.
    app.advance(chrono::Duration::hours(3));
    let manager = app.token("facility_manager").await;
    let s = expect(
        app.get("/api/v1/work-orders/summary", &manager).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (s["atRisk"].as_i64(), s["breached"].as_i64()),
        (Some(1), Some(0))
    );
    app.advance(chrono::Duration::hours(24));
    let manager = app.token("facility_manager").await;
    let s = expect(
        app.get("/api/v1/work-orders/summary", &manager).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (s["atRisk"].as_i64(), s["breached"].as_i64()),
        (Some(0), Some(2))
    );
    assert_eq!(s["backlogByDepartment"][0]["breached"], 2);

    // A vendor with no jobs sees nothing; signed out is 401.
    let vendor = app.token("vendor").await;
    let v = expect(
        app.get("/api/v1/work-orders/summary", &vendor).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(v["pendingRequests"], 0);
    expect(
        app.get("/api/v1/work-orders/summary", "nope").await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
}
both!(dashboard_counts_the_work_each_role_may_see);
