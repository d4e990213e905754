//! The journal of a write transaction: the audit entries and domain events it recorded, kept
//! in memory and written together at commit, with the chain head they continue. Beside it, the
//! batching of multi-row statements that bulk writes share.

use chrono::{DateTime, Utc};
use hmms_domain::audit::GENESIS;
use hmms_store::entities::{audit_entry, domain_event, setting};
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::ApiResult;

pub(crate) const HEAD_KEY: &str = "audit.head";

/// The last entry of the chain, kept beside it so removing entries from the end is detected.
#[derive(Serialize, Deserialize)]
pub(crate) struct Head {
    pub(crate) seq: i64,
    pub(crate) hash: String,
    /// Whether the chain is keyed (HMAC); a head stored by a release before the key is not,
    /// until [`super::carry_over`] has carried its trail over.
    #[serde(default)]
    pub(crate) keyed: bool,
}

/// The audit entries and events a write transaction has recorded, not yet written. The chain
/// head is read once per transaction and written back once, with the rows, at commit: a
/// transaction costs the same few statements however much it records (decision 0008).
#[derive(Default)]
pub struct Journal {
    /// The chain head as of the last recorded entry; `None` until first read.
    pub(super) head: Option<Head>,
    pub(super) entries: Vec<audit_entry::ActiveModel>,
    pub(super) events: Vec<domain_event::ActiveModel>,
}

/// The chain head stored as `value` (the genesis when there is none yet).
pub(super) fn head_of(value: Option<&str>) -> Head {
    value
        .and_then(|v| serde_json::from_str(v).ok())
        .unwrap_or(Head {
            seq: 0,
            hash: GENESIS.to_string(),
            keyed: true,
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
