//! `POST /stock-movements`: receipts, issues to work orders and returns from them, transfers,
//! adjustments, counts and write-offs — who may post which, what each needs, and how it becomes
//! ledger legs. Store staff (`inventory.adjust`) post anything in the stores they reach; the
//! people doing a work order (`work_order.execute`) issue parts to it and return them, from a
//! store at the work order's hospital, while the work is theirs and open.

use std::collections::HashMap;

use hmms_domain::stock::{self, Balance, MovementKind, format_quantity, parse_quantity};
use hmms_domain::validate::Errors;
use hmms_domain::work_orders::Status;
use hmms_store::entities::{part, stock_balance, stock_bin, stock_entry, store, user, work_order};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::dto::*;
use super::ledger::{self, Leg, LegFlow, Posting, decimals};
use super::parts::find_in_body;
use super::stock_outs::{self, Shortfall};
use super::stores::find_bin;
use crate::auth::principal::Principal;
use crate::error::{ApiError, ApiResult};
use crate::modules::work_orders::{find_visible, rights, status_of};
use crate::state::{AppState, WriteTx};

fn text(errors: &mut Errors, field: &str, raw: Option<&str>, max: usize) -> Option<String> {
    let v = raw.map(str::trim).filter(|v| !v.is_empty())?;
    if v.chars().count() > max {
        errors.add(field, format!("must be at most {max} characters"));
        return None;
    }
    if v.chars().any(|c| c.is_control() && c != '\n') {
        errors.add(field, "must not contain control characters");
        return None;
    }
    Some(v.to_string())
}

fn required<T>(errors: &mut Errors, field: &str, v: Option<T>, what: &str) -> Option<T> {
    if v.is_none() {
        errors.add(field, format!("is required {what}"));
    }
    v
}

