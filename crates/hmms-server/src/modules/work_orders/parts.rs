//! Spare parts used on a work order: what, how many, at what unit cost. They feed the work
//! order's parts cost. The people doing the work record them while it is open; managers may also
//! correct them until the work is closed.

use hmms_domain::money;
use std::collections::HashMap;

use hmms_domain::validate::Errors;
use hmms_domain::work_orders::Status;
use hmms_store::entities::{stock_entry, work_order, work_order_part};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, ModelTrait,
    QueryFilter, QueryOrder,
};
use serde_json::json;
use uuid::Uuid;

use super::dto::{CreatePart, PartDto, PartList};
use super::record::{find_visible, history, rights, status_of};
use crate::audit::{self, Change};
use crate::auth::principal::Principal;
use crate::error::{ApiError, ApiResult};
use crate::state::{AppState, WriteTx};

/// Largest quantity accepted: beyond it a typing slip is likelier than a real part.
const MAX_QUANTITY: i32 = 100_000;
const MAX_UNIT_COST_MINOR: i64 = money::MAX_MINOR;

fn dto(m: work_order_part::Model) -> PartDto {
    PartDto {
        id: m.id,
        description: m.description,
        part_number: m.part_number,
        quantity: m.quantity,
        unit_cost_minor: m.unit_cost_minor,
        total_cost_minor: money::times(i64::from(m.quantity), m.unit_cost_minor),
        added_by: m.added_by,
        created_at: m.created_at,
    }
}

/// Parts cost per work order, minor units.
pub async fn costs(db: &impl ConnectionTrait, ids: Vec<Uuid>) -> ApiResult<HashMap<Uuid, i64>> {
    let mut out = HashMap::new();
    for p in work_order_part::Entity::find()
        .filter(work_order_part::Column::WorkOrderId.is_in(ids.clone()))
        .all(db)
        .await?
    {
        let line = money::times(i64::from(p.quantity), p.unit_cost_minor);
        let sum = out.entry(p.work_order_id).or_default();
        *sum = money::total([*sum, line]);
    }
    // Parts taken from the stores cost what the stock ledger valued them at: issues less returns
    // (entries are negative when stock goes out to the work).
    for e in stock_entry::Entity::find()
        .filter(stock_entry::Column::WorkOrderId.is_in(ids))
        .all(db)
        .await?
    {
        if let Some(w) = e.work_order_id {
            let sum = out.entry(w).or_default();
            *sum = money::total([*sum, e.value_minor.saturating_neg()]);
        }
    }
    Ok(out)
}

/// Where a work order's parts cost comes from, for reports that sum it in the database the way
/// [`costs`] prices each work order: free-text lines at their price, plus what the ledger
/// issued less returns (entries are negative when stock goes out to the work).
pub struct CostSource {
    /// A table with a `work_order_id` column.
    pub table: &'static str,
    /// The cost of one of its rows, in minor units.
    pub cost: &'static str,
}

/// Every [`CostSource`] of parts cost.
pub fn cost_sources() -> [CostSource; 2] {
    [
        CostSource {
            table: "work_order_parts",
            cost: "work_order_parts.quantity * work_order_parts.unit_cost_minor",
        },
        CostSource {
            table: "stock_entries",
            cost: "-stock_entries.value_minor",
        },
    ]
}

pub async fn list(state: &AppState, p: &Principal, id: Uuid) -> ApiResult<PartList> {
    find_visible(&state.db, p, id).await?;
    let items: Vec<PartDto> = work_order_part::Entity::find()
        .filter(work_order_part::Column::WorkOrderId.eq(id))
        .order_by_asc(work_order_part::Column::CreatedAt)
        .order_by_asc(work_order_part::Column::Id)
        .all(&state.db)
        .await?
        .into_iter()
        .map(dto)
        .collect();
    let total_cost_minor = money::total(items.iter().map(|i| i.total_cost_minor));
    Ok(PartList {
        items,
        total_cost_minor,
    })
}

