//! The audit trail and the domain-event outbox. Every mutation calls [`record`] inside its write
//! transaction, so the change, its audit entry and its event commit together.

pub mod routes;

use chrono::{DateTime, SecondsFormat, Utc};
use hmms_domain::audit::{AuditContent, ChainBreak, GENESIS, StoredEntry, chain_hash, verify_link};
use hmms_store::entities::{audit_entry, domain_event, setting};
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::auth::principal::Meta;
use crate::error::ApiResult;
use crate::state::WriteTx;

pub(crate) const HEAD_KEY: &str = "audit.head";

/// The last entry of the chain, kept beside it so removing entries from the end is detected.
#[derive(Serialize, Deserialize)]
struct Head {
    seq: i64,
    hash: String,
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

/// The audit entries and events a write transaction has recorded, not yet written. The chain
/// head is read once per transaction and written back once, with the rows, at commit: a
/// transaction costs the same few statements however much it records (decision 0008).
#[derive(Default)]
pub struct Journal {
    /// The chain head as of the last recorded entry; `None` until first read.
    head: Option<Head>,
    entries: Vec<audit_entry::ActiveModel>,
    events: Vec<domain_event::ActiveModel>,
}

/// The chain head stored as `value` (the genesis when there is none yet).
fn head_of(value: Option<&str>) -> Head {
    value
        .and_then(|v| serde_json::from_str(v).ok())
        .unwrap_or(Head {
            seq: 0,
            hash: GENESIS.to_string(),
        })
}

impl Journal {
    /// A journal whose chain head was read with the write lock (PostgreSQL's
    /// `hmms_begin_write`), so recording needs no read of its own.
    pub(crate) fn starting_at(stored_head: Option<&str>) -> Self {
        Self {
            head: Some(head_of(stored_head)),
            ..Self::default()
        }
    }

