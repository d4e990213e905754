//! The audit trail and the domain-event outbox. Every mutation calls [`record`] inside its write
//! transaction, so the change, its audit entry and its event commit together.

mod carry_over;
pub(crate) mod journal;
pub mod routes;
pub mod trail;

pub use carry_over::carry_over;
pub(crate) use journal::{HEAD_KEY, batches_for};
use journal::{Head, head_of};
pub use journal::{Journal, put_setting};

use chrono::{DateTime, SecondsFormat, Utc};
use hmms_domain::audit::{AuditContent, ChainBreak, GENESIS, StoredEntry, chain_hash, verify_link};
use hmms_store::entities::{audit_entry, domain_event, setting};
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use serde_json::Value;
use uuid::Uuid;

use crate::error::ApiResult;
use crate::state::WriteTx;

/// Where a request came from, for the audit trail (read from the request by
/// `auth::principal::meta_of`).
#[derive(Debug, Clone, Default)]
pub struct Meta {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub request_id: Option<String>,
}

/// Who did it and from where.
pub struct Who<'a> {
    pub organization_id: Option<Uuid>,
    pub actor_id: Option<Uuid>,
    pub meta: &'a Meta,
}

/// What changed.
pub struct Change<'a> {
    /// `entity.verb`, e.g. `user.created`; the domain event type is its upper-snake form.
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_id: Option<String>,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

fn timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Appends an audit entry to the hash chain and a domain event to the outbox; both are written
/// when the transaction commits.
pub async fn record(
    tx: &WriteTx,
    now: DateTime<Utc>,
    who: &Who<'_>,
    change: Change<'_>,
) -> ApiResult<()> {
    let known = tx.journal().head.is_some();
    let stored = if known {
        None
    } else {
        // Only the write lock's holder gets here, so nobody moves the head in between.
        setting::Entity::find_by_id(HEAD_KEY.to_string())
            .one(&**tx)
            .await?
            .map(|s| s.value)
    };
    let mut journal = tx.journal();
    let head = journal
        .head
        .get_or_insert_with(|| head_of(stored.as_deref()));
    let (seq, prev) = (head.seq + 1, head.hash.clone());
    let org = who.organization_id.map(|u| u.to_string());
    let actor = who.actor_id.map(|u| u.to_string());
    let before = change.before.as_ref().map(Value::to_string);
    let after = change.after.as_ref().map(Value::to_string);
    let created = timestamp(now);
    let content = AuditContent {
        seq,
        organization_id: org.as_deref(),
        actor_id: actor.as_deref(),
        action: change.action,
        entity_type: change.entity_type,
        entity_id: change.entity_id.as_deref(),
        before: before.as_deref(),
        after: after.as_deref(),
        ip: who.meta.ip.as_deref(),
        user_agent: who.meta.user_agent.as_deref(),
        request_id: who.meta.request_id.as_deref(),
        created_at: &created,
    };
    let hash = chain_hash(tx.audit_key(), &prev, &content);
    journal.entries.push(audit_entry::ActiveModel {
        seq: Set(seq),
        organization_id: Set(who.organization_id),
        actor_id: Set(who.actor_id),
        action: Set(change.action.to_string()),
        entity_type: Set(change.entity_type.to_string()),
        entity_id: Set(change.entity_id.clone()),
        before: Set(before),
        after: Set(after),
        ip: Set(who.meta.ip.clone()),
        user_agent: Set(who.meta.user_agent.clone()),
        request_id: Set(who.meta.request_id.clone()),
        created_at: Set(now),
        prev_hash: Set(prev),
        hash: Set(hash.clone()),
    });
    journal.head = Some(Head {
        seq,
        hash,
        keyed: true,
    });
    let payload = serde_json::json!({ "before": change.before, "after": change.after });
    journal.events.push(domain_event::ActiveModel {
        id: Set(Uuid::now_v7()),
        seq: Set(seq),
        organization_id: Set(who.organization_id),
        event_type: Set(change.action.replace('.', "_").to_uppercase()),
        entity_type: Set(change.entity_type.to_string()),
        entity_id: Set(change.entity_id),
        actor_id: Set(who.actor_id),
        payload: Set(payload.to_string()),
        request_id: Set(who.meta.request_id.clone()),
        created_at: Set(now),
    });
    Ok(())
}

impl From<serde_json::Error> for crate::error::ApiError {
    fn from(e: serde_json::Error) -> Self {
        crate::error::ApiError::Internal(e.into())
    }
}

/// Calls `f` with what the chain protects of a stored entry.
fn with_content<R>(e: &audit_entry::Model, f: impl FnOnce(&AuditContent<'_>) -> R) -> R {
    let org = e.organization_id.map(|u| u.to_string());
    let actor = e.actor_id.map(|u| u.to_string());
    let created = timestamp(e.created_at);
    f(&AuditContent {
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
    })
}

/// Walks the whole chain in order, checking every hash under `key`. `Ok(n)` when all `n`
/// entries are intact.
pub async fn verify(
    db: &impl ConnectionTrait,
    key: &[u8],
) -> anyhow::Result<Result<u64, ChainBreak>> {
    let head: Option<Head> = setting::Entity::find_by_id(HEAD_KEY.to_string())
        .one(db)
        .await?
        .and_then(|s| serde_json::from_str(&s.value).ok());
    let mut prev = GENESIS.to_string();
    let mut last_seq: Option<i64> = None;
    let mut count = 0u64;
    loop {
        // Every row, whatever its number: one numbered 0 or below is out of sequence, not unseen.
        let batch = audit_entry::Entity::find()
            .filter(sea_orm::ColumnTrait::gt(
                &audit_entry::Column::Seq,
                last_seq.unwrap_or(i64::MIN),
            ))
            .order_by_asc(audit_entry::Column::Seq)
            .limit(1000)
            .all(db)
            .await?;
        if batch.is_empty() {
            break;
        }
        for e in &batch {
            let expected = last_seq.map_or(1, |s| s + 1);
            if e.seq != expected {
                return Ok(Err(ChainBreak::OutOfSequence {
                    expected,
                    found: e.seq,
                }));
            }
            let link = with_content(e, |content| {
                let entry = StoredEntry {
                    content: content.clone(),
                    prev_hash: &e.prev_hash,
                    hash: &e.hash,
                };
                verify_link(key, &prev, &entry)
            });
            if let Err(b) = link {
                return Ok(Err(b));
            }
            prev = e.hash.clone();
            last_seq = Some(e.seq);
            count += 1;
        }
    }
    if count == 0 {
        // Creating an account writes an entry, so accounts without entries mean entries deleted.
        use sea_orm::PaginatorTrait;
        let accounts = hmms_store::entities::user::Entity::find().count(db).await?;
        if accounts > 0 {
            return Ok(Err(ChainBreak::Emptied { accounts }));
        }
    }
    match head {
        Some(h) if Some(h.seq) != last_seq || h.hash != prev => Ok(Err(ChainBreak::Truncated {
            expected: h.seq,
            found: last_seq,
        })),
        None if last_seq.is_some() => Ok(Err(ChainBreak::Truncated {
            expected: 0,
            found: last_seq,
        })),
        _ => Ok(Ok(count)),
    }
}
