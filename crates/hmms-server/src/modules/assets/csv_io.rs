//! The registry as a hospital's inventory spreadsheet: the columns (places by code, money in the
//! currency's major unit, one asset per row), the template and the export. Importing is in
//! [`super::csv_import`].

use std::collections::HashMap;

use chrono::NaiveDate;
use hmms_store::entities::{asset, department, equipment_class, location, site};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::dto::*;
use super::service;
use crate::auth::principal::Principal;
use crate::error::ApiResult;
use crate::spreadsheet::{CsvOut, currency_factor, money};
use crate::state::AppState;

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

/// Codes of the organization's places and classes, both ways.
pub(super) struct Codes {
    pub(super) sites: HashMap<String, Uuid>,
    site_codes: HashMap<Uuid, String>,
    pub(super) departments: HashMap<(Uuid, String), Uuid>,
    department_codes: HashMap<Uuid, String>,
    pub(super) locations: HashMap<(Uuid, String), Uuid>,
    location_codes: HashMap<Uuid, String>,
    pub(super) classes: HashMap<String, Uuid>,
    class_codes: HashMap<Uuid, String>,
}

pub(super) async fn codes(db: &impl ConnectionTrait, org: Uuid) -> ApiResult<Codes> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_has_every_column() {
        let t = template().unwrap();
        let header = t.lines().next().unwrap();
        assert_eq!(header.split(',').count(), COLUMNS.len());
    }
}
