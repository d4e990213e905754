//! Holes found by trying HMMS from outside as an attacker would (issue 13), each closed and
//! kept closed here.

use crate::both;
use crate::helpers::{TestApp, expect, work_order_in};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// An asset of the other hospital (Lakeside), registered by the administrator.
async fn lakeside_asset(app: &TestApp) -> Value {
    let admin = app.admin().await;
    let opd = app.department_id("LDH", "OPD").await;
    let body = json!({ "tag": "LDH-OPD-BP-001", "name": "Blood pressure monitor",
                       "departmentId": opd, "status": "in_service" });
    expect(
        app.post("/api/v1/assets", &admin, body).await,
        StatusCode::CREATED,
    )
    .await
}

/// Finding 1: a site's manager cannot rename or take over another site's asset by naming
/// its tag in an import.
async fn an_import_cannot_write_to_another_sites_asset(app: TestApp) {
    let theirs = lakeside_asset(&app).await;
    let tag = theirs["tag"].as_str().unwrap();
    let manager = app.token("facility_manager").await;
    let sheet = format!("tag,name,site_code,department_code\n{tag},Taken over,SMGH,ICU\n");
    let p = expect(
        app.post_csv("/api/v1/assets/import", &manager, &sheet)
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "row 1: tag", "{p}");
    // With "import the valid rows", the row is skipped, not written.
    let r = expect(
        app.post_csv("/api/v1/assets/import?partial=true", &manager, &sheet)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (r["updated"].as_u64(), r["skipped"].as_u64()),
        (Some(0), Some(1))
    );
    let admin = app.admin().await;
    let after = expect(
        app.get(
            &format!("/api/v1/assets/{}", theirs["id"].as_str().unwrap()),
            &admin,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(after["name"], theirs["name"]);
    assert_eq!(after["siteId"], theirs["siteId"]);
    assert_eq!(after["version"], theirs["version"]);
}
both!(an_import_cannot_write_to_another_sites_asset);

/// Finding 6: what users typed never runs as a spreadsheet formula in an export, and the
/// export imports back unchanged.
async fn exports_are_never_formulas_and_round_trip(app: TestApp) {
    let manager = app.token("facility_manager").await;
    let name = "=HYPERLINK(\"http://evil.example/\",\"Open\")";
    let notes = "@SUM(1+1)";
    let sheet = format!(
        "tag,name,site_code,department_code,notes\nSMGH-ICU-CSV-001,\"{}\",SMGH,ICU,{notes}\n",
        name.replace('"', "\"\"")
    );
    expect(
        app.post_csv("/api/v1/assets/import", &manager, &sheet)
            .await,
        StatusCode::OK,
    )
    .await;
    let export = app
        .get("/api/v1/assets/export.csv?q=SMGH-ICU-CSV-001", &manager)
        .await
        .text()
        .await
        .unwrap();
    let row = export.lines().nth(1).unwrap();
    let mut cells = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(row.as_bytes());
    let cells: Vec<String> = cells
        .records()
        .next()
        .unwrap()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    for c in &cells {
        assert!(
            !c.starts_with(['=', '+', '-', '@', '\t', '\r']),
            "a cell of the export is a formula: {c:?} in {row}"
        );
    }
    assert!(cells.contains(&format!("'{name}")), "{row}");
    // Imported back, the asset is as it was.
    let r = expect(
        app.post_csv("/api/v1/assets/import", &manager, &export)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(r["updated"], 1);
    let list = expect(
        app.get("/api/v1/assets?q=SMGH-ICU-CSV-001", &manager).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(list["items"][0]["name"], name);
    assert_eq!(list["items"][0]["notes"], notes);

    // Locations likewise.
    let admin = app.admin().await;
    let smgh = app.site_id("SMGH").await;
    expect(
        app.post_csv(
            "/api/v1/locations/import",
            &admin,
            "site_code,code,name,kind\nSMGH,ZZ,+Annex -1,building\n",
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let export = app
        .get(
            &format!("/api/v1/locations/export.csv?siteId={smgh}"),
            &admin,
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(export.contains("SMGH,ZZ,'+Annex -1,building"), "{export}");
    let r = expect(
        app.post_csv("/api/v1/locations/import", &admin, &export)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(r["created"], 0);
    let zz = app
        .find_id(
            &format!("/api/v1/locations?siteId={smgh}&limit=200"),
            "code",
            "ZZ",
        )
        .await;
    assert_eq!(
        app.get_ok(&format!("/api/v1/locations/{zz}")).await["name"],
        "+Annex -1"
    );
}
both!(exports_are_never_formulas_and_round_trip);

/// Finding 5: a stop signal ends the server within its grace period even while a request is
/// still in flight (here a client that never finishes sending its body).
async fn a_stop_is_not_held_up_by_a_request_in_flight(app: TestApp) {
    use tokio::io::AsyncWriteExt;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(hmms_server::serve(app.state.clone(), listener, async {
        let _ = stopped.await;
    }));
    let mut slow = tokio::net::TcpStream::connect(addr).await.unwrap();
    slow.write_all(
        b"POST /api/v1/auth/login HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{\"email\":",
    )
    .await
    .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let asked = std::time::Instant::now();
    stop.send(()).unwrap();
    let ended = tokio::time::timeout(std::time::Duration::from_secs(20), server).await;
    assert!(
        ended.is_ok(),
        "the server was still running 20 s after the stop signal"
    );
    let took = asked.elapsed();
    assert!(
        took <= hmms_server::http::SHUTDOWN_GRACE + std::time::Duration::from_secs(2),
        "the stop took {took:?}"
    );
    drop(slow);
}
both!(a_stop_is_not_held_up_by_a_request_in_flight);

/// Finding 8: amounts are bounded, so no total can wrap negative.
async fn amounts_are_bounded_and_totals_never_wrap(app: TestApp) {
    let id = work_order_in(&app, "in_progress").await;
    let path = format!("/api/v1/work-orders/{id}");
    let manager = app.token("facility_manager").await;
    for bad in [
        json!(9_223_372_036_854_775_807i64),
        json!(1_000_000_000_001i64),
        json!(-1),
    ] {
        let p = expect(
            app.patch(&path, &manager, json!({ "vendorCostMinor": bad }))
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(p["errors"][0]["field"], "vendorCostMinor", "{p}");
    }
    let wo = expect(
        app.patch(
            &path,
            &manager,
            json!({ "vendorCostMinor": 1_000_000_000_000i64 }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let tech = app.token("technician").await;
    expect(
        app.post(
            &format!("{path}/parts"),
            &tech,
            json!({ "description": "Main board", "quantity": 100_000, "unitCostMinor": 1_000_000_000_000i64 }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let wo2 = expect(app.get(&path, &manager).await, StatusCode::OK).await;
    assert_eq!(wo["vendorCostMinor"], 1_000_000_000_000i64);
    assert!(wo2["totalCostMinor"].as_i64().unwrap() >= 100_000 * 1_000_000_000_000i64);
    // Asset costs likewise refuse amounts beyond the bound.
    let admin = app.admin().await;
    let icu = app.department_id("SMGH", "ICU").await;
    let p = expect(
        app.post(
            "/api/v1/assets",
            &admin,
            json!({ "tag": "SMGH-ICU-BIG-001", "name": "X", "departmentId": icu,
                    "purchaseCostMinor": 9_223_372_036_854_775_807i64 }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "purchaseCostMinor", "{p}");
}
both!(amounts_are_bounded_and_totals_never_wrap);

/// Finding 9: a requester may correct what their pending request says, not how it is handled
/// or what it costs.
async fn a_requester_cannot_set_cost_priority_or_signature(app: TestApp) {
    let id = work_order_in(&app, "pending").await;
    let path = format!("/api/v1/work-orders/{id}");
    let staff = app.token("staff").await;
    for body in [
        json!({ "vendorCostMinor": 5_000_000 }),
        json!({ "priority": "critical" }),
        json!({ "signatureRequired": true }),
        json!({ "type": "preventive" }),
        json!({ "title": "Suction unit dead", "priority": "critical" }),
    ] {
        let res = app.patch(&path, &staff, body.clone()).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{body}");
    }
    let wo = expect(
        app.patch(&path, &staff, json!({ "title": "Suction unit dead" }))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(wo["title"], "Suction unit dead");
    assert_eq!(wo["priority"], "high");
    assert_eq!(wo["vendorCostMinor"], 0);
    assert_eq!(wo["signatureRequired"], false);
}
both!(a_requester_cannot_set_cost_priority_or_signature);

/// Finding 13: permission is judged before state — a technician approving work that is still
/// in progress, or sending it back, is refused for her role (403), not for the status (409)
/// or the version (412).
async fn permission_is_judged_before_state(app: TestApp) {
    let id = work_order_in(&app, "in_progress").await;
    let path = format!("/api/v1/work-orders/{id}");
    let tech = app.token("technician").await;
    for (step, body) in [
        ("approve-close", json!({})),
        ("approve-close", json!({ "version": 999 })),
        ("reject", json!({ "reason": "Not done" })),
        ("reject", json!({ "reason": "Not done", "version": 999 })),
    ] {
        let res = app
            .post(&format!("{path}/{step}"), &tech, body.clone())
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{step} {body}");
    }
    let staff = app.token("staff").await;
    let res = app
        .patch(&path, &staff, json!({ "priority": "low", "version": 999 }))
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // One who may approve is told about the state.
    let manager = app.token("facility_manager").await;
    let res = app
        .post(&format!("{path}/approve-close"), &manager, json!({}))
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
}
both!(permission_is_judged_before_state);

/// Finding 10: an import with thousands of bad rows answers a problem that lists the first
/// thousand and says how many there are — never an empty body.
async fn thousands_of_bad_rows_answer_a_readable_problem(app: TestApp) {
    let manager = app.token("facility_manager").await;
    let mut sheet = String::from("tag,name,site_code,department_code,purchase_date\n");
    for i in 0..5000 {
        sheet.push_str(&format!("SMGH-ICU-BAD-{i:05},Pump,SMGH,ICU,31/01/2024\n"));
    }
    let p = expect(
        app.post_csv("/api/v1/assets/import", &manager, &sheet)
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let errors = p["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1000);
    assert_eq!(errors[0]["field"], "row 1: purchase_date");
    assert!(
        p["detail"].as_str().unwrap().contains("5000 problems"),
        "{}",
        p["detail"]
    );
}
both!(thousands_of_bad_rows_answer_a_readable_problem);

/// Finding 16: an acknowledged write survives a power cut — SQLite syncs every commit
/// (`synchronous=FULL`, 2), PostgreSQL waits for its WAL flush (`synchronous_commit=on`).
async fn acknowledged_writes_are_on_disk(app: TestApp) {
    use hmms_server::state::AppState;
    use sea_orm::{ConnectionTrait, Statement};
    let state: &AppState = &app.state;
    let backend = state.db.get_database_backend();
    let (sql, want) = match backend {
        sea_orm::DbBackend::Sqlite => ("PRAGMA synchronous", "2"),
        _ => ("SHOW synchronous_commit", "on"),
    };
    let row = state
        .db
        .query_one_raw(Statement::from_string(backend, sql))
        .await
        .unwrap()
        .unwrap();
    let got = match backend {
        sea_orm::DbBackend::Sqlite => row.try_get_by_index::<i64>(0).unwrap().to_string(),
        _ => row.try_get_by_index::<String>(0).unwrap(),
    };
    assert_eq!(got, want, "{sql}");
}
both!(acknowledged_writes_are_on_disk);

/// Finding 17: `X-Forwarded-For` counts only from a trusted proxy — from anyone else it
/// cannot dodge the public-report limit; behind a trusted proxy, each client has its own.
async fn forwarded_addresses_count_only_from_trusted_proxies(app: TestApp) {
    use reqwest::multipart::Form;
    let form = |n: usize| {
        Form::new()
            .text("siteCode", "smgh")
            .text("locationCode", "MB-1-01")
            .text("name", "Ward clerk")
            .text("description", format!("Fault {n}"))
    };
    let send = |app: &TestApp, n: usize, from: &'static str| {
        app.client
            .post(app.url("/api/v1/public/requests"))
            .header("x-forwarded-for", from)
            .multipart(form(n))
            .send()
    };
    // Not trusted: a forged header changes nothing, the sixth report is refused.
    for n in 0..5 {
        expect(
            send(&app, n, ["198.51.100.1", "198.51.100.2"][n % 2])
                .await
                .unwrap(),
            StatusCode::CREATED,
        )
        .await;
    }
    let res = send(&app, 5, "198.51.100.3").await.unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);

    // Behind a trusted proxy (here, this machine): each client has its own five.
    let behind = crate::helpers::spawn_configured(app.backend, true, false, |c| {
        c.trusted_proxies = vec!["127.0.0.0/8".into()];
    })
    .await
    .unwrap();
    for n in 0..5 {
        expect(
            send(&behind, n, "198.51.100.1").await.unwrap(),
            StatusCode::CREATED,
        )
        .await;
    }
    let res = send(&behind, 5, "198.51.100.1").await.unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    expect(
        send(&behind, 6, "198.51.100.2").await.unwrap(),
        StatusCode::CREATED,
    )
    .await;
    // The audit trail names the client, not the proxy.
    let admin = behind.admin().await;
    let trail = expect(
        behind.get("/api/v1/audit?limit=5", &admin).await,
        StatusCode::OK,
    )
    .await;
    assert!(
        trail["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["ip"] == "198.51.100.2"),
        "{trail}"
    );
}
both!(forwarded_addresses_count_only_from_trusted_proxies);

/// Finding 17: `/metrics` answers only with its token when one is set; pages forbid `<base>`
/// and posting forms elsewhere.
async fn metrics_need_their_token_and_pages_are_locked_down(app: TestApp) {
    let res = app.client.get(app.url("/")).send().await.unwrap();
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.contains("base-uri 'none'") && csp.contains("form-action 'self'"),
        "{csp}"
    );
    let guarded = crate::helpers::spawn_configured(app.backend, false, false, |c| {
        c.metrics_token = Some("s3cret-metrics-token".into());
    })
    .await
    .unwrap();
    for auth in [None, Some("Bearer wrong"), Some("s3cret-metrics-token")] {
        let mut req = guarded.client.get(guarded.url("/metrics"));
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{auth:?}");
    }
    let res = guarded
        .client
        .get(guarded.url("/metrics"))
        .bearer_auth("s3cret-metrics-token")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("hmms_http_requests_total")
    );
}
both!(metrics_need_their_token_and_pages_are_locked_down);

/// Finding 2: naming another hospital's record in a request body is no way to reach it. The
/// equipment, place and people a request names must be visible to the caller and, for what it
/// writes, inside the caller's write scope; the organization-wide administrator still may.
async fn naming_a_record_never_reaches_beyond_the_callers_scope(app: TestApp) {
    let theirs = lakeside_asset(&app).await;
    let asset_id = theirs["id"].as_str().unwrap().to_string();
    let admin = app.admin().await;
    let staff = app.token("staff").await;
    let manager = app.token("facility_manager").await;
    let opd = app.department_id("LDH", "OPD").await;
    let lakeside = app.site_id("LDH").await;
    let field_of = |p: &Value| p["errors"][0]["field"].as_str().unwrap_or("").to_string();

    // A nurse reports a fault on Lakeside's equipment: refused as if it did not exist, and the
    // equipment stays unreadable to her afterwards.
    let p = expect(
        app.post(
            "/api/v1/work-orders",
            &staff,
            json!({ "title": "Cuff leaks", "assetId": asset_id }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(field_of(&p), "assetId", "{p}");
    assert_eq!(p["errors"][0]["message"], "no such asset", "{p}");
    for path in ["", "/history", "/documents", "/reliability"] {
        let r = app
            .get(&format!("/api/v1/assets/{asset_id}{path}"), &staff)
            .await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "GET asset{path}");
    }
    // Nor can she or the site's manager raise work in Lakeside's departments or at Lakeside.
    for (who, token) in [("staff", &staff), ("manager", &manager)] {
        for body in [
            json!({ "title": "Door", "departmentId": opd }),
            json!({ "title": "Door", "siteId": lakeside }),
        ] {
            let p = expect(
                app.post("/api/v1/work-orders", token, body.clone()).await,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
            assert!(
                ["departmentId", "siteId"].contains(&field_of(&p).as_str()),
                "{who} {body}: {p}"
            );
        }
    }
    // The site's manager registers no equipment at Lakeside, nor under Lakeside's equipment.
    let p = expect(
        app.post(
            "/api/v1/assets",
            &manager,
            json!({ "tag": "SMGH-X-1", "name": "Monitor", "departmentId": opd }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(field_of(&p), "departmentId", "{p}");
    let icu = app.department_id("SMGH", "ICU").await;
    let p = expect(
        app.post(
            "/api/v1/assets",
            &manager,
            json!({ "tag": "SMGH-X-2", "name": "Module", "departmentId": icu, "parentId": asset_id }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(field_of(&p), "parentId", "{p}");
    // Nor assigns her work to Lakeside's technician, whom she cannot see.
    let lakeside_tech = expect(
        app.post(
            "/api/v1/users",
            &admin,
            json!({ "email": "ldh.tech@demo.hmms", "name": "Lakeside Tech",
                    "role": "technician", "departmentId": opd }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let tech_id = lakeside_tech["user"]["id"].as_str().unwrap().to_string();
    let p = expect(
        app.post(
            "/api/v1/work-orders",
            &manager,
            json!({ "title": "Pump", "departmentId": icu, "assigneeId": tech_id }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(field_of(&p), "assigneeId", "{p}");
    let wo = work_order_in(&app, "pending").await;
    let p = expect(
        app.patch(
            &format!("/api/v1/work-orders/{wo}"),
            &manager,
            json!({ "assigneeId": tech_id }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(field_of(&p), "assigneeId", "{p}");

    // What each may do still works: the nurse reports in her own department (another department
    // of her own hospital too), the manager at her site, the administrator anywhere.
    let emergency = app.department_id("SMGH", "ED").await;
    for (token, body) in [
        (&staff, json!({ "title": "Bed rail loose" })),
        (
            &staff,
            json!({ "title": "Corridor door", "departmentId": emergency }),
        ),
        (&manager, json!({ "title": "Pump", "departmentId": icu })),
        (&admin, json!({ "title": "Cuff", "assetId": asset_id })),
    ] {
        expect(
            app.post("/api/v1/work-orders", token, body).await,
            StatusCode::CREATED,
        )
        .await;
    }
}
both!(naming_a_record_never_reaches_beyond_the_callers_scope);

/// Finding 12: a sign-in has an absolute lifetime. Refreshing keeps it going until then, never
/// beyond; at the end its access token stops too, even one issued minutes before.
async fn a_sign_in_ends_at_its_maximum_age_however_often_refreshed(app: TestApp) {
    let app = crate::helpers::spawn_configured(app.backend, true, false, |c| {
        c.session_max_age_secs = 3600;
    })
    .await
    .unwrap();
    let refresh = |token: Value| {
        let app = &app;
        async move {
            app.request(
                reqwest::Method::POST,
                "/api/v1/auth/refresh",
                None,
                Some(json!({ "refreshToken": token })),
            )
            .await
        }
    };
    let mut pair = app
        .sign_in("staff@demo.hmms", hmms_demo::DEMO_PASSWORD)
        .await;
    // Every 10 minutes the phone refreshes: fine for the first hour.
    for _ in 0..5 {
        app.advance(chrono::Duration::minutes(10));
        pair = expect(refresh(pair["refreshToken"].clone()).await, StatusCode::OK).await;
    }
    let access = pair["accessToken"].as_str().unwrap().to_string();
    expect(app.get("/api/v1/auth/me", &access).await, StatusCode::OK).await;
    // Past the hour: the access token (issued 11 minutes ago, good for 15) stops, and the
    // refresh token is refused with a reason.
    app.advance(chrono::Duration::minutes(11));
    assert_eq!(
        app.get("/api/v1/auth/me", &access).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let p = expect(
        refresh(pair["refreshToken"].clone()).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert!(
        p["detail"].as_str().unwrap().contains("Sign in again"),
        "{p}"
    );
    // Signing in again starts a new one.
    let again = app
        .sign_in("staff@demo.hmms", hmms_demo::DEMO_PASSWORD)
        .await;
    expect(
        app.get("/api/v1/auth/me", again["accessToken"].as_str().unwrap())
            .await,
        StatusCode::OK,
    )
    .await;
}
both!(a_sign_in_ends_at_its_maximum_age_however_often_refreshed);

/// Finding 14: a phone on a flaky network retries before the first answer arrives. Twelve
/// requests sent at once with one `Idempotency-Key` have exactly one effect, and every one of
/// them gets the same answer — for each kind of POST the offline queue sends.
async fn simultaneous_retries_with_one_key_have_one_effect(app: TestApp) {
    use futures::future::join_all;
    let staff = app.token("staff").await;
    let tech = app.token("technician").await;
    let wo = work_order_in(&app, "in_progress").await;
    let base = format!("/api/v1/work-orders/{wo}");
    let burst = |token: &str, path: String, key: &str, body: Value| {
        let reqs = (0..12).map(|_| {
            app.client
                .post(app.url(&path))
                .bearer_auth(token)
                .header("idempotency-key", key)
                .json(&body)
                .send()
        });
        let reqs: Vec<_> = reqs.collect();
        async move {
            let mut out = vec![];
            for r in join_all(reqs).await {
                let r = r.unwrap();
                let status = r.status();
                out.push((status, r.json::<Value>().await.unwrap_or(Value::Null)));
            }
            out
        }
    };
    let all_same = |answers: &[(StatusCode, Value)], want: StatusCode| {
        for (s, b) in answers {
            assert_eq!(*s, want, "{b}");
            assert_eq!(b, &answers[0].1, "every answer is the first one");
        }
    };
    let count = |path: String, token: String| {
        let app = &app;
        async move {
            let v = expect(app.get(&path, &token).await, StatusCode::OK).await;
            let items = v.as_array().or(v["items"].as_array());
            items.expect("a list").len()
        }
    };

    // A new fault report.
    let answers = burst(
        &staff,
        "/api/v1/work-orders".into(),
        "burst-create",
        json!({ "title": "Suction regulator hissing" }),
    )
    .await;
    all_same(&answers, StatusCode::CREATED);
    let list = expect(
        app.get("/api/v1/work-orders?q=Suction%20regulator", &staff)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "{list}");

    // A note, logged time, a photo.
    let notes_before = count(format!("{base}/notes"), tech.clone()).await;
    let answers = burst(
        &tech,
        format!("{base}/notes"),
        "burst-note",
        json!({ "body": "Seal replaced" }),
    )
    .await;
    all_same(&answers, StatusCode::CREATED);
    assert_eq!(
        count(format!("{base}/notes"), tech.clone()).await,
        notes_before + 1
    );
    let logs_before = count(format!("{base}/time-logs"), tech.clone()).await;
    let answers = burst(
        &tech,
        format!("{base}/time-logs"),
        "burst-time",
        json!({ "minutes": 20, "note": "Seal" }),
    )
    .await;
    all_same(&answers, StatusCode::CREATED);
    assert_eq!(
        count(format!("{base}/time-logs"), tech.clone()).await,
        logs_before + 1
    );
    let photo = || {
        reqwest::multipart::Form::new()
            .text("kind", "document")
            .part(
                "file",
                reqwest::multipart::Part::bytes(b"%PDF-1.4\n%%EOF\n".to_vec())
                    .file_name("report.pdf")
                    .mime_str("application/pdf")
                    .unwrap(),
            )
    };
    let uploads: Vec<_> = (0..12)
        .map(|_| {
            app.client
                .post(app.url(&format!("{base}/attachments")))
                .bearer_auth(&tech)
                .header("idempotency-key", "burst-upload")
                .multipart(photo())
                .send()
        })
        .collect();
    let mut ids = vec![];
    for r in join_all(uploads).await {
        let r = r.unwrap();
        let status = r.status();
        let b: Value = r.json().await.unwrap();
        assert!(status.is_success(), "{status} {b}");
        ids.push(b["id"].clone());
    }
    assert!(ids.iter().all(|i| *i == ids[0]), "one attachment: {ids:?}");
    let files = expect(
        app.get(&format!("{base}/attachments"), &tech).await,
        StatusCode::OK,
    )
    .await;
    let listed = files.as_array().or(files["items"].as_array()).unwrap();
    assert_eq!(listed.len(), 1, "{files}");

    // Completion: without the key one would succeed and eleven would be refused (409); with it
    // all twelve get the one completion.
    let answers = burst(
        &tech,
        format!("{base}/complete"),
        "burst-complete",
        json!({ "resolutionCategory": "replaced_part", "failureCause": "worn seal" }),
    )
    .await;
    all_same(&answers, StatusCode::OK);
    assert_eq!(answers[0].1["status"], "completed");
}
both!(simultaneous_retries_with_one_key_have_one_effect);
