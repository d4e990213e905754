//! Deadlines, timers and writes: SLA policies, one timer per person, versions, retries and
//! simultaneous creates written together.

use super::*;

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
            json!({ "status": "on_hold", "holdReason": "awaiting_access" }),
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
    let before = hmms_server::audit::verify(&app.state.db, &app.state.keys.audit)
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
    let after = hmms_server::audit::verify(&app.state.db, &app.state.keys.audit)
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
    let before = hmms_server::audit::verify(&app.state.db, &app.state.keys.audit)
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
    let after = hmms_server::audit::verify(&app.state.db, &app.state.keys.audit)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after - before, 15);
}
both!(one_failing_create_does_not_fail_the_others);

/// Issue 14: a nurse's fault report in the app reaches those who triage it — the site's
/// facility managers and the head of her department — as a QR report does; never herself.
async fn an_in_app_request_tells_the_sites_managers_and_the_department_head(app: TestApp) {
    let admin = app.admin().await;
    let icu = app.department_id("SMGH", "ICU").await;
    let tech = app.user_id("technician@demo.hmms").await;
    expect(
        app.patch(
            &format!("/api/v1/departments/{icu}"),
            &admin,
            json!({ "headUserId": tech }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let staff = app.token("staff").await;
    let created = expect(
        app.post(
            "/api/v1/work-orders",
            &staff,
            json!({ "title": "Bed rail loose", "departmentId": icu }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let code = created["code"].as_str().unwrap();
    let told = |token: String| {
        let app = &app;
        let code = code.to_string();
        async move {
            let notes = expect(
                app.get("/api/v1/notifications", &token).await,
                StatusCode::OK,
            )
            .await;
            notes["items"].as_array().unwrap().iter().any(|n| {
                n["kind"] == "work_order_requested" && n["title"].as_str().unwrap().contains(&code)
            })
        }
    };
    assert!(
        told(app.token("facility_manager").await).await,
        "the site's manager"
    );
    assert!(
        told(app.token("technician").await).await,
        "the department's head"
    );
    assert!(!told(staff.clone()).await, "not the requester herself");
}
both!(an_in_app_request_tells_the_sites_managers_and_the_department_head);