/// The workers record parts while the work is open; managers until it is closed.
fn require_parts_rights(p: &Principal, w: &work_order::Model) -> ApiResult<()> {
    let r = rights(p, w);
    let status = status_of(w);
    if !(r.execute_own || r.assign) {
        return Err(ApiError::Forbidden(
            "Only the people doing the work, or a manager, record parts on a work order.".into(),
        ));
    }
    let open_to_worker = matches!(
        status,
        Status::Assigned | Status::InProgress | Status::OnHold
    );
    let open_to_manager = r.assign && status == Status::Completed;
    if open_to_worker || open_to_manager {
        Ok(())
    } else {
        Err(ApiError::Conflict(format!(
            "Parts cannot be changed on a {} work order.",
            status.key()
        )))
    }
}

async fn audit_part(
    tx: &WriteTx,
    p: &Principal,
    w: &work_order::Model,
    action: &str,
    before: Option<&PartDto>,
    after: Option<&PartDto>,
    now: chrono::DateTime<chrono::Utc>,
) -> ApiResult<()> {
    let change = Change {
        action,
        entity_type: "work_order",
        entity_id: Some(w.id.to_string()),
        before: before.map(serde_json::to_value).transpose()?,
        after: after.map(serde_json::to_value).transpose()?,
    };
    audit::record(tx, now, &p.who(), change).await
}

pub async fn add(
    state: &AppState,
    p: &Principal,
    id: Uuid,
    body: CreatePart,
) -> ApiResult<PartDto> {
    let mut errors = Errors::default();
    let description = body.description.trim().to_string();
    if description.is_empty() {
        errors.add("description", "say which part was used");
    } else if description.chars().count() > 200 {
        errors.add("description", "must be at most 200 characters");
    }
    let part_number = body
        .part_number
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string);
    if part_number.as_ref().is_some_and(|v| v.chars().count() > 80) {
        errors.add("partNumber", "must be at most 80 characters");
    }
    if !(1..=MAX_QUANTITY).contains(&body.quantity) {
        errors.add(
            "quantity",
            format!("must be a whole number from 1 to {MAX_QUANTITY}"),
        );
    }
    if !(0..=MAX_UNIT_COST_MINOR).contains(&body.unit_cost_minor) {
        errors.add(
            "unitCostMinor",
            format!("must be from 0 to {MAX_UNIT_COST_MINOR} (minor units)"),
        );
    }
    errors.into_result()?;
    let tx = state.begin_write().await?;
    let w = find_visible(&*tx, p, id).await?;
    require_parts_rights(p, &w)?;
    let now = state.clock.now();
    let m = work_order_part::ActiveModel {
        id: Set(Uuid::now_v7()),
        organization_id: Set(w.organization_id),
        work_order_id: Set(w.id),
        description: Set(description),
        part_number: Set(part_number),
        quantity: Set(body.quantity),
        unit_cost_minor: Set(body.unit_cost_minor),
        added_by: Set(p.id()),
        created_at: Set(now),
    }
    .insert(&*tx)
    .await?;
    let dto = dto(m);
    history(
        &tx,
        &w,
        Some(p.id()),
        "part_added",
        None,
        json!({ "partId": dto.id, "description": dto.description, "quantity": dto.quantity,
                "totalCostMinor": dto.total_cost_minor }),
        now,
    )
    .await?;
    audit_part(&tx, p, &w, "work_order.part_added", None, Some(&dto), now).await?;
    tx.commit().await?;
    Ok(dto)
}

pub async fn remove(state: &AppState, p: &Principal, id: Uuid, part_id: Uuid) -> ApiResult<()> {
    let tx = state.begin_write().await?;
    let w = find_visible(&*tx, p, id).await?;
    let part = work_order_part::Entity::find_by_id(part_id)
        .one(&*tx)
        .await?
        .filter(|m| m.work_order_id == w.id)
        .ok_or_else(|| ApiError::not_found("part line"))?;
    require_parts_rights(p, &w)?;
    if part.added_by != p.id() && !rights(p, &w).assign {
        return Err(ApiError::Forbidden(
            "Only whoever recorded a part, or a manager, may remove it.".into(),
        ));
    }
    let now = state.clock.now();
    let before = dto(part.clone());
    part.delete(&*tx).await?;
    history(
        &tx,
        &w,
        Some(p.id()),
        "part_removed",
        None,
        json!({ "partId": before.id, "description": before.description }),
        now,
    )
    .await?;
    audit_part(
        &tx,
        p,
        &w,
        "work_order.part_removed",
        Some(&before),
        None,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
