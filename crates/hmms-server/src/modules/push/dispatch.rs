//! Sends pushes for new notifications of the kinds people must not miss. The notifications table
//! is the outbox: a cursor (the id of the last notification handled; UUIDv7, so in time order)
//! moves forward by compare-and-swap, so when several servers share a database each batch is
//! sent by exactly one of them, and only after the notification's transaction committed.

use std::time::Duration;

use chrono::Utc;
use hmms_store::entities::{notification, push_subscription, setting};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, ModelTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::crypto::{self, SubscriberKeys};
use crate::state::AppState;

/// Kinds that are pushed: new work, and SLA breaches and escalations.
pub const PUSHED: &[&str] = &["work_order_assigned", "sla_breached", "sla_escalated"];
const CURSOR: &str = "push.cursor";
const TICK: Duration = Duration::from_secs(1);
const BATCH: u64 = 100;

/// Starts the sender. Pushes begin with notifications made from now on.
pub async fn start(state: AppState) -> anyhow::Result<()> {
    init_cursor(&state).await?;
    // Connections only to allowed addresses, looked up at connect time; no redirects.
    let client = reqwest_os::Client::builder()
        .timeout(Duration::from_secs(10))
        .redirect(reqwest_os::redirect::Policy::none())
        .dns_resolver(super::address::Guarded {
            loopback: state.config.push_allow_loopback,
        })
        .build()?;
    tokio::spawn(async move {
        loop {
            match dispatch_once(&state, &client).await {
                Ok(true) => continue,
                Ok(false) => {}
                Err(e) => tracing::warn!(error = %e, "push dispatch failed"),
            }
            tokio::time::sleep(TICK).await;
        }
    });
    Ok(())
}

async fn init_cursor(state: &AppState) -> anyhow::Result<()> {
    if setting::Entity::find_by_id(CURSOR.to_string())
        .one(&state.db)
        .await?
        .is_some()
    {
        return Ok(());
    }
    let latest = notification::Entity::find()
        .order_by_desc(notification::Column::Id)
        .one(&state.db)
        .await?
        .map(|n| n.id)
        .unwrap_or(Uuid::nil());
    setting::Entity::insert(setting::ActiveModel {
        key: Set(CURSOR.into()),
        organization_id: Set(None),
        value: Set(latest.to_string()),
        updated_at: Set(Utc::now()),
    })
    .on_conflict(
        sea_orm::sea_query::OnConflict::column(setting::Column::Key)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(&state.db)
    .await?;
    Ok(())
}

/// Handles one batch. `Ok(true)` when there may be more right away.
async fn dispatch_once(state: &AppState, client: &reqwest_os::Client) -> anyhow::Result<bool> {
    let Some(cursor) = setting::Entity::find_by_id(CURSOR.to_string())
        .one(&state.db)
        .await?
    else {
        return Ok(false);
    };
    let after: Uuid = cursor.value.parse()?;
    let batch = notification::Entity::find()
        .filter(notification::Column::Id.gt(after))
        .order_by_asc(notification::Column::Id)
        .limit(BATCH)
        .all(&state.db)
        .await?;
    let Some(last) = batch.last().map(|n| n.id) else {
        return Ok(false);
    };
    // Every write goes through the write lock: on SQLite a write beside it would make a
    // request's transaction fail to upgrade from reading to writing.
    let tx = state.begin_write().await?;
    let claimed = setting::Entity::update_many()
        .col_expr(setting::Column::Value, Expr::value(last.to_string()))
        .col_expr(setting::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(setting::Column::Key.eq(CURSOR))
        .filter(setting::Column::Value.eq(cursor.value))
        .exec(&*tx)
        .await?;
    tx.commit().await?;
    if claimed.rows_affected != 1 {
        // Another server took this batch.
        return Ok(true);
    }
    for n in batch.iter().filter(|n| PUSHED.contains(&n.kind.as_str())) {
        let subs = push_subscription::Entity::find()
            .filter(push_subscription::Column::UserId.eq(n.user_id))
            .all(&state.db)
            .await?;
        for sub in subs {
            deliver(state, client, n, sub).await;
        }
    }
    Ok(batch.len() as u64 == BATCH)
}

/// `scheme://host[:port]` of a push endpoint: the VAPID audience.
fn origin(endpoint: &str) -> Option<String> {
    let url = object_store::signer::Url::parse(endpoint).ok()?;
    Some(url.origin().ascii_serialization())
}

fn subject(state: &AppState) -> String {
    state
        .config
        .vapid_subject
        .clone()
        .or_else(|| state.config.public_url.clone())
        .unwrap_or_else(|| "mailto:maintenance@localhost".into())
}

async fn deliver(
    state: &AppState,
    client: &reqwest_os::Client,
    n: &notification::Model,
    sub: push_subscription::Model,
) {
    let Ok(keys) = SubscriberKeys::parse(&sub.p256dh, &sub.auth) else {
        return;
    };
    let Some(aud) = origin(&sub.endpoint) else {
        return;
    };
    // An address written into the URL is not looked up, so the resolver cannot judge it.
    if let Err(e) = super::address::check_url(&sub.endpoint, state.config.push_allow_loopback) {
        tracing::warn!(endpoint = %sub.endpoint, reason = e, "push refused");
        return;
    }
    let payload = serde_json::json!({
        "notificationId": n.id,
        "kind": n.kind,
        "title": n.title,
        "body": n.body,
        "entityType": n.entity_type,
        "entityId": n.entity_id,
    });
    let body = match crypto::encrypt(&keys, payload.to_string().as_bytes()) {
        Ok(body) => body,
        Err(e) => {
            tracing::warn!(error = %e, "a push message could not be encrypted");
            return;
        }
    };
    // Push services check the token against the real time, whatever the server's clock says.
    let exp = Utc::now().timestamp() + 12 * 3600;
    let urgency = if n.kind.starts_with("sla_") {
        "high"
    } else {
        "normal"
    };
    let sent = client
        .post(&sub.endpoint)
        .header(
            "authorization",
            crypto::vapid_header(&state.keys.vapid, &aud, &subject(state), exp),
        )
        .header("content-encoding", "aes128gcm")
        .header("content-type", "application/octet-stream")
        .header("ttl", "86400")
        .header("urgency", urgency)
        .body(body)
        .send()
        .await;
    if let Err(e) = record_result(state, sub, sent).await {
        tracing::warn!(error = %e, "recording a push result failed");
    }
}

async fn record_result(
    state: &AppState,
    sub: push_subscription::Model,
    sent: reqwest_os::Result<reqwest_os::Response>,
) -> crate::error::ApiResult<()> {
    let tx = state.begin_write().await?;
    match sent {
        Ok(r) if r.status().is_success() => {
            let mut m = sub.into_active_model();
            m.last_success_at = Set(Some(Utc::now()));
            m.failures = Set(0);
            m.update(&*tx).await?;
        }
        // The browser unsubscribed or the subscription expired: forget it.
        Ok(r) if matches!(r.status().as_u16(), 404 | 410) => {
            sub.delete(&*tx).await?;
        }
        other => {
            tracing::warn!(endpoint = %sub.endpoint, result = ?other.map(|r| r.status()), "push not accepted");
            let failures = sub.failures + 1;
            let mut m = sub.into_active_model();
            m.failures = Set(failures);
            m.update(&*tx).await?;
        }
    }
    tx.commit().await
}
