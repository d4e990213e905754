//! What preventive work adds up to: compliance against hand-computed figures, the calendar and
//! its revocable feed.

use super::*;

/// A hand-computed quarter: six occurrences on a high-risk ventilator (life support) and four
/// on a low-risk monitor, ending on time, late, missed, overdue and open.
async fn compliance_adds_up_to_hand_computed_figures(app: TestApp) {
    let tech = app.user_id("technician@demo.hmms").await;
    let vent = asset(&app, "SMGH-ICU-VENT-104", json!({ "lifeSupport": true })).await;
    let mon = asset(
        &app,
        "SMGH-ICU-MON-104",
        json!({ "name": "Patient monitor", "riskClass": "low" }),
    )
    .await;
    let from = app.state.clock.now();
    let weekly = |id: &Value, name: &str| {
        json!({ "name": name, "assetId": id, "assigneeId": tech,
        "recurrence": { "frequency": "weekly", "interval": 1 },
        "startLocal": fmt(at(&app, 12)), "leadDays": 0, "graceDays": 2 })
    };
    plan(&app, weekly(&vent["id"], "Vent weekly")).await;
    plan(&app, weekly(&mon["id"], "Monitor weekly")).await;
    // Week 1: both on time.
    app.advance(Duration::days(1));
    generate(&app).await;
    for tag in ["SMGH-ICU-VENT-104", "SMGH-ICU-MON-104"] {
        assert_eq!(
            finish(&app, &open_of(&app, tag).await, None).await,
            StatusCode::OK
        );
    }
    // Week 2: the ventilator's done on time, the monitor's started and done late (week 3).
    app.advance(Duration::days(7));
    generate(&app).await;
    assert_eq!(
        finish(&app, &open_of(&app, "SMGH-ICU-VENT-104").await, None).await,
        StatusCode::OK
    );
    let mon2 = open_of(&app, "SMGH-ICU-MON-104").await;
    start_work(&app, &mon2).await;
    // Week 3: the ventilator's is not started → missed when week 4 falls due.
    app.advance(Duration::days(7));
    generate(&app).await;
    assert_eq!(finish(&app, &mon2, None).await, StatusCode::OK);
    // Week 4: the monitor's done on time; the ventilator's left undone.
    app.advance(Duration::days(7));
    generate(&app).await;
    assert_eq!(
        finish(&app, &open_of(&app, "SMGH-ICU-MON-104").await, None).await,
        StatusCode::OK
    );
    // Week 5: four days on, both are past their two-day window (week 6 is not due yet); the
    // monitor's is done now (late), the ventilator's stays overdue.
    app.advance(Duration::days(7));
    generate(&app).await;
    app.advance(Duration::days(4));
    assert_eq!(
        finish(&app, &open_of(&app, "SMGH-ICU-MON-104").await, None).await,
        StatusCode::OK
    );
    let to = app.state.clock.now() + Duration::hours(1);
    let q = format!(
        "from={}&to={}",
        from.to_rfc3339().replace('+', "%2B"),
        to.to_rfc3339().replace('+', "%2B")
    );
    let r = expect(
        app.get(
            &format!("/api/v1/preventive/compliance?{q}"),
            &app.token("facility_manager").await,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    // Ventilator: weeks 1 and 2 on time, 3 and 4 missed (each unstarted when the next fell
    // due), 5 overdue. Monitor: week 1 on time, 2 late (started in time, finished after its
    // window), 3 missed (unstarted when week 4 fell due), 4 on time, 5 late.
    let vent_row = r["byRiskClass"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["key"] == "high")
        .unwrap()
        .clone();
    let mon_row = r["byRiskClass"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["key"] == "low")
        .unwrap()
        .clone();
    let counts = |g: &Value| {
        (
            g["scheduled"].as_i64().unwrap(),
            g["completedOnTime"].as_i64().unwrap(),
            g["completedLate"].as_i64().unwrap(),
            g["missed"].as_i64().unwrap(),
            g["overdue"].as_i64().unwrap(),
            g["open"].as_i64().unwrap(),
        )
    };
    assert_eq!(
        counts(&vent_row),
        (5, 2, 0, 2, 1, 0),
        "ventilator: {vent_row}"
    );
    assert_eq!(vent_row["compliancePercent"], 40.0);
    assert_eq!(r["highRiskAndLifeSupport"]["compliancePercent"], 40.0);
    assert_eq!(counts(&mon_row), (5, 2, 2, 1, 0, 0), "monitor: {mon_row}");
    assert_eq!(mon_row["compliancePercent"], 40.0);
    assert_eq!(mon_row["completionPercent"], 80.0);
    assert_eq!(counts(&r["overall"]), (10, 4, 2, 3, 1, 0));
    assert_eq!(r["overall"]["compliancePercent"], 40.0);
    assert_eq!(r["overall"]["completionPercent"], 60.0);
    let outcomes: Vec<&str> = r["exceptions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes.iter().filter(|o| **o == "missed").count(), 3);
    assert_eq!(
        outcomes.iter().filter(|o| **o == "completed_late").count(),
        2
    );
    assert_eq!(outcomes.iter().filter(|o| **o == "overdue").count(), 1);
    // Filtered by risk class, and exported for the surveyor.
    let low = expect(
        app.get(
            &format!("/api/v1/preventive/compliance?{q}&riskClass=low"),
            &app.token("facility_manager").await,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(counts(&low["overall"]), counts(&mon_row));
    let csv = app
        .get(
            &format!("/api/v1/preventive/compliance.csv?{q}"),
            &app.token("facility_manager").await,
        )
        .await;
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(
        csv.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let text = csv.text().await.unwrap();
    let lines: Vec<&str> = text.trim_end().split("\r\n").collect();
    assert_eq!(lines.len(), 11, "a header and ten occurrences");
    assert!(lines[0].starts_with("due_at,window_end_at,plan,asset_tag"));
    assert_eq!(lines.iter().filter(|l| l.contains(",missed,")).count(), 3);
    let bad = app
        .get(
            &format!(
                "/api/v1/preventive/compliance?from={}&to={}",
                to.to_rfc3339().replace('+', "%2B"),
                from.to_rfc3339().replace('+', "%2B")
            ),
            &app.token("facility_manager").await,
        )
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // The reports' key figures count the same occurrences: 4 on time of 10 decided, and on the
    // life-support ventilator 2 of 5 (issue 15).
    let k = expect(
        app.get(
            &format!("/api/v1/reports/kpis?{q}"),
            &app.token("facility_manager").await,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let figure = |key: &str| {
        let f = k["figures"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["key"] == key)
            .unwrap()
            .clone();
        (f["value"].clone(), f["counted"].as_i64().unwrap())
    };
    assert_eq!(figure("pm_compliance"), (json!(40.0), 10));
    assert_eq!(figure("pm_compliance_high_risk"), (json!(40.0), 5));
}
both!(compliance_adds_up_to_hand_computed_figures);

async fn the_calendar_projects_and_its_feed_is_revocable(app: TestApp) {
    let tech_id = app.user_id("technician@demo.hmms").await;
    let a = asset(&app, "SMGH-ICU-VENT-105", json!({})).await;
    let start = at(&app, 12);
    plan(
        &app,
        json!({ "name": "Vent monthly", "assetId": a["id"], "assigneeId": tech_id,
                "recurrence": { "rule": "FREQ=MONTHLY;BYDAY=1MO" }, "startLocal": fmt(start),
                "leadDays": 45 }),
    )
    .await;
    let manager = app.token("facility_manager").await;
    let now = app.state.clock.now();
    let q = format!(
        "from={}&to={}",
        now.to_rfc3339().replace('+', "%2B"),
        (now + Duration::days(120)).to_rfc3339().replace('+', "%2B")
    );
    let cal = expect(
        app.get(&format!("/api/v1/preventive/calendar?{q}"), &manager)
            .await,
        StatusCode::OK,
    )
    .await;
    let entries = cal["entries"].as_array().unwrap();
    let generated = entries
        .iter()
        .filter(|e| !e["projected"].as_bool().unwrap())
        .count();
    let projected = entries
        .iter()
        .filter(|e| e["projected"].as_bool().unwrap())
        .count();
    assert!(
        generated >= 1,
        "what falls within 45 days is generated: {cal}"
    );
    assert!(projected >= 1, "later first Mondays are projected");
    // First Mondays at the start's time of day, from the start on (worked out by hand).
    let first_mondays = |until: chrono::DateTime<chrono::Utc>| {
        (0..400)
            .map(|d| start.date() + Duration::days(d))
            .filter(|d| d.weekday() == Weekday::Mon && d.day() <= 7)
            .map(|d| (d.and_time(start.time()) - Duration::hours(3)).and_utc())
            .filter(|t| t.naive_utc() >= start - Duration::hours(3) && *t < until)
            .count()
    };
    assert_eq!(
        generated + projected,
        first_mondays(now + Duration::days(120)),
        "first Mondays in 120 days: {cal}"
    );
    let mut days: Vec<&str> = entries
        .iter()
        .map(|e| e["dueAt"].as_str().unwrap())
        .collect();
    let sorted = {
        let mut d = days.clone();
        d.sort();
        d
    };
    assert_eq!(days, sorted);
    days.dedup();
    assert_eq!(days.len(), entries.len(), "no occurrence twice");
    // The technician subscribes a calendar app to their own work.
    let tech = app.token("technician").await;
    let feed = expect(
        app.post(
            "/api/v1/preventive/calendar-feeds",
            &tech,
            json!({ "scope": "mine" }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let url = feed["url"].as_str().unwrap();
    let path = &url[url.find("/api/").unwrap()..];
    let ics = app.client.get(app.url(path)).send().await.unwrap();
    assert_eq!(ics.status(), StatusCode::OK);
    assert!(
        ics.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/calendar")
    );
    let body = ics.text().await.unwrap();
    assert!(body.starts_with("BEGIN:VCALENDAR\r\n"));
    assert_eq!(
        body.matches("BEGIN:VEVENT").count(),
        first_mondays(now + Duration::days(180)),
        "{body}"
    );
    assert!(body.contains("SUMMARY:PM: Vent monthly — Ventilator SMGH-ICU-VENT-105"));
    // Listed without its secret; revoked, the address stops working.
    let list = expect(
        app.get("/api/v1/preventive/calendar-feeds", &tech).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(list[0]["url"], Value::Null);
    let res = app
        .delete(
            &format!(
                "/api/v1/preventive/calendar-feeds/{}",
                feed["id"].as_str().unwrap()
            ),
            &tech,
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.client.get(app.url(path)).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.client
            .get(app.url("/api/v1/preventive/feeds/guess.ics"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
}
both!(the_calendar_projects_and_its_feed_is_revocable);
