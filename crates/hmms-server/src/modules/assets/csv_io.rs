//! CSV import and export of the registry, in the shape of a hospital's inventory spreadsheet:
//! places by code, money in the currency's major unit, one asset per row. An import checks every
//! row (by row and column), writes nothing if any row fails unless asked to import the valid
//! rows only, and is idempotent by tag: importing again updates.

use std::collections::HashMap;

use chrono::NaiveDate;
use hmms_domain::validate::Errors;
use hmms_store::entities::{asset, department, equipment_class, location, organization, site};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use super::dto::*;
use super::input::{blank, check, merge};
use super::service::{self, audit_asset, dto, history};
use crate::auth::principal::Principal;
use crate::error::{ApiError, ApiResult};
use crate::spreadsheet::{CsvOut, cell_in};
use crate::state::AppState;
use hmms_domain::validate::FieldError;

/// The columns, in order. Money is in the organization currency's major unit (e.g. 1500000.00).
pub const COLUMNS: &[&str] = &[
    "tag",
    "name",
    "class_code",
    "make",
    "model",
    "serial_number",
    "site_code",
    "department_code",
    "location_code",
    "parent_tag",
    "status",
    "installed_on",
    "commissioned_on",
    "warranty_end",
    "purchase_date",
    "purchase_cost",
    "replacement_cost",
    "expected_life_years",
    "salvage_value",
    "depreciation_method",
    "supplier",
    "life_support",
    "risk_class",
    "em_function",
    "em_physical_risk",
    "em_maintenance",
    "em_incident_history",
    "maintenance_strategy",
    "strategy_justification",
    "notes",
];

const MAX_ROWS: usize = 20_000;

/// What an import did.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImportReport {
    pub created: usize,
    pub updated: usize,
    /// Rows left out (only with `partial=true`).
    pub skipped: usize,
    /// Problems by row (1 = the first data row) and column.
    pub errors: Vec<ImportError>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImportError {
    pub row: usize,
    pub column: String,
    pub message: String,
}

/// Minor units per major unit: ISO 4217 currencies without decimals use 1.
fn minor_per_major(currency: &str) -> i64 {
    const NO_DECIMALS: &[&str] = &[
        "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND",
        "VUV", "XAF", "XOF", "XPF",
    ];
    if NO_DECIMALS.contains(&currency) {
        1
    } else {
        100
    }
}

fn money(minor: Option<i64>, factor: i64) -> String {
    match (minor, factor) {
        (None, _) => String::new(),
        (Some(m), 1) => m.to_string(),
        (Some(m), f) => format!("{}.{:02}", m / f, (m % f).abs()),
    }
}

fn parse_money(raw: &str, factor: i64) -> Result<i64, String> {
    let cleaned: String = raw.chars().filter(|c| *c != ',' && *c != ' ').collect();
    let (whole, frac) = cleaned.split_once('.').unwrap_or((&cleaned, ""));
    let digits = if factor == 1 { 0 } else { 2 };
    if whole.is_empty()
        || !whole.chars().all(|c| c.is_ascii_digit())
        || frac.len() > digits
        || !frac.chars().all(|c| c.is_ascii_digit())
    {
        return Err(format!(
            "must be an amount like {}",
            if factor == 1 { "1500000" } else { "1500000.00" }
        ));
    }
    let whole: i64 = whole.parse().map_err(|_| "is too large".to_string())?;
    let frac: i64 = format!("{frac:0<digits$}").parse().unwrap_or(0);
    whole
        .checked_mul(factor)
        .and_then(|w| w.checked_add(frac))
        .ok_or_else(|| "is too large".to_string())
}

async fn currency_factor(db: &impl ConnectionTrait, org: Uuid) -> ApiResult<i64> {
    Ok(organization::Entity::find_by_id(org)
        .one(db)
        .await?
        .map(|o| minor_per_major(&o.currency))
        .unwrap_or(100))
}

