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
        hmms_server::audit::verify(&app.state.db, &app.state.keys.audit)
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
        hmms_server::audit::verify(&app.state.db, &app.state.keys.audit)
            .await
            .unwrap()
            .is_ok()
    );
    app.sql(&format!(
        "UPDATE audit_log SET actor_id = NULL WHERE seq = {seq}"
    ))
    .await;
    assert_eq!(
        hmms_server::audit::verify(&app.state.db, &app.state.keys.audit)
            .await
            .unwrap(),
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
        hmms_server::audit::verify(&app.state.db, &app.state.keys.audit)
            .await
            .unwrap(),
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
    let verify = || hmms_server::audit::verify(&app.state.db, &app.state.keys.audit);
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
        hmms_server::audit::verify(&app.state.db, &app.state.keys.audit)
            .await
            .unwrap(),
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
    let n = hmms_server::audit::verify(&app.state.db, &app.state.keys.audit)
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
    hmms_server::audit::verify(&app.state.db, &app.state.keys.audit)
        .await
        .unwrap()
        .expect("one intact chain");
    let created = app
        .get_ok("/api/v1/audit?action=site.created&limit=200")
        .await;
    assert_eq!(created["items"].as_array().unwrap().len(), 16);
}
both!(two_servers_keep_one_unbroken_chain);

