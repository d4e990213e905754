//! The organization record itself.

use hmms_domain::validate::{self, Errors};
use hmms_store::entities::organization;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, IntoActiveModel};

use super::dto::*;
use super::shared::audit;
use crate::auth::principal::Principal;
use crate::error::{ApiError, ApiResult};
use crate::pagination::check_version;
use crate::state::AppState;

pub async fn get(state: &AppState, p: &Principal) -> ApiResult<OrganizationDto> {
    organization::Entity::find_by_id(p.org())
        .one(&state.db)
        .await?
        .map(Into::into)
        .ok_or_else(|| ApiError::not_found("organization"))
}

pub async fn update(
    state: &AppState,
    p: &Principal,
    body: UpdateOrganization,
    if_match: Option<i32>,
) -> ApiResult<OrganizationDto> {
    p.require("organization.manage")?;
    let mut errors = Errors::default();
    let name = body
        .name
        .as_deref()
        .and_then(|n| errors.check("name", validate::name(n, 160)));
    let currency = body
        .currency
        .as_deref()
        .and_then(|c| errors.check("currency", validate::currency(c)));
    if body
        .labour_rate_minor
        .is_some_and(|r| !(0..=1_000_000_000).contains(&r))
    {
        errors.add("labourRateMinor", "must be between 0 and 1,000,000,000");
    }
    if body
        .repair_replace_percent
        .is_some_and(|r| !(1..=100).contains(&r))
    {
        errors.add("repairReplacePercent", "must be from 1 to 100");
    }
    errors.into_result()?;
    let tx = state.begin_write().await?;
    let current = organization::Entity::find_by_id(p.org())
        .one(&*tx)
        .await?
        .ok_or_else(|| ApiError::not_found("organization"))?;
    check_version(if_match.or(body.version), current.version)?;
    let now = state.clock.now();
    let mut m = current.clone().into_active_model();
    if let Some(n) = name {
        m.name = Set(n);
    }
    if let Some(c) = currency {
        m.currency = Set(c);
    }
    if let Some(r) = body.labour_rate_minor {
        m.labour_rate_minor = Set(r);
    }
    if let Some(r) = body.repair_replace_percent {
        m.repair_replace_percent = Set(r);
    }
    m.updated_at = Set(now);
    m.version = Set(current.version + 1);
    let after: OrganizationDto = m.update(&*tx).await?.into();
    let before: OrganizationDto = current.into();
    audit(
        &tx,
        now,
        p,
        "organization.updated",
        after.id,
        Some(&before),
        Some(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}
