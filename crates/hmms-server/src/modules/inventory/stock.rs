//! Reading stock: a part in every store the caller reaches (by bin, with reorder levels), its
//! ledger with running balances, and the reorder list. Setting a part's reorder levels in a
//! store is here too, as it is judged against the same figures.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use hmms_domain::stock::{self, Balance, format_quantity, parse_count};
use hmms_domain::validate::Errors;
use hmms_store::entities::{part, stock_balance, stock_bin, stock_entry, stock_level, store};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::json;
use uuid::Uuid;

use super::dto::*;
use super::ledger::{check_level, decimals};
use super::movements::entry_dtos;
use super::parts;
use super::stores::{self, Reach};
use crate::auth::principal::Principal;
use crate::error::ApiResult;
use crate::pagination::{self, Cursor};
use crate::state::{AppState, WriteTx};

pub async fn of_part(state: &AppState, p: &Principal, id: Uuid) -> ApiResult<PartStockDto> {
    let part = parts::find(&state.db, p, id).await?;
    let d = decimals(&part);
    let reach = Reach::of(p);
    let stores: Vec<store::Model> = store::Entity::find()
        .filter(reach.condition(p.org()))
        .order_by_asc(store::Column::Name)
        .all(&state.db)
        .await?;
    let ids: Vec<Uuid> = stores.iter().map(|s| s.id).collect();
    let balances = stock_balance::Entity::find()
        .filter(stock_balance::Column::PartId.eq(id))
        .filter(stock_balance::Column::StoreId.is_in(ids.clone()))
        .all(&state.db)
        .await?;
    let bins: HashMap<Uuid, String> = stock_bin::Entity::find()
        .filter(stock_bin::Column::Id.is_in(balances.iter().map(|b| b.bin_id).collect::<Vec<_>>()))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|b| (b.id, b.code))
        .collect();
    let levels: HashMap<Uuid, stock_level::Model> = stock_level::Entity::find()
        .filter(stock_level::Column::PartId.eq(id))
        .filter(stock_level::Column::StoreId.is_in(ids))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|l| (l.store_id, l))
        .collect();
    let mut out = Vec::new();
    let (mut total_q, mut total_v) = (0i64, 0i64);
    for s in stores {
        let mut in_bins: Vec<BinStockDto> = balances
            .iter()
            .filter(|b| b.store_id == s.id && (b.on_hand != 0 || b.value_minor != 0))
            .map(|b| BinStockDto {
                store_id: s.id,
                bin_id: b.bin_id,
                bin_code: bins.get(&b.bin_id).cloned().unwrap_or_default(),
                on_hand: format_quantity(b.on_hand, d),
                value_minor: b.value_minor,
                average_cost_minor: stock::average_cost(Balance {
                    on_hand: b.on_hand,
                    value: b.value_minor,
                }),
            })
            .collect();
        in_bins.sort_by(|a, b| a.bin_code.cmp(&b.bin_code));
        let q: i64 = balances
            .iter()
            .filter(|b| b.store_id == s.id)
            .map(|b| b.on_hand)
            .sum();
        let v: i64 = balances
            .iter()
            .filter(|b| b.store_id == s.id)
            .map(|b| b.value_minor)
            .sum();
        let level = levels.get(&s.id);
        // A store that never held the part and has no levels for it says nothing about it.
        if in_bins.is_empty() && level.is_none() && !balances.iter().any(|b| b.store_id == s.id) {
            continue;
        }
        total_q += q;
        total_v += v;
        out.push(StoreStockDto {
            store_id: s.id,
            store_code: s.code,
            store_name: s.name,
            site_id: s.site_id,
            on_hand: format_quantity(q, d),
            available: format_quantity(q, d),
            value_minor: v,
            reorder_point: level.map(|l| format_quantity(l.reorder_point, d)),
            maximum: level.map(|l| format_quantity(l.maximum, d)),
            lead_time_days: level.and_then(|l| l.lead_time_days),
            low: level.is_some_and(|l| l.low),
            bins: in_bins,
        });
    }
    Ok(PartStockDto {
        part_id: part.id,
        unit: part.unit,
        on_hand: format_quantity(total_q, d),
        available: format_quantity(total_q, d),
        value_minor: total_v,
        stores: out,
    })
}

