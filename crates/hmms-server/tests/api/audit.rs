//! The audit trail: every change is recorded with who, what, before and after, and the hash
//! chain exposes any later alteration or deletion.

use futures::future::join_all;
use hmms_domain::audit::ChainBreak;
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;

use crate::both;
use crate::helpers::{TestApp, expect};

async fn changes_are_recorded_with_before_after_and_origin(app: TestApp) {
    let admin = app.admin().await;
    let smgh = app.site_id("SMGH").await;
    let res = app
        .patch(
            &format!("/api/v1/sites/{smgh}"),
            &admin,
            json!({ "address": "1 Hospital Road" }),
        )
        .await;
    let rid = res.headers()["x-request-id"].to_str().unwrap().to_string();
    expect(res, StatusCode::OK).await;
    let page = app
        .get_ok(&format!("/api/v1/audit?entityType=site&entityId={smgh}"))
        .await;
    let e = &page["items"][0];
    assert_eq!(e["action"], "site.updated");
    assert_eq!(e["before"]["address"], "Hospital Road, Nairobi");
    assert_eq!(e["after"]["address"], "1 Hospital Road");
    assert_eq!(e["ip"], "127.0.0.1");
    assert_eq!(e["requestId"], rid.as_str());
    assert_eq!(e["actorId"], app.user_id("admin@demo.hmms").await.as_str());
    assert_eq!(e["hash"].as_str().unwrap().len(), 64);
    // Sign-ins and failed sign-ins are there too.
    app.login_raw("staff@demo.hmms", "wrong password!").await;
    let failed = app.get_ok("/api/v1/audit?action=auth.login_failed").await;
    assert_eq!(failed["items"][0]["after"]["email"], "staff@demo.hmms");
    // The change's domain event sits in the outbox.
    let row = app
        .state
        .db
        .query_one_raw(Statement::from_string(
            app.state.db.get_database_backend(),
            format!("SELECT event_type FROM domain_events WHERE entity_id = '{smgh}' ORDER BY created_at DESC"),
        ))
        .await
        .unwrap()
        .expect("an event");
    assert_eq!(
        row.try_get::<String>("", "event_type").unwrap(),
        "SITE_UPDATED"
    );
    // Secrets never reach the trail.
    let all = app.get_ok("/api/v1/audit?limit=200").await.to_string();
    assert!(
        !all.contains("argon2"),
        "no password hashes in the audit trail"
    );
}
both!(changes_are_recorded_with_before_after_and_origin);

