//! An asset as a client sends it: fields merged onto the record, the whole record checked as it
//! would be stored (place, class, money, dates, strategy), tags unique, defaults for a new one.

use chrono::{DateTime, Utc};
use hmms_domain::assets::{DepreciationMethod, EmScores};
use hmms_domain::validate::{self, Errors};
use hmms_store::entities::{asset, department, equipment_class, location, vendor_company};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;

use super::dto::*;
use crate::auth::principal::Principal;
use crate::error::ApiResult;

/// A text field: trimmed, blank is none, at most `max` characters.
pub(super) fn text(
    errors: &mut Errors,
    field: &str,
    v: Option<String>,
    max: usize,
) -> Option<String> {
    let v = v?.trim().to_string();
    if v.is_empty() {
        return None;
    }
    if v.chars().count() > max {
        errors.add(field, format!("must be at most {max} characters"));
        return None;
    }
    Some(v)
}

/// Applies the fields of `input` to `m`.
pub(super) fn merge(m: &mut asset::Model, input: AssetInput, errors: &mut Errors) {
    if let Some(t) = input.tag
        && let Some(t) = errors.check("tag", validate::code(&t))
    {
        m.tag = t;
    }
    if let Some(n) = input.name
        && let Some(n) = errors.check("name", validate::name(&n, 200))
    {
        m.name = n;
    }
    macro_rules! set {
        ($($f:ident),*) => { $(if let Some(v) = input.$f { m.$f = v; })* };
    }
    set!(
        class_id,
        department_id,
        location_id,
        parent_id,
        installed_on,
        commissioned_on,
        warranty_end,
        purchase_date,
        purchase_cost_minor,
        replacement_cost_minor,
        expected_life_years,
        salvage_value_minor,
        service_vendor_id,
        service_contract_end,
        em_function,
        em_physical_risk,
        em_maintenance,
        em_incident_history
    );
    macro_rules! set_text {
        ($($f:ident: $field:literal / $max:literal),*) => {
            $(if let Some(v) = input.$f { m.$f = text(errors, $field, v, $max); })*
        };
    }
    set_text!(
        make: "make" / 120,
        model: "model" / 120,
        serial_number: "serialNumber" / 120,
        supplier: "supplier" / 200,
        strategy_justification: "strategyJustification" / 4000,
        notes: "notes" / 4000
    );
    if let Some(s) = input.site_id {
        m.site_id = s;
    }
    if let Some(v) = input.depreciation_method {
        m.depreciation_method = v.into();
    }
    if let Some(v) = input.life_support {
        m.life_support = v;
    }
    if let Some(v) = input.risk_class {
        m.risk_class = v.into();
    }
    if let Some(v) = input.maintenance_strategy {
        m.maintenance_strategy = v.into();
    }
    if let Some(v) = input.custom_fields {
        m.custom_values = serde_json::Value::Object(v).to_string();
    }
}

