//! Work orders through HTTP, by role: the whole loop, every status step, scope, SLA, time.

use hmms_domain::work_orders::{self as rules, Rights, Status};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::both;
use crate::helpers::{TestApp, expect, work_order_in};

async fn the_whole_loop_from_request_to_approved_closure(app: TestApp) {
    let (staff, manager, tech) = (
        app.token("staff").await,
        app.token("facility_manager").await,
        app.token("technician").await,
    );
    let technician_id = app.user_id("technician@demo.hmms").await;
    let icu = app.department_id("SMGH", "ICU").await;

    // A nurse reports a fault: a pending request in her department, with deadlines.
    let res = app.post("/api/v1/work-orders", &staff, json!({ "title": "Infusion pump alarms continuously", "description": "Bed 4, ICU Bay A" })).await;
    let wo = expect(res, StatusCode::CREATED).await;
    let id = wo["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/work-orders/{id}");
    assert_eq!(wo["status"], "pending");
    assert_eq!(wo["departmentId"], icu.as_str());
    assert_eq!(wo["priority"], "medium");
    let year = chrono::Utc::now().format("%Y").to_string();
    assert_eq!(wo["code"], format!("WO-{year}-000001"));
    let created: chrono::DateTime<chrono::Utc> = wo["createdAt"].as_str().unwrap().parse().unwrap();
    let due: chrono::DateTime<chrono::Utc> =
        wo["slaResolutionDueAt"].as_str().unwrap().parse().unwrap();
    assert_eq!(
        due - created,
        chrono::Duration::hours(72),
        "medium: 72 h to resolve"
    );
    assert_eq!(wo["slaStatus"], "on_track");
    // The technician (another department) cannot see it yet.
    expect(app.get(&path, &tech).await, StatusCode::NOT_FOUND).await;

    // The manager assigns it.
    let wo = expect(
        app.patch(
            &path,
            &manager,
            json!({ "assigneeId": technician_id, "priority": "high" }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(wo["status"], "assigned");
    let due: chrono::DateTime<chrono::Utc> =
        wo["slaResolutionDueAt"].as_str().unwrap().parse().unwrap();
    assert_eq!(
        due - created,
        chrono::Duration::hours(24),
        "re-prioritized: 24 h from when it was raised"
    );
    let seen = expect(app.get(&path, &tech).await, StatusCode::OK).await;
    assert_eq!(seen["allowedTransitions"], json!(["in_progress"]));

    // The technician works it: starts, times it, logs time, writes a note.
    let wo = expect(
        app.patch(&path, &tech, json!({ "status": "in_progress" }))
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(wo["firstResponseAt"].is_string());
    expect(
        app.request(
            Method::POST,
            &format!("{path}/timer/start"),
            Some(&tech),
            None,
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    app.state.clock.advance(chrono::Duration::minutes(10));
    let stopped = expect(
        app.request(
            Method::POST,
            &format!("{path}/timer/stop"),
            Some(&tech),
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(stopped["minutes"], 10);
    expect(
        app.post(
            &format!("{path}/time-logs"),
            &tech,
            json!({ "minutes": 30, "note": "Replaced occlusion sensor" }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    expect(
        app.post(
            &format!("{path}/notes"),
            &tech,
            json!({ "body": "Sensor was cracked" }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    // Not hers to close.
    let p = expect(
        app.patch(&path, &tech, json!({ "status": "closed" })).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(p["allowed"], json!(["on_hold", "completed"]));
    let wo = expect(app.post(&format!("{path}/complete"), &tech, json!({ "resolutionCategory": "replaced_part", "failureCause": "cracked sensor", "downtimeMinutes": 95 })).await, StatusCode::OK).await;
    assert_eq!(wo["status"], "completed");
    assert_eq!(wo["labourMinutes"], 40);
    assert_eq!(wo["slaStatus"], "met");
    expect(
        app.post(&format!("{path}/approve-close"), &tech, json!({}))
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;

    // The manager sends it back once, then approves.
    expect(
        app.post(&format!("{path}/reject"), &manager, json!({ "reason": "" }))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let wo = expect(
        app.post(
            &format!("{path}/reject"),
            &manager,
            json!({ "reason": "Alarm log still shows faults" }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(wo["status"], "in_progress");
    assert_eq!(wo["rejectionReason"], "Alarm log still shows faults");
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
    let wo = expect(
        app.post(&format!("{path}/approve-close"), &manager, json!({}))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(wo["status"], "closed");
    assert_eq!(
        wo["closedBy"],
        app.user_id("manager@demo.hmms").await.as_str()
    );
    assert_eq!(wo["allowedTransitions"], json!([]));

    // The history tells the story in order.
    let history = expect(
        app.get(&format!("{path}/history"), &staff).await,
        StatusCode::OK,
    )
    .await;
    let story: Vec<String> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            format!(
                "{}{}",
                h["kind"].as_str().unwrap(),
                h["toStatus"]
                    .as_str()
                    .map(|s| format!(":{s}"))
                    .unwrap_or_default()
            )
        })
        .collect();
    assert_eq!(
        story,
        [
            "created",
            "assigned:assigned",
            "updated",
            "status:in_progress",
            "time_log",
            "time_log",
            "time_log",
            "note",
            "status:completed",
            "status:in_progress",
            "status:completed",
            "status:closed"
        ],
        "{story:?}"
    );
    // Every step is in the audit trail, and the chain holds.
    let audit = app
        .get_ok(&format!(
            "/api/v1/audit?entityType=work_order&entityId={id}&limit=200"
        ))
        .await;
    assert!(audit["items"].as_array().unwrap().len() >= 10);
    assert!(
        hmms_server::audit::verify(&app.state.db)
            .await
            .unwrap()
            .is_ok()
    );
}
both!(the_whole_loop_from_request_to_approved_closure);

/// Every status step by every party, compared with the rules in hmms-domain: 200 when the rules
/// allow it, 409 (with the allowed steps) when the machine has no such step, 403 when it does
/// but the party may not take it.
async fn every_status_step_by_every_party(app: TestApp) {
    let parties = [
        (
            "technician",
            Rights {
                execute_own: true,
                ..Rights::default()
            },
        ),
        (
            "staff",
            Rights {
                requester: true,
                ..Rights::default()
            },
        ),
        (
            "facility_manager",
            Rights {
                assign: true,
                approve: true,
                ..Rights::default()
            },
        ),
    ];
    let targets = [
        Status::Pending,
        Status::Assigned,
        Status::InProgress,
        Status::OnHold,
        Status::Cancelled,
    ];
    let mut failures = vec![];
    for from in [
        Status::Pending,
        Status::Assigned,
        Status::InProgress,
        Status::OnHold,
        Status::Completed,
        Status::Closed,
        Status::Cancelled,
    ] {
        for to in targets {
            if to == from {
                continue;
            }
            for (role, rights) in parties {
                let id = work_order_in(&app, from.key()).await;
                let token = app.token(role).await;
                let body = json!({ "status": to.key(), "reason": "Duplicate request" });
                let res = app
                    .patch(&format!("/api/v1/work-orders/{id}"), &token, body)
                    .await;
                // The technician's department is not the ICU: until work is assigned to her,
                // she cannot see it at all. Assigning is done by naming an assignee (422 here).
                let unseen =
                    role == "technician" && matches!(from, Status::Pending | Status::Cancelled);
                let expected = match rules::check_transition(from, to, rights) {
                    _ if unseen => StatusCode::NOT_FOUND,
                    Ok(()) if to == Status::Assigned => StatusCode::UNPROCESSABLE_ENTITY,
                    Ok(()) => StatusCode::OK,
                    Err(rules::TransitionError::Invalid { .. }) => StatusCode::CONFLICT,
                    Err(rules::TransitionError::Forbidden) => StatusCode::FORBIDDEN,
                };
                let got = res.status();
                let body: Value = res.json().await.unwrap_or(Value::Null);
                if got != expected {
                    failures.push(format!(
                        "{role}: {} -> {}: expected {expected}, got {got} {body}",
                        from.key(),
                        to.key()
                    ));
                }
                if got == StatusCode::CONFLICT
                    && body["type"] == "urn:hmms:problem:invalid-transition"
                {
                    let allowed: Vec<String> = rules::allowed_next(from, rights)
                        .iter()
                        .map(|s| s.key().to_string())
                        .collect();
                    if body["allowed"] != json!(allowed) {
                        failures.push(format!(
                            "{role}: {} -> {}: allowed {} not {allowed:?}",
                            from.key(),
                            to.key(),
                            body["allowed"]
                        ));
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
both!(every_status_step_by_every_party);

async fn vendors_see_only_their_own_work(app: TestApp) {
    let vendor = app.token("vendor").await;
    let manager = app.token("facility_manager").await;
    let someone_elses = work_order_in(&app, "assigned").await;
    let list = expect(
        app.get("/api/v1/work-orders", &vendor).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 0);
    // Guessing ids reveals nothing, whatever the endpoint.
    for suffix in ["", "/notes", "/time-logs", "/history"] {
        expect(
            app.get(
                &format!("/api/v1/work-orders/{someone_elses}{suffix}"),
                &vendor,
            )
            .await,
            StatusCode::NOT_FOUND,
        )
        .await;
    }
    let res = app
        .post(
            &format!("/api/v1/work-orders/{someone_elses}/notes"),
            &vendor,
            json!({ "body": "hello" }),
        )
        .await;
    expect(res, StatusCode::NOT_FOUND).await;
    // Work assigned to the vendor is theirs to do.
    let vendor_id = app.user_id("vendor@demo.hmms").await;
    let staff = app.token("staff").await;
    let wo = expect(
        app.post(
            "/api/v1/work-orders",
            &staff,
            json!({ "title": "Autoclave door seal leaking" }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let path = format!("/api/v1/work-orders/{}", wo["id"].as_str().unwrap());
    expect(
        app.patch(&path, &manager, json!({ "assigneeId": vendor_id }))
            .await,
        StatusCode::OK,
    )
    .await;
    let list = expect(
        app.get("/api/v1/work-orders", &vendor).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    expect(
        app.patch(&path, &vendor, json!({ "status": "in_progress" }))
            .await,
        StatusCode::OK,
    )
    .await;
    // Procurement cannot assign work to itself: it is not a technician or vendor.
    let procurement = app.user_id("procurement@demo.hmms").await;
    let p = expect(
        app.patch(&path, &manager, json!({ "assigneeId": procurement }))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "assigneeId");
}
both!(vendors_see_only_their_own_work);

async fn department_staff_see_their_department_and_their_own_requests(app: TestApp) {
    let manager = app.token("facility_manager").await;
    let staff = app.token("staff").await;
    let radiology = app.department_id("SMGH", "RAD").await;
    let elsewhere = expect(
        app.post(
            "/api/v1/work-orders",
            &manager,
            json!({ "title": "X-ray tube overheating", "departmentId": radiology }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let own = expect(
        app.post(
            "/api/v1/work-orders",
            &staff,
            json!({ "title": "Ward fridge warm" }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let list = expect(
        app.get("/api/v1/work-orders?limit=200", &staff).await,
        StatusCode::OK,
    )
    .await;
    let ids: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&own["id"].as_str().unwrap()));
    assert!(!ids.contains(&elsewhere["id"].as_str().unwrap()));
    expect(
        app.get(
            &format!("/api/v1/work-orders/{}", elsewhere["id"].as_str().unwrap()),
            &staff,
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // The manager sees the whole site; filters narrow it.
    let all = expect(
        app.get(
            &format!("/api/v1/work-orders?departmentId={radiology}"),
            &manager,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(all["items"].as_array().unwrap().len(), 1);
    let found = expect(
        app.get("/api/v1/work-orders?q=x-RAY", &manager).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(found["items"][0]["id"], elsewhere["id"]);
    let pending = expect(
        app.get("/api/v1/work-orders?status=pending&sort=dueAt", &manager)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(pending["items"].as_array().unwrap().len(), 2);
}
both!(department_staff_see_their_department_and_their_own_requests);

async fn lists_page_through_everything_once(app: TestApp) {
    let staff = app.token("staff").await;
    for i in 0..7 {
        let priority = ["low", "medium", "high", "critical"][i % 4];
        expect(
            app.post(
                "/api/v1/work-orders",
                &staff,
                json!({ "title": format!("Fault {i}"), "priority": priority }),
            )
            .await,
            StatusCode::CREATED,
        )
        .await;
    }
    for sort in ["-createdAt", "createdAt", "dueAt", "-dueAt"] {
        let mut seen = vec![];
        let mut cursor: Option<String> = None;
        loop {
            let mut path = format!("/api/v1/work-orders?limit=3&sort={sort}");
            if let Some(c) = &cursor {
                path.push_str(&format!("&cursor={c}"));
            }
            let page = expect(app.get(&path, &staff).await, StatusCode::OK).await;
            for w in page["items"].as_array().unwrap() {
                seen.push((
                    w["slaResolutionDueAt"].as_str().unwrap().to_string(),
                    w["code"].as_str().unwrap().to_string(),
                ));
            }
            match page["nextCursor"].as_str() {
                Some(c) => cursor = Some(c.to_string()),
                None => break,
            }
        }
        assert_eq!(seen.len(), 7, "{sort}: each work order once");
        let mut sorted = seen.clone();
        match sort {
            "createdAt" => sorted.sort_by(|a, b| a.1.cmp(&b.1)),
            "-createdAt" => sorted.sort_by(|a, b| b.1.cmp(&a.1)),
            "dueAt" => sorted.sort(),
            _ => sorted.sort_by(|a, b| b.cmp(a)),
        }
        assert_eq!(seen, sorted, "{sort}");
    }
}
both!(lists_page_through_everything_once);

async fn a_site_sla_policy_sets_new_deadlines(app: TestApp) {
    let admin = app.admin().await;
    let smgh = app.site_id("SMGH").await;
    let path = format!("/api/v1/sites/{smgh}/sla-policies");
    let defaults = expect(app.get(&path, &admin).await, StatusCode::OK).await;
    assert_eq!(
        defaults[0],
        json!({ "priority": "critical", "responseMinutes": 15, "resolutionMinutes": 240 })
    );
    let bad = json!([{ "priority": "critical", "responseMinutes": 300, "resolutionMinutes": 120 }]);
    expect(
        app.request(Method::PUT, &path, Some(&admin), Some(bad))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let new = json!([{ "priority": "critical", "responseMinutes": 10, "resolutionMinutes": 120 }]);
    let after = expect(
        app.request(Method::PUT, &path, Some(&admin), Some(new))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(after[0]["resolutionMinutes"], 120);
    assert_eq!(
        after[1]["resolutionMinutes"],
        24 * 60,
        "other priorities keep theirs"
    );
    let staff = app.token("staff").await;
    let wo = expect(
        app.post(
            "/api/v1/work-orders",
            &staff,
            json!({ "title": "Ventilator failure", "priority": "critical" }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let created: chrono::DateTime<chrono::Utc> = wo["createdAt"].as_str().unwrap().parse().unwrap();
    let due: chrono::DateTime<chrono::Utc> =
        wo["slaResolutionDueAt"].as_str().unwrap().parse().unwrap();
    assert_eq!(due - created, chrono::Duration::hours(2));
    // An hour and a half in, it is at risk; after two hours, breached.
    app.advance(chrono::Duration::minutes(91));
    let id = wo["id"].as_str().unwrap();
    let path = format!("/api/v1/work-orders/{id}");
    let staff = app.token("staff").await;
    assert_eq!(
        expect(app.get(&path, &staff).await, StatusCode::OK).await["slaStatus"],
        "at_risk"
    );
    app.advance(chrono::Duration::minutes(30));
    let staff = app.token("staff").await;
    assert_eq!(
        expect(app.get(&path, &staff).await, StatusCode::OK).await["slaStatus"],
        "breached"
    );
}
both!(a_site_sla_policy_sets_new_deadlines);

async fn one_timer_per_person(app: TestApp) {
    let tech = app.token("technician").await;
    let a = work_order_in(&app, "in_progress").await;
    let b = work_order_in(&app, "assigned").await;
    expect(
        app.request(
            Method::POST,
            &format!("/api/v1/work-orders/{a}/timer/start"),
            Some(&tech),
            None,
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    expect(
        app.request(
            Method::POST,
            &format!("/api/v1/work-orders/{a}/timer/start"),
            Some(&tech),
            None,
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    app.state.clock.advance(chrono::Duration::minutes(5));
    expect(
        app.request(
            Method::POST,
            &format!("/api/v1/work-orders/{b}/timer/start"),
            Some(&tech),
            None,
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let logs = expect(
        app.get(&format!("/api/v1/work-orders/{a}/time-logs"), &tech)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        logs["items"][0]["minutes"], 5,
        "the first timer stopped when the second started"
    );
    assert_eq!(logs["totalMinutes"], 5);
    // Putting work on hold stops its timer too.
    app.state.clock.advance(chrono::Duration::minutes(3));
    expect(
        app.patch(
            &format!("/api/v1/work-orders/{b}"),
            &tech,
            json!({ "status": "in_progress" }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    expect(
        app.patch(
            &format!("/api/v1/work-orders/{b}"),
            &tech,
            json!({ "status": "on_hold" }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let logs = expect(
        app.get(&format!("/api/v1/work-orders/{b}/time-logs"), &tech)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(logs["items"][0]["minutes"], 3);
    let bad = json!({ "startedAt": "2026-01-01T10:00:00Z", "endedAt": "2026-01-01T09:00:00Z" });
    expect(
        app.post(&format!("/api/v1/work-orders/{b}/time-logs"), &tech, bad)
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
}
both!(one_timer_per_person);

async fn concurrent_edits_with_the_same_version_apply_once(app: TestApp) {
    let manager = app.token("facility_manager").await;
    let id = work_order_in(&app, "pending").await;
    let path = format!("/api/v1/work-orders/{id}");
    let v = expect(app.get(&path, &manager).await, StatusCode::OK).await["version"]
        .as_i64()
        .unwrap();
    let edits = (0..4).map(|i| {
        app.patch(
            &path,
            &manager,
            json!({ "title": format!("Edit {i}"), "version": v }),
        )
    });
    let statuses: Vec<StatusCode> = futures::future::join_all(edits)
        .await
        .iter()
        .map(|r| r.status())
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == StatusCode::OK).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::PRECONDITION_FAILED)
            .count(),
        3,
        "{statuses:?}"
    );
}
both!(concurrent_edits_with_the_same_version_apply_once);

async fn a_retried_request_makes_one_work_order(app: TestApp) {
    let staff = app.token("staff").await;
    let send = || {
        app.client
            .post(app.url("/api/v1/work-orders"))
            .bearer_auth(&staff)
            .header("idempotency-key", "offline-7f3a")
            .json(&json!({ "title": "Oxygen outlet hissing" }))
            .send()
    };
    let first: Value = send().await.unwrap().json().await.unwrap();
    let second = send().await.unwrap();
    assert_eq!(second.headers()["idempotent-replayed"], "true");
    let second: Value = second.json().await.unwrap();
    assert_eq!(first["id"], second["id"]);
    let list = expect(app.get("/api/v1/work-orders", &staff).await, StatusCode::OK).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
}
both!(a_retried_request_makes_one_work_order);

/// Many people reporting at once: creates written together (group commit) still each get their
/// own number, history line, audit entry and event, and one that fails does not fail the rest.
async fn simultaneous_reports_are_each_written_once(app: TestApp) {
    let staff = app.token("staff").await;
    let manager = app.token("facility_manager").await;
    let tech_id = app.user_id("technician@demo.hmms").await;
    let before = hmms_server::audit::verify(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    let creates = (0..24).map(|i| {
        let (token, body) = match i {
            // One names a technician without the right to assign: refused on its own.
            7 => (
                &staff,
                json!({ "title": "Assign me", "assigneeId": tech_id }),
            ),
            // Managers assign while creating; the technician is told.
            i if i % 3 == 0 => (
                &manager,
                json!({ "title": format!("Fault {i}"), "assigneeId": tech_id }),
            ),
            i => (&staff, json!({ "title": format!("Fault {i}") })),
        };
        app.post("/api/v1/work-orders", token, body)
    });
    let answers = futures::future::join_all(creates).await;
    let mut codes = vec![];
    for (i, res) in answers.into_iter().enumerate() {
        if i == 7 {
            expect(res, StatusCode::FORBIDDEN).await;
            continue;
        }
        let wo = expect(res, StatusCode::CREATED).await;
        assert_eq!(wo["title"], format!("Fault {i}"));
        assert_eq!(
            wo["status"],
            if i % 3 == 0 { "assigned" } else { "pending" }
        );
        codes.push(wo["code"].as_str().unwrap().to_string());
    }
    // 23 distinct numbers with no gap: nothing reserved was lost.
    let mut numbers: Vec<u32> = codes
        .iter()
        .map(|c| c.rsplit('-').next().unwrap().parse().unwrap())
        .collect();
    numbers.sort();
    let first = numbers[0];
    assert_eq!(
        numbers,
        (first..first + 23).collect::<Vec<_>>(),
        "{codes:?}"
    );
    // One audit entry each, in one unbroken chain, and each one's history line.
    let after = hmms_server::audit::verify(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after - before, 23);
    let audit = app
        .get_ok("/api/v1/audit?action=work_order.created&limit=100")
        .await;
    assert_eq!(audit["items"].as_array().unwrap().len(), 23);
    let tech = app.token("technician").await;
    let notes = expect(
        app.get("/api/v1/notifications", &tech).await,
        StatusCode::OK,
    )
    .await;
    let assigned = notes["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "work_order_assigned")
        .count();
    assert_eq!(assigned, 8, "the technician hears of each assignment once");
}
both!(simultaneous_reports_are_each_written_once);

/// A create that the database refuses (here a trigger stands in for a failure after
/// validation) fails alone: the others sent with it are written, numbered without gaps.
async fn one_failing_create_does_not_fail_the_others(app: TestApp) {
    match app.backend {
        crate::helpers::Backend::Sqlite => {
            app.sql(
                "CREATE TRIGGER refuse_boom BEFORE INSERT ON work_orders \
                 WHEN NEW.title = 'boom' BEGIN SELECT RAISE(ABORT, 'refused'); END",
            )
            .await
        }
        crate::helpers::Backend::Postgres => {
            app.sql(
                "CREATE FUNCTION refuse_boom() RETURNS trigger AS $$ BEGIN \
                 IF NEW.title = 'boom' THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; \
                 END $$ LANGUAGE plpgsql",
            )
            .await;
            app.sql(
                "CREATE TRIGGER refuse_boom BEFORE INSERT ON work_orders \
                 FOR EACH ROW EXECUTE FUNCTION refuse_boom()",
            )
            .await
        }
    }
    let staff = app.token("staff").await;
    let before = hmms_server::audit::verify(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    let creates = (0..16).map(|i| {
        let title = if i == 5 {
            "boom".to_string()
        } else {
            format!("Fault {i}")
        };
        app.post("/api/v1/work-orders", &staff, json!({ "title": title }))
    });
    let answers = futures::future::join_all(creates).await;
    let mut numbers = vec![];
    for (i, res) in answers.into_iter().enumerate() {
        if i == 5 {
            assert!(res.status().is_server_error(), "{}", res.status());
            continue;
        }
        let wo = expect(res, StatusCode::CREATED).await;
        let code = wo["code"].as_str().unwrap();
        numbers.push(code.rsplit('-').next().unwrap().parse::<u32>().unwrap());
    }
    numbers.sort();
    let first = numbers[0];
    assert_eq!(numbers, (first..first + 15).collect::<Vec<_>>());
    let list = expect(
        app.get("/api/v1/work-orders?limit=100&q=Fault", &staff)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 15);
    // Fifteen audit entries, none for the refused one, and the chain unbroken.
    let after = hmms_server::audit::verify(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after - before, 15);
}
both!(one_failing_create_does_not_fail_the_others);

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
        hmms_server::audit::verify(&app.state.db)
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
