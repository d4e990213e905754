//! How occurrences follow their work orders: preventive maintenance's hooks on the work-order
//! steps (registered in `app::registry`) — a complete checklist before completion, the
//! occurrence ending on time or late, reopening, or missed with the cancellation's reason, and
//! corrective follow-up work for failed checks.

use chrono::{DateTime, Utc};
use hmms_domain::preventive::compliance::{self, InstanceStatus};
use hmms_domain::preventive::schedule::Mode;
use hmms_domain::work_orders::{Priority, WorkOrderType};
use hmms_store::entities::{pm_instance, pm_plan, work_order, work_order_checklist};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter,
};

use super::instances::{audit_instance, mark_missed, plan_and_schedule, release_target, target_of};
use crate::auth::principal::Principal;
use crate::error::{ApiError, ApiResult};
use crate::modules::notifications::{Message, holders_at_site, send};
use crate::modules::work_orders::{self, NewWorkOrder, Step, WorkOrderHooks, raise};
use crate::state::WriteTx;

async fn instance_of(
    db: &impl ConnectionTrait,
    w: &work_order::Model,
) -> ApiResult<Option<pm_instance::Model>> {
    match w.pm_instance_id {
        Some(id) => Ok(pm_instance::Entity::find_by_id(id).one(db).await?),
        None => Ok(None),
    }
}

/// Before preventive work is completed: its checklist must be complete.
async fn check_complete(db: &impl ConnectionTrait, w: &work_order::Model) -> ApiResult<()> {
    let Some(c) = work_order_checklist::Entity::find_by_id(w.id)
        .one(db)
        .await?
    else {
        return Ok(());
    };
    let ev = super::checklists::evaluate_row(db, &c).await?;
    if ev.missing.is_empty() {
        return Ok(());
    }
    Err(ApiError::validation(
        "checklist",
        format!(
            "answer every required checklist item first; still open: {}",
            ev.missing.join(", ")
        ),
    ))
}

/// When work is completed: its occurrence ends on time or late, the asset's schedule moves on,
/// and failed checklist items open a corrective work order that follows this one up.
async fn on_completed(
    tx: &WriteTx,
    p: &Principal,
    w: &work_order::Model,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    if let Some(i) = instance_of(&**tx, w).await?
        && i.status == InstanceStatus::Generated
    {
        let grace_days = ((i.window_end_at - i.due_at).num_days()) as i32;
        let status = compliance::on_completion(i.due_at, grace_days, now);
        let mut m = i.clone().into_active_model();
        m.status = Set(status);
        m.completed_at = Set(Some(now));
        m.updated_at = Set(now);
        m.version = Set(i.version + 1);
        let updated = m.update(&**tx).await?;
        release_target(tx, &updated, now, true, now).await?;
        audit_instance(tx, p, "pm_instance.completed", &updated, now).await?;
    }
    follow_up(tx, p, w, now).await
}

/// A corrective work order for the failed items of a checklist, once, if the plan asks for it.
async fn follow_up(
    tx: &WriteTx,
    p: &Principal,
    w: &work_order::Model,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let Some(c) = work_order_checklist::Entity::find_by_id(w.id)
        .one(&**tx)
        .await?
    else {
        return Ok(());
    };
    let ev = super::checklists::evaluate_row(&**tx, &c).await?;
    if ev.failed.is_empty() {
        return Ok(());
    }
    let wanted = match instance_of(&**tx, w).await? {
        Some(i) => pm_plan::Entity::find_by_id(i.plan_id)
            .one(&**tx)
            .await?
            .is_none_or(|pl| pl.corrective_on_failure),
        None => true,
    };
    let already = work_order::Entity::find()
        .filter(work_order::Column::FollowUpOf.eq(w.id))
        .one(&**tx)
        .await?
        .is_some();
    if !wanted || already {
        return Ok(());
    }
    let labels = super::checklists::failed_labels(&**tx, &c, &ev).await?;
    let sys = super::generator::system(tx, w.organization_id, now).await?;
    let sla = work_orders::sla_policy(&**tx, w.site_id, Priority::High).await?;
    let title = format!("Follow-up of {}: {}", w.code, labels.join("; "));
    let created = raise(
        tx,
        &sys,
        NewWorkOrder {
            id: None,
            site_id: w.site_id,
            title: title.chars().take(200).collect(),
            description: format!(
                "Checks that failed during {} ({}):\n{}\n\nRaised automatically when the preventive work was completed.",
                w.code,
                w.title,
                labels.iter().map(|l| format!("- {l}")).collect::<Vec<_>>().join("\n")
            ),
            wo_type: WorkOrderType::Corrective,
            priority: Priority::High,
            sla,
            asset_id: w.asset_id,
            department_id: w.department_id,
            location_id: w.location_id,
            assignment: None,
            signature_required: false,
            due: None,
            pm_instance_id: None,
            follow_up_of: Some(w.id),
        },
        now,
    )
    .await?;
    let managers = holders_at_site(&**tx, w.organization_id, "facility_manager", w.site_id).await?;
    let msg = Message {
        kind: "pm_follow_up",
        title: format!("{}: checks failed in {}", created.code, w.code),
        body: labels.join("; "),
        entity_type: "work_order",
        entity_id: created.id,
    };
    send(tx, w.organization_id, &managers, &msg, now).await?;
    let _ = p;
    Ok(())
}

