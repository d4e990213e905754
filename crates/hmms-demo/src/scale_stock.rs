//! `demo --scale --parts N --stock-entries M`: a large catalogue and ledger for benchmarks, in
//! St. Mary's main store. Rows are written in bulk rather than through the ledger's writer (which
//! would take hours for millions of entries), but each part's entries are computed with the same
//! rule (`hmms_domain::stock::apply`), so every balance is still the sum of its ledger.

use chrono::{DateTime, Duration, Utc};
use hmms_domain::stock::{self, Balance, Flow, MovementKind, SCALE};
use hmms_store::entities::{part, stock_balance, stock_bin, stock_entry, stock_level, store};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
};
use uuid::Uuid;

use crate::work_orders::Lcg;

const NAMES: &[(&str, &str)] = &[
    ("Ventilator", "Flow sensor"),
    ("Infusion", "Battery pack"),
    ("Monitoring", "SpO2 sensor"),
    ("Electrical", "Circuit breaker"),
    ("Plumbing", "Gate valve"),
    ("HVAC", "Air filter"),
    ("Power", "Oil filter"),
    ("General", "Castor wheel"),
];

/// Adds `parts` parts and about `entries` ledger entries; returns how many of each were added.
pub async fn generate(
    db: &impl ConnectionTrait,
    org: Uuid,
    actor: Uuid,
    parts: usize,
    entries: usize,
    now: DateTime<Utc>,
) -> anyhow::Result<(usize, usize)> {
    if parts == 0 {
        return Ok((0, 0));
    }
    let main = store::Entity::find()
        .filter(store::Column::OrganizationId.eq(org))
        .filter(store::Column::Code.eq("SMGH-MAIN"))
        .one(db)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the demo's main store is missing"))?;
    let bins: Vec<Uuid> = stock_bin::Entity::find()
        .filter(stock_bin::Column::StoreId.eq(main.id))
        .all(db)
        .await?
        .into_iter()
        .map(|b| b.id)
        .collect();
    if bins.is_empty() {
        anyhow::bail!("the demo's main store has no bins");
    }
    // A second run continues the numbering.
    let first = part::Entity::find()
        .filter(part::Column::OrganizationId.eq(org))
        .filter(part::Column::PartNumber.starts_with("SCL-"))
        .count(db)
        .await? as usize;
    let per_part = (entries / parts).max(1);
    let mut rng = Lcg(5_000_000);
    let start = now - Duration::days(365);
    let step = Duration::seconds((365 * 24 * 3600 / per_part as i64).max(1));
    let mut part_rows = Vec::with_capacity(500);
    let mut balance_rows = Vec::with_capacity(500);
    let mut level_rows = Vec::with_capacity(500);
    let mut entry_rows: Vec<stock_entry::ActiveModel> = Vec::with_capacity(1000);
    let mut written = 0usize;
    for i in first..first + parts {
        let (category, name) = NAMES[i % NAMES.len()];
        let id = Uuid::now_v7();
        part_rows.push(part::ActiveModel {
            id: Set(id),
            organization_id: Set(org),
            part_number: Set(format!("SCL-{:06}", i + 1)),
            name: Set(format!("{name} {}", i + 1)),
            category: Set(Some(category.into())),
            unit: Set("each".into()),
            decimals: Set(0),
            manufacturer: Set(None),
            manufacturer_part_number: Set(None),
            description: Set(None),
            critical: Set(i % 20 == 0),
            active: Set(true),
            created_at: Set(start),
            updated_at: Set(start),
            version: Set(1),
        });
        let bin = bins[i % bins.len()];
        let cost = 1_000 + rng.below(500_000) as i64;
        // A receipt first, then mostly issues, with a delivery whenever stock runs low: on hand
        // stays in the hundreds, so a benchmark's issues never run out.
        let mut b = Balance::default();
        for n in 0..per_part {
            let (kind, flow) = if n == 0 || b.on_hand < 300 * SCALE {
                let q = (500 + rng.below(1_000) as i64) * SCALE;
                let price = cost + cost * rng.below(10) as i64 / 100;
                (
                    MovementKind::Receipt,
                    Flow::In {
                        quantity: q,
                        value: stock::value_at(q, price),
                    },
                )
            } else {
                (
                    MovementKind::Issue,
                    Flow::Out {
                        quantity: (1 + rng.below(3) as i64) * SCALE,
                    },
                )
            };
            let (after, quantity, value) =
                stock::apply(b, flow).map_err(|e| anyhow::anyhow!("{e:?}"))?;
            b = after;
            entry_rows.push(stock_entry::ActiveModel {
                id: Set(Uuid::now_v7()),
                organization_id: Set(org),
                movement_id: Set(Uuid::now_v7()),
                part_id: Set(id),
                store_id: Set(main.id),
                bin_id: Set(bin),
                kind: Set(kind),
                quantity: Set(quantity),
                value_minor: Set(value),
                unit_cost_minor: Set((kind == MovementKind::Receipt).then_some(cost)),
                on_hand_after: Set(after.on_hand),
                value_after: Set(after.value),
                work_order_id: Set(None),
                reverses_id: Set(None),
                reason: Set(None),
                reference: Set(
                    (kind == MovementKind::Receipt).then(|| format!("PO-{}", 900_000 + written))
                ),
                note: Set(None),
                actor_id: Set(actor),
                created_at: Set(start + step * n as i32),
            });
            written += 1;
            // SQLite binds at most 32,766 values per statement: 1,000 rows × 20 columns fit.
            if entry_rows.len() == 1_000 {
                // Entries refer to their parts, so the parts go in first.
                flush(db, &mut part_rows, &mut balance_rows, &mut level_rows).await?;
                stock_entry::Entity::insert_many(std::mem::take(&mut entry_rows))
                    .exec_without_returning(db)
                    .await?;
            }
        }
        balance_rows.push(stock_balance::ActiveModel {
            id: Set(Uuid::now_v7()),
            organization_id: Set(org),
            part_id: Set(id),
            store_id: Set(main.id),
            bin_id: Set(bin),
            on_hand: Set(b.on_hand),
            value_minor: Set(b.value),
            updated_at: Set(now),
        });
        // Every part has levels; one in a hundred sits at its reorder point.
        let low = i % 100 == 0;
        level_rows.push(stock_level::ActiveModel {
            id: Set(Uuid::now_v7()),
            organization_id: Set(org),
            part_id: Set(id),
            store_id: Set(main.id),
            reorder_point: Set(if low { b.on_hand } else { 100 * SCALE }),
            maximum: Set(2_000 * SCALE),
            lead_time_days: Set(Some(14)),
            low: Set(low),
            updated_at: Set(now),
            version: Set(1),
        });
        if part_rows.len() == 500 {
            flush(db, &mut part_rows, &mut balance_rows, &mut level_rows).await?;
        }
    }
    flush(db, &mut part_rows, &mut balance_rows, &mut level_rows).await?;
    if !entry_rows.is_empty() {
        stock_entry::Entity::insert_many(entry_rows)
            .exec_without_returning(db)
            .await?;
    }
    Ok((parts, written))
}

/// Parts first: entries and balances refer to them.
async fn flush(
    db: &impl ConnectionTrait,
    parts: &mut Vec<part::ActiveModel>,
    balances: &mut Vec<stock_balance::ActiveModel>,
    levels: &mut Vec<stock_level::ActiveModel>,
) -> anyhow::Result<()> {
    // Each list on its own: a part's row may have gone in with its first entries, its balance not.
    if !parts.is_empty() {
        part::Entity::insert_many(std::mem::take(parts))
            .exec_without_returning(db)
            .await?;
    }
    if !balances.is_empty() {
        stock_balance::Entity::insert_many(std::mem::take(balances))
            .exec_without_returning(db)
            .await?;
    }
    if !levels.is_empty() {
        stock_level::Entity::insert_many(std::mem::take(levels))
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}
