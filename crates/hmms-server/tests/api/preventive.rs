//! Preventive maintenance through HTTP: plans generate their work ahead of time and once (also
//! with generators racing and after downtime), meters trigger work, checklists are versioned and
//! must be complete, failed checks open corrective work, occurrences end on time, late or
//! missed, compliance adds up to hand-computed figures, the calendar and its feed, and scope.

use chrono::{Datelike, Duration, NaiveDateTime, Timelike, Weekday};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::both;
use crate::helpers::{TestApp, expect};

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

async fn checklists_must_be_complete_and_failed_checks_open_corrective_work(app: TestApp) {
    let vent = asset(&app, "SMGH-ICU-VENT-102", json!({})).await;
    let checklist = template(&app, "Electrical safety").await;
    let tech = app.user_id("technician@demo.hmms").await;
    plan(
        &app,
        json!({ "assetId": vent["id"], "checklistTemplateId": checklist["id"],
                "recurrence": { "frequency": "yearly", "interval": 1 },
                "startLocal": fmt(at(&app, 36)), "assigneeId": tech }),
    )
    .await;
    let i = &instances(&app, "").await[0];
    let id = i["workOrderId"].as_str().unwrap().to_string();
    let t = app.token("technician").await;
    let wo = work_order(&app, &id).await;
    expect(
        app.patch(
            &format!("/api/v1/work-orders/{id}"),
            &t,
            json!({ "status": "in_progress", "version": wo["version"] }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    // Not complete yet: completion names what is still open.
    let wo = work_order(&app, &id).await;
    let p = expect(
        app.post(
            &format!("/api/v1/work-orders/{id}/complete"),
            &t,
            json!({ "resolutionCategory": "repaired", "version": wo["version"] }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "checklist");
    assert!(
        p["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("visual, earth, alarms")
    );
    // Invalid answers are refused by item.
    let bad = app
        .request(
            Method::PUT,
            &format!("/api/v1/work-orders/{id}/checklist"),
            Some(&t),
            Some(json!({ "answers": [{ "key": "visual", "result": "na" }, { "key": "nope", "result": "pass" }] })),
        )
        .await;
    let p = expect(bad, StatusCode::UNPROCESSABLE_ENTITY).await;
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["answers[0]", "answers[1].key"]);
    // Only the one doing the work fills it in.
    let manager = app.token("facility_manager").await;
    let res = app
        .request(
            Method::PUT,
            &format!("/api/v1/work-orders/{id}/checklist"),
            Some(&manager),
            Some(json!({ "answers": [] })),
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // The earth resistance is out of range: the item fails, and completion opens a follow-up.
    let saved = expect(
        app.request(
            Method::PUT,
            &format!("/api/v1/work-orders/{id}/checklist"),
            Some(&t),
            Some(json!({ "answers": [
                { "key": "visual", "result": "pass" },
                { "key": "earth", "value": 0.82 },
                { "key": "alarms", "result": "pass" },
                { "key": "remarks", "text": "Earth pin of the mains lead loose" }
            ], "version": 1 })),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(saved["result"], "failed");
    assert_eq!(saved["failed"], json!(["earth"]));
    assert_eq!(saved["outcomes"]["earth"], "fail");
    assert_eq!(saved["missing"], json!([]));
    // A stale save is refused.
    let stale = app
        .request(
            Method::PUT,
            &format!("/api/v1/work-orders/{id}/checklist"),
            Some(&t),
            Some(json!({ "answers": [], "version": 1 })),
        )
        .await;
    assert_eq!(stale.status(), StatusCode::PRECONDITION_FAILED);
    assert_eq!(finish(&app, &id, None).await, StatusCode::OK);
    assert_eq!(instances(&app, "").await[0]["status"], "completed_on_time");
    let follow = expect(
        app.get(
            &format!(
                "/api/v1/work-orders?assetId={}&type=corrective",
                vent["id"].as_str().unwrap()
            ),
            &manager,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let items = follow["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "one corrective work order");
    let f = &items[0];
    assert_eq!(f["followUpOf"], id.as_str());
    assert_eq!(f["priority"], "high");
    assert_eq!(f["status"], "pending");
    assert!(
        f["title"]
            .as_str()
            .unwrap()
            .contains("Protective earth resistance: 0.82 Ω"),
        "{f}"
    );
    let notes = expect(
        app.get("/api/v1/notifications", &manager).await,
        StatusCode::OK,
    )
    .await;
    assert!(
        notes["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["kind"] == "pm_follow_up")
    );
    // The history shows the checklist being saved.
    let h = expect(
        app.get(&format!("/api/v1/work-orders/{id}/history"), &manager)
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(
        h.as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "checklist")
    );
}
both!(checklists_must_be_complete_and_failed_checks_open_corrective_work);

async fn templates_are_versioned_and_done_work_keeps_its_version(app: TestApp) {
    let t = template(&app, "Defibrillator daily check").await;
    let tid = t["id"].as_str().unwrap();
    let vent = asset(
        &app,
        "SMGH-ICU-DEFIB-101",
        json!({ "name": "Defibrillator" }),
    )
    .await;
    let tech = app.user_id("technician@demo.hmms").await;
    let p = plan(
        &app,
        json!({ "assetId": vent["id"], "checklistTemplateId": tid, "name": "Defib check",
                "recurrence": { "frequency": "daily", "interval": 1 }, "leadDays": 0,
                "startLocal": fmt(at(&app, 1)), "assigneeId": tech, "graceDays": 0 }),
    )
    .await;
    app.advance(Duration::days(1));
    generate(&app).await;
    let first = instances(&app, "").await[0]["workOrderId"]
        .as_str()
        .unwrap()
        .to_string();
    // Renaming makes no version; new items do.
    let t2 = expect(
        app.request(
            Method::PUT,
            &format!("/api/v1/preventive/checklists/{tid}"),
            Some(&app.token("facility_manager").await),
            Some(json!({ "name": "Defibrillator daily check (AED)", "version": 1 })),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(t2["currentVersion"], 1);
    let t3 = expect(
        app.request(Method::PUT, &format!("/api/v1/preventive/checklists/{tid}"), Some(&app.token("facility_manager").await),
            Some(json!({ "items": [
                { "key": "visual", "label": "Visual inspection", "kind": "pass_fail" },
                { "key": "charge", "label": "Charges to 200 J", "kind": "number", "unit": "J", "min": 190, "max": 210 }
            ], "version": 2 })))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(t3["currentVersion"], 2);
    assert_eq!(t3["versions"].as_array().unwrap().len(), 2);
    let v1 = expect(
        app.get(
            &format!("/api/v1/preventive/checklists/{tid}/versions/1"),
            &app.token("facility_manager").await,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(v1["items"].as_array().unwrap().len(), 4);
    // Yesterday's work keeps version 1; the next day's gets version 2.
    let c1 = expect(
        app.get(
            &format!("/api/v1/work-orders/{first}/checklist"),
            &app.token("technician").await,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(c1["versionNumber"], 1);
    assert_eq!(c1["templateName"], "Defibrillator daily check (AED)");
    assert_eq!(finish(&app, &first, Some(passing())).await, StatusCode::OK);
    app.advance(Duration::days(1));
    generate(&app).await;
    let list = instances(&app, &format!("planId={}", p["id"].as_str().unwrap())).await;
    let newest = list[0]["workOrderId"].as_str().unwrap();
    let c2 = expect(
        app.get(
            &format!("/api/v1/work-orders/{newest}/checklist"),
            &app.token("technician").await,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(c2["versionNumber"], 2);
    assert_eq!(c2["missing"], json!(["visual", "charge"]));
    // Bad templates are refused with the item named.
    let bad = app
        .post(
            "/api/v1/preventive/checklists",
            &app.token("facility_manager").await,
            json!({ "name": "Bad", "items": [
            { "key": "a", "label": "A", "kind": "number", "min": 5, "max": 1 }] }),
        )
        .await;
    let p = expect(bad, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(p["errors"][0]["field"], "items[0].min");
    let dup = app
        .post(
            "/api/v1/preventive/checklists",
            &app.token("facility_manager").await,
            json!({ "name": "Defibrillator daily check (AED)", "items": [
        { "key": "a", "label": "A", "kind": "text" }] }),
        )
        .await;
    assert_eq!(dup.status(), StatusCode::CONFLICT);
}
both!(templates_are_versioned_and_done_work_keeps_its_version);

async fn occurrences_end_on_time_late_or_missed(app: TestApp) {
    let tech = app.user_id("technician@demo.hmms").await;
    let a = asset(
        &app,
        "SMGH-ICU-MON-101",
        json!({ "name": "Patient monitor" }),
    )
    .await;
    let p = plan(
        &app,
        json!({ "name": "Monitor weekly check", "assetId": a["id"], "assigneeId": tech,
                "recurrence": { "frequency": "weekly", "interval": 1 },
                "startLocal": fmt(at(&app, 12)), "leadDays": 2, "graceDays": 1 }),
    )
    .await;
    let pid = p["id"].as_str().unwrap().to_string();
    // Week 1 (generated at once, two days' lead), done before it is due: on time.
    let w1 = instances(&app, &format!("planId={pid}")).await[0]["workOrderId"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(finish(&app, &w1, None).await, StatusCode::OK);
    assert_eq!(
        instances(&app, &format!("planId={pid}")).await[0]["status"],
        "completed_on_time"
    );
    // Week 2: started, but finished after its one-day window: late.
    app.advance(Duration::days(6));
    generate(&app).await;
    let w2 = instances(&app, &format!("planId={pid}")).await[0]["workOrderId"]
        .as_str()
        .unwrap()
        .to_string();
    let wo = work_order(&app, &w2).await;
    expect(
        app.patch(
            &format!("/api/v1/work-orders/{w2}"),
            &app.token("technician").await,
            json!({ "status": "in_progress", "version": wo["version"] }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    app.advance(Duration::days(5));
    assert_eq!(finish(&app, &w2, None).await, StatusCode::OK);
    let list = instances(&app, &format!("planId={pid}")).await;
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["status"], "completed_late");
    // Week 3: nobody starts it; when week 4 falls due, week 3 is missed and its work order
    // cancelled with the reason.
    app.advance(Duration::days(2));
    generate(&app).await;
    let w3 = instances(&app, &format!("planId={pid}")).await[0]["workOrderId"]
        .as_str()
        .unwrap()
        .to_string();
    app.advance(Duration::days(9));
    let run = generate(&app).await;
    assert_eq!(run["missed"], 1, "{run}");
    let list = instances(&app, &format!("planId={pid}")).await;
    let i3 = list
        .iter()
        .find(|i| i["workOrderId"] == w3.as_str())
        .unwrap()
        .clone();
    assert_eq!(i3["status"], "missed");
    assert_eq!(
        i3["missReason"],
        "Not started before the next occurrence fell due."
    );
    let wo3 = work_order(&app, &w3).await;
    assert_eq!(wo3["status"], "cancelled");
    assert_eq!(
        wo3["cancellationReason"],
        "Not started before the next occurrence fell due."
    );
    // A manager cancelling preventive work makes it missed, with the reason.
    let w4 = list.iter().find(|i| i["status"] == "generated").unwrap()["workOrderId"]
        .as_str()
        .unwrap()
        .to_string();
    let wo4 = work_order(&app, &w4).await;
    expect(app.patch(&format!("/api/v1/work-orders/{w4}"), &app.token("facility_manager").await,
        json!({ "status": "cancelled", "reason": "Monitor sent to the vendor for repair", "version": wo4["version"] })).await, StatusCode::OK).await;
    let list = instances(&app, &format!("planId={pid}")).await;
    assert_eq!(list.len(), 4);
    let i4 = list
        .iter()
        .find(|i| i["workOrderId"] == w4.as_str())
        .unwrap();
    assert_eq!(i4["status"], "missed");
    assert_eq!(
        i4["missReason"],
        "Work order cancelled: Monitor sent to the vendor for repair"
    );
    // The manager records a better reason for week 3.
    let i3 = expect(
        app.patch(
            &format!(
                "/api/v1/preventive/instances/{}",
                i3["id"].as_str().unwrap()
            ),
            &app.token("facility_manager").await,
            json!({ "missReason": "Monitor in continuous use in ICU bay 2" }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(i3["missReason"], "Monitor in continuous use in ICU bay 2");
    let done = instances(&app, &format!("planId={pid}"))
        .await
        .into_iter()
        .find(|i| i["status"] == "completed_on_time")
        .unwrap();
    let res = app
        .patch(
            &format!(
                "/api/v1/preventive/instances/{}",
                done["id"].as_str().unwrap()
            ),
            &app.token("facility_manager").await,
            json!({ "missReason": "x" }),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
}
both!(occurrences_end_on_time_late_or_missed);

async fn a_floating_schedule_counts_from_completion(app: TestApp) {
    let a = asset(&app, "SMGH-ICU-VENT-103", json!({})).await;
    let tech = app.user_id("technician@demo.hmms").await;
    let p = plan(
        &app,
        json!({ "name": "Ventilator floating PM", "assetId": a["id"], "assigneeId": tech, "mode": "floating",
                "recurrence": { "frequency": "monthly", "interval": 3 },
                "startLocal": fmt(at(&app, 12)), "leadDays": 1, "graceDays": 0 }),
    )
    .await;
    let pid = p["id"].as_str().unwrap();
    let start_hour = p["startLocal"].as_str().unwrap()[11..13]
        .parse::<u32>()
        .unwrap();
    let w = instances(&app, "").await[0]["workOrderId"]
        .as_str()
        .unwrap()
        .to_string();
    // Done ten days late: the next is due three months after the completion day, not the start.
    app.advance(Duration::days(11));
    generate(&app).await;
    assert_eq!(
        instances(&app, "").await.len(),
        1,
        "one open occurrence at a time"
    );
    assert_eq!(finish(&app, &w, None).await, StatusCode::OK);
    assert_eq!(instances(&app, "").await[0]["status"], "completed_late");
    let manager = app.token("facility_manager").await;
    let after = expect(
        app.get(&format!("/api/v1/preventive/plans/{pid}"), &manager)
            .await,
        StatusCode::OK,
    )
    .await;
    let next: chrono::DateTime<chrono::Utc> = after["nextDueAt"].as_str().unwrap().parse().unwrap();
    let zone: chrono_tz::Tz = "Africa/Nairobi".parse().unwrap();
    let done_day = app.state.clock.now().with_timezone(&zone).date_naive();
    let next_day = next.with_timezone(&zone).date_naive();
    let months = |d: chrono::NaiveDate| d.year() * 12 + d.month() as i32;
    assert_eq!(
        months(next_day) - months(done_day),
        3,
        "{done_day} → {next_day}"
    );
    assert_eq!(
        next.with_timezone(&zone).hour(),
        start_hour,
        "the plan's time of day"
    );
}
both!(a_floating_schedule_counts_from_completion);

async fn overdue_work_is_told_at_its_due_date_and_escalated_after_its_window(app: TestApp) {
    let admin = app.admin().await;
    let icu = app.department_id("SMGH", "ICU").await;
    let nurse = app.user_id("staff@demo.hmms").await;
    expect(
        app.patch(
            &format!("/api/v1/departments/{icu}"),
            &admin,
            json!({ "headUserId": nurse }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let a = asset(&app, "SMGH-ICU-SUCT-101", json!({ "name": "Suction unit" })).await;
    let tech = app.user_id("technician@demo.hmms").await;
    plan(
        &app,
        json!({ "name": "Suction monthly", "assetId": a["id"], "assigneeId": tech,
                "recurrence": { "frequency": "monthly", "interval": 1 },
                "startLocal": fmt(at(&app, 12)), "leadDays": 3, "graceDays": 2 }),
    )
    .await;
    let run = |app: &TestApp| {
        let s = app.state.clone();
        async move {
            hmms_server::modules::preventive::overdue_check(&s)
                .await
                .unwrap()
        }
    };
    assert_eq!(run(&app).await, json!({ "overdue": 0, "escalated": 0 }));
    app.advance(Duration::days(2));
    assert_eq!(run(&app).await, json!({ "overdue": 1, "escalated": 0 }));
    assert_eq!(
        run(&app).await,
        json!({ "overdue": 0, "escalated": 0 }),
        "once"
    );
    assert!(
        notification_kinds(&app, "technician")
            .await
            .contains(&"pm_overdue".to_string())
    );
    assert!(
        notification_kinds(&app, "facility_manager")
            .await
            .contains(&"pm_overdue".to_string())
    );
    assert!(
        !notification_kinds(&app, "staff")
            .await
            .contains(&"pm_escalated".to_string())
    );
    app.advance(Duration::days(2));
    assert_eq!(run(&app).await, json!({ "overdue": 0, "escalated": 1 }));
    assert_eq!(run(&app).await, json!({ "overdue": 0, "escalated": 0 }));
    assert!(
        notification_kinds(&app, "staff")
            .await
            .contains(&"pm_escalated".to_string()),
        "the department head"
    );
    assert!(
        notification_kinds(&app, "facility_manager")
            .await
            .contains(&"pm_escalated".to_string())
    );
    // The SLA checker leaves preventive work to this job (no second escalation).
    let s = app.state.clone();
    hmms_server::jobs::sla_check::run(&s).await.unwrap();
    assert!(
        !notification_kinds(&app, "technician")
            .await
            .contains(&"sla_breached".to_string())
    );
}
both!(overdue_work_is_told_at_its_due_date_and_escalated_after_its_window);

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
    assert_eq!(lines.iter().filter(|l| l.contains("\"missed\"")).count(), 3);
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
