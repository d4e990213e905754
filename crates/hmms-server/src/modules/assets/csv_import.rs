//! Importing assets from CSV: every row checked, all or nothing (or the valid rows), errors by
//! row and column, idempotent by tag. The columns and the export are in [`super::csv_io`].

use std::collections::HashMap;

use chrono::NaiveDate;
use hmms_domain::validate::Errors;
use hmms_store::entities::asset;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter};
use serde_json::json;

use super::csv_io::{COLUMNS, Codes, codes};
use super::dto::*;
use super::input::{blank, check, merge};
use super::service::{audit_asset, dto, history};
use crate::auth::principal::Principal;
use crate::error::ApiResult;
use crate::spreadsheet::currency_factor;
use crate::spreadsheet::{ImportReport, Row, Sheet, parse_money};
use crate::state::AppState;

/// One row turned into the fields of an asset; problems go to `errors` by column.
fn row_input(
    row: &Row<'_>,
    c: &Codes,
    factor: i64,
    errors: &mut Vec<(String, String)>,
) -> (AssetInput, Option<String>) {
    let cell = |k: &str| row.cell(k);
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
    let sheet = Sheet::read(body, COLUMNS, &["tag"], "/assets/import-template.csv")?;
    let now = state.clock.now();
    let factor = currency_factor(&state.db, p.org()).await?;
    let c = codes(&state.db, p.org()).await?;
    let tx = state.begin_write().await?;
    let mut report = ImportReport::default();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (row_no, row) in sheet.rows() {
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
            report.skip(row_no, problems);
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
    // Unless partial, any problem is a 422 and the dropped transaction rolls every row back.
    let report = report.finish(partial)?;
    tx.commit().await?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_fields_name_csv_columns() {
        assert_eq!(column_of("emFunction"), "em_function");
        assert_eq!(column_of("departmentId"), "department_code");
        assert_eq!(column_of("strategyJustification"), "strategy_justification");
    }
}