    /// Writes what was recorded, in the caller's transaction.
    pub async fn flush(self, db: &impl ConnectionTrait) -> ApiResult<()> {
        let Some(head) = self.head.filter(|_| !self.entries.is_empty()) else {
            return Ok(());
        };
        let now = self
            .entries
            .last()
            .and_then(|e| e.created_at.try_as_ref().copied())
            .unwrap_or_else(Utc::now);
        let backend = db.get_database_backend();
        for rows in batches_for(backend, &self.entries, |e| {
            text_len(&e.before) + text_len(&e.after)
        }) {
            audit_entry::Entity::insert_many(rows.to_vec())
                .exec_without_returning(db)
                .await?;
        }
        for rows in batches_for(backend, &self.events, |e| e.payload.as_ref().len()) {
            domain_event::Entity::insert_many(rows.to_vec())
                .exec_without_returning(db)
                .await?;
        }
        put_setting(db, HEAD_KEY, None, serde_json::to_string(&head)?, now).await?;

        // Other servers sharing PostgreSQL hear of the events when this transaction commits:
        // a trigger on domain_events notifies them (migration m0011).
        Ok(())
    }
}

fn text_len(v: &sea_orm::ActiveValue<Option<String>>) -> usize {
    v.as_ref().as_ref().map_or(0, String::len)
}

/// Rows in runs for multi-row inserts of about 8 KB each, counting ~200 bytes per row besides
/// its text (so at most 40 rows, far below SQLite's 32,766 bound values): sqlx 0.9 leaves
/// Nagle's algorithm on, and a statement larger than one socket write waits ~40 ms for a
/// delayed ACK from PostgreSQL.
pub(crate) fn batches<T>(rows: &[T], size: impl Fn(&T) -> usize) -> Vec<&[T]> {
    runs(rows, size, 8 * 1024, usize::MAX)
}

/// [`batches`] for the backend at hand. SQLite runs in-process, so there is no socket to wait
/// on: its statements are as large as its bound-value limit allows (500 rows of up to 65
/// columns), which halves the statements a bulk write prepares and runs.
pub(crate) fn batches_for<T>(
    backend: sea_orm::DbBackend,
    rows: &[T],
    size: impl Fn(&T) -> usize,
) -> Vec<&[T]> {
    match backend {
        sea_orm::DbBackend::Sqlite => runs(rows, size, 1024 * 1024, 500),
        _ => batches(rows, size),
    }
}

fn runs<T>(rows: &[T], size: impl Fn(&T) -> usize, max_bytes: usize, max_rows: usize) -> Vec<&[T]> {
    let mut out = vec![];
    let (mut start, mut bytes) = (0, 0);
    for (i, row) in rows.iter().enumerate() {
        let n = size(row) + 200;
        if i > start && (bytes + n > max_bytes || i - start >= max_rows) {
            out.push(&rows[start..i]);
            (start, bytes) = (i, 0);
        }
        bytes += n;
    }
    if start < rows.len() {
        out.push(&rows[start..]);
    }
    out
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
    if !known {
        // Only the write lock's holder gets here, so nobody moves the head in between.
        let stored = setting::Entity::find_by_id(HEAD_KEY.to_string())
            .one(&**tx)
            .await?
            .map(|s| s.value);
        tx.journal().head = Some(head_of(stored.as_deref()));
    }
    let mut journal = tx.journal();
    let head = journal.head.as_ref().expect("read above");
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
    let hash = chain_hash(&prev, &content);
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
    journal.head = Some(Head { seq, hash });
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

/// Inserts or replaces a setting.
pub async fn put_setting(
    db: &impl ConnectionTrait,
    key: &str,
    organization_id: Option<Uuid>,
    value: String,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let model = setting::ActiveModel {
        key: Set(key.to_string()),
        organization_id: Set(organization_id),
        value: Set(value),
        updated_at: Set(now),
    };
    setting::Entity::insert(model)
        .on_conflict(
            sea_orm::sea_query::OnConflict::column(setting::Column::Key)
                .update_columns([setting::Column::Value, setting::Column::UpdatedAt])
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Walks the whole chain in order. `Ok(n)` when all `n` entries are intact.
pub async fn verify(db: &impl ConnectionTrait) -> anyhow::Result<Result<u64, ChainBreak>> {
    let head: Option<Head> = setting::Entity::find_by_id(HEAD_KEY.to_string())
        .one(db)
        .await?
        .and_then(|s| serde_json::from_str(&s.value).ok());
    let mut prev = GENESIS.to_string();
    let mut last_seq: Option<i64> = None;
    let mut count = 0u64;
    loop {
        let batch = audit_entry::Entity::find()
            .filter(sea_orm::ColumnTrait::gt(
                &audit_entry::Column::Seq,
                last_seq.unwrap_or(0),
            ))
            .order_by_asc(audit_entry::Column::Seq)
            .limit(1000)
            .all(db)
            .await?;
        if batch.is_empty() {
            break;
        }
        for e in &batch {
            let org = e.organization_id.map(|u| u.to_string());
            let actor = e.actor_id.map(|u| u.to_string());
            let created = timestamp(e.created_at);
            let entry = StoredEntry {
                content: AuditContent {
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
                },
                prev_hash: &e.prev_hash,
                hash: &e.hash,
            };
            if let Err(b) = verify_link(&prev, &entry) {
                return Ok(Err(b));
            }
            prev = e.hash.clone();
            last_seq = Some(e.seq);
            count += 1;
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

#[cfg(test)]
mod tests {
    use super::batches;

    #[test]
    fn runs_stay_under_the_size_and_row_limits_and_keep_every_row_in_order() {
        let sizes = [3_000, 3_000, 3_000, 10_000, 10, 10];
        let runs = batches(&sizes, |n| *n);
        assert_eq!(runs, [&[3_000, 3_000][..], &[3_000], &[10_000], &[10, 10]]);
        // Each row counts ~200 bytes besides its text: 40 small rows fill a statement.
        let many = vec![0; 1_234];
        let runs = batches(&many, |_| 0);
        assert_eq!(runs.len(), 31);
        assert!(runs.iter().all(|r| r.len() <= 40));
        assert_eq!(runs.iter().map(|r| r.len()).sum::<usize>(), 1_234);
        assert!(batches(&[] as &[usize], |n| *n).is_empty());
    }
}
