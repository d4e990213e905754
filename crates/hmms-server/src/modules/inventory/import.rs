//! Importing the catalogue from CSV ([`super::sheet`]'s columns): parts created or updated by
//! part number, opening balances posted to the ledger, reorder levels set, bins created as the
//! sheet names them. Every row is checked before anything of it is written; all or nothing (or
//! the valid rows with `partial=true`), errors by row and column.
//!
//! An opening balance is a receipt ("Opening balance", at the sheet's unit cost) into a bin
//! the part has never moved in. Once stock has moved there the sheet's quantity must match what
//! is on hand — so importing the same sheet twice, or an export, changes nothing — and a real
//! difference is a count, which the sheet does not post.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use hmms_domain::stock::{self, MovementKind, format_quantity, parse_count};
use hmms_domain::validate;
use hmms_store::entities::{part, stock_balance, stock_bin, stock_entry, store};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter,
};
use serde_json::{Value, json};
use uuid::Uuid;

use super::ledger::{self, Leg, LegFlow, Posting};
use super::parts::{long_text, part_number, places, unit};
use super::sheet::COLUMNS;
use super::stock::{Levels, check_levels, put_levels};
use super::stores::{FIRST_BIN, Reach};
use crate::auth::principal::Principal;
use crate::error::ApiResult;
use crate::modules::org::audit;
use crate::spreadsheet::{ImportReport, Row, Sheet, currency_factor, parse_money};
use crate::state::{AppState, WriteTx};

/// A row's part, checked. `None` in `unit`/`decimals` keeps an existing part's.
struct PartCells {
    number: String,
    name: String,
    category: Option<String>,
    unit: Option<String>,
    decimals: Option<i16>,
    manufacturer: Option<String>,
    mpn: Option<String>,
    description: Option<String>,
    critical: bool,
    active: bool,
}

/// A row's stock, as written (quantities are read once the part's decimals are known).
struct StockCells<'a> {
    store: &'a store::Model,
    bin: String,
    quantity: Option<&'a str>,
    unit_cost: Option<i64>,
    levels: Option<(&'a str, &'a str, Option<i32>)>,
}

type Problems = Vec<(&'static str, String)>;

fn yes_no(row: &Row<'_>, column: &'static str, default: bool, problems: &mut Problems) -> bool {
    match row.cell(column).map(str::to_lowercase).as_deref() {
        None => default,
        Some("yes" | "y" | "true" | "1") => true,
        Some("no" | "n" | "false" | "0") => false,
        Some(_) => {
            problems.push((column, "must be yes or no".into()));
            default
        }
    }
}

fn part_cells(row: &Row<'_>, problems: &mut Problems) -> Option<PartCells> {
    let mut take = |column: &'static str, r: Result<String, String>| match r {
        Ok(v) => Some(v),
        Err(e) => {
            problems.push((column, e));
            None
        }
    };
    let number = take(
        "part_number",
        row.cell("part_number")
            .map_or_else(|| Err("is required".into()), part_number),
    );
    let name = take(
        "name",
        row.cell("name")
            .map_or_else(|| Err("is required".into()), |v| validate::name(v, 160)),
    );
    let mut optional = |column: &'static str, check: &dyn Fn(&str) -> Result<String, String>| {
        row.cell(column).and_then(|v| take(column, check(v)))
    };
    let category = optional("category", &|v| validate::name(v, 80));
    let unit = optional("unit", &unit);
    let manufacturer = optional("manufacturer", &|v| validate::name(v, 120));
    let mpn = optional("manufacturer_part_number", &part_number);
    let description = optional("description", &long_text);
    let decimals = row.cell("decimals").and_then(|v| {
        match v.parse::<i16>().map_err(|_| String::new()).and_then(places) {
            Ok(d) => Some(d),
            Err(_) => {
                problems.push(("decimals", "must be 0, 1, 2 or 3".into()));
                None
            }
        }
    });
    let critical = yes_no(row, "critical", false, problems);
    let active = yes_no(row, "active", true, problems);
    Some(PartCells {
        number: number?,
        name: name?,
        category,
        unit,
        decimals,
        manufacturer,
        mpn,
        description,
        critical,
        active,
    })
}

