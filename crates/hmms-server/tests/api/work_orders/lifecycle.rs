//! The whole loop from request to approved closure, and every status step by every party.

use super::*;

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
    // Not hers to close: refused for her role (permission is judged before state, issue 13).
    let p = expect(
        app.patch(&path, &tech, json!({ "status": "closed" })).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("to closed"), "{p}");

    let wo = expect(app.post(&format!("{path}/complete"), &tech, json!({ "resolutionCategory": "replaced_part", "failureCause": "cracked sensor", "downtimeMinutes": 95 })).await, StatusCode::OK).await;
    assert_eq!(wo["status"], "completed");
    // A step she may take elsewhere, but not from here: 409, naming what is open to her.
    let p = expect(
        app.patch(&path, &tech, json!({ "status": "on_hold" }))
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(p["allowed"], json!([]));
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
        hmms_server::audit::verify(&app.state.db, &app.state.keys.audit)
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
                let mut body = json!({ "status": to.key(), "reason": "Duplicate request" });
                if to == Status::OnHold {
                    body["holdReason"] = json!("awaiting_parts");
                }
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
