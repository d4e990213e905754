//! The stock ledger's one writer. Every movement of every module (spare parts today;
//! consumables, oxygen stores and purchase receipts tomorrow) is posted here, inside the
//! caller's write transaction: each leg appends an immutable entry and moves the balance of its
//! bin in the same transaction, so on-hand is always the sum of the ledger. A leg that would
//! take a bin below zero fails the whole movement with 409 and nothing is written.
//!
//! After the legs, each store touched is checked against its reorder point: the first time
//! available stock falls to it, an `INVENTORY_LOW` event and a notification go to procurement and
//! the site's facility managers — once per crossing, not once per movement.

use chrono::{DateTime, Utc};
use hmms_domain::stock::{self, Balance, Flow, MovementKind, StockError, format_quantity};
use hmms_store::entities::{part, stock_balance, stock_entry, stock_level, store};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter,
};
use serde_json::json;
use uuid::Uuid;

use crate::audit::{self, Change, Who};
use crate::error::{ApiError, ApiResult};
use crate::modules::notifications::{Message, holders_at_site, send};
use crate::state::WriteTx;

/// How a leg moves stock.
#[derive(Debug, Clone, Copy)]
pub enum LegFlow {
    /// In, at this total value.
    In { quantity: i64, value: i64 },
    /// Out, at the bin's average cost.
    Out { quantity: i64 },
    /// In, exactly what the previous leg took out (the second leg of a transfer).
    InFromPrevious,
}

/// One entry to write.
#[derive(Debug, Clone, Copy)]
pub struct Leg {
    pub kind: MovementKind,
    pub bin: Uuid,
    pub store: Uuid,
    pub flow: LegFlow,
    pub unit_cost: Option<i64>,
}

/// A movement: its legs and what the entries share.
pub struct Posting<'a> {
    pub part: &'a part::Model,
    pub legs: Vec<Leg>,
    pub work_order: Option<Uuid>,
    pub reverses: Option<Uuid>,
    pub reason: Option<String>,
    pub reference: Option<String>,
    pub note: Option<String>,
    /// `entity.verb` for the audit trail and the event, e.g. `stock.issued`.
    pub action: &'a str,
}

/// Posts a movement and returns its entries in order.
pub async fn post(
    tx: &WriteTx,
    now: DateTime<Utc>,
    who: &Who<'_>,
    posting: Posting<'_>,
) -> ApiResult<Vec<stock_entry::Model>> {
    let actor = who
        .actor_id
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("a stock movement needs a person")))?;
    let movement_id = Uuid::now_v7();
    let part = posting.part;
    let mut entries = Vec::with_capacity(posting.legs.len());
    let mut previous: Option<(i64, i64)> = None;
    for leg in &posting.legs {
        let flow = match leg.flow {
            LegFlow::In { quantity, value } => Flow::In { quantity, value },
            LegFlow::Out { quantity } => Flow::Out { quantity },
            LegFlow::InFromPrevious => {
                let (q, v) = previous.ok_or_else(|| {
                    ApiError::Internal(anyhow::anyhow!("a transfer's second leg needs a first"))
                })?;
                Flow::In {
                    quantity: -q,
                    value: -v,
                }
            }
        };
        let row = balance_row(tx, part, leg, now).await?;
        let before = Balance {
            on_hand: row.on_hand,
            value: row.value_minor,
        };
        let (after, quantity, value) =
            stock::apply(before, flow).map_err(|e| refusal(e, part, leg, flow))?;
        previous = Some((quantity, value));
        let mut b = row.into_active_model();
        b.on_hand = Set(after.on_hand);
        b.value_minor = Set(after.value);
        b.updated_at = Set(now);
        b.update(&**tx).await?;
        let e = stock_entry::ActiveModel {
            id: Set(Uuid::now_v7()),
            organization_id: Set(part.organization_id),
            movement_id: Set(movement_id),
            part_id: Set(part.id),
            store_id: Set(leg.store),
            bin_id: Set(leg.bin),
            kind: Set(leg.kind),
            quantity: Set(quantity),
            value_minor: Set(value),
            unit_cost_minor: Set(leg.unit_cost),
            on_hand_after: Set(after.on_hand),
            value_after: Set(after.value),
            work_order_id: Set(posting.work_order),
            reverses_id: Set(posting.reverses),
            reason: Set(posting.reason.clone()),
            reference: Set(posting.reference.clone()),
            note: Set(posting.note.clone()),
            actor_id: Set(actor),
            created_at: Set(now),
        }
        .insert(&**tx)
        .await?;
        entries.push(e);
    }
    audit::record(
        tx,
        now,
        who,
        Change {
            action: posting.action,
            entity_type: "part",
            entity_id: Some(part.id.to_string()),
            before: None,
            after: Some(json!({
                "movementId": movement_id,
                "partNumber": part.part_number,
                "workOrderId": posting.work_order,
                "entries": entries.iter().map(|e| json!({
                    "kind": e.kind,
                    "storeId": e.store_id,
                    "binId": e.bin_id,
                    "quantity": format_quantity(e.quantity, decimals(part)),
                    "valueMinor": e.value_minor,
                    "onHandAfter": format_quantity(e.on_hand_after, decimals(part)),
                })).collect::<Vec<_>>(),
                "reason": posting.reason,
                "reference": posting.reference,
            })),
        },
    )
    .await?;
    let mut stores: Vec<Uuid> = posting.legs.iter().map(|l| l.store).collect();
    stores.dedup();
    for s in stores {
        check_level(tx, now, who, part, s).await?;
    }
    Ok(entries)
}

