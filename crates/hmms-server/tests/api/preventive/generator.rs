//! The generator: work made ahead of time and once, with generators racing, after downtime,
//! and by meters.

use super::*;

async fn a_plan_generates_its_work_ahead_of_time_and_once(app: TestApp) {
    let vent = asset(&app, "SMGH-ICU-VENT-101", json!({})).await;
    let checklist = template(&app, "Ventilator PM checklist").await;
    let tech = app.user_id("technician@demo.hmms").await;
    // Every month from ten days out, generated seven days ahead, assigned to the technician.
    let p = plan(
        &app,
        json!({ "assetId": vent["id"], "checklistTemplateId": checklist["id"],
                "recurrence": { "frequency": "monthly", "interval": 1 },
                "startLocal": fmt(at(&app, 240)), "assigneeId": tech, "priority": "high",
                "estimatedMinutes": 90, "requiredParts": [{ "description": "Flow sensor", "quantity": 1 }] }),
    )
    .await;
    assert_eq!(p["assetCount"], 1);
    assert!(
        p["rule"]
            .as_str()
            .unwrap()
            .starts_with("FREQ=MONTHLY;INTERVAL=1;BYMONTHDAY="),
        "{p}"
    );
    assert_eq!(p["timeZone"], "Africa/Nairobi");
    // Local time in Nairobi, three hours ahead of UTC.
    let next: chrono::DateTime<chrono::Utc> = p["nextDueAt"].as_str().unwrap().parse().unwrap();
    assert_eq!(next.naive_utc(), at(&app, 240) - Duration::hours(3));

    // Ten days before: nothing yet.
    assert_eq!(generate(&app).await["generated"], 0);
    assert!(instances(&app, "").await.is_empty());
    // Four days later it is within the lead time: one occurrence and one work order.
    app.advance(Duration::days(4));
    let run = generate(&app).await;
    assert_eq!(run["generated"], 1, "{run}");
    assert_eq!(
        generate(&app).await["generated"],
        0,
        "a second run makes nothing new"
    );
    let list = instances(&app, "").await;
    assert_eq!(list.len(), 1);
    let i = &list[0];
    assert_eq!(i["status"], "generated");
    assert_eq!(i["dueAt"], p["nextDueAt"]);
    assert_eq!(i["planName"], "Ventilator PM");
    assert_eq!(i["assetTag"], "SMGH-ICU-VENT-101");
    let wo = work_order(&app, i["workOrderId"].as_str().unwrap()).await;
    assert_eq!(wo["type"], "preventive");
    assert_eq!(wo["status"], "assigned");
    assert_eq!(wo["assigneeId"], tech.as_str());
    assert_eq!(wo["priority"], "high");
    assert_eq!(wo["pmInstanceId"], i["id"]);
    assert_eq!(wo["assetId"], vent["id"]);
    assert_eq!(wo["code"], i["workOrderCode"]);
    assert!(
        wo["title"]
            .as_str()
            .unwrap()
            .starts_with("PM: Ventilator PM")
    );
    let description = wo["description"].as_str().unwrap();
    assert!(
        description.contains("Flow sensor") && description.contains("90 min"),
        "{description}"
    );
    assert_eq!(wo["slaResponseDueAt"], i["dueAt"]);
    assert_eq!(wo["slaResolutionDueAt"], i["windowEndAt"]);
    // Its checklist is the template's current version, unanswered.
    let t = app.token("technician").await;
    let c = expect(
        app.get(
            &format!(
                "/api/v1/work-orders/{}/checklist",
                wo["id"].as_str().unwrap()
            ),
            &t,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(c["versionNumber"], 1);
    assert_eq!(c["missing"], json!(["visual", "earth", "alarms"]));
    // The technician is told once.
    let notes = expect(app.get("/api/v1/notifications", &t).await, StatusCode::OK).await;
    let pm: Vec<&Value> = notes["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "pm_generated")
        .collect();
    assert_eq!(pm.len(), 1);
    assert!(
        pm[0]["title"]
            .as_str()
            .unwrap()
            .contains(wo["code"].as_str().unwrap())
    );
    // The plan now says when the following one is due (a month later).
    let p2 = expect(
        app.get(
            &format!("/api/v1/preventive/plans/{}", p["id"].as_str().unwrap()),
            &app.token("facility_manager").await,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let following: chrono::DateTime<chrono::Utc> =
        p2["nextDueAt"].as_str().unwrap().parse().unwrap();
    assert!(
        (27..=31).contains(&(following - next).num_days()),
        "{following} after {next}"
    );
}
both!(a_plan_generates_its_work_ahead_of_time_and_once);

async fn generators_running_at_once_make_each_occurrence_once(app: TestApp) {
    for n in 0..12 {
        let a = asset(
            &app,
            &format!("SMGH-ICU-PUMP-{n:03}"),
            json!({ "name": "Infusion pump" }),
        )
        .await;
        plan(
            &app,
            json!({ "name": format!("Pump PM {n}"), "assetId": a["id"],
                    "recurrence": { "frequency": "weekly", "interval": 2 },
                    "startLocal": fmt(at(&app, 72)), "leadDays": 0 }),
        )
        .await;
    }
    app.advance(Duration::days(4));
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let s = app.state.clone();
            tokio::spawn(
                async move { hmms_server::modules::preventive::run_generator(&s, None).await },
            )
        })
        .collect();
    let mut generated = 0;
    for h in handles {
        generated += h.await.unwrap().unwrap().generated;
    }
    assert_eq!(
        generated, 12,
        "each plan's occurrence made once across four generators"
    );
    let list = instances(&app, "").await;
    assert_eq!(list.len(), 12);
    let mut plans: Vec<&str> = list.iter().map(|i| i["planId"].as_str().unwrap()).collect();
    plans.sort();
    plans.dedup();
    assert_eq!(plans.len(), 12);
    let manager = app.token("facility_manager").await;
    let wos = expect(
        app.get("/api/v1/work-orders?type=preventive&limit=200", &manager)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(wos["items"].as_array().unwrap().len(), 12);
    let mut codes: Vec<&str> = wos["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["code"].as_str().unwrap())
        .collect();
    codes.sort();
    codes.dedup();
    assert_eq!(codes.len(), 12, "twelve different numbers");
}
both!(generators_running_at_once_make_each_occurrence_once);

async fn the_generator_catches_up_after_downtime_without_duplicates(app: TestApp) {
    let a = asset(
        &app,
        "SMGH-EST-GEN-001",
        json!({ "name": "Standby generator" }),
    )
    .await;
    let p = plan(
        &app,
        json!({ "name": "Generator weekly load test", "assetId": a["id"],
                "recurrence": { "frequency": "weekly", "interval": 1 },
                "startLocal": fmt(at(&app, 12)), "leadDays": 0, "graceDays": 1 }),
    )
    .await;
    // The server was down (nothing generated) for three and a half weeks.
    app.advance(Duration::days(1) + Duration::days(24));
    let run = generate(&app).await;
    assert_eq!(
        run["generated"], 1,
        "only the latest due occurrence gets work: {run}"
    );
    let list = instances(&app, &format!("planId={}", p["id"].as_str().unwrap())).await;
    assert_eq!(list.len(), 4, "four weekly occurrences fell due");
    let missed: Vec<&Value> = list.iter().filter(|i| i["status"] == "missed").collect();
    assert_eq!(missed.len(), 3);
    assert!(missed.iter().all(|i| {
        i["workOrderId"].is_null()
            && i["missReason"]
                .as_str()
                .unwrap()
                .contains("Not generated in time")
    }));
    assert_eq!(
        list[0]["status"], "generated",
        "newest first: the latest is open"
    );
    // Running again, or after another hour, makes nothing twice.
    assert_eq!(generate(&app).await["generated"], 0);
    app.advance(Duration::hours(1));
    let again = generate(&app).await;
    assert_eq!(
        (again["generated"].as_i64(), again["missed"].as_i64()),
        (Some(0), Some(0))
    );
    assert_eq!(
        instances(&app, &format!("planId={}", p["id"].as_str().unwrap()))
            .await
            .len(),
        4
    );
}
both!(the_generator_catches_up_after_downtime_without_duplicates);

async fn a_meter_triggers_work_and_restarts_at_completion(app: TestApp) {
    let admin = app.admin().await;
    let a = asset(
        &app,
        "SMGH-EST-GEN-002",
        json!({ "name": "Standby generator" }),
    )
    .await;
    let asset_id = a["id"].as_str().unwrap();
    let meter = expect(
        app.post(
            &format!("/api/v1/assets/{asset_id}/meters"),
            &admin,
            json!({ "name": "Running hours", "unit": "h" }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let read = |v: i64| {
        let path = format!(
            "/api/v1/assets/{asset_id}/meters/{}/readings",
            meter["id"].as_str().unwrap()
        );
        let app = &app;
        async move {
            // The manager reads it (a technician sees other departments' equipment only once
            // they have work on it).
            let t = app.token("facility_manager").await;
            expect(
                app.post(&path, &t, json!({ "value": v })).await,
                StatusCode::CREATED,
            )
            .await;
        }
    };
    let tech = app.user_id("technician@demo.hmms").await;
    plan(
        &app,
        json!({ "name": "Generator 250-hour service", "assetId": asset_id,
                "meterName": "running hours", "meterEvery": 250, "assigneeId": tech }),
    )
    .await;
    read(1000).await; // where counting starts
    read(1200).await;
    assert!(instances(&app, "").await.is_empty());
    // 250 hours on: the work order appears with the reading, without waiting for the hour.
    read(1260).await;
    let list = instances(&app, "").await;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["trigger"], "meter");
    assert_eq!(list[0]["meterValue"], 1260);
    let wo = work_order(&app, list[0]["workOrderId"].as_str().unwrap()).await;
    assert!(
        wo["description"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("running hours at 1260"),
        "{wo}"
    );
    // Further readings while it is open make no second one.
    read(1600).await;
    assert_eq!(instances(&app, "").await.len(), 1);
    // Done at 1600: the next one is due at 1850.
    assert_eq!(
        finish(&app, wo["id"].as_str().unwrap(), None).await,
        StatusCode::OK
    );
    assert_eq!(instances(&app, "").await[0]["status"], "completed_on_time");
    read(1800).await;
    assert_eq!(instances(&app, "").await.len(), 1);
    read(1850).await;
    let list = instances(&app, "").await;
    assert_eq!(list.len(), 2);
    assert_eq!(list.iter().filter(|i| i["meterValue"] == 1850).count(), 1);
}
both!(a_meter_triggers_work_and_restarts_at_completion);