/// A part's ledger, newest first, in the stores the caller reaches.
pub async fn ledger(
    state: &AppState,
    p: &Principal,
    id: Uuid,
    q: LedgerQuery,
) -> ApiResult<StockEntryPage> {
    let part = parts::find(&state.db, p, id).await?;
    let limit = pagination::limit(q.limit)?;
    let mut stores = stores::reachable_ids(&state.db, p).await?;
    if let Some(s) = q.store_id {
        stores.retain(|x| *x == s);
    }
    let mut cond = Condition::all()
        .add(stock_entry::Column::PartId.eq(id))
        .add(stock_entry::Column::StoreId.is_in(stores));
    if let Some(c) = Cursor::decode(q.cursor.as_deref())? {
        cond = cond.add(stock_entry::Column::Id.lt(c.id));
    }
    let rows = stock_entry::Entity::find()
        .filter(cond)
        .order_by_desc(stock_entry::Column::Id)
        .limit(limit + 1)
        .all(&state.db)
        .await?;
    let (rows, next_cursor) = pagination::finish(rows, limit, |e| Cursor {
        key: String::new(),
        id: e.id,
    });
    Ok(StockEntryPage {
        items: entry_dtos(&state.db, &part, rows).await?,
        next_cursor,
    })
}

pub async fn set_levels(
    state: &AppState,
    p: &Principal,
    part_id: Uuid,
    store_id: Uuid,
    body: SetLevels,
) -> ApiResult<PartStockDto> {
    p.require("inventory.adjust")?;
    let tx = state.begin_write().await?;
    let part: part::Model = parts::find(&*tx, p, part_id).await?;
    let s = stores::find(&*tx, p, store_id).await?;
    let d = decimals(&part);
    let mut errors = Errors::default();
    let point = errors.check("reorderPoint", parse_count(&body.reorder_point.0, d));
    let maximum = errors.check("maximum", parse_count(&body.maximum.0, d));
    for (field, message) in check_levels(
        point.unwrap_or(i64::MIN),
        maximum.unwrap_or(i64::MAX),
        body.lead_time_days,
    ) {
        errors.add(field, message);
    }
    errors.into_result()?;
    let levels = Levels {
        reorder_point: crate::error::parsed(point, "reorderPoint")?,
        maximum: crate::error::parsed(maximum, "maximum")?,
        lead_time_days: body.lead_time_days,
    };
    put_levels(&tx, state.clock.now(), p, &part, &s, levels).await?;
    tx.commit().await?;
    of_part(state, p, part_id).await
}

/// A part's reorder levels in one store, in thousandths of its unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Levels {
    pub reorder_point: i64,
    pub maximum: i64,
    pub lead_time_days: Option<i32>,
}

/// The rules levels keep: each broken one as the field at fault (API name) and why.
pub(super) fn check_levels(
    reorder_point: i64,
    maximum: i64,
    lead_time_days: Option<i32>,
) -> Vec<(&'static str, &'static str)> {
    let mut out = vec![];
    if maximum <= reorder_point {
        out.push(("maximum", "must be more than the reorder point"));
    }
    if lead_time_days.is_some_and(|d| !(0..=365).contains(&d)) {
        out.push(("leadTimeDays", "must be between 0 and 365"));
    }
    out
}

