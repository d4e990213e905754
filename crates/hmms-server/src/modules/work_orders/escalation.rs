//! Escalation chains per site: who is told when work breaches its SLA, and how long after.

use hmms_domain::work_orders::{EscalationStep, default_chain, validate_chain};
use hmms_store::entities::{escalation_step, role};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::audit::{self, Change};
use crate::auth::principal::Principal;
use crate::error::{ApiError, ApiResult};
use crate::modules::org::require_site_write;
use crate::state::AppState;

/// One step of an escalation chain.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EscalationStepDto {
    /// 1, 2, 3… in order.
    #[schema(minimum = 1, maximum = 10)]
    pub level: i32,
    /// `assignee`, `department_head` (of the work order's department), or a role key such as
    /// `facility_manager` or `admin` (its holders at the site).
    #[schema(example = "facility_manager")]
    pub notify: String,
    /// Minutes after the breach at which this level is told.
    #[schema(minimum = 0)]
    pub delay_minutes: i64,
}

/// The chain of a site (the shipped default where the site has none).
pub async fn chain(db: &impl ConnectionTrait, site: Uuid) -> ApiResult<Vec<EscalationStep>> {
    let rows = escalation_step::Entity::find()
        .filter(escalation_step::Column::SiteId.eq(site))
        .order_by_asc(escalation_step::Column::Level)
        .all(db)
        .await?;
    if rows.is_empty() {
        return Ok(default_chain());
    }
    Ok(rows
        .into_iter()
        .map(|r| EscalationStep {
            level: r.level,
            notify: r.notify,
            delay_minutes: r.delay_minutes as i64,
        })
        .collect())
}

fn dtos(chain: Vec<EscalationStep>) -> Vec<EscalationStepDto> {
    chain
        .into_iter()
        .map(|s| EscalationStepDto {
            level: s.level,
            notify: s.notify,
            delay_minutes: s.delay_minutes,
        })
        .collect()
}

pub async fn get(state: &AppState, p: &Principal, site: Uuid) -> ApiResult<Vec<EscalationStepDto>> {
    p.require("org.read")?;
    crate::modules::org::find_site(&state.db, p, site).await?;
    Ok(dtos(chain(&state.db, site).await?))
}

/// Replaces the chain of a site.
pub async fn put(
    state: &AppState,
    p: &Principal,
    site: Uuid,
    body: Vec<EscalationStepDto>,
) -> ApiResult<Vec<EscalationStepDto>> {
    require_site_write(p, "sla.manage", site)?;
    let steps: Vec<EscalationStep> = body
        .iter()
        .map(|s| EscalationStep {
            level: s.level,
            notify: s.notify.clone(),
            delay_minutes: s.delay_minutes,
        })
        .collect();
    let tx = state.begin_write().await?;
    crate::modules::org::find_site(&*tx, p, site).await?;
    let roles: Vec<String> = role::Entity::find()
        .filter(role::Column::OrganizationId.eq(p.org()))
        .all(&*tx)
        .await?
        .into_iter()
        .map(|r| r.key)
        .collect();
    validate_chain(&steps, |k| roles.iter().any(|r| r == k))
        .map_err(|m| ApiError::validation("", m))?;
    let before = dtos(chain(&*tx, site).await?);
    escalation_step::Entity::delete_many()
        .filter(escalation_step::Column::SiteId.eq(site))
        .exec(&*tx)
        .await?;
    escalation_step::Entity::insert_many(steps.iter().map(|s| escalation_step::ActiveModel {
        site_id: Set(site),
        level: Set(s.level),
        organization_id: Set(p.org()),
        notify: Set(s.notify.clone()),
        delay_minutes: Set(s.delay_minutes as i32),
    }))
    .exec_without_returning(&*tx)
    .await?;
    let after = dtos(steps);
    let change = Change {
        action: "escalation_chain.updated",
        entity_type: "site",
        entity_id: Some(site.to_string()),
        before: Some(serde_json::to_value(&before)?),
        after: Some(serde_json::to_value(&after)?),
    };
    audit::record(&tx, state.clock.now(), &p.who(), change).await?;
    tx.commit().await?;
    Ok(after)
}
