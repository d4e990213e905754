//! Stock-outs: an issue to a work order that the bin could not fill. The refused movement
//! writes nothing to the ledger (its transaction is dropped); the stock-out is then recorded in
//! a transaction of its own, audited, because "how often was the part not there when the work
//! needed it" is the store's key figure. A replayed offline issue gets the first answer from
//! the idempotency layer, so it is recorded once.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use hmms_domain::stock::format_quantity;
use hmms_store::entities::{part, stock_bin, stock_out, store, user, work_order};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::json;
use uuid::Uuid;

use super::dto::{StockOutDto, StockOutPage, StockOutQuery};
use super::ledger::decimals;
use super::stores::Reach;
use crate::audit::{self, Change, Who};
use crate::auth::principal::Principal;
use crate::error::{ApiError, ApiResult};
use crate::pagination::{self, Cursor};
use crate::state::{AppState, WriteTx};

/// What was asked for and refused.
pub struct Shortfall<'a> {
    pub part: &'a part::Model,
    pub store: Uuid,
    pub bin: Uuid,
    pub work_order: Option<Uuid>,
    /// Thousandths of the part's unit.
    pub requested: i64,
}

/// Records a refused issue, with what the bin holds now, in a transaction of its own.
pub(super) async fn record(state: &AppState, p: &Principal, s: Shortfall<'_>) -> ApiResult<()> {
    let tx = state.begin_write().await?;
    record_in(&tx, state.clock.now(), &p.who(), s).await?;
    tx.commit().await?;
    Ok(())
}

/// Records a stock-out inside the caller's write transaction, audited as `stock.out` — the one
/// writer of stock-outs (the demo's year of history records its own through it).
pub async fn record_in(
    tx: &WriteTx,
    now: DateTime<Utc>,
    who: &Who<'_>,
    s: Shortfall<'_>,
) -> ApiResult<()> {
    let actor = who
        .actor_id
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("a stock-out needs a person")))?;
    let on_hand = super::ledger::bin_on_hand(&**tx, s.part.id, s.bin).await?;
    let m = stock_out::ActiveModel {
        id: Set(Uuid::now_v7()),
        organization_id: Set(s.part.organization_id),
        part_id: Set(s.part.id),
        store_id: Set(s.store),
        bin_id: Set(s.bin),
        work_order_id: Set(s.work_order),
        requested: Set(s.requested),
        on_hand: Set(on_hand),
        actor_id: Set(actor),
        created_at: Set(now),
    }
    .insert(&**tx)
    .await?;
    let d = decimals(s.part);
    audit::record(
        tx,
        now,
        who,
        Change {
            action: "stock.out",
            entity_type: "part",
            entity_id: Some(s.part.id.to_string()),
            before: None,
            after: Some(json!({
                "stockOutId": m.id,
                "partNumber": s.part.part_number,
                "storeId": s.store,
                "binId": s.bin,
                "workOrderId": s.work_order,
                "requested": format_quantity(s.requested, d),
                "onHand": format_quantity(on_hand, d),
            })),
        },
    )
    .await?;
    Ok(())
}

/// Stock-outs in the stores the caller reaches, newest first, with how many the filter holds.
pub async fn list(state: &AppState, p: &Principal, q: StockOutQuery) -> ApiResult<StockOutPage> {
    use stock_out::Column as C;
    p.require("inventory.read")?;
    let db = &state.db;
    let limit = pagination::limit(q.limit)?;
    if let (Some(from), Some(to)) = (q.from, q.to)
        && to <= from
    {
        return Err(ApiError::validation("to", "must be after from"));
    }
    let stores: HashMap<Uuid, store::Model> = store::Entity::find()
        .filter(Reach::of(p).condition(p.org()))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let mut cond = Condition::all()
        .add(C::OrganizationId.eq(p.org()))
        .add(C::StoreId.is_in(stores.keys().copied()));
    if let Some(part) = q.part_id {
        cond = cond.add(C::PartId.eq(part));
    }
    if let Some(from) = q.from {
        cond = cond.add(C::CreatedAt.gte(from));
    }
    if let Some(to) = q.to {
        cond = cond.add(C::CreatedAt.lt(to));
    }
    let total = stock_out::Entity::find()
        .filter(cond.clone())
        .count(db)
        .await?;
    if let Some(c) = Cursor::decode(q.cursor.as_deref())? {
        cond = cond.add(C::Id.lt(c.id));
    }
    let rows = stock_out::Entity::find()
        .filter(cond)
        .order_by_desc(C::Id)
        .limit(limit + 1)
        .all(db)
        .await?;
    let (rows, next_cursor) = pagination::finish(rows, limit, |e| Cursor {
        key: String::new(),
        id: e.id,
    });
    let parts: HashMap<Uuid, part::Model> = part::Entity::find()
        .filter(part::Column::Id.is_in(rows.iter().map(|r| r.part_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.id, m))
        .collect();
    let bins: HashMap<Uuid, String> = stock_bin::Entity::find()
        .filter(stock_bin::Column::Id.is_in(rows.iter().map(|r| r.bin_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|b| (b.id, b.code))
        .collect();
    let people: HashMap<Uuid, String> = user::Entity::find()
        .filter(user::Column::Id.is_in(rows.iter().map(|r| r.actor_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let codes: HashMap<Uuid, String> = work_order::Entity::find()
        .filter(work_order::Column::Id.is_in(rows.iter().filter_map(|r| r.work_order_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|w| (w.id, w.code))
        .collect();
    let mut items = Vec::with_capacity(rows.len());
    for r in rows {
        let (Some(part), Some(s)) = (parts.get(&r.part_id), stores.get(&r.store_id)) else {
            continue;
        };
        let d = decimals(part);
        items.push(StockOutDto {
            id: r.id,
            part_id: r.part_id,
            part_number: part.part_number.clone(),
            part_name: part.name.clone(),
            critical: part.critical,
            unit: part.unit.clone(),
            store_id: r.store_id,
            store_code: s.code.clone(),
            bin_code: bins.get(&r.bin_id).cloned().unwrap_or_default(),
            work_order_id: r.work_order_id,
            work_order_code: r.work_order_id.and_then(|w| codes.get(&w).cloned()),
            requested: format_quantity(r.requested, d),
            on_hand: format_quantity(r.on_hand, d),
            actor_name: people.get(&r.actor_id).cloned().unwrap_or_default(),
            created_at: r.created_at,
        });
    }
    Ok(StockOutPage {
        items,
        total,
        next_cursor,
    })
}