fn stock_cells<'a>(
    row: &'a Row<'a>,
    stores: &'a HashMap<String, store::Model>,
    reach: Reach,
    factor: i64,
    problems: &mut Problems,
) -> Option<StockCells<'a>> {
    let quantity = row.cell("quantity");
    let unit_cost = row
        .cell("unit_cost")
        .and_then(|v| match parse_money(v, factor) {
            Ok(c) => Some(c),
            Err(e) => {
                problems.push(("unit_cost", e));
                None
            }
        });
    let (point, maximum) = (row.cell("reorder_point"), row.cell("maximum"));
    let lead = row
        .cell("lead_time_days")
        .and_then(|v| match v.parse::<i32>() {
            Ok(n) => Some(n),
            Err(_) => {
                problems.push(("lead_time_days", "must be a whole number of days".into()));
                None
            }
        });
    let levels = match (point, maximum) {
        (Some(r), Some(m)) => Some((r, m, lead)),
        (None, None) => {
            if lead.is_some() {
                problems.push((
                    "lead_time_days",
                    "goes with a reorder point and a maximum".into(),
                ));
            }
            None
        }
        (None, Some(_)) => {
            problems.push(("reorder_point", "is required with a maximum".into()));
            None
        }
        (Some(_), None) => {
            problems.push(("maximum", "is required with a reorder point".into()));
            None
        }
    };
    let Some(code) = row.cell("store_code").map(str::to_uppercase) else {
        if quantity.is_some() || levels.is_some() || row.cell("bin_code").is_some() {
            problems.push((
                "store_code",
                "is required with a bin, a quantity or reorder levels".into(),
            ));
        }
        return None;
    };
    // A store of another hospital is as unknown here as one that does not exist.
    let Some(store) = stores.get(&code).filter(|s| reach.admits(s.site_id)) else {
        problems.push(("store_code", format!("no store {code} you may stock")));
        return None;
    };
    let bin = match row.cell("bin_code") {
        None => FIRST_BIN.to_string(),
        Some(b) => match validate::code(b) {
            Ok(c) => c,
            Err(e) => {
                problems.push(("bin_code", e));
                return None;
            }
        },
    };
    Some(StockCells {
        store,
        bin,
        quantity,
        unit_cost,
        levels,
    })
}

fn part_json(m: &part::Model) -> Value {
    json!({
        "partNumber": m.part_number, "name": m.name, "category": m.category, "unit": m.unit,
        "decimals": m.decimals, "manufacturer": m.manufacturer,
        "manufacturerPartNumber": m.manufacturer_part_number, "description": m.description,
        "critical": m.critical, "active": m.active,
    })
}

/// What a row will do to the stock, decided before anything is written.
enum Opening {
    None,
    Receipt { quantity: i64, unit_cost: i64 },
}

