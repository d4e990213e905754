//! Occurrences superseded by a later one before their work started: missed, with the reason.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use hmms_domain::preventive::compliance::{self, InstanceStatus};
use hmms_domain::work_orders::Status;
use hmms_store::entities::{pm_instance, work_order};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::{CHUNK, SelectKey, system};
use crate::error::ApiResult;
use crate::state::AppState;

/// Marks open occurrences missed when a later occurrence of the same plan and asset has fallen
/// due and their work has not started; their work orders are cancelled with the reason.
/// Work in progress is left to finish (it will count as late).
pub(super) async fn supersede(state: &AppState, org: Uuid, now: DateTime<Utc>) -> ApiResult<i64> {
    let open = pm_instance::Entity::find()
        .filter(pm_instance::Column::OrganizationId.eq(org))
        .filter(pm_instance::Column::Status.eq(InstanceStatus::Generated.key()))
        .filter(pm_instance::Column::DueAt.lte(now))
        .all(&state.db)
        .await?;
    if open.is_empty() {
        return Ok(0);
    }
    // The latest due occurrence per plan and asset, whatever its status.
    let mut latest: HashMap<(Uuid, Uuid), DateTime<Utc>> = HashMap::new();
    let plans: Vec<Uuid> = {
        let mut v: Vec<Uuid> = open.iter().map(|i| i.plan_id).collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    for ids in plans.chunks(500) {
        let rows: Vec<(Uuid, Uuid, DateTime<Utc>)> = pm_instance::Entity::find()
            .select_only_tuple()
            .filter(pm_instance::Column::PlanId.is_in(ids.to_vec()))
            .filter(pm_instance::Column::DueAt.lte(now))
            .into_tuple()
            .all(&state.db)
            .await?;
        for (plan, asset, due) in rows {
            let e = latest.entry((plan, asset)).or_insert(due);
            if due > *e {
                *e = due;
            }
        }
    }
    let candidates: Vec<pm_instance::Model> = open
        .into_iter()
        .filter(|i| {
            latest
                .get(&(i.plan_id, i.asset_id))
                .is_some_and(|l| *l > i.due_at)
        })
        .collect();
    let mut missed = 0;
    for chunk in candidates.chunks(CHUNK) {
        let tx = state.begin_write().await?;
        let sys = system(&tx, org, now).await?;
        for i in chunk {
            let Some(current) = pm_instance::Entity::find_by_id(i.id).one(&*tx).await? else {
                continue;
            };
            if current.status != InstanceStatus::Generated {
                continue;
            }
            let w = match current.work_order_id {
                Some(id) => work_order::Entity::find_by_id(id).one(&*tx).await?,
                None => None,
            };
            let started = w.as_ref().is_some_and(|w| {
                !matches!(
                    w.status,
                    Status::Pending | Status::Assigned | Status::Cancelled
                )
            });
            if !compliance::superseded(started) {
                continue;
            }
            let reason = "Not started before the next occurrence fell due.";
            if let Some(w) = w
                && w.status != Status::Cancelled
            {
                // Missed first: the cancellation's hook then finds nothing left to miss.
                crate::modules::preventive::instances::mark_missed(&tx, &sys, current, reason, now)
                    .await?;
                crate::modules::preventive::instances::cancel_work(&tx, &sys, w, reason, now)
                    .await?;
            } else {
                crate::modules::preventive::instances::mark_missed(&tx, &sys, current, reason, now)
                    .await?;
            }
            missed += 1;
        }
        tx.commit().await?;
    }
    Ok(missed)
}