/// The part's decimals as the domain wants them.
pub fn decimals(part: &part::Model) -> u8 {
    u8::try_from(part.decimals).unwrap_or(0)
}

/// The bin's balance row for the part, created empty on first use.
async fn balance_row(
    tx: &WriteTx,
    part: &part::Model,
    leg: &Leg,
    now: DateTime<Utc>,
) -> ApiResult<stock_balance::Model> {
    let found = stock_balance::Entity::find()
        .filter(stock_balance::Column::BinId.eq(leg.bin))
        .filter(stock_balance::Column::PartId.eq(part.id))
        .one(&**tx)
        .await?;
    match found {
        Some(b) => Ok(b),
        None => Ok(stock_balance::ActiveModel {
            id: Set(Uuid::now_v7()),
            organization_id: Set(part.organization_id),
            part_id: Set(part.id),
            store_id: Set(leg.store),
            bin_id: Set(leg.bin),
            on_hand: Set(0),
            value_minor: Set(0),
            updated_at: Set(now),
        }
        .insert(&**tx)
        .await?),
    }
}

fn refusal(e: StockError, part: &part::Model, leg: &Leg, flow: Flow) -> ApiError {
    match (e, flow) {
        (StockError::Insufficient { on_hand }, Flow::Out { quantity }) => {
            ApiError::Conflict(format!(
                "Only {} {} of {} is in that bin; {} {} cannot be taken. Nothing was changed.",
                format_quantity(on_hand, decimals(part)),
                part.unit,
                part.part_number,
                format_quantity(quantity, decimals(part)),
                part.unit,
            ))
        }
        _ => ApiError::validation(
            "quantity",
            format!(
                "would take the stock of {} in that {} beyond what can be recorded",
                part.part_number,
                if leg.kind.is_outbound() {
                    "bin"
                } else {
                    "store"
                }
            ),
        ),
    }
}

/// What the bin holds of the part.
pub async fn bin_on_hand(
    db: &impl sea_orm::ConnectionTrait,
    part: Uuid,
    bin: Uuid,
) -> ApiResult<i64> {
    Ok(stock_balance::Entity::find()
        .filter(stock_balance::Column::PartId.eq(part))
        .filter(stock_balance::Column::BinId.eq(bin))
        .one(db)
        .await?
        .map_or(0, |b| b.on_hand))
}

/// What the store holds of the part, all bins together.
pub async fn store_on_hand(
    db: &impl sea_orm::ConnectionTrait,
    part: Uuid,
    store: Uuid,
) -> ApiResult<i64> {
    Ok(stock_balance::Entity::find()
        .filter(stock_balance::Column::PartId.eq(part))
        .filter(stock_balance::Column::StoreId.eq(store))
        .all(db)
        .await?
        .iter()
        .map(|b| b.on_hand)
        .sum())
}

/// Compares the store's stock of the part with its reorder point; on a downward crossing marks
/// it low, records `inventory.low` and tells procurement and the site's managers.
pub async fn check_level(
    tx: &WriteTx,
    now: DateTime<Utc>,
    who: &Who<'_>,
    part: &part::Model,
    store_id: Uuid,
) -> ApiResult<()> {
    let Some(level) = stock_level::Entity::find()
        .filter(stock_level::Column::PartId.eq(part.id))
        .filter(stock_level::Column::StoreId.eq(store_id))
        .one(&**tx)
        .await?
    else {
        return Ok(());
    };
    let available = store_on_hand(&**tx, part.id, store_id).await?;
    let low = available <= level.reorder_point;
    if low == level.low {
        return Ok(());
    }
    let mut m = level.clone().into_active_model();
    m.low = Set(low);
    m.update(&**tx).await?;
    if !low {
        return Ok(());
    }
    let Some(s) = store::Entity::find_by_id(store_id).one(&**tx).await? else {
        return Ok(());
    };
    let d = decimals(part);
    audit::record(
        tx,
        now,
        who,
        Change {
            action: "inventory.low",
            entity_type: "part",
            entity_id: Some(part.id.to_string()),
            before: None,
            after: Some(json!({
                "partNumber": part.part_number,
                "storeId": s.id,
                "available": format_quantity(available, d),
                "reorderPoint": format_quantity(level.reorder_point, d),
            })),
        },
    )
    .await?;
    let mut to = holders_at_site(&**tx, part.organization_id, "procurement", s.site_id).await?;
    to.extend(holders_at_site(&**tx, part.organization_id, "facility_manager", s.site_id).await?);
    send(
        tx,
        part.organization_id,
        &to,
        &Message {
            kind: "inventory_low",
            title: format!("{} is low in {}", part.name, s.name),
            body: format!(
                "{} {} left of {} ({}); reorder point {}.",
                format_quantity(available, d),
                part.unit,
                part.name,
                part.part_number,
                format_quantity(level.reorder_point, d),
            ),
            entity_type: "part",
            entity_id: part.id,
        },
        now,
    )
    .await?;
    Ok(())
}