/// Codes of the organization's places and classes, both ways.
struct Codes {
    sites: HashMap<String, Uuid>,
    site_codes: HashMap<Uuid, String>,
    departments: HashMap<(Uuid, String), Uuid>,
    department_codes: HashMap<Uuid, String>,
    locations: HashMap<(Uuid, String), Uuid>,
    location_codes: HashMap<Uuid, String>,
    classes: HashMap<String, Uuid>,
    class_codes: HashMap<Uuid, String>,
}

async fn codes(db: &impl ConnectionTrait, org: Uuid) -> ApiResult<Codes> {
    let sites = site::Entity::find()
        .filter(site::Column::OrganizationId.eq(org))
        .all(db)
        .await?;
    let departments = department::Entity::find()
        .filter(department::Column::OrganizationId.eq(org))
        .all(db)
        .await?;
    let locations = location::Entity::find()
        .filter(location::Column::OrganizationId.eq(org))
        .all(db)
        .await?;
    let classes = equipment_class::Entity::find()
        .filter(equipment_class::Column::OrganizationId.eq(org))
        .all(db)
        .await?;
    Ok(Codes {
        sites: sites.iter().map(|s| (s.code.clone(), s.id)).collect(),
        site_codes: sites.iter().map(|s| (s.id, s.code.clone())).collect(),
        departments: departments
            .iter()
            .map(|d| ((d.site_id, d.code.clone()), d.id))
            .collect(),
        department_codes: departments.iter().map(|d| (d.id, d.code.clone())).collect(),
        locations: locations
            .iter()
            .map(|l| ((l.site_id, l.code.clone()), l.id))
            .collect(),
        location_codes: locations.iter().map(|l| (l.id, l.code.clone())).collect(),
        classes: classes.iter().map(|c| (c.code.clone(), c.id)).collect(),
        class_codes: classes.iter().map(|c| (c.id, c.code.clone())).collect(),
    })
}

/// The import template: the header and one example row.
pub fn template() -> ApiResult<String> {
    let mut w = CsvOut::new(COLUMNS)?;
    w.row([
        "SMGH-ICU-VENT-001",
        "Ventilator",
        "VENT",
        "Dräger",
        "Evita V500",
        "ASFK-0042",
        "SMGH",
        "ICU",
        "MB-1-01",
        "",
        "in_service",
        "2024-02-01",
        "2024-02-05",
        "2026-02-05",
        "2024-01-15",
        "4500000.00",
        "5200000.00",
        "10",
        "450000.00",
        "straight_line",
        "Dräger East Africa",
        "yes",
        "high",
        "10",
        "5",
        "5",
        "1",
        "manufacturer",
        "",
        "Bay A, bed 4",
    ])?;
    w.finish()
}