pub async fn import(
    state: &AppState,
    p: &Principal,
    body: &[u8],
    partial: bool,
) -> ApiResult<ImportReport> {
    p.require("inventory.adjust")?;
    let sheet = Sheet::read(
        body,
        COLUMNS,
        &["part_number"],
        "/parts/import-template.csv",
    )?;
    let factor = currency_factor(&state.db, p.org()).await?;
    let reach = Reach::of(p);
    let stores: HashMap<String, store::Model> = store::Entity::find()
        .filter(store::Column::OrganizationId.eq(p.org()))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|s| (s.code.clone(), s))
        .collect();
    let now = state.clock.now();
    let tx = state.begin_write().await?;
    let mut report = ImportReport::default();
    let mut counted: HashSet<String> = HashSet::new();
    let mut places: HashMap<(String, Uuid, String), usize> = HashMap::new();
    for (row_no, row) in sheet.rows() {
        let mut problems: Problems = vec![];
        let cells = part_cells(&row, &mut problems);
        let stock = stock_cells(&row, &stores, reach, factor, &mut problems);
        let Some(cells) = cells else {
            report.skip(row_no, problems);
            continue;
        };
        let existing = part::Entity::find()
            .filter(part::Column::OrganizationId.eq(p.org()))
            .filter(part::Column::PartNumber.eq(cells.number.as_str()))
            .one(&*tx)
            .await?;
        let unit = cells
            .unit
            .clone()
            .or_else(|| existing.as_ref().map(|e| e.unit.clone()))
            .unwrap_or_else(|| "each".into());
        let decimals = cells
            .decimals
            .or(existing.as_ref().map(|e| e.decimals))
            .unwrap_or(0);
        if let Some(e) = &existing
            && (e.unit != unit || e.decimals != decimals)
            && stock_entry::Entity::find()
                .filter(stock_entry::Column::PartId.eq(e.id))
                .count(&*tx)
                .await?
                > 0
        {
            problems.push((
                "unit",
                format!(
                    "{} has stock movements in {} ({} decimals), so its unit cannot change",
                    e.part_number, e.unit, e.decimals
                ),
            ));
        }
        let d = u8::try_from(decimals).unwrap_or(0);
        // The stock side: the bin, what the sheet's quantity means there, the levels.
        let mut bin: Option<stock_bin::Model> = None;
        let mut opening = Opening::None;
        let mut levels = None;
        if let Some(s) = &stock {
            if let Some(first) =
                places.insert((cells.number.clone(), s.store.id, s.bin.clone()), row_no)
            {
                problems.push((
                    "bin_code",
                    format!("this part and bin are also on row {first}"),
                ));
            }
            bin = stock_bin::Entity::find()
                .filter(stock_bin::Column::StoreId.eq(s.store.id))
                .filter(stock_bin::Column::Code.eq(s.bin.as_str()))
                .one(&*tx)
                .await?;
            if let Some((r, m, lead)) = s.levels {
                let r = parse_count(r, d).map_err(|e| problems.push(("reorder_point", e)));
                let m = parse_count(m, d).map_err(|e| problems.push(("maximum", e)));
                if let (Ok(r), Ok(m)) = (r, m) {
                    for (field, message) in check_levels(r, m, lead) {
                        let column = if field == "maximum" {
                            "maximum"
                        } else {
                            "lead_time_days"
                        };
                        problems.push((column, message.into()));
                    }
                    levels = Some(Levels {
                        reorder_point: r,
                        maximum: m,
                        lead_time_days: lead,
                    });
                }
            }
            if let Some(q) = s.quantity {
                match parse_count(q, d) {
                    Err(e) => problems.push(("quantity", e)),
                    Ok(q) => {
                        let held = match (&bin, &existing) {
                            (Some(b), Some(e)) => stock_balance::Entity::find()
                                .filter(stock_balance::Column::BinId.eq(b.id))
                                .filter(stock_balance::Column::PartId.eq(e.id))
                                .one(&*tx)
                                .await?
                                .map(|b| b.on_hand),
                            _ => None,
                        };
                        match held {
                            Some(on_hand) if on_hand != q => problems.push((
                                "quantity",
                                format!(
                                    "{} is on hand in {}/{} and stock has moved there; record a count to correct it",
                                    format_quantity(on_hand, d),
                                    s.store.code,
                                    s.bin
                                ),
                            )),
                            Some(_) => {}
                            None if q == 0 => {}
                            None => match s.unit_cost {
                                Some(unit_cost) => {
                                    opening = Opening::Receipt {
                                        quantity: q,
                                        unit_cost,
                                    }
                                }
                                None => problems.push((
                                    "unit_cost",
                                    "is required for an opening balance: the price of one unit"
                                        .into(),
                                )),
                            },
                        }
                    }
                }
            }
            if matches!(opening, Opening::Receipt { .. }) && !cells.active {
                problems.push(("active", "an obsolete part takes no opening stock".into()));
            }
        }
        if !problems.is_empty() {
            report.skip(row_no, problems);
            continue;
        }
        // Checked: write the row.
        let created = existing.is_none();
        let (saved, part_changed) = save_part(&tx, now, p, existing, cells, unit, decimals).await?;
        let mut changed = part_changed;
        if let Some(s) = stock {
            let b = match bin {
                Some(b) => b,
                None => {
                    changed = true;
                    new_bin(&tx, now, p, s.store, s.bin).await?
                }
            };
            if let Opening::Receipt {
                quantity,
                unit_cost,
            } = opening
            {
                changed = true;
                ledger::post(
                    &tx,
                    now,
                    &p.who(),
                    Posting {
                        part: &saved,
                        legs: vec![Leg {
                            kind: MovementKind::Receipt,
                            bin: b.id,
                            store: s.store.id,
                            flow: LegFlow::In {
                                quantity,
                                value: stock::value_at(quantity, unit_cost),
                            },
                            unit_cost: Some(unit_cost),
                        }],
                        work_order: None,
                        reverses: None,
                        reason: Some("Opening balance".into()),
                        reference: Some("CSV import".into()),
                        note: None,
                        action: "stock.received",
                    },
                )
                .await?;
            }
            if let Some(l) = levels {
                changed |= put_levels(&tx, now, p, &saved, s.store, l).await?;
            }
        }
        if created && counted.insert(saved.part_number.clone()) {
            report.created += 1;
        } else if changed && counted.insert(saved.part_number.clone()) {
            report.updated += 1;
        }
    }
    // Unless partial, any problem is a 422 and the dropped transaction rolls every row back.
    let report = report.finish(partial)?;
    tx.commit().await?;
    Ok(report)
}