async fn an_altered_entry_is_detected(app: TestApp) {
    assert!(
        hmms_server::audit::verify(&app.state.db)
            .await
            .unwrap()
            .is_ok()
    );
    let admin = app.admin().await;
    let smgh = app.site_id("SMGH").await;
    expect(
        app.patch(
            &format!("/api/v1/sites/{smgh}"),
            &admin,
            json!({ "name": "St. Mary's" }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let seq = app.get_ok("/api/v1/audit?action=site.updated").await["items"][0]["seq"]
        .as_i64()
        .unwrap();
    assert!(
        hmms_server::audit::verify(&app.state.db)
            .await
            .unwrap()
            .is_ok()
    );
    app.sql(&format!(
        "UPDATE audit_log SET actor_id = NULL WHERE seq = {seq}"
    ))
    .await;
    assert_eq!(
        hmms_server::audit::verify(&app.state.db).await.unwrap(),
        Err(ChainBreak::Altered { seq })
    );
}
both!(an_altered_entry_is_detected);

async fn a_removed_entry_is_detected(app: TestApp) {
    let admin = app.admin().await;
    for name in ["A", "B", "C"] {
        let body = json!({ "name": name, "code": name, "timeZone": "UTC" });
        expect(
            app.post("/api/v1/sites", &admin, body).await,
            StatusCode::CREATED,
        )
        .await;
    }
    let items = app.get_ok("/api/v1/audit?action=site.created").await;
    let middle = items["items"][1]["seq"].as_i64().unwrap();
    app.sql(&format!("DELETE FROM audit_log WHERE seq = {middle}"))
        .await;
    // Numbers run 1, 2, 3 …: the gap is named where it is.
    assert_eq!(
        hmms_server::audit::verify(&app.state.db).await.unwrap(),
        Err(ChainBreak::OutOfSequence {
            expected: middle,
            found: middle + 1
        })
    );
}
both!(a_removed_entry_is_detected);

/// Issue 13 finding 7: an entry slipped in before the first (numbered 0, which `GET /audit`
/// would list) and a trail emptied of every entry are both caught.
async fn an_entry_numbered_out_of_sequence_or_an_emptied_trail_is_detected(app: TestApp) {
    let verify = || hmms_server::audit::verify(&app.state.db);
    assert!(verify().await.unwrap().is_ok());
    app.sql(
        "INSERT INTO audit_log (seq, action, entity_type, created_at, prev_hash, hash) \
         SELECT 0, 'user.created', 'user', created_at, prev_hash, hash FROM audit_log WHERE seq = 1",
    )
    .await;
    assert_eq!(
        verify().await.unwrap(),
        Err(ChainBreak::OutOfSequence {
            expected: 1,
            found: 0
        })
    );
    // Every entry deleted and the stored head with them: "intact, 0 entries" no more.
    app.sql("DELETE FROM audit_log").await;
    app.sql(&format!(
        "DELETE FROM settings WHERE key = '{}'",
        "audit.head"
    ))
    .await;
    assert!(
        matches!(verify().await.unwrap(), Err(ChainBreak::Emptied { accounts }) if accounts > 0)
    );
}
both!(an_entry_numbered_out_of_sequence_or_an_emptied_trail_is_detected);

async fn removing_the_newest_entries_is_detected(app: TestApp) {
    let admin = app.admin().await;
    expect(
        app.post(
            "/api/v1/sites",
            &admin,
            json!({ "name": "Z", "code": "Z", "timeZone": "UTC" }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let last = app.get_ok("/api/v1/audit?limit=1").await["items"][0]["seq"]
        .as_i64()
        .unwrap();
    app.sql(&format!("DELETE FROM audit_log WHERE seq = {last}"))
        .await;
    assert_eq!(
        hmms_server::audit::verify(&app.state.db).await.unwrap(),
        Err(ChainBreak::Truncated {
            expected: last,
            found: Some(last - 1)
        })
    );
}
both!(removing_the_newest_entries_is_detected);

async fn concurrent_changes_keep_one_unbroken_chain(app: TestApp) {
    let admin = app.admin().await;
    let requests = (0..16).map(|i| {
        let body =
            json!({ "name": format!("Clinic {i}"), "code": format!("C{i}"), "timeZone": "UTC" });
        app.post("/api/v1/sites", &admin, body)
    });
    for res in join_all(requests).await {
        assert_eq!(res.status(), StatusCode::CREATED);
    }
    let n = hmms_server::audit::verify(&app.state.db)
        .await
        .unwrap()
        .expect("intact");
    let created = app
        .get_ok("/api/v1/audit?action=site.created&limit=200")
        .await;
    assert_eq!(created["items"].as_array().unwrap().len(), 16);
    assert!(n >= 16);
}
both!(concurrent_changes_keep_one_unbroken_chain);

/// Two servers on one database append to one chain: each takes the write lock and reads the
/// head the other left (PostgreSQL: in one round trip, `hmms_begin_write`). On PostgreSQL the
/// two write at the same time; SQLite is one server per file, so there they take turns.
async fn two_servers_keep_one_unbroken_chain(app: TestApp) {
    let other = app.second_server().await;
    let admin = app.admin().await;
    let create = |base: String, i: usize| {
        let client = app.client.clone();
        let admin = admin.clone();
        async move {
            client
                .post(format!("{base}/api/v1/sites"))
                .bearer_auth(&admin)
                .json(&json!({ "name": format!("Clinic {i}"), "code": format!("T{i}"), "timeZone": "UTC" }))
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    let bases = [app.url(""), other.base.clone()];
    if app.backend == crate::helpers::Backend::Postgres {
        let requests = (0..16).map(|i| create(bases[i % 2].trim_end_matches('/').to_string(), i));
        for status in join_all(requests).await {
            assert_eq!(status, StatusCode::CREATED);
        }
    } else {
        for i in 0..16 {
            let status = create(bases[i % 2].trim_end_matches('/').to_string(), i).await;
            assert_eq!(status, StatusCode::CREATED);
        }
    }
    hmms_server::audit::verify(&app.state.db)
        .await
        .unwrap()
        .expect("one intact chain");
    let created = app
        .get_ok("/api/v1/audit?action=site.created&limit=200")
        .await;
    assert_eq!(created["items"].as_array().unwrap().len(), 16);
}
both!(two_servers_keep_one_unbroken_chain);