/// Every asset matching the filters, as CSV.
pub async fn export(state: &AppState, p: &Principal, mut q: AssetQuery) -> ApiResult<String> {
    p.require("asset.read")?;
    let factor = currency_factor(&state.db, p.org()).await?;
    let c = codes(&state.db, p.org()).await?;
    let mut tags: HashMap<Uuid, String> = HashMap::new();
    let mut rows = vec![];
    q.limit = Some(200);
    q.cursor = None;
    loop {
        let page = service::list(
            state,
            p,
            AssetQuery {
                ..q.clone_filters()
            },
        )
        .await?;
        for a in &page.items {
            tags.insert(a.id, a.tag.clone());
        }
        rows.extend(page.items);
        match page.next_cursor {
            Some(cur) if rows.len() < 100_000 => q.cursor = Some(cur),
            _ => break,
        }
        if q.cursor.is_none() {
            break;
        }
    }
    let mut w = CsvOut::new(COLUMNS)?;
    let date = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    let opt = |s: &Option<String>| s.clone().unwrap_or_default();
    let num = |n: Option<i16>| n.map(|n| n.to_string()).unwrap_or_default();
    for a in rows {
        let parent = match a.parent_id {
            Some(pid) => match tags.get(&pid) {
                Some(t) => t.clone(),
                None => asset::Entity::find_by_id(pid)
                    .one(&state.db)
                    .await?
                    .map(|p| p.tag)
                    .unwrap_or_default(),
            },
            None => String::new(),
        };
        w.row([
            a.tag.clone(),
            a.name.clone(),
            a.class_id
                .and_then(|id| c.class_codes.get(&id).cloned())
                .unwrap_or_default(),
            opt(&a.make),
            opt(&a.model),
            opt(&a.serial_number),
            c.site_codes.get(&a.site_id).cloned().unwrap_or_default(),
            a.department_id
                .and_then(|id| c.department_codes.get(&id).cloned())
                .unwrap_or_default(),
            a.location_id
                .and_then(|id| c.location_codes.get(&id).cloned())
                .unwrap_or_default(),
            parent,
            a.status.key().to_string(),
            date(a.installed_on),
            date(a.commissioned_on),
            date(a.warranty_end),
            date(a.purchase_date),
            money(a.purchase_cost_minor, factor),
            money(a.replacement_cost_minor, factor),
            a.expected_life_years
                .map(|y| y.to_string())
                .unwrap_or_default(),
            money(a.salvage_value_minor, factor),
            a.depreciation_method.key().to_string(),
            opt(&a.supplier),
            if a.life_support { "yes" } else { "no" }.to_string(),
            a.risk_class.key().to_string(),
            num(a.em_function),
            num(a.em_physical_risk),
            num(a.em_maintenance),
            num(a.em_incident_history),
            a.maintenance_strategy.key().to_string(),
            opt(&a.strategy_justification),
            opt(&a.notes),
        ])?;
    }
    w.finish()
}

impl AssetQuery {
    fn clone_filters(&self) -> AssetQuery {
        AssetQuery {
            q: self.q.clone(),
            site_id: self.site_id,
            department_id: self.department_id,
            location_id: self.location_id,
            class_id: self.class_id,
            parent_id: self.parent_id,
            status: self.status,
            risk_class: self.risk_class,
            life_support: self.life_support,
            limit: self.limit,
            cursor: self.cursor.clone(),
        }
    }
}

