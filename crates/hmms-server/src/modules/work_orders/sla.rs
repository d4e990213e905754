//! SLA policies per site and priority; the shipped defaults apply where a site has none.

use hmms_domain::work_orders::{Priority, SlaTimes, default_sla, validate_sla};
use hmms_store::entities::sla_policy;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::dto::SlaPolicyDto;
use crate::audit::{self, Change};
use crate::auth::principal::Principal;
use crate::error::ApiResult;
use crate::modules::org::require_site_write;
use crate::state::AppState;

/// The times that apply to new work of `priority` at `site`.
pub async fn policy(
    db: &impl ConnectionTrait,
    site: Uuid,
    priority: Priority,
) -> ApiResult<SlaTimes> {
    Ok(
        sla_policy::Entity::find_by_id((site, priority.key().to_string()))
            .one(db)
            .await?
            .map(|p| SlaTimes {
                response_minutes: p.response_minutes as i64,
                resolution_minutes: p.resolution_minutes as i64,
            })
            .unwrap_or_else(|| default_sla(priority)),
    )
}

async fn all(db: &impl ConnectionTrait, site: Uuid) -> ApiResult<Vec<SlaPolicyDto>> {
    let mut out = vec![];
    for pr in Priority::ALL.iter().rev() {
        let t = policy(db, site, *pr).await?;
        out.push(SlaPolicyDto {
            priority: (*pr).into(),
            response_minutes: t.response_minutes,
            resolution_minutes: t.resolution_minutes,
        });
    }
    Ok(out)
}

pub async fn list(state: &AppState, p: &Principal, site: Uuid) -> ApiResult<Vec<SlaPolicyDto>> {
    p.require("org.read")?;
    crate::modules::org::find_site(&state.db, p, site).await?;
    all(&state.db, site).await
}

/// Replaces the times of the priorities given; the others keep theirs. Applies to work raised
/// (or re-prioritized) from now on.
pub async fn put(
    state: &AppState,
    p: &Principal,
    site: Uuid,
    body: Vec<SlaPolicyDto>,
) -> ApiResult<Vec<SlaPolicyDto>> {
    require_site_write(p, "sla.manage", site)?;
    let mut errors = hmms_domain::validate::Errors::default();
    let mut seen = vec![];
    for (i, item) in body.iter().enumerate() {
        let pr = Priority::from(item.priority);
        if seen.contains(&pr) {
            errors.add(&format!("[{i}].priority"), "appears twice");
        }
        seen.push(pr);
        let times = SlaTimes {
            response_minutes: item.response_minutes,
            resolution_minutes: item.resolution_minutes,
        };
        if let Err(m) = validate_sla(times) {
            errors.add(&format!("[{i}]"), m);
        }
    }
    if body.is_empty() {
        errors.add("", "give at least one priority's times");
    }
    errors.into_result()?;
    let tx = state.begin_write().await?;
    crate::modules::org::find_site(&*tx, p, site).await?;
    let before = all(&*tx, site).await?;
    let now = state.clock.now();
    for item in &body {
        let pr = Priority::from(item.priority);
        sla_policy::Entity::delete_many()
            .filter(sla_policy::Column::SiteId.eq(site))
            .filter(sla_policy::Column::Priority.eq(pr.key()))
            .exec(&*tx)
            .await?;
        sla_policy::Entity::insert(sla_policy::ActiveModel {
            site_id: Set(site),
            priority: Set(pr.key().into()),
            organization_id: Set(p.org()),
            response_minutes: Set(item.response_minutes as i32),
            resolution_minutes: Set(item.resolution_minutes as i32),
            updated_at: Set(now),
        })
        .exec_without_returning(&*tx)
        .await?;
    }
    let after = all(&*tx, site).await?;
    let change = Change {
        action: "sla_policy.updated",
        entity_type: "site",
        entity_id: Some(site.to_string()),
        before: Some(serde_json::to_value(&before)?),
        after: Some(serde_json::to_value(&after)?),
    };
    audit::record(&tx, now, &p.who(), change).await?;
    tx.commit().await?;
    Ok(after)
}
