//! Work on hold names why it waits, from the organization's list; the time it waits is counted.

use chrono::Duration;

use super::*;

async fn hold(app: &TestApp, path: &str, token: &str, body: Value) -> reqwest::Response {
    app.patch(path, token, body).await
}

async fn work_waits_for_a_reason_and_its_time_on_hold_is_counted(app: TestApp) {
    let id = work_order_in(&app, "in_progress").await;
    let path = format!("/api/v1/work-orders/{id}");
    let tech = app.token("technician").await;

    // No reason, an unknown one, or a reason without the step: 422 naming the choices, nothing
    // written.
    let p = expect(
        hold(&app, &path, &tech, json!({ "status": "on_hold" })).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "holdReason", "{p}");
    assert!(
        p["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("awaiting_parts") && m.contains("awaiting_funds")),
        "{p}"
    );
    let p = expect(
        hold(
            &app,
            &path,
            &tech,
            json!({ "status": "on_hold", "holdReason": "awaiting_lunch" }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "holdReason", "{p}");
    let p = expect(
        hold(
            &app,
            &path,
            &tech,
            json!({ "holdReason": "awaiting_parts" }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "holdReason", "{p}");
    let wo = expect(app.get(&path, &tech).await, StatusCode::OK).await;
    assert_eq!(wo["status"], "in_progress");
    assert_eq!(wo["holdMinutes"], 0);

    // On hold for parts: the reason and since when, and the clock runs while it waits.
    let wo = expect(
        hold(
            &app,
            &path,
            &tech,
            json!({ "status": "on_hold", "holdReason": "awaiting_parts" }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(wo["status"], "on_hold");
    assert_eq!(wo["holdReason"], "awaiting_parts");
    assert_eq!(wo["names"]["holdReason"], "Awaiting parts");
    assert!(wo["onHoldSince"].is_string(), "{wo}");
    app.advance(Duration::minutes(90));
    let tech = app.token("technician").await;
    let wo = expect(app.get(&path, &tech).await, StatusCode::OK).await;
    assert_eq!(wo["holdMinutes"], 90, "the current hold counts");
    // Already on hold: a second reason is refused (the step is the place to give one).
    let p = expect(
        hold(
            &app,
            &path,
            &tech,
            json!({ "status": "on_hold", "holdReason": "awaiting_vendor" }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "holdReason", "{p}");

    // Resumed: the 90 minutes are kept, the reason stays on the record.
    let wo = expect(
        hold(&app, &path, &tech, json!({ "status": "in_progress" })).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(wo["holdMinutes"], 90);
    assert_eq!(wo["onHoldSince"], Value::Null);
    assert_eq!(wo["holdReason"], "awaiting_parts");
    // A second hold adds to the first.
    expect(
        hold(
            &app,
            &path,
            &tech,
            json!({ "status": "on_hold", "holdReason": "awaiting_access" }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    app.advance(Duration::minutes(30));
    let tech = app.token("technician").await;
    let wo = expect(
        hold(&app, &path, &tech, json!({ "status": "in_progress" })).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(wo["holdMinutes"], 120);
    assert_eq!(wo["holdReason"], "awaiting_access");
    let history = expect(
        app.get(&format!("{path}/history"), &tech).await,
        StatusCode::OK,
    )
    .await;
    let reasons: Vec<&str> = history
        .as_array()
        .expect("history")
        .iter()
        .filter(|h| h["toStatus"] == "on_hold")
        .filter_map(|h| h["detail"]["holdReason"].as_str())
        .collect();
    assert_eq!(reasons.len(), 2, "{history}");
    assert!(reasons.contains(&"awaiting_parts") && reasons.contains(&"awaiting_access"));

    // Work recorded before hold times were kept gets them from its history (migration m0018):
    // the same minutes the server counted as the work moved.
    let waiting = work_order_in(&app, "on_hold").await;
    app.advance(Duration::minutes(10));
    let tech = app.token("technician").await;
    let waiting_path = format!("/api/v1/work-orders/{waiting}");
    let before = expect(app.get(&waiting_path, &tech).await, StatusCode::OK).await;
    use hmms_store::sea_orm::ConnectionTrait;
    app.state
        .db
        .execute_unprepared("UPDATE work_orders SET hold_minutes = 0, on_hold_since = NULL")
        .await
        .expect("forget the hold times");
    assert_eq!(
        expect(app.get(&path, &tech).await, StatusCode::OK).await["holdMinutes"],
        0
    );
    hmms_store::migration::m0018_hold_reasons::backfill(&app.state.db)
        .await
        .expect("backfill");
    let wo = expect(app.get(&path, &tech).await, StatusCode::OK).await;
    assert_eq!(wo["holdMinutes"], 120);
    let after = expect(app.get(&waiting_path, &tech).await, StatusCode::OK).await;
    assert_eq!(after["onHoldSince"], before["onHoldSince"]);
    assert_eq!(after["holdMinutes"], 10);

    // Done: the key figures give its two hours on hold under the reason it last waited for;
    // the work still waiting is not done and not counted.
    expect(
        app.post(
            &format!("{path}/complete"),
            &tech,
            json!({ "resolutionCategory": "repaired" }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let now = app.state.clock.now();
    let period = format!(
        "from={}&to={}",
        (now - Duration::days(1)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        (now + Duration::days(1)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    );
    let manager = app.token("facility_manager").await;
    let k = expect(
        app.get(&format!("/api/v1/reports/kpis?{period}"), &manager)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        k["delays"],
        json!([{ "reason": "awaiting_access", "name": "Awaiting access", "workOrders": 1, "minutes": 120, "hours": 2.0 }])
    );
    let held = k["figures"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["key"] == "time_on_hold"))
        .expect("time on hold");
    assert_eq!(
        (held["value"].clone(), held["counted"].clone()),
        (json!(2.0), json!(1))
    );

    // The figure's records: the list selects the work that waited, or waited for one reason.
    let listed = |q: String| {
        let (app, manager) = (&app, manager.clone());
        async move {
            let page = expect(
                app.get(&format!("/api/v1/work-orders?{q}"), &manager).await,
                StatusCode::OK,
            )
            .await;
            let mut ids: Vec<String> = page["items"]
                .as_array()
                .expect("items")
                .iter()
                .filter_map(|w| w["id"].as_str().map(String::from))
                .collect();
            ids.sort();
            ids
        }
    };
    let done = format!(
        "completedFrom={}&completedTo={}",
        (now - Duration::days(1)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        (now + Duration::days(1)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    );
    assert_eq!(listed(format!("{done}&held=true")).await, [id.as_str()]);
    assert_eq!(
        listed(format!("{done}&holdReason=awaiting_access")).await,
        [id.as_str()]
    );
    assert!(
        listed(format!("{done}&holdReason=awaiting_parts"))
            .await
            .is_empty()
    );
    assert!(listed(format!("{done}&held=false")).await.is_empty());
    // Waiting now counts as having waited.
    assert!(
        listed("held=true&open=true".into())
            .await
            .contains(&waiting)
    );
}
both!(work_waits_for_a_reason_and_its_time_on_hold_is_counted);

async fn administrators_keep_the_list_of_hold_reasons(app: TestApp) {
    let admin = app.admin().await;
    let org = expect(
        app.get("/api/v1/organization", &admin).await,
        StatusCode::OK,
    )
    .await;
    let codes: Vec<&str> = org["holdReasons"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|r| r["code"].as_str())
        .collect();
    assert_eq!(
        codes,
        [
            "awaiting_parts",
            "awaiting_vendor",
            "awaiting_access",
            "awaiting_funds"
        ]
    );

    // Work held for parts: that reason may be switched off, not removed.
    let id = work_order_in(&app, "on_hold").await;
    let removed = json!([
        { "code": "awaiting_vendor", "name": "Awaiting vendor", "active": true },
    ]);
    let p = expect(
        app.patch(
            "/api/v1/organization",
            &admin,
            json!({ "holdReasons": removed }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "holdReasons", "{p}");
    assert!(
        p["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("inactive")),
        "{p}"
    );
    // Bad lists: a code twice, a bad code, an empty name, none active.
    for (list, field) in [
        (
            json!([
                { "code": "awaiting_parts", "name": "A", "active": true },
                { "code": "awaiting_parts", "name": "B", "active": true },
            ]),
            "holdReasons[1].code",
        ),
        (
            json!([{ "code": "Awaiting Parts", "name": "A", "active": true }]),
            "holdReasons[0].code",
        ),
        (
            json!([{ "code": "awaiting_parts", "name": " ", "active": true }]),
            "holdReasons[0].name",
        ),
        (
            json!([{ "code": "awaiting_parts", "name": "A", "active": false }]),
            "holdReasons",
        ),
        (json!([]), "holdReasons"),
    ] {
        let p = expect(
            app.patch(
                "/api/v1/organization",
                &admin,
                json!({ "holdReasons": list }),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(p["errors"][0]["field"], field, "{list} → {p}");
    }
    let org = expect(
        app.get("/api/v1/organization", &admin).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        org["holdReasons"].as_array().map(Vec::len),
        Some(4),
        "nothing written"
    );

    // Parts off, a biomedical engineer's visit on: a technician may choose only what is active.
    let list = json!([
        { "code": "awaiting_parts", "name": "Awaiting parts", "active": false },
        { "code": "awaiting_vendor", "name": "Awaiting vendor", "active": true },
        { "code": "awaiting_biomed", "name": "Awaiting the biomedical engineer", "active": true },
    ]);
    let org = expect(
        app.patch(
            "/api/v1/organization",
            &admin,
            json!({ "holdReasons": list }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(org["holdReasons"], list);
    let audit = expect(
        app.get("/api/v1/audit?entityType=organization", &admin)
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(
        audit.to_string().contains("awaiting_biomed"),
        "the change is audited: {audit}"
    );
    // The held work still reads its (now inactive) reason by name.
    let tech = app.token("technician").await;
    let wo = expect(
        app.get(&format!("/api/v1/work-orders/{id}"), &tech).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(wo["names"]["holdReason"], "Awaiting parts");
    let other = work_order_in(&app, "in_progress").await;
    let path = format!("/api/v1/work-orders/{other}");
    expect(
        app.patch(
            &path,
            &tech,
            json!({ "status": "on_hold", "holdReason": "awaiting_parts" }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let wo = expect(
        app.patch(
            &path,
            &tech,
            json!({ "status": "on_hold", "holdReason": "awaiting_biomed" }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        wo["names"]["holdReason"],
        "Awaiting the biomedical engineer"
    );
    // Only administrators change the list.
    let manager = app.token("facility_manager").await;
    expect(
        app.patch(
            "/api/v1/organization",
            &manager,
            json!({ "holdReasons": list }),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
}
both!(administrators_keep_the_list_of_hold_reasons);