/// One row turned into the fields of an asset; problems go to `errors` by column.
fn row_input(
    row: &HashMap<&str, &str>,
    c: &Codes,
    factor: i64,
    errors: &mut Vec<(String, String)>,
) -> (AssetInput, Option<String>) {
    let cell = |k: &str| {
        row.get(k)
            .map(|v| cell_in(v.trim()))
            .filter(|v| !v.is_empty())
    };
    let mut bad = |col: &str, msg: String| errors.push((col.to_string(), msg));
    let text = |k: &str| Some(cell(k).map(str::to_string));
    let date = |k: &str, bad: &mut dyn FnMut(&str, String)| match cell(k) {
        None => Some(None),
        Some(v) => match NaiveDate::parse_from_str(v, "%Y-%m-%d") {
            Ok(d) => Some(Some(d)),
            Err(_) => {
                bad(k, "must be a date like 2024-01-31".into());
                None
            }
        },
    };
    let amount = |k: &str, bad: &mut dyn FnMut(&str, String)| match cell(k) {
        None => Some(None),
        Some(v) => match parse_money(v, factor) {
            Ok(m) => Some(Some(m)),
            Err(e) => {
                bad(k, e);
                None
            }
        },
    };
    let small = |k: &str, bad: &mut dyn FnMut(&str, String)| match cell(k) {
        None => Some(None),
        Some(v) => match v.parse::<i16>() {
            Ok(n) => Some(Some(n)),
            Err(_) => {
                bad(k, "must be a whole number".into());
                None
            }
        },
    };
    let mut input = AssetInput {
        tag: cell("tag").map(str::to_string),
        name: cell("name").map(str::to_string),
        make: text("make"),
        model: text("model"),
        serial_number: text("serial_number"),
        supplier: text("supplier"),
        strategy_justification: text("strategy_justification"),
        notes: text("notes"),
        ..Default::default()
    };
    if input.tag.is_none() {
        bad("tag", "is required".into());
    }
    if input.name.is_none() {
        bad("name", "is required".into());
    }
    input.installed_on = date("installed_on", &mut bad);
    input.commissioned_on = date("commissioned_on", &mut bad);
    input.warranty_end = date("warranty_end", &mut bad);
    input.purchase_date = date("purchase_date", &mut bad);
    input.purchase_cost_minor = amount("purchase_cost", &mut bad);
    input.replacement_cost_minor = amount("replacement_cost", &mut bad);
    input.salvage_value_minor = amount("salvage_value", &mut bad);
    input.em_function = small("em_function", &mut bad);
    input.em_physical_risk = small("em_physical_risk", &mut bad);
    input.em_maintenance = small("em_maintenance", &mut bad);
    input.em_incident_history = small("em_incident_history", &mut bad);
    input.expected_life_years = match cell("expected_life_years") {
        None => Some(None),
        Some(v) => match v.parse::<i32>() {
            Ok(n) => Some(Some(n)),
            Err(_) => {
                bad(
                    "expected_life_years",
                    "must be a whole number of years".into(),
                );
                None
            }
        },
    };
    macro_rules! keyed {
        ($col:literal, $t:ty, $field:ident) => {
            if let Some(v) = cell($col) {
                match <$t>::from_key(&v.to_lowercase()) {
                    Some(k) => input.$field = Some(k),
                    None => bad($col, format!("`{v}` is not one of the allowed values")),
                }
            }
        };
    }
    keyed!("status", AssetStatusDto, status);
    keyed!(
        "depreciation_method",
        DepreciationMethodDto,
        depreciation_method
    );
    keyed!("risk_class", RiskClass, risk_class);
    keyed!(
        "maintenance_strategy",
        MaintenanceStrategy,
        maintenance_strategy
    );
    if let Some(v) = cell("life_support") {
        match v.to_lowercase().as_str() {
            "yes" | "y" | "true" | "1" => input.life_support = Some(true),
            "no" | "n" | "false" | "0" => input.life_support = Some(false),
            _ => bad("life_support", "must be yes or no".into()),
        }
    }
    // Places by code: the site, then its department and location.
    let site = cell("site_code").map(|s| s.to_uppercase());
    match &site {
        None => bad("site_code", "is required".into()),
        Some(s) => match c.sites.get(s) {
            Some(id) => {
                input.site_id = Some(*id);
                input.department_id = Some(None);
                input.location_id = Some(None);
                if let Some(d) = cell("department_code").map(|d| d.to_uppercase()) {
                    match c.departments.get(&(*id, d.clone())) {
                        Some(dep) => input.department_id = Some(Some(*dep)),
                        None => bad("department_code", format!("no department {d} at {s}")),
                    }
                }
                if let Some(l) = cell("location_code").map(|l| l.to_uppercase()) {
                    match c.locations.get(&(*id, l.clone())) {
                        Some(loc) => input.location_id = Some(Some(*loc)),
                        None => bad("location_code", format!("no location {l} at {s}")),
                    }
                }
            }
            None => bad("site_code", format!("no site {s}")),
        },
    }
    input.class_id = Some(None);
    if let Some(k) = cell("class_code").map(|k| k.to_uppercase()) {
        match c.classes.get(&k) {
            Some(id) => input.class_id = Some(Some(*id)),
            None => bad("class_code", format!("no equipment class {k}")),
        }
    }
    (input, cell("parent_tag").map(|t| t.to_uppercase()))
}

