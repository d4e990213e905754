//! What work orders keep: the demo's year of work, declines with reasons, signatures and costs,
//! and typed stored values.

use super::*;

async fn the_demo_year_of_work(app: TestApp) {
    let admin = app.admin().await;
    let mut all = vec![];
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/work-orders?limit=200&cursor={c}"),
            None => "/api/v1/work-orders?limit=200".to_string(),
        };
        let page = expect(app.get(&path, &admin).await, StatusCode::OK).await;
        all.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["nextCursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    // 300 repairs, requests and inspections; the year of preventive maintenance (its size
    // follows the calendar) comes on top.
    let preventive = all.iter().filter(|w| w["type"] == "preventive").count();
    assert_eq!(all.len() - preventive, 300);
    assert!(preventive > 100, "a year of preventive work: {preventive}");
    for status in [
        "pending",
        "assigned",
        "in_progress",
        "on_hold",
        "completed",
        "closed",
        "cancelled",
    ] {
        assert!(
            all.iter().any(|w| w["status"] == status),
            "some demo work is {status}"
        );
    }
    // Codes are numbered per hospital.
    let mut codes: Vec<(&str, &str)> = all
        .iter()
        .map(|w| (w["siteId"].as_str().unwrap(), w["code"].as_str().unwrap()))
        .collect();
    codes.sort();
    codes.dedup();
    assert_eq!(codes.len(), all.len(), "codes are unique");
    // Each demo user has something to do.
    let tech = app.token("technician").await;
    let tech_id = app.user_id("technician@demo.hmms").await;
    let mine = expect(
        app.get(
            &format!("/api/v1/work-orders?assignedTo={tech_id}&open=true"),
            &tech,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert!(!mine["items"].as_array().unwrap().is_empty());
    let vendor = app.token("vendor").await;
    let theirs = expect(
        app.get("/api/v1/work-orders?open=true", &vendor).await,
        StatusCode::OK,
    )
    .await;
    assert!(!theirs["items"].as_array().unwrap().is_empty());
    let manager = app.token("facility_manager").await;
    let waiting = expect(
        app.get("/api/v1/work-orders?status=completed", &manager)
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(
        !waiting["items"].as_array().unwrap().is_empty(),
        "work waits for the manager's approval"
    );
    // New work continues the numbering.
    let staff = app.token("staff").await;
    expect(
        app.post(
            "/api/v1/work-orders",
            &staff,
            json!({ "title": "New fault" }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert!(
        hmms_server::audit::verify(&app.state.db, &app.state.keys.audit)
            .await
            .unwrap()
            .is_ok()
    );
}
both!(the_demo_year_of_work, full_demo);

async fn declining_a_request_tells_the_requester_why(app: TestApp) {
    let staff = app.token("staff").await;
    let manager = app.token("facility_manager").await;
    let wo = expect(
        app.post(
            "/api/v1/work-orders",
            &staff,
            json!({ "title": "Paint the ward" }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let path = format!("/api/v1/work-orders/{}", wo["id"].as_str().unwrap());
    let p = expect(
        app.patch(&path, &manager, json!({ "status": "cancelled" }))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "reason");
    let body = json!({ "status": "cancelled", "reason": "Painting is done by the estates contractor; ask the ward manager." });
    let done = expect(app.patch(&path, &manager, body).await, StatusCode::OK).await;
    assert_eq!(done["status"], "cancelled");
    assert!(
        done["cancellationReason"]
            .as_str()
            .unwrap()
            .starts_with("Painting")
    );
    let notes = expect(
        app.get("/api/v1/notifications", &staff).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(notes["items"][0]["kind"], "work_order_declined");
    assert!(
        notes["items"][0]["body"]
            .as_str()
            .unwrap()
            .contains("contractor")
    );
    // Withdrawing one's own request needs no reason.
    let own = expect(
        app.post(
            "/api/v1/work-orders",
            &staff,
            json!({ "title": "Fixed itself" }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let own_path = format!("/api/v1/work-orders/{}", own["id"].as_str().unwrap());
    expect(
        app.patch(&own_path, &staff, json!({ "status": "cancelled" }))
            .await,
        StatusCode::OK,
    )
    .await;
}
both!(declining_a_request_tells_the_requester_why);

async fn signatures_and_costs(app: TestApp) {
    let admin = app.admin().await;
    let org = expect(
        app.patch(
            "/api/v1/organization",
            &admin,
            json!({ "labourRateMinor": 120_000 }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(org["labourRateMinor"], 120_000);
    expect(
        app.patch(
            "/api/v1/organization",
            &admin,
            json!({ "labourRateMinor": -1 }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let (manager, tech, staff) = (
        app.token("facility_manager").await,
        app.token("technician").await,
        app.token("staff").await,
    );
    // Only those who raise work may demand a signature.
    let res = app
        .post(
            "/api/v1/work-orders",
            &staff,
            json!({ "title": "x", "signatureRequired": true }),
        )
        .await;
    expect(res, StatusCode::FORBIDDEN).await;
    let tech_id = app.user_id("technician@demo.hmms").await;
    let body = json!({ "title": "Install new suction unit", "type": "installation", "assigneeId": tech_id, "signatureRequired": true });
    let wo = expect(
        app.post("/api/v1/work-orders", &manager, body).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(wo["signatureRequired"], true);
    let id = wo["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/work-orders/{id}");
    expect(
        app.patch(&path, &tech, json!({ "status": "in_progress" }))
            .await,
        StatusCode::OK,
    )
    .await;
    expect(
        app.post(
            &format!("{path}/time-logs"),
            &tech,
            json!({ "minutes": 30 }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    expect(
        app.patch(&path, &manager, json!({ "vendorCostMinor": 50_000 }))
            .await,
        StatusCode::OK,
    )
    .await;
    let p = expect(
        app.post(
            &format!("{path}/complete"),
            &tech,
            json!({ "resolutionCategory": "installed" }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "signature");
    let png = crate::attachments::image_bytes(400, 150, image::ImageFormat::Png);
    let res = crate::attachments::upload(
        &app,
        &tech,
        &id,
        "signature.png",
        "image/png",
        png,
        Some("signature"),
    )
    .await;
    expect(res, StatusCode::CREATED).await;
    let done = expect(
        app.post(
            &format!("{path}/complete"),
            &tech,
            json!({ "resolutionCategory": "installed" }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(done["labourMinutes"], 30);
    assert_eq!(done["labourCostMinor"], 60_000, "half an hour at 1,200.00");
    assert_eq!(done["vendorCostMinor"], 50_000);
    assert_eq!(done["totalCostMinor"], 110_000);
}
both!(signatures_and_costs);

/// Stored enums are typed columns: a status nobody knows, written into the database behind the
/// server's back, fails the read with a server error instead of showing as some other status
/// (before, it read as `pending`); the other work orders still read.
async fn an_unknown_stored_status_is_an_error_not_a_default(app: TestApp) {
    let manager = app.token("facility_manager").await;
    let broken = work_order_in(&app, "in_progress").await;
    let fine = work_order_in(&app, "assigned").await;
    let code = app.get_ok(&format!("/api/v1/work-orders/{broken}")).await["code"]
        .as_str()
        .unwrap()
        .to_string();
    app.sql(&format!(
        "UPDATE work_orders SET status = 'half_done' WHERE code = '{code}' AND status = 'in_progress'"
    ))
    .await;
    let res = app
        .get(&format!("/api/v1/work-orders/{broken}"), &manager)
        .await;
    let body = expect(res, StatusCode::INTERNAL_SERVER_ERROR).await;
    assert_eq!(body["status"], 500, "{body}");
    assert_ne!(body["status"], "pending");
    let ok = expect(
        app.get(&format!("/api/v1/work-orders/{fine}"), &manager)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(ok["status"], "assigned");
}
both!(an_unknown_stored_status_is_an_error_not_a_default);

/// Every listed work order's `slaStatus`, by the list's own SLA filter.
async fn by_sla(app: &TestApp, token: &str) -> std::collections::BTreeMap<String, Vec<String>> {
    let mut out = std::collections::BTreeMap::new();
    for s in ["on_track", "at_risk", "breached", "met"] {
        let page = expect(
            app.get(
                &format!("/api/v1/work-orders?slaStatus={s}&limit=200"),
                token,
            )
            .await,
            StatusCode::OK,
        )
        .await;
        let items = page["items"].as_array().expect("items");
        // What the database selected is what each work order says of itself.
        assert!(items.iter().all(|w| w["slaStatus"] == s), "{s}: {page}");
        let mut ids: Vec<String> = items
            .iter()
            .filter_map(|w| w["id"].as_str().map(String::from))
            .collect();
        ids.sort();
        out.insert(s.to_string(), ids);
    }
    out
}

/// The dashboard's "SLA at risk" and "breached" list the work they count: the list selects work
/// by its resolution clock exactly as each work order reads it.
async fn the_list_selects_work_by_its_sla_clock(app: TestApp) {
    let manager = app.token("facility_manager").await;
    let a = work_order_in(&app, "assigned").await;
    let b = work_order_in(&app, "assigned").await;
    let done = work_order_in(&app, "completed").await;
    let wo = expect(
        app.get(&format!("/api/v1/work-orders/{a}"), &manager).await,
        StatusCode::OK,
    )
    .await;
    let at = |k: &str| {
        chrono::DateTime::parse_from_rfc3339(wo[k].as_str().expect("time"))
            .expect("rfc3339")
            .to_utc()
    };
    let window = at("slaResolutionDueAt") - at("createdAt");
    let sorted = |mut v: Vec<&String>| {
        v.sort();
        v.into_iter().cloned().collect::<Vec<_>>()
    };

    let now = by_sla(&app, &manager).await;
    assert_eq!(now["on_track"], sorted(vec![&a, &b]));
    assert_eq!(now["met"], [done.as_str()]);
    assert!(now["at_risk"].is_empty() && now["breached"].is_empty());

    // Four fifths of the time used: both open jobs are at risk; the summary counts the same.
    app.advance(window * 4 / 5);
    let manager = app.token("facility_manager").await;
    let later = by_sla(&app, &manager).await;
    assert_eq!(later["at_risk"], sorted(vec![&a, &b]), "{later:?}");
    assert!(later["on_track"].is_empty());
    let summary = expect(
        app.get("/api/v1/work-orders/summary", &manager).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(summary["atRisk"], 2, "{summary}");

    // Past the deadline: breached. A cancelled job no longer runs a clock (met).
    expect(
        app.patch(
            &format!("/api/v1/work-orders/{b}"),
            &manager,
            json!({ "status": "cancelled", "reason": "Duplicate" }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    app.advance(window / 4);
    let manager = app.token("facility_manager").await;
    let late = by_sla(&app, &manager).await;
    assert_eq!(late["breached"], [a.as_str()], "{late:?}");
    assert_eq!(late["met"], sorted(vec![&b, &done]));
    let p = expect(
        app.get("/api/v1/work-orders?slaStatus=overdue", &manager)
            .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(p.to_string().contains("slaStatus"), "{p}");
}
both!(the_list_selects_work_by_its_sla_clock);
