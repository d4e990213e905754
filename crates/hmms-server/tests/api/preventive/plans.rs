//! Plans: coverage of classes (also equipment added later), checks, pausing, scope, and dates
//! at the edges of the calendar in the site's zone.

use super::*;

async fn plans_cover_classes_including_equipment_added_later(app: TestApp) {
    let admin = app.admin().await;
    let class = expect(
        app.post(
            "/api/v1/equipment-classes",
            &admin,
            json!({ "code": "INFPUMP", "name": "Infusion pumps" }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let sub = expect(
        app.post(
            "/api/v1/equipment-classes",
            &admin,
            json!({ "code": "SYRINGE", "name": "Syringe pumps", "parentId": class["id"] }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let braun = json!({ "make": "B. Braun", "model": "Infusomat Space" });
    let with_class = |name: &str, class: &Value, extra: Value| {
        let mut b = braun.clone();
        b["name"] = json!(name);
        b["classId"] = class.clone();
        for (k, v) in extra.as_object().unwrap() {
            b[k] = v.clone();
        }
        b
    };
    asset(
        &app,
        "SMGH-ICU-IP-201",
        with_class("Infusion pump", &class["id"], json!({})),
    )
    .await;
    asset(
        &app,
        "SMGH-ICU-SP-201",
        with_class("Syringe pump", &sub["id"], json!({})),
    )
    .await;
    let old = asset(
        &app,
        "SMGH-ICU-IP-202",
        with_class("Infusion pump", &class["id"], json!({})),
    )
    .await;
    let manager = app.token("facility_manager").await;
    expect(
        app.patch(
            &format!("/api/v1/assets/{}", old["id"].as_str().unwrap()),
            &manager,
            json!({ "status": "retired", "statusReason": "Replaced" }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let p = plan(
        &app,
        json!({ "name": "Pump annual PM", "targetKind": "class", "classId": class["id"],
        "recurrence": { "frequency": "yearly", "interval": 1 }, "startLocal": fmt(at(&app, 720)) }),
    )
    .await;
    assert_eq!(
        p["assetCount"], 2,
        "the class and its subclass, not the retired pump"
    );
    asset(
        &app,
        "SMGH-ICU-IP-203",
        with_class("Infusion pump", &class["id"], json!({})),
    )
    .await;
    let run = generate(&app).await;
    assert_eq!(run["targetsAdded"], 1, "{run}");
    let p = expect(
        app.get(
            &format!("/api/v1/preventive/plans/{}", p["id"].as_str().unwrap()),
            &manager,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(p["assetCount"], 3);
    // By make and model too.
    let m = plan(&app, json!({ "name": "C6 service", "targetKind": "model", "make": "Hamilton Medical", "model": "C6",
        "recurrence": { "frequency": "monthly", "interval": 6 }, "startLocal": fmt(at(&app, 720)) })).await;
    assert_eq!(m["assetCount"], 0);
    asset(&app, "SMGH-ICU-VENT-301", json!({})).await;
    generate(&app).await;
    let m = expect(
        app.get(
            &format!("/api/v1/preventive/plans/{}", m["id"].as_str().unwrap()),
            &manager,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(m["assetCount"], 1);
    let listed = expect(
        app.get(
            &format!("/api/v1/preventive/plans?assetId={}", "x"),
            &manager,
        )
        .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(listed["status"], 400);
}
both!(plans_cover_classes_including_equipment_added_later);

async fn plans_are_checked_paused_with_a_reason_and_scoped(app: TestApp) {
    let manager = app.token("facility_manager").await;
    let a = asset(&app, "SMGH-ICU-VENT-106", json!({})).await;
    let smgh = app.site_id("SMGH").await;
    let base = json!({ "siteId": smgh, "name": "X", "targetKind": "asset", "assetId": a["id"] });
    let with = |extra: Value| {
        let mut b = base.clone();
        for (k, v) in extra.as_object().unwrap() {
            b[k] = v.clone();
        }
        b
    };
    for (body, field) in [
        (with(json!({})), "recurrence"),
        (
            with(
                json!({ "recurrence": { "rule": "FREQ=SOMETIMES" }, "startLocal": fmt(at(&app, 12)) }),
            ),
            "recurrence",
        ),
        (
            with(
                json!({ "recurrence": { "rule": "FREQ=WEEKLY;COUNT=4" }, "startLocal": fmt(at(&app, 12)) }),
            ),
            "recurrence",
        ),
        // Finer than daily (issue 13 finding 5): refused, never walked.
        (
            with(
                json!({ "recurrence": { "rule": "FREQ=SECONDLY" }, "startLocal": "2020-01-01T00:00:00" }),
            ),
            "recurrence",
        ),
        (
            with(
                json!({ "recurrence": { "rule": "FREQ=DAILY;BYHOUR=8,20" }, "startLocal": fmt(at(&app, 12)) }),
            ),
            "recurrence",
        ),
        (
            with(json!({ "recurrence": { "frequency": "weekly" } })),
            "startLocal",
        ),
        (with(json!({ "meterName": "Hours" })), "meterEvery"),
        (
            with(
                json!({ "recurrence": { "frequency": "weekly", "interval": 0 }, "startLocal": fmt(at(&app, 12)) }),
            ),
            "recurrence",
        ),
        (
            with(
                json!({ "recurrence": { "frequency": "weekly" }, "startLocal": fmt(at(&app, 12)), "leadDays": 400 }),
            ),
            "leadDays",
        ),
        (
            with(
                json!({ "recurrence": { "frequency": "weekly" }, "startLocal": fmt(at(&app, 12)), "assigneeId": uuid::Uuid::now_v7() }),
            ),
            "assigneeId",
        ),
    ] {
        let res = app
            .post("/api/v1/preventive/plans", &manager, body.clone())
            .await;
        let p = expect(res, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(p["errors"][0]["field"], field, "{body}: {p}");
    }
    // Retired equipment needs no plan: saying so beats a plan that silently covers nothing.
    let retired = asset(&app, "SMGH-ICU-VENT-107", json!({})).await;
    expect(
        app.patch(
            &format!("/api/v1/assets/{}", retired["id"].as_str().unwrap()),
            &manager,
            json!({ "status": "retired", "statusReason": "Beyond economic repair" }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let res = app
        .post(
            "/api/v1/preventive/plans",
            &manager,
            with(json!({ "assetId": retired["id"], "recurrence": { "frequency": "weekly" }, "startLocal": fmt(at(&app, 12)) })),
        )
        .await;
    let problem = expect(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(problem["errors"][0]["field"], "assetId");
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("retired"),
        "{problem}"
    );
    let p = plan(&app, json!({ "assetId": a["id"], "recurrence": { "frequency": "weekly" }, "startLocal": fmt(at(&app, 72)), "leadDays": 0 })).await;
    let path = format!("/api/v1/preventive/plans/{}", p["id"].as_str().unwrap());
    // Pausing needs a reason; a paused plan generates nothing; resuming starts from now.
    let res = app.patch(&path, &manager, json!({ "active": false })).await;
    assert_eq!(
        expect(res, StatusCode::UNPROCESSABLE_ENTITY).await["errors"][0]["field"],
        "pausedReason"
    );
    let paused = expect(app.patch(&path, &manager, json!({ "active": false, "pausedReason": "Ventilator out on loan to the district hospital", "version": 1 })).await, StatusCode::OK).await;
    assert_eq!(paused["active"], false);
    app.advance(Duration::days(10));
    assert_eq!(generate(&app).await["generated"], 0);
    let manager = app.token("facility_manager").await;
    let resumed = expect(
        app.patch(
            &path,
            &manager,
            json!({ "active": true, "version": paused["version"] }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert!(resumed["pausedReason"].is_null());
    let next: chrono::DateTime<chrono::Utc> =
        resumed["nextDueAt"].as_str().unwrap().parse().unwrap();
    assert!(
        next >= app.state.clock.now(),
        "what fell due while paused is not made up"
    );
    assert!(instances(&app, "").await.is_empty());
    let stale = app
        .patch(&path, &manager, json!({ "name": "Y", "version": 1 }))
        .await;
    assert_eq!(stale.status(), StatusCode::PRECONDITION_FAILED);
    let admin = app.admin().await;
    let audit = expect(
        app.get(
            &format!("/api/v1/audit?entityId={}", p["id"].as_str().unwrap()),
            &admin,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for a in ["pm_plan.created", "pm_plan.paused", "pm_plan.resumed"] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
    // Scope: the technician reads plans of their site but plans nothing; staff and vendors see
    // none; the St. Mary's manager plans nothing at Lakeside.
    let tech = app.token("technician").await;
    let listed = expect(
        app.get("/api/v1/preventive/plans", &tech).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        app.post("/api/v1/preventive/plans", &tech, base.clone())
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    for role in ["staff", "vendor", "procurement"] {
        let t = app.token(role).await;
        assert_eq!(
            app.get("/api/v1/preventive/plans", &t).await.status(),
            StatusCode::FORBIDDEN,
            "{role}"
        );
    }
    let ldh = app.site_id("LDH").await;
    let there = app
        .post(
            "/api/v1/preventive/plans",
            &manager,
            with(json!({ "siteId": ldh,
        "recurrence": { "frequency": "weekly" }, "startLocal": fmt(at(&app, 12)) })),
        )
        .await;
    assert!(
        matches!(
            there.status(),
            StatusCode::FORBIDDEN | StatusCode::UNPROCESSABLE_ENTITY
        ),
        "{}",
        there.status()
    );
    // The preview shows the next ten dates in the site's zone.
    let preview = expect(app.post("/api/v1/preventive/schedule-preview", &manager, json!({
        "recurrence": { "rule": "FREQ=MONTHLY;INTERVAL=6;BYDAY=1MO" }, "startLocal": "2027-01-04T09:00:00", "siteId": smgh })).await, StatusCode::OK).await;
    let locals: Vec<&str> = preview["occurrences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["local"].as_str().unwrap())
        .collect();
    assert_eq!(locals.len(), 10);
    assert_eq!(
        &locals[..3],
        [
            "2027-01-04T09:00:00",
            "2027-07-05T09:00:00",
            "2028-01-03T09:00:00"
        ]
    );
    assert_eq!(preview["occurrences"][0]["at"], "2027-01-04T06:00:00Z");
}
both!(plans_are_checked_paused_with_a_reason_and_scoped);

/// The calendar's hard dates, stored and read back through the database: a monthly plan on the
/// 31st falls on the last day of shorter months, a yearly one on 29 February on the 28th in
/// common years, and 09:00 stays 09:00 local across the site's daylight-saving changes.
async fn edge_dates_hold_in_the_sites_zone(app: TestApp) {
    let admin = app.admin().await;
    let site = app.site_id("SMGH").await;
    // A hospital in a zone with summer time (UTC+0 in winter, UTC+1 from late March).
    let current = expect(
        app.get(&format!("/api/v1/sites/{site}"), &admin).await,
        StatusCode::OK,
    )
    .await;
    expect(
        app.patch(
            &format!("/api/v1/sites/{site}"),
            &admin,
            json!({ "timeZone": "Europe/London", "version": current["version"] }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let now = app.state.clock.now();
    let year = now.year() + 1;
    let leap = |y: i32| (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let a = asset(&app, "SMGH-ICU-VENT-131", json!({})).await;
    let monthly = plan(
        &app,
        json!({ "name": "On the 31st", "assetId": a["id"], "leadDays": 365,
                "recurrence": { "frequency": "monthly" },
                "startLocal": format!("{year}-01-31T09:00:00") }),
    )
    .await;
    let b = asset(&app, "SMGH-ICU-VENT-132", json!({})).await;
    let last_leap = (2000..=now.year()).rev().find(|y| leap(*y)).unwrap();
    let yearly = plan(
        &app,
        json!({ "name": "On the 29th of February", "assetId": b["id"], "leadDays": 365,
                "recurrence": { "frequency": "yearly" },
                "startLocal": format!("{last_leap}-02-29T09:00:00") }),
    )
    .await;
    generate(&app).await;

    let due = |list: Vec<Value>| {
        let mut d: Vec<String> = list
            .iter()
            .map(|i| i["dueAt"].as_str().unwrap().to_string())
            .collect();
        d.sort();
        d
    };
    let months = due(instances(&app, &format!("planId={}", monthly["id"].as_str().unwrap())).await);
    // Worked out by hand: the month's last day when it has no 31st; 09:00 is 09:00Z in
    // winter (GMT) and 08:00Z in summer (BST, last Sunday of March to last Sunday of October).
    let feb = if leap(year) { 29 } else { 28 };
    for (k, want) in [
        (0, format!("{year}-01-31T09:00:00Z")),
        (1, format!("{year}-02-{feb}T09:00:00Z")),
        (2, format!("{year}-03-31T08:00:00Z")),
        (3, format!("{year}-04-30T08:00:00Z")),
        (5, format!("{year}-06-30T08:00:00Z")),
        (8, format!("{year}-09-30T08:00:00Z")),
    ] {
        let horizon = now + Duration::days(365);
        let want_at: chrono::DateTime<chrono::Utc> = want.parse().unwrap();
        if want_at <= horizon {
            assert_eq!(
                months
                    .get(k)
                    .map(|d| d.parse::<chrono::DateTime<chrono::Utc>>().unwrap()),
                Some(want_at),
                "occurrence {k} of the plan on the 31st: {months:?}"
            );
        }
    }
    assert!(
        months.len() >= 2,
        "a year ahead holds at least January and February: {months:?}"
    );
    // The first due date after today; the plan started on the last leap day.
    let years = due(instances(&app, &format!("planId={}", yearly["id"].as_str().unwrap())).await);
    let next = (now.year()..)
        .map(|y| {
            let day = if leap(y) { 29 } else { 28 };
            format!("{y}-02-{day}T09:00:00Z")
                .parse::<chrono::DateTime<chrono::Utc>>()
                .unwrap()
        })
        .find(|d| *d >= now)
        .unwrap();
    assert_eq!(
        years
            .first()
            .map(|d| d.parse::<chrono::DateTime<chrono::Utc>>().unwrap()),
        Some(next),
        "29 February is the 28th in common years: {years:?}"
    );
}
both!(edge_dates_hold_in_the_sites_zone);
