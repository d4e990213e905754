//! The catalogue as a store's spreadsheet: one row per part and bin holding it, with the
//! store's reorder levels, so a hospital can load its stock book on day one and take it out
//! again. The columns, the template and the export are here; importing is in
//! [`super::import`]. Quantities are in the part's unit; money in the currency's major unit.

use std::collections::HashMap;

use hmms_domain::stock::{Balance, average_cost, format_quantity};
use hmms_store::entities::{part, stock_balance, stock_bin, stock_level, store};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::ledger::decimals;
use super::stores::Reach;
use crate::auth::principal::Principal;
use crate::error::ApiResult;
use crate::spreadsheet::{CsvOut, currency_factor, money};
use crate::state::AppState;

/// The columns, in order.
pub const COLUMNS: &[&str] = &[
    "part_number",
    "name",
    "category",
    "unit",
    "decimals",
    "manufacturer",
    "manufacturer_part_number",
    "description",
    "critical",
    "active",
    "store_code",
    "bin_code",
    "quantity",
    "unit_cost",
    "reorder_point",
    "maximum",
    "lead_time_days",
];

/// The template: the header and two example rows (one part in two bins).
pub fn template() -> ApiResult<String> {
    let mut w = CsvOut::new(COLUMNS)?;
    let valve = [
        "VLV-EXH-001",
        "Exhalation valve",
        "Ventilator parts",
        "each",
        "0",
        "Dräger",
        "8412961",
        "Autoclavable exhalation valve for Evita ventilators",
        "yes",
        "yes",
    ];
    w.row(
        valve
            .iter()
            .chain(&["MAIN", "A-01", "6", "2450.00", "2", "10", "21"]),
    )?;
    w.row(
        valve
            .iter()
            .chain(&["MAIN", "B-04", "2", "2450.00", "", "", ""]),
    )?;
    w.finish()
}

fn yes_no(v: bool) -> &'static str {
    if v { "yes" } else { "no" }
}

/// Every part of the catalogue with its stock in the stores the caller reaches, as CSV. A part
/// in several bins has a row per bin; the store's reorder levels are on its first row there.
/// Imported back, it changes nothing.
pub async fn export(state: &AppState, p: &Principal) -> ApiResult<String> {
    p.require("inventory.read")?;
    let db = &state.db;
    let factor = currency_factor(db, p.org()).await?;
    let stores: HashMap<Uuid, store::Model> = store::Entity::find()
        .filter(Reach::of(p).condition(p.org()))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let ids: Vec<Uuid> = stores.keys().copied().collect();
    let bins: HashMap<Uuid, String> = stock_bin::Entity::find()
        .filter(stock_bin::Column::StoreId.is_in(ids.clone()))
        .all(db)
        .await?
        .into_iter()
        .map(|b| (b.id, b.code))
        .collect();
    let mut balances: HashMap<Uuid, Vec<stock_balance::Model>> = HashMap::new();
    for b in stock_balance::Entity::find()
        .filter(stock_balance::Column::StoreId.is_in(ids.clone()))
        .filter(stock_balance::Column::OnHand.ne(0))
        .all(db)
        .await?
    {
        balances.entry(b.part_id).or_default().push(b);
    }
    let mut levels: HashMap<(Uuid, Uuid), stock_level::Model> = HashMap::new();
    for l in stock_level::Entity::find()
        .filter(stock_level::Column::StoreId.is_in(ids))
        .all(db)
        .await?
    {
        levels.insert((l.part_id, l.store_id), l);
    }
    let parts = part::Entity::find()
        .filter(part::Column::OrganizationId.eq(p.org()))
        .order_by_asc(part::Column::PartNumber)
        .all(db)
        .await?;
    let mut w = CsvOut::new(COLUMNS)?;
    for m in parts {
        let d = decimals(&m);
        let head = [
            m.part_number.clone(),
            m.name.clone(),
            m.category.clone().unwrap_or_default(),
            m.unit.clone(),
            m.decimals.to_string(),
            m.manufacturer.clone().unwrap_or_default(),
            m.manufacturer_part_number.clone().unwrap_or_default(),
            m.description.clone().unwrap_or_default(),
            yes_no(m.critical).into(),
            yes_no(m.active).into(),
        ];
        // (store code, bin code, quantity, unit cost) per bin holding the part, by store then bin.
        let mut places: Vec<(&store::Model, String, String, String)> = balances
            .get(&m.id)
            .into_iter()
            .flatten()
            .filter_map(|b| {
                let s = stores.get(&b.store_id)?;
                let cost = average_cost(Balance {
                    on_hand: b.on_hand,
                    value: b.value_minor,
                });
                Some((
                    s,
                    bins.get(&b.bin_id).cloned().unwrap_or_default(),
                    format_quantity(b.on_hand, d),
                    money(Some(cost), factor),
                ))
            })
            .collect();
        // A store with levels but no stock still needs its row, or the levels would be lost.
        for ((part_id, store_id), _) in levels.iter() {
            if *part_id == m.id
                && !places.iter().any(|pl| pl.0.id == *store_id)
                && let Some(s) = stores.get(store_id)
            {
                places.push((s, String::new(), String::new(), String::new()));
            }
        }
        places.sort_by(|a, b| (&a.0.code, &a.1).cmp(&(&b.0.code, &b.1)));
        if places.is_empty() {
            w.row(head.iter().map(String::as_str).chain([""; 7]))?;
            continue;
        }
        let mut previous: Option<Uuid> = None;
        for (s, bin, quantity, cost) in places {
            let level = (previous != Some(s.id))
                .then(|| levels.get(&(m.id, s.id)))
                .flatten();
            previous = Some(s.id);
            let tail = [
                s.code.clone(),
                bin,
                quantity,
                cost,
                level.map_or_else(String::new, |l| format_quantity(l.reorder_point, d)),
                level.map_or_else(String::new, |l| format_quantity(l.maximum, d)),
                level
                    .and_then(|l| l.lead_time_days)
                    .map_or_else(String::new, |v| v.to_string()),
            ];
            w.row(head.iter().chain(tail.iter()))?;
        }
    }
    w.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_has_every_column_on_every_row() {
        let t = template().unwrap();
        for line in t.lines() {
            assert_eq!(line.split(',').count(), COLUMNS.len(), "{line}");
        }
    }
}
