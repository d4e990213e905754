//! Live events. Every change's domain event is in the `domain_events` outbox with a gap-free
//! sequence number. A pump per server reads new events after each commit (woken in-process, and
//! on PostgreSQL by `LISTEN hmms_events`, so changes made on another server arrive too) and
//! broadcasts them to this server's Server-Sent-Events clients, each of which sees only events
//! about records its user may see.

pub mod routes;
pub mod visibility;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use hmms_store::entities::domain_event;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde::Serialize;
use tokio::sync::{Notify, broadcast};
use utoipa::ToSchema;
use uuid::Uuid;

/// An event as clients receive it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LiveEvent {
    /// Also the SSE `id`: send it back as `Last-Event-ID` to resume after it.
    pub seq: i64,
    /// e.g. `WORK_ORDER_ASSIGNED`, `SLA_BREACHED`.
    #[serde(rename = "type")]
    pub event_type: String,
    pub entity_type: String,
    pub entity_id: Option<String>,
    pub actor_id: Option<Uuid>,
    /// The record after the change, when there is one.
    pub data: Option<serde_json::Value>,
    pub at: DateTime<Utc>,
    #[serde(skip)]
    pub organization_id: Option<Uuid>,
}

impl From<domain_event::Model> for LiveEvent {
    fn from(e: domain_event::Model) -> Self {
        let payload: serde_json::Value = serde_json::from_str(&e.payload).unwrap_or_default();
        LiveEvent {
            seq: e.seq,
            event_type: e.event_type,
            entity_type: e.entity_type,
            entity_id: e.entity_id,
            actor_id: e.actor_id,
            data: payload.get("after").cloned().filter(|v| !v.is_null()),
            at: e.created_at,
            organization_id: e.organization_id,
        }
    }
}

/// This server's fan-out of events to its live clients.
#[derive(Clone)]
pub struct EventHub {
    sender: broadcast::Sender<Arc<LiveEvent>>,
    wake: Arc<Notify>,
    closing: tokio::sync::watch::Sender<bool>,
}

impl Default for EventHub {
    fn default() -> Self {
        let (sender, _) = broadcast::channel(1024);
        let (closing, _) = tokio::sync::watch::channel(false);
        EventHub {
            sender,
            wake: Arc::new(Notify::new()),
            closing,
        }
    }
}

impl EventHub {
    /// Ends every live stream (on shutdown, so that it is not held up by open connections).
    pub fn close(&self) {
        let _ = self.closing.send(true);
    }

    pub fn closing(&self) -> tokio::sync::watch::Receiver<bool> {
        self.closing.subscribe()
    }

    pub fn waker(&self) -> Arc<Notify> {
        self.wake.clone()
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<LiveEvent>> {
        self.sender.subscribe()
    }
}

/// Events after `after`, oldest first.
pub async fn since(
    db: &impl ConnectionTrait,
    after: i64,
    limit: u64,
) -> Result<Vec<LiveEvent>, sea_orm::DbErr> {
    Ok(domain_event::Entity::find()
        .filter(domain_event::Column::Seq.gt(after))
        .order_by_asc(domain_event::Column::Seq)
        .limit(limit)
        .all(db)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

pub async fn latest_seq(db: &impl ConnectionTrait) -> i64 {
    domain_event::Entity::find()
        .order_by_desc(domain_event::Column::Seq)
        .one(db)
        .await
        .ok()
        .flatten()
        .map(|e| e.seq)
        .unwrap_or(0)
}

/// Starts the pump (and, on PostgreSQL, the listener that wakes it for other servers' changes).
///
/// Where the pump starts reading is fixed before this returns, so nothing committed once the
/// server is serving can fall between its starting point and its first read.
pub async fn start(db: DatabaseConnection, database_url: String, hub: EventHub) {
    if db.get_database_backend() == DbBackend::Postgres {
        let url = database_url;
        let wake = hub.waker();
        tokio::spawn(async move {
            loop {
                match sea_orm::sqlx::postgres::PgListener::connect(&url).await {
                    Ok(mut listener) => {
                        if listener.listen("hmms_events").await.is_ok() {
                            // Catch up on anything committed before we were listening.
                            wake.notify_one();
                            while listener.recv().await.is_ok() {
                                wake.notify_one();
                            }
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "cannot listen for events from other servers; retrying")
                    }
                }
                tokio::time::sleep(Duration::from_secs(2)).await;
            }
        });
    }
    let poll = match db.get_database_backend() {
        DbBackend::Postgres => Duration::from_secs(60),
        _ => Duration::from_secs(2),
    };
    let mut last = latest_seq(&db).await;
    tokio::spawn(async move {
        loop {
            // Woken after a commit here, or by a NOTIFY from another server. The poll is a safety
            // net on PostgreSQL, and how a second process on the same SQLite file is heard.
            let _ = tokio::time::timeout(poll, hub.wake.notified()).await;
            match since(&db, last, 500).await {
                Ok(events) => {
                    for e in events {
                        last = e.seq;
                        let _ = hub.sender.send(Arc::new(e));
                    }
                }
                Err(e) => tracing::warn!(error = %e, "reading new events failed"),
            }
        }
    });
}