/// Creates the part or brings it in line with the row; returns it and whether it changed.
async fn save_part(
    tx: &WriteTx,
    now: DateTime<Utc>,
    p: &Principal,
    existing: Option<part::Model>,
    c: PartCells,
    unit: String,
    decimals: i16,
) -> ApiResult<(part::Model, bool)> {
    let Some(e) = existing else {
        let m = part::ActiveModel {
            id: Set(Uuid::now_v7()),
            organization_id: Set(p.org()),
            part_number: Set(c.number),
            name: Set(c.name),
            category: Set(c.category),
            unit: Set(unit),
            decimals: Set(decimals),
            manufacturer: Set(c.manufacturer),
            manufacturer_part_number: Set(c.mpn),
            description: Set(c.description),
            critical: Set(c.critical),
            active: Set(c.active),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
        }
        .insert(&**tx)
        .await?;
        audit(
            tx,
            now,
            p,
            "part.imported",
            m.id,
            None,
            Some(&part_json(&m)),
        )
        .await?;
        return Ok((m, true));
    };
    let next = part::Model {
        name: c.name,
        category: c.category,
        unit,
        decimals,
        manufacturer: c.manufacturer,
        manufacturer_part_number: c.mpn,
        description: c.description,
        critical: c.critical,
        active: c.active,
        ..e.clone()
    };
    if next == e {
        return Ok((e, false));
    }
    let mut m = next.into_active_model().reset_all();
    m.updated_at = Set(now);
    m.version = Set(e.version + 1);
    let saved = m.update(&**tx).await?;
    audit(
        tx,
        now,
        p,
        "part.imported",
        saved.id,
        Some(&part_json(&e)),
        Some(&part_json(&saved)),
    )
    .await?;
    Ok((saved, true))
}

async fn new_bin(
    tx: &WriteTx,
    now: DateTime<Utc>,
    p: &Principal,
    s: &store::Model,
    code: String,
) -> ApiResult<stock_bin::Model> {
    let b = stock_bin::ActiveModel {
        id: Set(Uuid::now_v7()),
        organization_id: Set(p.org()),
        store_id: Set(s.id),
        code: Set(code),
        active: Set(true),
        created_at: Set(now),
    }
    .insert(&**tx)
    .await?;
    audit(
        tx,
        now,
        p,
        "stock_bin.created",
        b.id,
        None,
        Some(&json!({"storeId": s.id, "code": b.code, "active": true, "via": "CSV import"})),
    )
    .await?;
    Ok(b)
}