pub async fn create(
    state: &AppState,
    p: &Principal,
    body: CreateMovement,
) -> ApiResult<MovementDto> {
    use MovementRequestKind as K;
    let to_work = matches!(body.kind, K::Issue | K::Return);
    if !(p.can("inventory.adjust") || (to_work && p.can("work_order.execute"))) {
        return Err(ApiError::missing_permission("inventory.adjust"));
    }
    let tx = state.begin_write().await?;
    let mut errors = Errors::default();
    let part = find_in_body(&*tx, p, body.part_id, "partId").await;
    let bin = find_bin(&*tx, p, body.bin_id, "binId").await;
    let (part, (bin, store)) = match (part, bin) {
        (Ok(part), Ok(b)) => (part, b),
        (part, bin) => {
            let mut all = Vec::new();
            for e in [part.err(), bin.err()].into_iter().flatten() {
                match e {
                    ApiError::Validation(v) => all.extend(v),
                    other => return Err(other),
                }
            }
            return Err(ApiError::Validation(all));
        }
    };
    let work = if to_work {
        match body.work_order_id {
            Some(id) => Some(work_order_for(&tx, p, id, &store).await?),
            None => {
                errors.add(
                    "workOrderId",
                    "is required: parts are issued to and returned from a work order",
                );
                None
            }
        }
    } else {
        None
    };
    let d = decimals(&part);
    let quantity = body.quantity.as_ref().map(|q| q.0.clone());
    let mut reason = text(&mut errors, "reason", body.reason.as_deref(), 200);
    let reference = text(&mut errors, "reference", body.reference.as_deref(), 120);
    let note = text(&mut errors, "note", body.note.as_deref(), 2000);
    if let Some(c) = body.unit_cost_minor
        && let Err(m) = hmms_domain::money::amount(c)
    {
        errors.add("unitCostMinor", m);
    }
    let positive = |errors: &mut Errors, what: &str| {
        let q = required(errors, "quantity", quantity.as_deref(), what)?;
        errors.check("quantity", parse_quantity(q, d))
    };
    if !part.active && matches!(body.kind, K::Receipt | K::Return | K::Transfer) {
        errors.add(
            "partId",
            format!("{} is obsolete and takes no new stock", part.part_number),
        );
    }
    let now = state.clock.now();
    let here = |kind, flow, unit_cost| Leg {
        kind,
        bin: bin.id,
        store: store.id,
        flow,
        unit_cost,
    };
    let (legs, action) = match body.kind {
        K::Receipt => {
            let q = positive(&mut errors, "for a receipt");
            let cost = required(
                &mut errors,
                "unitCostMinor",
                body.unit_cost_minor,
                "for a receipt: the price of one unit",
            );
            errors.into_result()?;
            let (q, cost) = (need(q, "quantity")?, need(cost, "unitCostMinor")?);
            (
                vec![here(
                    MovementKind::Receipt,
                    LegFlow::In {
                        quantity: q,
                        value: stock::value_at(q, cost),
                    },
                    Some(cost),
                )],
                "stock.received",
            )
        }
        K::Issue => {
            let q = positive(&mut errors, "for an issue");
            errors.into_result()?;
            (
                vec![here(
                    MovementKind::Issue,
                    LegFlow::Out {
                        quantity: need(q, "quantity")?,
                    },
                    None,
                )],
                "stock.issued",
            )
        }
        K::Return => {
            let q = positive(&mut errors, "for a return");
            errors.into_result()?;
            let q = need(q, "quantity")?;
            let w = work
                .as_ref()
                .ok_or_else(|| ApiError::validation("workOrderId", "is required"))?;
            let value = return_value(&tx, &part, w.id, q).await?;
            (
                vec![here(
                    MovementKind::Return,
                    LegFlow::In { quantity: q, value },
                    None,
                )],
                "stock.returned",
            )
        }
        K::Transfer => {
            let q = positive(&mut errors, "for a transfer");
            let to = match required(
                &mut errors,
                "toBinId",
                body.to_bin_id,
                "for a transfer: the bin it goes to",
            ) {
                Some(id) if id == bin.id => {
                    errors.add("toBinId", "must be another bin than the one it comes from");
                    None
                }
                Some(id) => match find_bin(&*tx, p, id, "toBinId").await {
                    Ok(b) => Some(b),
                    Err(ApiError::Validation(v)) => {
                        for f in v {
                            errors.add(&f.field, f.message);
                        }
                        None
                    }
                    Err(e) => return Err(e),
                },
                None => None,
            };
            errors.into_result()?;
            let (q, (to_bin, to_store)) = (need(q, "quantity")?, need(to, "toBinId")?);
            (
                vec![
                    here(
                        MovementKind::TransferOut,
                        LegFlow::Out { quantity: q },
                        None,
                    ),
                    Leg {
                        kind: MovementKind::TransferIn,
                        bin: to_bin.id,
                        store: to_store.id,
                        flow: LegFlow::InFromPrevious,
                        unit_cost: None,
                    },
                ],
                "stock.transferred",
            )
        }
        K::Adjustment => {
            let raw = required(
                &mut errors,
                "quantity",
                quantity.as_deref(),
                "for an adjustment: the change, e.g. \"-2\" or \"3\"",
            );
            let signed = raw.map(|r| match r.trim().strip_prefix('-') {
                Some(rest) => parse_quantity(rest, d).map(|q| -q),
                None => parse_quantity(r.trim().trim_start_matches('+'), d),
            });
            let q = signed.and_then(|r| errors.check("quantity", r));
            required(
                &mut errors,
                "reason",
                reason.as_ref(),
                "for an adjustment: say why the stock is different",
            );
            errors.into_result()?;
            let q = need(q, "quantity")?;
            let flow = gain_or_loss(&tx, &part, bin.id, q).await?;
            (
                vec![here(MovementKind::Adjustment, flow, None)],
                "stock.adjusted",
            )
        }
        K::Count => {
            let counted = required(
                &mut errors,
                "countedQuantity",
                body.counted_quantity.as_ref(),
                "for a count: what is on the shelf",
            )
            .and_then(|c| errors.check("countedQuantity", stock::parse_count(&c.0, d)));
            errors.into_result()?;
            let counted = need(counted, "countedQuantity")?;
            let recorded = bin_balance(&tx, part.id, bin.id).await?.on_hand;
            let flow = gain_or_loss(&tx, &part, bin.id, counted - recorded).await?;
            (vec![here(MovementKind::Count, flow, None)], "stock.counted")
        }
        K::WriteOff => {
            let q = positive(&mut errors, "for a write-off");
            let why = required(
                &mut errors,
                "writeOffReason",
                body.write_off_reason,
                "for a write-off: damaged, expired, recalled or lost",
            );
            errors.into_result()?;
            let (q, why) = (need(q, "quantity")?, need(why, "writeOffReason")?);
            // The reason code leads, so reports can group write-offs by it.
            reason = Some(
                reason.map_or_else(|| why.key().to_string(), |r| format!("{}: {r}", why.key())),
            );
            (
                vec![here(
                    MovementKind::WriteOff,
                    LegFlow::Out { quantity: q },
                    None,
                )],
                "stock.written_off",
            )
        }
    };
    let work_order = work.map(|w| w.id);
    let asked = match (&body.kind, legs.first().map(|l| l.flow)) {
        (K::Issue, Some(LegFlow::Out { quantity })) => Some(quantity),
        _ => None,
    };
    let posted = post(
        p, tx, &part, legs, work_order, reason, reference, note, action, now,
    )
    .await;
    // An issue the bin could not fill is a stock-out: recorded on its own, the 409 still stands.
    if let (Err(ApiError::Conflict(_)), Some(requested)) = (&posted, asked) {
        let shortfall = Shortfall {
            part: &part,
            store: store.id,
            bin: bin.id,
            work_order,
            requested,
        };
        if let Err(e) = stock_outs::record(state, p, shortfall).await {
            tracing::warn!(error = %e, "a stock-out could not be recorded");
        }
    }
    posted
}

