//! Carrying a trail written before the chain was keyed over to the keyed chain, once, at start.
//! The old chain is checked first with its unkeyed hash; only an intact one is carried over, and
//! the carrying is itself an entry (with the old head), so the step is on the record. A broken
//! old chain is left as it is, and `hmms audit verify` reports it.

use hmms_domain::audit::{GENESIS, chain_hash, legacy_chain_hash};
use hmms_store::entities::{audit_entry, setting};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::journal::{HEAD_KEY, Head};
use super::{Change, Meta, Who, record, with_content};
use crate::state::AppState;

/// Keys an unkeyed trail: checks it, rehashes every entry under the audit key, and records
/// `audit.chain_keyed`. Does nothing when the chain is keyed already (or empty).
pub async fn carry_over(state: &AppState) -> anyhow::Result<()> {
    let tx = state.begin_write().await?;
    // Read under the write lock: another server may have carried it over a moment ago.
    let head: Option<Head> = setting::Entity::find_by_id(HEAD_KEY.to_string())
        .one(&*tx)
        .await?
        .and_then(|s| serde_json::from_str(&s.value).ok());
    let Some(old) = head.filter(|h| !h.keyed) else {
        return Ok(());
    };
    let key = state.keys.audit;
    let mut legacy_prev = GENESIS.to_string();
    let mut prev = GENESIS.to_string();
    let mut last = 0i64;
    loop {
        let batch = audit_entry::Entity::find()
            .filter(audit_entry::Column::Seq.gt(last))
            .order_by_asc(audit_entry::Column::Seq)
            .limit(1000)
            .all(&*tx)
            .await?;
        if batch.is_empty() {
            break;
        }
        for e in &batch {
            let intact = e.seq == last + 1
                && e.prev_hash == legacy_prev
                && with_content(e, |c| legacy_chain_hash(&legacy_prev, c)) == e.hash;
            if !intact {
                tracing::error!(
                    seq = e.seq,
                    "the audit trail written before the key is broken here; it is not carried \
                     over to the keyed chain (run `hmms audit verify`)"
                );
                return Ok(());
            }
            let hash = with_content(e, |c| chain_hash(&key, &prev, c));
            audit_entry::Entity::update_many()
                .col_expr(audit_entry::Column::PrevHash, Expr::value(prev.clone()))
                .col_expr(audit_entry::Column::Hash, Expr::value(hash.clone()))
                .filter(audit_entry::Column::Seq.eq(e.seq))
                .exec(&*tx)
                .await?;
            legacy_prev = e.hash.clone();
            prev = hash;
            last = e.seq;
        }
    }
    if last != old.seq || legacy_prev != old.hash {
        tracing::error!(
            "the audit trail written before the key ends before its recorded head; it is not \
             carried over to the keyed chain (run `hmms audit verify`)"
        );
        return Ok(());
    }
    tx.journal().head = Some(Head {
        seq: last,
        hash: prev,
        keyed: true,
    });
    let meta = Meta::default();
    let who = Who {
        organization_id: None,
        actor_id: None,
        meta: &meta,
    };
    let change = Change {
        action: "audit.chain_keyed",
        entity_type: "audit",
        entity_id: None,
        before: Some(serde_json::json!({ "entries": last, "unkeyedHead": old.hash })),
        after: None,
    };
    record(&tx, state.clock.now(), &who, change).await?;
    tx.commit().await?;
    tracing::info!(
        entries = last,
        "audit trail carried over to the keyed chain"
    );
    Ok(())
}