/// Sets the part's levels in the store (checked by the caller) inside the caller's
/// transaction, audited; a new reorder point can put stock that is already short on the reorder
/// list. Returns whether anything changed.
pub(super) async fn put_levels(
    tx: &WriteTx,
    now: DateTime<Utc>,
    p: &Principal,
    part: &part::Model,
    s: &store::Model,
    levels: Levels,
) -> ApiResult<bool> {
    let d = decimals(part);
    let existing = stock_level::Entity::find()
        .filter(stock_level::Column::PartId.eq(part.id))
        .filter(stock_level::Column::StoreId.eq(s.id))
        .one(&**tx)
        .await?;
    let shown = |l: Levels| json!({"storeId": s.id, "reorderPoint": format_quantity(l.reorder_point, d), "maximum": format_quantity(l.maximum, d), "leadTimeDays": l.lead_time_days});
    let before = existing.as_ref().map(|l| Levels {
        reorder_point: l.reorder_point,
        maximum: l.maximum,
        lead_time_days: l.lead_time_days,
    });
    if before == Some(levels) {
        return Ok(false);
    }
    match existing {
        Some(l) => {
            let version = l.version;
            let mut m = l.into_active_model();
            m.reorder_point = Set(levels.reorder_point);
            m.maximum = Set(levels.maximum);
            m.lead_time_days = Set(levels.lead_time_days);
            m.updated_at = Set(now);
            m.version = Set(version + 1);
            m.update(&**tx).await?;
        }
        None => {
            stock_level::ActiveModel {
                id: Set(Uuid::now_v7()),
                organization_id: Set(p.org()),
                part_id: Set(part.id),
                store_id: Set(s.id),
                reorder_point: Set(levels.reorder_point),
                maximum: Set(levels.maximum),
                lead_time_days: Set(levels.lead_time_days),
                low: Set(false),
                updated_at: Set(now),
                version: Set(1),
            }
            .insert(&**tx)
            .await?;
        }
    }
    crate::audit::record(
        tx,
        now,
        &p.who(),
        crate::audit::Change {
            action: "stock_level.set",
            entity_type: "part",
            entity_id: Some(part.id.to_string()),
            before: before.map(shown),
            after: Some(shown(levels)),
        },
    )
    .await?;
    check_level(tx, now, &p.who(), part, s.id).await?;
    Ok(true)
}

/// Parts at or below their reorder point in the stores the caller reaches, critical first.
pub async fn reorder_list(state: &AppState, p: &Principal) -> ApiResult<ReorderList> {
    p.require("inventory.read")?;
    let stores: HashMap<Uuid, store::Model> = store::Entity::find()
        .filter(Reach::of(p).condition(p.org()))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let levels = stock_level::Entity::find()
        .filter(stock_level::Column::StoreId.is_in(stores.keys().copied().collect::<Vec<_>>()))
        .filter(stock_level::Column::Low.eq(true))
        .all(&state.db)
        .await?;
    let parts: HashMap<Uuid, part::Model> = part::Entity::find()
        .filter(part::Column::Id.is_in(levels.iter().map(|l| l.part_id).collect::<Vec<_>>()))
        .filter(part::Column::Active.eq(true))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|m| (m.id, m))
        .collect();
    let mut items = Vec::new();
    for l in levels {
        let (Some(part), Some(s)) = (parts.get(&l.part_id), stores.get(&l.store_id)) else {
            continue;
        };
        let d = decimals(part);
        let available = super::ledger::store_on_hand(&state.db, part.id, s.id).await?;
        items.push(ReorderLineDto {
            part_id: part.id,
            part_number: part.part_number.clone(),
            part_name: part.name.clone(),
            critical: part.critical,
            unit: part.unit.clone(),
            store_id: s.id,
            store_name: s.name.clone(),
            site_id: s.site_id,
            available: format_quantity(available, d),
            reorder_point: format_quantity(l.reorder_point, d),
            maximum: format_quantity(l.maximum, d),
            lead_time_days: l.lead_time_days,
            suggested_quantity: format_quantity(
                stock::reorder_suggestion(available, l.reorder_point, l.maximum, 0),
                d,
            ),
        });
    }
    items.sort_by(|a, b| {
        b.critical
            .cmp(&a.critical)
            .then_with(|| a.part_name.cmp(&b.part_name))
            .then_with(|| a.store_name.cmp(&b.store_name))
    });
    Ok(ReorderList { items })
}