#[allow(clippy::too_many_arguments)]
async fn post(
    p: &Principal,
    tx: WriteTx,
    part: &part::Model,
    legs: Vec<Leg>,
    work_order: Option<Uuid>,
    reason: Option<String>,
    reference: Option<String>,
    note: Option<String>,
    action: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> ApiResult<MovementDto> {
    let entries = ledger::post(
        &tx,
        now,
        &p.who(),
        Posting {
            part,
            legs,
            work_order,
            reverses: None,
            reason,
            reference,
            note,
            action,
        },
    )
    .await?;
    let movement_id = entries.first().map(|e| e.movement_id).unwrap_or_default();
    let entries = entry_dtos(&*tx, part, entries).await?;
    tx.commit().await?;
    Ok(MovementDto {
        movement_id,
        entries,
    })
}

fn need<T>(v: Option<T>, field: &str) -> ApiResult<T> {
    crate::error::parsed(v, field)
}

/// The work order a part goes to or comes back from: visible to the caller (else a field
/// error), at the store's hospital, open, and — for someone without `inventory.adjust` — theirs.
async fn work_order_for(
    tx: &WriteTx,
    p: &Principal,
    id: Uuid,
    store: &store::Model,
) -> ApiResult<work_order::Model> {
    let w = match find_visible(&**tx, p, id).await {
        Ok(w) => w,
        Err(ApiError::NotFound(_) | ApiError::Forbidden(_)) => {
            return Err(ApiError::validation(
                "workOrderId",
                "names no work order you may see",
            ));
        }
        Err(e) => return Err(e),
    };
    let r = rights(p, &w);
    let manager = p.can("inventory.adjust");
    if !manager && !r.execute_own {
        return Err(ApiError::Forbidden(
            "You may issue and return parts only for work assigned to you.".into(),
        ));
    }
    if w.site_id != store.site_id {
        return Err(ApiError::validation(
            "binId",
            "is in a store at another hospital than the work order; transfer the part first",
        ));
    }
    let status = status_of(&w);
    let open = matches!(
        status,
        Status::Assigned | Status::InProgress | Status::OnHold
    ) || (manager && matches!(status, Status::Pending | Status::Completed));
    if !open {
        return Err(ApiError::Conflict(format!(
            "Parts cannot be issued to or returned from a {} work order.",
            status.key().replace('_', " ")
        )));
    }
    Ok(w)
}

async fn bin_balance(tx: &WriteTx, part: Uuid, bin: Uuid) -> ApiResult<Balance> {
    Ok(stock_balance::Entity::find()
        .filter(stock_balance::Column::PartId.eq(part))
        .filter(stock_balance::Column::BinId.eq(bin))
        .one(&**tx)
        .await?
        .map(|b| Balance {
            on_hand: b.on_hand,
            value: b.value_minor,
        })
        .unwrap_or_default())
}

/// A found or lost quantity: losses leave at the average cost; gains come in at the bin's
/// average cost, or the part's last receipt price when the bin is empty.
async fn gain_or_loss(
    tx: &WriteTx,
    part: &part::Model,
    bin: Uuid,
    delta: i64,
) -> ApiResult<LegFlow> {
    if delta < 0 {
        return Ok(LegFlow::Out { quantity: -delta });
    }
    let b = bin_balance(tx, part.id, bin).await?;
    let unit = if b.on_hand > 0 {
        stock::average_cost(b)
    } else {
        stock_entry::Entity::find()
            .filter(stock_entry::Column::PartId.eq(part.id))
            .filter(stock_entry::Column::Kind.eq(MovementKind::Receipt))
            .order_by_desc(stock_entry::Column::Id)
            .one(&**tx)
            .await?
            .and_then(|e| e.unit_cost_minor)
            .unwrap_or(0)
    };
    Ok(LegFlow::In {
        quantity: delta,
        value: stock::value_at(delta, unit),
    })
}

/// The value of parts coming back from a work order: their share of what the work order was
/// issued, net of earlier returns. More than was issued cannot come back.
async fn return_value(
    tx: &WriteTx,
    part: &part::Model,
    work_order: Uuid,
    quantity: i64,
) -> ApiResult<i64> {
    let (mut net_q, mut net_v) = (0i64, 0i64);
    for e in stock_entry::Entity::find()
        .filter(stock_entry::Column::PartId.eq(part.id))
        .filter(stock_entry::Column::WorkOrderId.eq(work_order))
        .filter(stock_entry::Column::Kind.is_in([MovementKind::Issue, MovementKind::Return]))
        .all(&**tx)
        .await?
    {
        net_q -= e.quantity;
        net_v -= e.value_minor;
    }
    if quantity > net_q {
        return Err(ApiError::Conflict(format!(
            "Only {} {} of {} is out on this work order; more cannot come back. Nothing was changed.",
            format_quantity(net_q.max(0), decimals(part)),
            part.unit,
            part.part_number,
        )));
    }
    Ok(if quantity == net_q {
        net_v
    } else {
        stock::value_at(
            quantity,
            stock::average_cost(Balance {
                on_hand: net_q,
                value: net_v,
            }),
        )
    })
}

/// Ledger entries as the API shows them, with bin codes and who posted them.
pub async fn entry_dtos(
    db: &impl ConnectionTrait,
    part: &part::Model,
    entries: Vec<stock_entry::Model>,
) -> ApiResult<Vec<StockEntryDto>> {
    let bins: HashMap<Uuid, String> = stock_bin::Entity::find()
        .filter(stock_bin::Column::Id.is_in(entries.iter().map(|e| e.bin_id).collect::<Vec<_>>()))
        .all(db)
        .await?
        .into_iter()
        .map(|b| (b.id, b.code))
        .collect();
    let people: HashMap<Uuid, String> = user::Entity::find()
        .filter(user::Column::Id.is_in(entries.iter().map(|e| e.actor_id).collect::<Vec<_>>()))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let work: Vec<Uuid> = entries.iter().filter_map(|e| e.work_order_id).collect();
    let codes: HashMap<Uuid, String> = if work.is_empty() {
        HashMap::new()
    } else {
        work_order::Entity::find()
            .filter(work_order::Column::Id.is_in(work))
            .all(db)
            .await?
            .into_iter()
            .map(|w| (w.id, w.code))
            .collect()
    };
    let d = decimals(part);
    Ok(entries
        .into_iter()
        .map(|e| StockEntryDto {
            work_order_code: e.work_order_id.and_then(|w| codes.get(&w).cloned()),
            id: e.id,
            movement_id: e.movement_id,
            kind: e.kind,
            part_id: e.part_id,
            store_id: e.store_id,
            bin_code: bins.get(&e.bin_id).cloned().unwrap_or_default(),
            bin_id: e.bin_id,
            quantity: format_quantity(e.quantity, d),
            value_minor: e.value_minor,
            unit_cost_minor: e.unit_cost_minor,
            on_hand_after: format_quantity(e.on_hand_after, d),
            value_after: e.value_after,
            work_order_id: e.work_order_id,
            reason: e.reason,
            reference: e.reference,
            note: e.note,
            actor_name: people.get(&e.actor_id).cloned().unwrap_or_default(),
            actor_id: e.actor_id,
            created_at: e.created_at,
        })
        .collect())
}
