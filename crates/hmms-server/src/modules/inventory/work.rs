//! `GET /work-orders/{id}/stock`: the parts a work order has taken from the stores and given
//! back, read from the ledger — what its people see under "Parts" and what it cost.

use std::collections::HashMap;

use hmms_domain::stock::format_quantity;
use hmms_store::entities::{part, stock_entry, store};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::dto::*;
use super::movements::entry_dtos;
use super::stores;
use crate::auth::principal::Principal;
use crate::error::ApiResult;
use crate::modules::work_orders::find_visible;
use crate::state::AppState;

pub async fn of_work_order(
    state: &AppState,
    p: &Principal,
    id: Uuid,
) -> ApiResult<WorkOrderStockDto> {
    p.require("inventory.read")?;
    let w = find_visible(&state.db, p, id).await?;
    let reach = stores::reachable_ids(&state.db, p).await?;
    let rows = stock_entry::Entity::find()
        .filter(stock_entry::Column::WorkOrderId.eq(w.id))
        .filter(stock_entry::Column::StoreId.is_in(reach))
        .order_by_asc(stock_entry::Column::Id)
        .all(&state.db)
        .await?;
    let parts: HashMap<Uuid, part::Model> = part::Entity::find()
        .filter(part::Column::Id.is_in(rows.iter().map(|e| e.part_id).collect::<Vec<_>>()))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|m| (m.id, m))
        .collect();
    let store_names: HashMap<Uuid, String> = store::Entity::find()
        .filter(store::Column::Id.is_in(rows.iter().map(|e| e.store_id).collect::<Vec<_>>()))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect();
    // Net quantity per part: issued less returned (entries are negative when stock goes out).
    let mut net: HashMap<Uuid, (i64, i64)> = HashMap::new();
    let mut by_part: HashMap<Uuid, Vec<stock_entry::Model>> = HashMap::new();
    for e in rows {
        let n = net.entry(e.part_id).or_default();
        n.0 -= e.quantity;
        n.1 -= e.value_minor;
        by_part.entry(e.part_id).or_default().push(e);
    }
    let mut entries = Vec::new();
    for (id, rows) in by_part {
        let Some(part) = parts.get(&id) else {
            continue;
        };
        for dto in entry_dtos(&state.db, part, rows).await? {
            entries.push(WorkOrderStockEntry {
                part_number: part.part_number.clone(),
                part_name: part.name.clone(),
                unit: part.unit.clone(),
                store_name: store_names.get(&dto.store_id).cloned().unwrap_or_default(),
                entry: dto,
            });
        }
    }
    entries.sort_by_key(|e| e.entry.id);
    let mut used: Vec<WorkOrderPartUse> = net
        .iter()
        .filter_map(|(id, (q, v))| {
            parts.get(id).map(|m| WorkOrderPartUse {
                part_id: *id,
                part_number: m.part_number.clone(),
                part_name: m.name.clone(),
                quantity: format_quantity(*q, super::ledger::decimals(m)),
                unit: m.unit.clone(),
                value_minor: *v,
            })
        })
        .collect();
    used.sort_by(|a, b| a.part_number.cmp(&b.part_number));
    Ok(WorkOrderStockDto {
        value_minor: used.iter().map(|u| u.value_minor).sum(),
        used,
        entries,
    })
}
