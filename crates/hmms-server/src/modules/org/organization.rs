//! The organization record itself.

use hmms_domain::holds::{self, HoldReason};
use hmms_domain::validate::{self, Errors};
use hmms_store::entities::{organization, work_order};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter,
};
use uuid::Uuid;

use super::dto::*;
use super::shared::audit;
use crate::auth::principal::Principal;
use crate::error::{ApiError, ApiResult};
use crate::pagination::check_version;
use crate::state::AppState;

/// The organization's hold reasons, active and inactive.
pub async fn hold_reasons(db: &impl ConnectionTrait, org: Uuid) -> ApiResult<Vec<HoldReason>> {
    let stored = organization::Entity::find_by_id(org)
        .one(db)
        .await?
        .ok_or_else(|| ApiError::not_found("organization"))?
        .hold_reasons;
    holds::parse(&stored).map_err(|e| ApiError::Internal(anyhow::anyhow!("hold reasons: {e}")))
}

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
    let reasons = match &body.hold_reasons {
        Some(list) => {
            let list: Vec<HoldReason> = list.iter().map(Into::into).collect();
            match holds::validate_list(&list) {
                Ok(valid) => Some(valid),
                Err(e) => {
                    errors.0.extend(e.0);
                    None
                }
            }
        }
        None => None,
    };
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
    if let Some(list) = reasons {
        // Work held for a reason keeps reading it: such a reason may be deactivated, not removed.
        let before = holds::parse(&current.hold_reasons).unwrap_or_default();
        for gone in before
            .iter()
            .filter(|b| !list.iter().any(|r| r.code == b.code))
        {
            let used = work_order::Entity::find()
                .filter(work_order::Column::OrganizationId.eq(p.org()))
                .filter(work_order::Column::HoldReason.eq(gone.code.as_str()))
                .count(&*tx)
                .await?;
            if used > 0 {
                return Err(ApiError::validation(
                    "holdReasons",
                    format!(
                        "{} ({}) has held {used} work order(s): set it inactive instead of removing it",
                        gone.name, gone.code
                    ),
                ));
            }
        }
        m.hold_reasons = Set(holds::to_stored(&list));
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