/// Rewrites the chain from entry `from` on as someone with write access to the database would:
/// each entry's `prev_hash` and `hash` recomputed with `hash`, and the stored head moved to the
/// new end. `keyed` is what the rewritten head claims.
async fn rechain(
    app: &TestApp,
    from: i64,
    keyed: bool,
    hash: impl Fn(&str, &hmms_domain::audit::AuditContent<'_>) -> String,
) -> i64 {
    use hmms_store::entities::audit_entry::{Column, Entity};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    let db = &app.state.db;
    let all = Entity::find()
        .order_by_asc(Column::Seq)
        .all(db)
        .await
        .unwrap();
    let mut prev = all
        .iter()
        .find(|e| e.seq == from - 1)
        .map_or(hmms_domain::audit::GENESIS.to_string(), |e| e.hash.clone());
    let mut last = 0;
    for e in all.iter().filter(|e| e.seq >= from) {
        let (org, actor) = (
            e.organization_id.map(|u| u.to_string()),
            e.actor_id.map(|u| u.to_string()),
        );
        let created = e
            .created_at
            .to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        let content = hmms_domain::audit::AuditContent {
            seq: e.seq,
            organization_id: org.as_deref(),
            actor_id: actor.as_deref(),
            action: &e.action,
            entity_type: &e.entity_type,
            entity_id: e.entity_id.as_deref(),
            before: e.before.as_deref(),
            after: e.after.as_deref(),
            ip: e.ip.as_deref(),
            user_agent: e.user_agent.as_deref(),
            request_id: e.request_id.as_deref(),
            created_at: &created,
        };
        let h = hash(&prev, &content);
        Entity::update_many()
            .col_expr(
                Column::PrevHash,
                sea_orm::sea_query::Expr::value(prev.clone()),
            )
            .col_expr(Column::Hash, sea_orm::sea_query::Expr::value(h.clone()))
            .filter(Column::Seq.eq(e.seq))
            .exec(db)
            .await
            .unwrap();
        prev = h;
        last = e.seq;
    }
    let head = if keyed {
        json!({ "seq": last, "hash": prev, "keyed": true })
    } else {
        json!({ "seq": last, "hash": prev })
    };
    app.sql(&format!(
        "UPDATE settings SET value = '{head}' WHERE key = 'audit.head'"
    ))
    .await;
    last
}

/// Issue 13 finding 7: changing an entry and recomputing every later hash (and the head) is
/// caught, because the hashes are keyed with a key the database does not hold. The same rewrite
/// with the real key passes, so the key is all that stands in the way.
async fn a_rewritten_chain_without_the_key_is_detected(app: TestApp) {
    let admin = app.admin().await;
    let smgh = app.site_id("SMGH").await;
    for name in ["St. Mary's", "St. Mary's General"] {
        expect(
            app.patch(
                &format!("/api/v1/sites/{smgh}"),
                &admin,
                json!({ "name": name }),
            )
            .await,
            StatusCode::OK,
        )
        .await;
    }
    let seq = app.get_ok("/api/v1/audit?action=site.updated").await["items"][1]["seq"]
        .as_i64()
        .unwrap();
    app.sql(&format!(
        "UPDATE audit_log SET actor_id = NULL WHERE seq = {seq}"
    ))
    .await;
    let key = app.state.keys.audit;
    let verify = || hmms_server::audit::verify(&app.state.db, &key);
    // Recomputed as anyone can: plain SHA-256, or an HMAC under a guessed key.
    rechain(&app, seq, true, hmms_domain::audit::legacy_chain_hash).await;
    assert_eq!(verify().await.unwrap(), Err(ChainBreak::Altered { seq }));
    rechain(&app, seq, true, |p, c| {
        hmms_domain::audit::chain_hash(&[7u8; 32], p, c)
    })
    .await;
    assert_eq!(verify().await.unwrap(), Err(ChainBreak::Altered { seq }));
    // With the key (which lives in the secrets file, not the database) it would hold.
    rechain(&app, seq, true, |p, c| {
        hmms_domain::audit::chain_hash(&key, p, c)
    })
    .await;
    assert!(verify().await.unwrap().is_ok());
}
both!(a_rewritten_chain_without_the_key_is_detected);

async fn newest_entry(app: &TestApp) -> hmms_store::entities::audit_entry::Model {
    use hmms_store::entities::audit_entry::{Column, Entity};
    use sea_orm::{EntityTrait, QueryOrder};
    Entity::find()
        .order_by_desc(Column::Seq)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap()
}

/// A trail written before the chain was keyed (plain SHA-256, a head without `keyed`) is checked
/// and carried over once at start, with an entry saying so; a broken one is not carried over.
async fn an_unkeyed_trail_is_carried_over_once_and_only_when_intact(app: TestApp) {
    // Signed in first: a sign-in is an entry too.
    app.admin().await;
    let key = app.state.keys.audit;
    let verify = || hmms_server::audit::verify(&app.state.db, &key);
    let n = rechain(&app, 1, false, hmms_domain::audit::legacy_chain_hash).await;
    assert!(
        verify().await.unwrap().is_err(),
        "unkeyed hashes fail the keyed check"
    );
    hmms_server::audit::carry_over(&app.state).await.unwrap();
    assert_eq!(verify().await.unwrap(), Ok(n as u64 + 1));
    // Recorded for no organization (it concerns the whole database), so read from the table.
    let newest = newest_entry(&app).await;
    assert_eq!(
        (newest.seq, newest.action.as_str()),
        (n + 1, "audit.chain_keyed")
    );
    assert!(newest.before.unwrap().contains("unkeyedHead"));
    // Once keyed, starting again changes nothing.
    hmms_server::audit::carry_over(&app.state).await.unwrap();
    assert_eq!(verify().await.unwrap(), Ok(n as u64 + 1));

    // A tampered unkeyed trail is left for verify to report, not blessed by re-keying.
    let n = rechain(&app, 1, false, hmms_domain::audit::legacy_chain_hash).await;
    app.sql("UPDATE audit_log SET actor_id = NULL WHERE seq = 2")
        .await;
    hmms_server::audit::carry_over(&app.state).await.unwrap();
    assert!(verify().await.unwrap().is_err());
    let newest = newest_entry(&app).await;
    assert_eq!(
        (newest.seq, newest.action.as_str()),
        (n, "audit.chain_keyed"),
        "nothing was appended"
    );
}
both!(an_unkeyed_trail_is_carried_over_once_and_only_when_intact);