/// Checks the whole record as it would be stored, and fills in the site from its department
/// or location. Lookups are within the caller's organization.
pub(super) async fn check(
    db: &impl ConnectionTrait,
    p: &Principal,
    m: &mut asset::Model,
    errors: &mut Errors,
) -> ApiResult<()> {
    let org = p.org();
    if let Some(d) = m.department_id {
        match department::Entity::find_by_id(d)
            .one(db)
            .await?
            .filter(|d| d.organization_id == org)
        {
            Some(d) => m.site_id = d.site_id,
            None => errors.add("departmentId", "no such department"),
        }
    }
    if let Some(l) = m.location_id {
        match location::Entity::find_by_id(l)
            .one(db)
            .await?
            .filter(|l| l.organization_id == org)
        {
            Some(l) if m.department_id.is_none() || l.site_id == m.site_id => m.site_id = l.site_id,
            Some(_) => errors.add("locationId", "is at another site than the department"),
            None => errors.add("locationId", "no such location"),
        }
    }
    if crate::modules::org::find_site(db, p, m.site_id)
        .await
        .is_err()
    {
        errors.add("siteId", "no such site");
    } else if !p.may_place(m.site_id, m.department_id) {
        let field = if m.department_id.is_some() {
            "departmentId"
        } else {
            "siteId"
        };
        errors.add(field, "is outside the places you manage");
    }
    let class = match m.class_id {
        Some(c) => {
            let found = equipment_class::Entity::find_by_id(c)
                .one(db)
                .await?
                .filter(|c| c.organization_id == org);
            if found.is_none() {
                errors.add("classId", "no such equipment class");
            }
            found
        }
        None => None,
    };
    let defs: Vec<super::custom_fields::CustomFieldDef> = class
        .map(|c| serde_json::from_str(&c.custom_fields).unwrap_or_default())
        .unwrap_or_default();
    let values: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&m.custom_values).unwrap_or_default();
    for (f, msg) in super::custom_fields::check_values(&defs, &values) {
        errors.add(&f, msg);
    }
    if let Some(v) = m.service_vendor_id
        && vendor_company::Entity::find_by_id(v)
            .one(db)
            .await?
            .filter(|c| c.organization_id == org)
            .is_none()
    {
        errors.add("serviceVendorId", "no such vendor company");
    }
    // The parent must be equipment the caller can see: naming one is no way to read it.
    if let Some(parent) = m.parent_id
        && super::service::find_visible(db, p, parent).await.is_err()
    {
        errors.add("parentId", "no such asset");
    } else if let Some(parent) = m.parent_id {
        // A component sits under a real asset, never under itself or its own components.
        let mut seen = vec![m.id];
        let mut next = Some(parent);
        while let Some(id) = next {
            if seen.contains(&id) {
                errors.add("parentId", "would make the asset a component of itself");
                break;
            }
            seen.push(id);
            match asset::Entity::find_by_id(id)
                .one(db)
                .await?
                .filter(|a| a.organization_id == org)
            {
                Some(a) => next = a.parent_id,
                None => {
                    errors.add("parentId", "no such asset");
                    break;
                }
            }
        }
    }
    for (field, v) in [
        ("purchaseCostMinor", m.purchase_cost_minor),
        ("replacementCostMinor", m.replacement_cost_minor),
        ("salvageValueMinor", m.salvage_value_minor),
    ] {
        if let Some(Err(e)) = v.map(hmms_domain::money::amount) {
            errors.add(field, e);
        }
    }
    if let (Some(s), Some(c)) = (m.salvage_value_minor, m.purchase_cost_minor)
        && s > c
    {
        errors.add("salvageValueMinor", "cannot exceed the purchase cost");
    }
    if m.expected_life_years
        .is_some_and(|y| !(1..=50).contains(&y))
    {
        errors.add("expectedLifeYears", "must be from 1 to 50 years");
    }
    let scores = [
        m.em_function,
        m.em_physical_risk,
        m.em_maintenance,
        m.em_incident_history,
    ];
    if scores.iter().any(|s| s.is_some()) {
        if scores.iter().any(|s| s.is_none()) {
            errors.add(
                "emFunction",
                "score all four parts of the EM number, or none",
            );
        } else {
            let s = EmScores {
                function: scores[0].unwrap_or(0).clamp(0, 255) as u8,
                physical_risk: scores[1].unwrap_or(0).clamp(0, 255) as u8,
                maintenance: scores[2].unwrap_or(0).clamp(0, 255) as u8,
                incident_history: scores[3].unwrap_or(0).clamp(0, 255) as u8,
            };
            for (field, msg) in s.check() {
                errors.add(field, msg);
            }
        }
    }
    if m.maintenance_strategy
        == hmms_domain::assets::MaintenanceStrategy::AlternativeEquipmentMaintenance
        && m.strategy_justification.is_none()
    {
        errors.add(
            "strategyJustification",
            "an alternative maintenance strategy needs a written justification",
        );
    }
    if m.maintenance_strategy == hmms_domain::assets::MaintenanceStrategy::RunToFail
        && m.life_support
    {
        errors.add(
            "maintenanceStrategy",
            "life-support equipment cannot be run to failure",
        );
    }
    if let (Some(i), Some(c)) = (m.installed_on, m.commissioned_on)
        && c < i
    {
        errors.add("commissionedOn", "cannot be before the installation");
    }
    Ok(())
}

pub(super) async fn tag_taken(
    db: &impl ConnectionTrait,
    org: Uuid,
    tag: &str,
    except: Uuid,
) -> ApiResult<bool> {
    Ok(asset::Entity::find()
        .filter(asset::Column::OrganizationId.eq(org))
        .filter(asset::Column::Tag.eq(tag))
        .filter(asset::Column::Id.ne(except))
        .count(db)
        .await?
        > 0)
}

/// A new asset with every default, before the client's fields are merged in.
pub(super) fn blank(
    p: &Principal,
    now: DateTime<Utc>,
    status: AssetStatusDto,
    life_support: bool,
) -> asset::Model {
    asset::Model {
        id: Uuid::now_v7(),
        organization_id: p.org(),
        site_id: p.user.site_id.unwrap_or(Uuid::nil()),
        department_id: None,
        location_id: None,
        parent_id: None,
        class_id: None,
        tag: String::new(),
        name: String::new(),
        make: None,
        model: None,
        serial_number: None,
        status: status.into(),
        installed_on: None,
        commissioned_on: None,
        warranty_end: None,
        purchase_date: None,
        purchase_cost_minor: None,
        replacement_cost_minor: None,
        expected_life_years: None,
        salvage_value_minor: None,
        depreciation_method: DepreciationMethod::StraightLine,
        supplier: None,
        service_vendor_id: None,
        service_contract_end: None,
        life_support,
        risk_class: if life_support {
            hmms_domain::assets::RiskClass::High
        } else {
            hmms_domain::assets::RiskClass::Medium
        },
        em_function: None,
        em_physical_risk: None,
        em_maintenance: None,
        em_incident_history: None,
        maintenance_strategy: hmms_domain::assets::MaintenanceStrategy::Manufacturer,
        strategy_justification: None,
        notes: None,
        custom_values: "{}".into(),
        created_at: now,
        updated_at: now,
        version: 1,
    }
}
