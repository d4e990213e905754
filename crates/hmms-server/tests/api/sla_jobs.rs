//! The SLA checker with a moved clock, escalation chains, notifications and job runs.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::both;
use crate::helpers::{TestApp, expect};

async fn notifications_of(app: &TestApp, role: &str) -> Vec<Value> {
    let token = app.token(role).await;
    let page = expect(
        app.get("/api/v1/notifications?limit=200", &token).await,
        StatusCode::OK,
    )
    .await;
    page["items"].as_array().unwrap().clone()
}

fn kinds(list: &[Value]) -> Vec<String> {
    list.iter()
        .map(|n| n["kind"].as_str().unwrap().to_string())
        .collect()
}

async fn run_sla_check(app: &TestApp) -> Value {
    let admin = app.admin().await;
    expect(
        app.request(
            Method::POST,
            "/api/v1/admin/jobs/sla-check/run",
            Some(&admin),
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await
}

async fn deadlines_warn_then_escalate_level_by_level_once(app: TestApp) {
    let manager = app.token("facility_manager").await;
    let tech_id = app.user_id("technician@demo.hmms").await;
    let icu = app.department_id("SMGH", "ICU").await;
    // The ICU's nurse in charge heads the department.
    let admin = app.admin().await;
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
    let body = json!({ "title": "Ventilator alarm: low tidal volume", "priority": "critical", "departmentId": icu, "assigneeId": tech_id });
    let wo = expect(
        app.post("/api/v1/work-orders", &manager, body).await,
        StatusCode::CREATED,
    )
    .await;
    let code = wo["code"].as_str().unwrap().to_string();
    assert_eq!(
        kinds(&notifications_of(&app, "technician").await),
        ["work_order_assigned"]
    );

    // Before 75% of four hours: nothing.
    app.advance(chrono::Duration::minutes(170));
    let run = run_sla_check(&app).await;
    assert_eq!(run["status"], "ok");
    assert_eq!(run["detail"]["warnings"], 0);

    // Past 75%: the technician and the site's manager are warned, once.
    app.advance(chrono::Duration::minutes(11));
    assert_eq!(run_sla_check(&app).await["detail"]["warnings"], 1);
    assert_eq!(
        run_sla_check(&app).await["detail"]["warnings"],
        0,
        "a second run sends nothing new"
    );
    assert!(
        kinds(&notifications_of(&app, "technician").await).contains(&"sla_warning".to_string())
    );
    let manager_notes = notifications_of(&app, "facility_manager").await;
    assert_eq!(kinds(&manager_notes), ["sla_warning"]);
    assert!(manager_notes[0]["title"].as_str().unwrap().contains(&code));

    // Breached: level 1 (the assignee), 2 (the department head) and 3 (facility managers) at
    // once; admins later.
    app.advance(chrono::Duration::minutes(60));
    let run = run_sla_check(&app).await;
    assert_eq!(run["detail"]["breaches"], 1);
    assert_eq!(run["detail"]["escalations"], 3);
    assert!(
        kinds(&notifications_of(&app, "technician").await).contains(&"sla_breached".to_string())
    );
    assert!(
        kinds(&notifications_of(&app, "staff").await).contains(&"sla_escalated".to_string()),
        "the department head is told"
    );
    assert!(
        kinds(&notifications_of(&app, "facility_manager").await)
            .contains(&"sla_escalated".to_string())
    );
    assert!(notifications_of(&app, "admin").await.is_empty());
    let admin = app.admin().await;
    let seen = expect(
        app.get(
            &format!("/api/v1/work-orders/{}", wo["id"].as_str().unwrap()),
            &admin,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(seen["escalationLevel"], 3);
    assert_eq!(seen["slaStatus"], "breached");

    app.advance(chrono::Duration::minutes(61));
    assert_eq!(run_sla_check(&app).await["detail"]["escalations"], 1);
    let admin_notes = notifications_of(&app, "admin").await;
    assert_eq!(kinds(&admin_notes), ["sla_escalated"]);
    assert!(
        admin_notes[0]["title"]
            .as_str()
            .unwrap()
            .contains("level 4")
    );
    assert_eq!(
        run_sla_check(&app).await["detail"]["escalations"],
        0,
        "each level is told once"
    );

    // The events and the audit trail record it, and the runs are visible to administrators.
    let admin = app.admin().await;
    let audit = expect(
        app.get(
            &format!(
                "/api/v1/audit?entityId={}&limit=200",
                wo["id"].as_str().unwrap()
            ),
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
    for a in ["sla.warning", "sla.breached", "sla.escalated"] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
    let jobs = expect(app.get("/api/v1/admin/jobs", &admin).await, StatusCode::OK).await;
    assert_eq!(jobs["jobs"][0]["name"], "sla-check");
    assert!(jobs["runs"].as_array().unwrap().len() >= 6);
    assert!(
        jobs["runs"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["status"] == "ok")
    );
}
both!(deadlines_warn_then_escalate_level_by_level_once);

async fn a_scheduled_slot_runs_once_whoever_claims_it(app: TestApp) {
    let first = hmms_server::jobs::run(&app.state, "sla-check", "2026-11-24T10:00:00Z".into())
        .await
        .unwrap();
    let second = hmms_server::jobs::run(&app.state, "sla-check", "2026-11-24T10:00:00Z".into())
        .await
        .unwrap();
    assert!(first.is_some());
    assert!(second.is_none(), "the slot was already claimed");
    let admin = app.admin().await;
    expect(
        app.request(
            Method::POST,
            "/api/v1/admin/jobs/no-such-job/run",
            Some(&admin),
            None,
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
}
both!(a_scheduled_slot_runs_once_whoever_claims_it);

async fn a_site_can_shorten_its_escalation_chain(app: TestApp) {
    let admin = app.admin().await;
    let smgh = app.site_id("SMGH").await;
    let path = format!("/api/v1/sites/{smgh}/escalation-chain");
    let default = expect(app.get(&path, &admin).await, StatusCode::OK).await;
    let targets: Vec<&str> = default
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["notify"].as_str().unwrap())
        .collect();
    assert_eq!(
        targets,
        ["assignee", "department_head", "facility_manager", "admin"]
    );
    let bad = json!([{ "level": 1, "notify": "janitor", "delayMinutes": 0 }]);
    expect(
        app.request(Method::PUT, &path, Some(&admin), Some(bad))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let chain = json!([{ "level": 1, "notify": "admin", "delayMinutes": 0 }]);
    expect(
        app.request(Method::PUT, &path, Some(&admin), Some(chain))
            .await,
        StatusCode::OK,
    )
    .await;
    let manager = app.token("facility_manager").await;
    let body = json!({ "title": "Theatre light failed", "priority": "critical" });
    expect(
        app.post("/api/v1/work-orders", &manager, body).await,
        StatusCode::CREATED,
    )
    .await;
    app.advance(chrono::Duration::hours(5));
    let run = run_sla_check(&app).await;
    assert_eq!(run["detail"]["escalations"], 1);
    assert_eq!(
        kinds(&notifications_of(&app, "admin").await),
        ["sla_breached"]
    );
}
both!(a_site_can_shorten_its_escalation_chain);

async fn notifications_are_read_one_by_one_or_all_at_once(app: TestApp) {
    let manager = app.token("facility_manager").await;
    let tech_id = app.user_id("technician@demo.hmms").await;
    for title in ["Sink blocked", "Light flickers", "Door sticks"] {
        let body = json!({ "title": title, "assigneeId": tech_id });
        expect(
            app.post("/api/v1/work-orders", &manager, body).await,
            StatusCode::CREATED,
        )
        .await;
    }
    let tech = app.token("technician").await;
    let page = expect(
        app.get("/api/v1/notifications", &tech).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(page["unreadCount"], 3);
    let first = page["items"][0]["id"].as_str().unwrap().to_string();
    assert!(
        page["items"][0]["title"]
            .as_str()
            .unwrap()
            .starts_with("New work: WO-")
    );
    let marked = expect(
        app.request(
            Method::POST,
            &format!("/api/v1/notifications/{first}/read"),
            Some(&tech),
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(marked["marked"], 1);
    let page = expect(
        app.get("/api/v1/notifications?unread=true", &tech).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(page["unreadCount"], 2);
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    // Someone else cannot mark it.
    let staff = app.token("staff").await;
    expect(
        app.request(
            Method::POST,
            &format!("/api/v1/notifications/{first}/read"),
            Some(&staff),
            None,
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let all = expect(
        app.request(
            Method::POST,
            "/api/v1/notifications/read-all",
            Some(&tech),
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(all["marked"], 2);
    let page = expect(
        app.get("/api/v1/notifications", &tech).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(page["unreadCount"], 0);
}
both!(notifications_are_read_one_by_one_or_all_at_once);

async fn people_choose_what_they_are_told_except_breaches(app: TestApp) {
    let tech = app.token("technician").await;
    let prefs = expect(
        app.get("/api/v1/notifications/preferences", &tech).await,
        StatusCode::OK,
    )
    .await;
    assert!(prefs.as_array().unwrap().iter().all(|p| p["inApp"] == true));
    let off = json!([{ "kind": "work_order_assigned", "inApp": false }]);
    let after = expect(
        app.request(
            Method::PUT,
            "/api/v1/notifications/preferences",
            Some(&tech),
            Some(off),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let assigned = after
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["kind"] == "work_order_assigned")
        .unwrap();
    assert_eq!(assigned["inApp"], false);
    let mute_breach = json!([{ "kind": "sla_breached", "inApp": false }]);
    let p = expect(
        app.request(
            Method::PUT,
            "/api/v1/notifications/preferences",
            Some(&tech),
            Some(mute_breach),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(
        p["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("cannot be turned off")
    );
    let unknown = json!([{ "kind": "gossip", "inApp": true }]);
    expect(
        app.request(
            Method::PUT,
            "/api/v1/notifications/preferences",
            Some(&tech),
            Some(unknown),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;

    // Assignments no longer notify the technician; the breach still does.
    let manager = app.token("facility_manager").await;
    let tech_id = app.user_id("technician@demo.hmms").await;
    let body = json!({ "title": "Pump alarm", "priority": "critical", "assigneeId": tech_id });
    expect(
        app.post("/api/v1/work-orders", &manager, body).await,
        StatusCode::CREATED,
    )
    .await;
    assert!(notifications_of(&app, "technician").await.is_empty());
    app.advance(chrono::Duration::hours(5));
    run_sla_check(&app).await;
    assert!(
        kinds(&notifications_of(&app, "technician").await).contains(&"sla_breached".to_string())
    );
}
both!(people_choose_what_they_are_told_except_breaches);
