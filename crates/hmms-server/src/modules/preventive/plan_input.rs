//! Checking a plan's fields: its schedule in the site's zone, lead and grace days, parts, and
//! the people, company, template and equipment it names.

use chrono::NaiveDateTime;
use hmms_domain::preventive::schedule::{Calendar, Recurrence};
use hmms_domain::validate::Errors;
use hmms_store::entities::{user, vendor_company};
use sea_orm::{ConnectionTrait, EntityTrait};
use uuid::Uuid;

use super::dto::*;
use super::plans::sees_site;
use crate::auth::principal::Principal;
use crate::error::{ApiError, ApiResult};

/// Checked plan fields, from a create or an update merged onto the current plan.
pub(super) struct Checked {
    pub(super) recurrence: Option<Recurrence>,
    pub(super) start_local: Option<NaiveDateTime>,
    pub(super) meter_name: Option<String>,
    pub(super) meter_every: Option<i64>,
}

pub(super) fn recurrence_of(errors: &mut Errors, r: &RecurrenceDto) -> Option<Recurrence> {
    match (r.frequency, r.interval, r.rule.as_deref().map(str::trim)) {
        (Some(f), i, None) => Some(Recurrence::Simple {
            frequency: f.into(),
            interval: i.unwrap_or(1),
        }),
        (None, None, Some(rule)) if !rule.is_empty() => Some(Recurrence::Rule {
            rule: rule.trim_start_matches("RRULE:").to_uppercase(),
        }),
        _ => {
            errors.add(
                "recurrence",
                "give a frequency (and interval), or a rule — not both",
            );
            None
        }
    }
}

/// Checks the schedule as a whole: a calendar needs a start and a valid rule in the site's
/// zone; a meter needs a name and a positive interval; at least one of the two.
pub(super) fn check_schedule(errors: &mut Errors, c: &Checked, zone: &str) {
    match (&c.recurrence, c.start_local) {
        (Some(r), Some(start)) => {
            if let Err(e) = Calendar::of(r, start, zone) {
                errors.add("recurrence", e.to_string());
            }
        }
        (Some(_), None) => errors.add("startLocal", "say when the first occurrence is"),
        (None, Some(_)) => errors.add("recurrence", "say how often it recurs"),
        (None, None) => {}
    }
    match (&c.meter_name, c.meter_every) {
        (Some(n), Some(e)) => {
            if n.trim().is_empty() || n.chars().count() > 80 {
                errors.add(
                    "meterName",
                    "name the asset's meter (at most 80 characters)",
                );
            }
            if e < 1 {
                errors.add("meterEvery", "must be at least 1");
            }
        }
        (Some(_), None) => errors.add("meterEvery", "say every how many units"),
        (None, Some(_)) => errors.add("meterName", "name the asset's meter"),
        (None, None) => {
            if c.recurrence.is_none() {
                errors.add(
                    "recurrence",
                    "give a calendar schedule, a meter interval, or both",
                );
            }
        }
    }
}

pub(super) fn days(errors: &mut Errors, field: &str, v: Option<i32>, default: i32) -> i32 {
    let v = v.unwrap_or(default);
    if !(0..=365).contains(&v) {
        errors.add(field, "must be between 0 and 365 days");
    }
    v
}

pub(super) fn text(
    errors: &mut Errors,
    field: &str,
    v: Option<&str>,
    max: usize,
) -> Option<String> {
    let v = v?.trim();
    if v.chars().count() > max {
        errors.add(field, format!("must be at most {max} characters"));
        return None;
    }
    (!v.is_empty()).then(|| v.to_string())
}

pub(super) fn parts(errors: &mut Errors, v: &Option<Vec<RequiredPart>>) -> String {
    let list = v.clone().unwrap_or_default();
    if list.len() > 50 {
        errors.add("requiredParts", "at most 50 parts");
    }
    for (i, p) in list.iter().enumerate() {
        if p.description.trim().is_empty() || p.description.chars().count() > 200 {
            errors.add(
                &format!("requiredParts[{i}].description"),
                "describe the part (at most 200 characters)",
            );
        }
        if p.quantity < 1 || p.quantity > 100_000 {
            errors.add(
                &format!("requiredParts[{i}].quantity"),
                "must be between 1 and 100000",
            );
        }
    }
    serde_json::to_string(&list).unwrap_or_else(|_| "[]".into())
}

/// Checks that the people, company, template and equipment a plan names exist in the caller's
/// organization (422 naming the field otherwise).
pub(super) async fn check_references(
    db: &impl ConnectionTrait,
    p: &Principal,
    site_id: Uuid,
    assignee: Option<Uuid>,
    company: Option<Uuid>,
    template: Option<Uuid>,
) -> ApiResult<()> {
    if let Some(a) = assignee {
        // Someone the planner cannot see answers as if they did not exist (vendors' people
        // serve every site).
        let ok = user::Entity::find_by_id(a).one(db).await?.is_some_and(|u| {
            u.organization_id == p.org()
                && u.status == hmms_domain::users::UserStatus::Active
                && (u.vendor_company_id.is_some()
                    || p.sees(&crate::modules::users::record_scope(&u)))
        });
        if !ok {
            return Err(ApiError::validation("assigneeId", "no such active user"));
        }
    }
    if let Some(c) = company {
        let ok = vendor_company::Entity::find_by_id(c)
            .one(db)
            .await?
            .is_some_and(|v| v.organization_id == p.org());
        if !ok {
            return Err(ApiError::validation(
                "vendorCompanyId",
                "no such vendor company",
            ));
        }
    }
    if let Some(t) = template
        && super::templates::find(db, p, t).await.is_err()
    {
        return Err(ApiError::validation(
            "checklistTemplateId",
            "no such checklist template",
        ));
    }
    if !sees_site(p, site_id) {
        return Err(ApiError::Forbidden(
            "You may plan maintenance at your own site only.".into(),
        ));
    }
    Ok(())
}
