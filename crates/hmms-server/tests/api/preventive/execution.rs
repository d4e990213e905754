//! Doing preventive work: checklists complete and versioned, failed checks opening corrective
//! work, occurrences on time, late or missed, floating schedules, overdue notices.

use super::*;

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