/// The camelCase field names of the API mapped back to CSV columns, for errors from the checks
/// every asset goes through.
fn column_of(field: &str) -> String {
    match field {
        "siteId" => "site_code".into(),
        "departmentId" => "department_code".into(),
        "locationId" => "location_code".into(),
        "classId" => "class_code".into(),
        "parentId" => "parent_tag".into(),
        "purchaseCostMinor" => "purchase_cost".into(),
        "replacementCostMinor" => "replacement_cost".into(),
        "salvageValueMinor" => "salvage_value".into(),
        other => {
            let mut out = String::new();
            for ch in other.chars() {
                if ch.is_ascii_uppercase() {
                    out.push('_');
                    out.push(ch.to_ascii_lowercase());
                } else {
                    out.push(ch);
                }
            }
            out
        }
    }
}

pub async fn import(
    state: &AppState,
    p: &Principal,
    body: &[u8],
    partial: bool,
) -> ApiResult<ImportReport> {
    p.require("asset.manage")?;
    let text = std::str::from_utf8(body).map_err(|_| {
        ApiError::validation("file", "is not UTF-8 text; save the sheet as CSV UTF-8")
    })?;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| ApiError::validation("file", format!("the header row cannot be read: {e}")))?
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect();
    let unknown: Vec<&String> = headers
        .iter()
        .filter(|h| !COLUMNS.contains(&h.as_str()))
        .collect();
    if !unknown.is_empty() || !headers.iter().any(|h| h == "tag") {
        return Err(ApiError::validation(
            "file",
            format!(
                "the header row must use the template's columns (unknown: {}); download it from GET /assets/import-template.csv",
                unknown
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    let mut records = vec![];
    for (i, r) in reader.records().enumerate() {
        let r = r.map_err(|e| {
            ApiError::validation("file", format!("row {} cannot be read: {e}", i + 1))
        })?;
        records.push(r);
        if records.len() > MAX_ROWS {
            return Err(ApiError::validation(
                "file",
                format!("at most {MAX_ROWS} rows per import"),
            ));
        }
    }
    let now = state.clock.now();
    let factor = currency_factor(&state.db, p.org()).await?;
    let c = codes(&state.db, p.org()).await?;
    let tx = state.begin_write().await?;
    let mut report = ImportReport {
        created: 0,
        updated: 0,
        skipped: 0,
        errors: vec![],
    };
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, record) in records.iter().enumerate() {
        let row_no = i + 1;
        let row: HashMap<&str, &str> = headers
            .iter()
            .map(String::as_str)
            .zip(record.iter())
            .collect();
        let mut problems: Vec<(String, String)> = vec![];
        let (input, parent_tag) = row_input(&row, &c, factor, &mut problems);
        let tag = input
            .tag
            .as_deref()
            .map(|t| t.trim().to_uppercase())
            .unwrap_or_default();
        if !tag.is_empty()
            && let Some(first) = seen.insert(tag.clone(), row_no)
        {
            problems.push(("tag".into(), format!("also on row {first}")));
        }
        let existing = if tag.is_empty() {
            None
        } else {
            asset::Entity::find()
                .filter(asset::Column::OrganizationId.eq(p.org()))
                .filter(asset::Column::Tag.eq(tag.as_str()))
                .one(&*tx)
                .await?
        };
        // Updating by tag is a write to the existing asset: it must be within the caller's
        // write scope, or one site could rename and take over another's equipment.
        if let Some(e) = &existing
            && crate::modules::org::require_site_write(p, "asset.manage", e.site_id).is_err()
        {
            problems.push((
                "tag".into(),
                "is in use by an asset of another site, which you may not change".into(),
            ));
        }
        let mut m = match &existing {
            Some(e) => e.clone(),
            None => blank(
                p,
                now,
                input.status.unwrap_or(AssetStatusDto::InService),
                input.life_support.unwrap_or(false),
            ),
        };
        let mut input = input;
        input.parent_id = Some(None);
        if let Some(pt) = &parent_tag {
            // The parent may come from an earlier row of the same file.
            match asset::Entity::find()
                .filter(asset::Column::OrganizationId.eq(p.org()))
                .filter(asset::Column::Tag.eq(pt.as_str()))
                .one(&*tx)
                .await?
            {
                Some(parent) => input.parent_id = Some(Some(parent.id)),
                None => problems.push(("parent_tag".into(), format!("no asset tagged {pt}"))),
            }
        }
        let new_status = input.status;
        let mut errors = Errors::default();
        merge(&mut m, input, &mut errors);
        if problems.is_empty() {
            check(&*tx, p, &mut m, &mut errors).await?;
        }
        for e in errors.0 {
            problems.push((column_of(&e.field), e.message));
        }
        if problems.is_empty()
            && let Err(e) = crate::modules::org::require_site_write(p, "asset.manage", m.site_id)
        {
            problems.push(("site_code".into(), e.to_string()));
        }
        if let (Some(e), Some(s)) = (&existing, new_status)
            && let (from, to) = (e.status, hmms_domain::assets::AssetStatus::from(s))
            && from != to
            && hmms_domain::assets::check_status_step(from, to).is_err()
        {
            problems.push((
                "status".into(),
                format!("an asset that is {} cannot become {}", from.key(), to.key()),
            ));
        }
        if !problems.is_empty() {
            report.skipped += 1;
            report
                .errors
                .extend(problems.into_iter().map(|(column, message)| ImportError {
                    row: row_no,
                    column,
                    message,
                }));
            continue;
        }
        match existing {
            Some(e) => {
                if e.status != m.status {
                    history(
                        &tx,
                        &e,
                        Some(p.id()),
                        "status",
                        Some((Some(e.status.key()), m.status.key())),
                        json!({ "reason": "CSV import" }),
                        now,
                    )
                    .await?;
                }
                let before = dto(e.clone(), now);
                let version = e.version;
                let mut am = m.into_active_model().reset_all();
                am.updated_at = sea_orm::ActiveValue::Set(now);
                am.version = sea_orm::ActiveValue::Set(version + 1);
                let saved = am.update(&*tx).await?;
                let after = dto(saved, now);
                audit_asset(&tx, p, "asset.imported", Some(&before), &after, now).await?;
                report.updated += 1;
            }
            None => {
                let saved = m.into_active_model().insert(&*tx).await?;
                history(
                    &tx,
                    &saved,
                    Some(p.id()),
                    "registered",
                    Some((None, saved.status.key())),
                    json!({ "reason": "CSV import" }),
                    now,
                )
                .await?;
                let after = dto(saved, now);
                audit_asset(&tx, p, "asset.imported", None, &after, now).await?;
                report.created += 1;
            }
        }
    }
    if !report.errors.is_empty() && !partial {
        // Nothing is written: the transaction is dropped, so every row above rolls back.
        return Err(ApiError::Validation(
            report
                .errors
                .iter()
                .map(|e| FieldError {
                    field: format!("row {}: {}", e.row, e.column),
                    message: e.message.clone(),
                })
                .collect(),
        ));
    }
    tx.commit().await?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_in_major_units() {
        assert_eq!(parse_money("1500000.00", 100), Ok(150_000_000));
        assert_eq!(parse_money("1,500,000.5", 100), Ok(150_000_050));
        assert_eq!(parse_money("2500", 1), Ok(2500));
        assert!(parse_money("12.345", 100).is_err());
        assert!(parse_money("-5", 100).is_err());
        assert!(parse_money("2500.5", 1).is_err());
        assert_eq!(money(Some(150_000_050), 100), "1500000.50");
        assert_eq!(money(Some(2500), 1), "2500");
        assert_eq!(minor_per_major("UGX"), 1);
        assert_eq!(minor_per_major("KES"), 100);
    }

    #[test]
    fn api_fields_name_csv_columns() {
        assert_eq!(column_of("emFunction"), "em_function");
        assert_eq!(column_of("departmentId"), "department_code");
        assert_eq!(column_of("strategyJustification"), "strategy_justification");
    }

    #[test]
    fn the_template_has_every_column() {
        let t = template().unwrap();
        let header = t.lines().next().unwrap();
        assert_eq!(header.split(',').count(), COLUMNS.len());
    }
}