/// When completed preventive work is sent back: its occurrence is open again.
async fn on_reopened(
    tx: &WriteTx,
    p: &Principal,
    w: &work_order::Model,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let Some(i) = instance_of(&**tx, w).await? else {
        return Ok(());
    };
    if !matches!(
        i.status,
        InstanceStatus::CompletedOnTime | InstanceStatus::CompletedLate
    ) {
        return Ok(());
    }
    let mut m = i.clone().into_active_model();
    m.status = Set(InstanceStatus::Generated);
    m.completed_at = Set(None);
    m.updated_at = Set(now);
    m.version = Set(i.version + 1);
    let updated = m.update(&**tx).await?;
    if let Some(t) = target_of(&**tx, &updated).await? {
        let (_, schedule) = plan_and_schedule(&**tx, i.plan_id).await?;
        let mut tm = t.into_active_model();
        if schedule.mode == Mode::Floating || updated.trigger == "meter" {
            tm.open_instance_id = Set(Some(updated.id));
        }
        if schedule.mode == Mode::Floating {
            tm.next_due_at = Set(None);
            tm.generate_at = Set(None);
        }
        tm.updated_at = Set(now);
        tm.update(&**tx).await?;
    }
    audit_instance(tx, p, "pm_instance.reopened", &updated, now).await
}

/// When preventive work is cancelled by a person: its occurrence is missed, for that reason.
async fn on_cancelled(
    tx: &WriteTx,
    p: &Principal,
    w: &work_order::Model,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let Some(i) = instance_of(&**tx, w).await? else {
        return Ok(());
    };
    if i.status != InstanceStatus::Generated {
        return Ok(());
    }
    let why = match reason {
        Some(r) => format!("Work order cancelled: {r}"),
        None => "Work order cancelled.".to_string(),
    };
    mark_missed(tx, p, i, &why, now).await
}

/// Preventive maintenance's reactions to work orders (registered in `app::registry`).
pub struct PreventiveHooks;

#[async_trait::async_trait]
impl WorkOrderHooks for PreventiveHooks {
    /// Preventive work: every required checklist item must be answered.
    async fn before_complete(&self, tx: &WriteTx, w: &work_order::Model) -> ApiResult<()> {
        check_complete(&**tx, w).await
    }

    async fn on_completed(
        &self,
        step: &Step<'_>,
        w: &work_order::Model,
        _resolution: &str,
    ) -> ApiResult<()> {
        on_completed(step.tx, step.by, w, step.now).await
    }

    async fn on_cancelled(
        &self,
        step: &Step<'_>,
        w: &work_order::Model,
        reason: Option<&str>,
    ) -> ApiResult<()> {
        on_cancelled(step.tx, step.by, w, reason, step.now).await
    }

    async fn on_reopened(&self, step: &Step<'_>, w: &work_order::Model) -> ApiResult<()> {
        on_reopened(step.tx, step.by, w, step.now).await
    }
}
