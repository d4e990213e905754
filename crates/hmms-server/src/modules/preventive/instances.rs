//! Occurrences after they are generated: how they end when their work order is completed,
//! sent back or cancelled, marked missed, listed, and told about when overdue.

use chrono::{DateTime, Utc};
use hmms_domain::preventive::compliance::{self, InstanceStatus};
use hmms_domain::preventive::schedule::Mode;
use hmms_domain::work_orders::{Priority, Status, WorkOrderType};
use hmms_store::entities::{
    asset, asset_meter, department, meter_reading, pm_instance, pm_plan, pm_target, work_order,
    work_order_checklist,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::json;
use uuid::Uuid;

use super::dto::*;
use super::targets::{self, Schedule, generate_at};
use crate::audit::{self, Change};
use crate::auth::principal::Principal;
use crate::error::{ApiError, ApiResult};
use crate::modules::notifications::{Message, holders_at_site, send};
use crate::modules::work_orders::{
    self, Assignment, Move, NewWorkOrder, Step, WorkOrderHooks, raise, status_of, transition,
    workers,
};
use crate::pagination::{self, Cursor, check_version};
use crate::state::{AppState, WriteTx};

pub fn status_dto(s: InstanceStatus) -> InstanceStatusDto {
    match s {
        InstanceStatus::Generated => InstanceStatusDto::Generated,
        InstanceStatus::CompletedOnTime => InstanceStatusDto::CompletedOnTime,
        InstanceStatus::CompletedLate => InstanceStatusDto::CompletedLate,
        InstanceStatus::Missed => InstanceStatusDto::Missed,
    }
}

async fn audit_instance(
    tx: &WriteTx,
    p: &Principal,
    action: &str,
    i: &pm_instance::Model,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    audit::record(
        tx,
        now,
        &p.who(),
        Change {
            action,
            entity_type: "pm_instance",
            entity_id: Some(i.id.to_string()),
            before: None,
            after: Some(json!({
                "planId": i.plan_id, "assetId": i.asset_id, "dueAt": i.due_at,
                "status": i.status, "completedAt": i.completed_at, "missReason": i.miss_reason,
                "workOrderId": i.work_order_id,
            })),
        },
    )
    .await
}

async fn plan_and_schedule(
    db: &impl ConnectionTrait,
    plan_id: Uuid,
) -> ApiResult<(pm_plan::Model, Schedule)> {
    let plan = pm_plan::Entity::find_by_id(plan_id)
        .one(db)
        .await?
        .ok_or_else(|| ApiError::not_found("plan"))?;
    let zone = targets::zone_of(db, plan.site_id).await?;
    let schedule = Schedule::of(&plan, &zone)?;
    Ok((plan, schedule))
}

async fn target_of(
    db: &impl ConnectionTrait,
    i: &pm_instance::Model,
) -> ApiResult<Option<pm_target::Model>> {
    Ok(pm_target::Entity::find()
        .filter(pm_target::Column::PlanId.eq(i.plan_id))
        .filter(pm_target::Column::AssetId.eq(i.asset_id))
        .one(db)
        .await?)
}

/// The latest reading of the plan's meter on the asset.
async fn meter_now(
    db: &impl ConnectionTrait,
    asset_id: Uuid,
    name: &str,
) -> ApiResult<Option<i64>> {
    let meters = asset_meter::Entity::find()
        .filter(asset_meter::Column::AssetId.eq(asset_id))
        .all(db)
        .await?;
    let Some(m) = meters
        .iter()
        .find(|m| m.name.eq_ignore_ascii_case(name.trim()))
    else {
        return Ok(None);
    };
    Ok(meter_reading::Entity::find()
        .filter(meter_reading::Column::MeterId.eq(m.id))
        .order_by_desc(meter_reading::Column::ReadAt)
        .one(db)
        .await?
        .map(|r| r.value))
}

/// Frees the asset's schedule of an occurrence that ended: a floating schedule counts its next
/// occurrence from `from` (the completion, or the missed due date), a meter from its reading now.
async fn release_target(
    tx: &WriteTx,
    i: &pm_instance::Model,
    from: DateTime<Utc>,
    completed: bool,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let Some(t) = target_of(&**tx, i).await? else {
        return Ok(());
    };
    let (plan, schedule) = plan_and_schedule(&**tx, i.plan_id).await?;
    let mut m = t.clone().into_active_model();
    if t.open_instance_id == Some(i.id) {
        m.open_instance_id = Set(None);
    }
    if completed {
        m.last_completed_at = Set(Some(from));
    }
    if schedule.mode == Mode::Floating
        && t.open_instance_id == Some(i.id)
        && let Some(cal) = &schedule.calendar
    {
        let next = if completed {
            cal.next_after_completion(from)
        } else {
            cal.next_after(i.due_at.max(from))
        };
        m.next_due_at = Set(next);
        m.generate_at = Set(generate_at(next, schedule.lead));
    }
    if let Some(name) = &plan.meter_name
        && (completed || i.trigger == "meter")
        && let Some(v) = meter_now(&**tx, i.asset_id, name).await?
    {
        m.meter_baseline = Set(Some(v));
    }
    m.updated_at = Set(now);
    m.update(&**tx).await?;
    Ok(())
}

/// Marks an open occurrence missed, with why.
pub async fn mark_missed(
    tx: &WriteTx,
    p: &Principal,
    i: pm_instance::Model,
    reason: &str,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let mut m = i.clone().into_active_model();
    m.status = Set(InstanceStatus::Missed);
    m.miss_reason = Set(Some(reason.to_string()));
    m.updated_at = Set(now);
    m.version = Set(i.version + 1);
    let updated = m.update(&**tx).await?;
    release_target(tx, &updated, now, false, now).await?;
    audit_instance(tx, p, "pm_instance.missed", &updated, now).await
}

/// Cancels preventive work that will not be done (its occurrence was superseded).
pub async fn cancel_work(
    tx: &WriteTx,
    p: &Principal,
    w: work_order::Model,
    reason: &str,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let from = status_of(&w);
    let mut m = w.clone().into_active_model();
    m.cancellation_reason = Set(Some(reason.to_string()));
    transition(
        tx,
        p,
        &w,
        &mut m,
        Move {
            from,
            to: Status::Cancelled,
            detail: json!({ "reason": reason }),
            reason: Some(reason),
            resolution: "",
        },
        now,
    )
    .await?;
    m.updated_at = Set(now);
    m.version = Set(w.version + 1);
    let updated = m.update(&**tx).await?;
    audit::record(
        tx,
        now,
        &p.who(),
        Change {
            action: "work_order.status_changed",
            entity_type: "work_order",
            entity_id: Some(updated.id.to_string()),
            before: Some(json!({ "status": w.status })),
            after: Some(
                json!({ "status": updated.status, "reason": reason, "code": updated.code }),
            ),
        },
    )
    .await
}

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

/// The instances of plans the caller may see.
fn scope_condition(p: &Principal) -> Condition {
    let org = pm_instance::Column::OrganizationId.eq(p.org());
    match p.filter() {
        hmms_domain::ScopeFilter::Organization { .. } => Condition::all().add(org),
        _ => match p.user.site_id {
            Some(site) => Condition::all()
                .add(org)
                .add(pm_instance::Column::SiteId.eq(site)),
            None => Condition::all()
                .add(org)
                .add(pm_instance::Column::Id.is_null()),
        },
    }
}

pub async fn views(
    db: &impl ConnectionTrait,
    rows: Vec<pm_instance::Model>,
) -> ApiResult<Vec<InstanceDto>> {
    let mut plans_ids: Vec<Uuid> = rows.iter().map(|i| i.plan_id).collect();
    plans_ids.sort_unstable();
    plans_ids.dedup();
    let mut asset_ids: Vec<Uuid> = rows.iter().map(|i| i.asset_id).collect();
    asset_ids.sort_unstable();
    asset_ids.dedup();
    let wo_ids: Vec<Uuid> = rows.iter().filter_map(|i| i.work_order_id).collect();
    let plan_names: std::collections::HashMap<Uuid, String> = pm_plan::Entity::find()
        .select_only()
        .columns([pm_plan::Column::Id, pm_plan::Column::Name])
        .filter(pm_plan::Column::Id.is_in(plans_ids))
        .into_tuple()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let assets: std::collections::HashMap<Uuid, (String, String)> = asset::Entity::find()
        .select_only()
        .columns([asset::Column::Id, asset::Column::Tag, asset::Column::Name])
        .filter(asset::Column::Id.is_in(asset_ids))
        .into_tuple::<(Uuid, String, String)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(id, t, n)| (id, (t, n)))
        .collect();
    let codes: std::collections::HashMap<Uuid, String> = if wo_ids.is_empty() {
        Default::default()
    } else {
        work_order::Entity::find()
            .select_only()
            .columns([work_order::Column::Id, work_order::Column::Code])
            .filter(work_order::Column::Id.is_in(wo_ids))
            .into_tuple()
            .all(db)
            .await?
            .into_iter()
            .collect()
    };
    Ok(rows
        .into_iter()
        .map(|i| {
            let (tag, name) = assets.get(&i.asset_id).cloned().unwrap_or_default();
            InstanceDto {
                id: i.id,
                plan_id: i.plan_id,
                plan_name: plan_names.get(&i.plan_id).cloned().unwrap_or_default(),
                asset_id: i.asset_id,
                asset_tag: tag,
                asset_name: name,
                site_id: i.site_id,
                due_at: i.due_at,
                window_end_at: i.window_end_at,
                trigger: i.trigger,
                meter_value: i.meter_value,
                status: status_dto(i.status),
                work_order_code: i.work_order_id.and_then(|w| codes.get(&w).cloned()),
                work_order_id: i.work_order_id,
                generated_at: i.generated_at,
                completed_at: i.completed_at,
                miss_reason: i.miss_reason,
                version: i.version,
            }
        })
        .collect())
}

pub async fn list(state: &AppState, p: &Principal, q: InstanceQuery) -> ApiResult<InstancePage> {
    p.require("preventive.read")?;
    let limit = pagination::limit(q.limit)?;
    let mut select = pm_instance::Entity::find().filter(scope_condition(p));
    if let Some(v) = q.plan_id {
        select = select.filter(pm_instance::Column::PlanId.eq(v));
    }
    if let Some(v) = q.asset_id {
        select = select.filter(pm_instance::Column::AssetId.eq(v));
    }
    if let Some(s) = q.status {
        let key = match s {
            InstanceStatusDto::Scheduled => {
                return Err(ApiError::validation(
                    "status",
                    "scheduled occurrences are projections; see /preventive/calendar",
                ));
            }
            InstanceStatusDto::Generated => InstanceStatus::Generated,
            InstanceStatusDto::CompletedOnTime => InstanceStatus::CompletedOnTime,
            InstanceStatusDto::CompletedLate => InstanceStatus::CompletedLate,
            InstanceStatusDto::Missed => InstanceStatus::Missed,
        };
        select = select.filter(pm_instance::Column::Status.eq(key.key()));
    }
    if let Some(v) = q.from {
        select = select.filter(pm_instance::Column::DueAt.gte(v));
    }
    if let Some(v) = q.to {
        select = select.filter(pm_instance::Column::DueAt.lt(v));
    }
    // Newest due first; the cursor carries (due_at, id).
    if let Some(c) = Cursor::decode(q.cursor.as_deref())? {
        let due: DateTime<Utc> = c
            .key
            .parse()
            .map_err(|_| ApiError::BadRequest("the cursor is not valid".into()))?;
        select = select.filter(
            Condition::any()
                .add(pm_instance::Column::DueAt.lt(due))
                .add(
                    Condition::all()
                        .add(pm_instance::Column::DueAt.eq(due))
                        .add(pm_instance::Column::Id.lt(c.id)),
                ),
        );
    }
    let rows = select
        .order_by_desc(pm_instance::Column::DueAt)
        .order_by_desc(pm_instance::Column::Id)
        .limit(limit + 1)
        .all(&state.db)
        .await?;
    let (rows, next_cursor) = pagination::finish(rows, limit, |m| Cursor {
        key: m.due_at.to_rfc3339(),
        id: m.id,
    });
    Ok(InstancePage {
        items: views(&state.db, rows).await?,
        next_cursor,
    })
}

/// Records why an occurrence was missed (or late): surveyors read it in the compliance report.
pub async fn update(
    state: &AppState,
    p: &Principal,
    id: Uuid,
    body: UpdateInstance,
) -> ApiResult<InstanceDto> {
    p.require("preventive.manage")?;
    let reason = body
        .miss_reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    if reason.is_some_and(|r| r.chars().count() > 2000) {
        return Err(ApiError::validation(
            "missReason",
            "must be at most 2000 characters",
        ));
    }
    let tx = state.begin_write().await?;
    let i = pm_instance::Entity::find_by_id(id)
        .filter(scope_condition(p))
        .one(&*tx)
        .await?
        .ok_or_else(|| ApiError::not_found("occurrence"))?;
    check_version(body.version, i.version)?;
    if i.status == InstanceStatus::CompletedOnTime {
        return Err(ApiError::Conflict(
            "This occurrence was done on time; there is nothing to explain.".into(),
        ));
    }
    let now = state.clock.now();
    let mut m = i.clone().into_active_model();
    m.miss_reason = Set(reason.map(str::to_string));
    m.updated_at = Set(now);
    m.version = Set(i.version + 1);
    let updated = m.update(&*tx).await?;
    audit_instance(&tx, p, "pm_instance.reason_recorded", &updated, now).await?;
    let dto = views(&*tx, vec![updated]).await?.remove(0);
    tx.commit().await?;
    Ok(dto)
}

/// The overdue check (every 15 minutes): at the due date the assignee and the site's managers
/// are told once; after the grace window the work escalates to the department head and the
/// managers, once.
pub async fn overdue_check(state: &AppState) -> ApiResult<serde_json::Value> {
    let now = state.clock.now();
    let due = pm_instance::Entity::find()
        .filter(pm_instance::Column::Status.eq(InstanceStatus::Generated.key()))
        .filter(pm_instance::Column::DueAt.lte(now))
        .filter(
            Condition::any()
                .add(pm_instance::Column::OverdueNotifiedAt.is_null())
                .add(
                    Condition::all()
                        .add(pm_instance::Column::EscalatedAt.is_null())
                        .add(pm_instance::Column::WindowEndAt.lte(now)),
                ),
        )
        .all(&state.db)
        .await?;
    let (mut overdue, mut escalated) = (0, 0);
    for chunk in due.chunks(200) {
        let tx = state.begin_write().await?;
        for i in chunk {
            let Some(w) = (match i.work_order_id {
                Some(id) => work_order::Entity::find_by_id(id).one(&*tx).await?,
                None => None,
            }) else {
                continue;
            };
            let sys = super::generator::system(&tx, i.organization_id, now).await?;
            let managers =
                holders_at_site(&*tx, i.organization_id, "facility_manager", i.site_id).await?;
            let mut m = i.clone().into_active_model();
            if i.overdue_notified_at.is_none() {
                let mut to = workers(&*tx, Assignment::of(&w)).await?;
                to.extend(managers.iter().copied());
                let msg = Message {
                    kind: "pm_overdue",
                    title: format!("Preventive maintenance due: {}", w.code),
                    body: format!(
                        "\"{}\" was due {}; on time until {}.",
                        w.title,
                        i.due_at.format("%Y-%m-%d %H:%M UTC"),
                        i.window_end_at.format("%Y-%m-%d %H:%M UTC")
                    ),
                    entity_type: "work_order",
                    entity_id: w.id,
                };
                send(&tx, i.organization_id, &to, &msg, now).await?;
                m.overdue_notified_at = Set(Some(now));
                audit_instance(&tx, &sys, "pm_instance.overdue", i, now).await?;
                overdue += 1;
            }
            if i.escalated_at.is_none() && i.window_end_at <= now {
                let mut to = managers.clone();
                if let Some(d) = w.department_id
                    && let Some(head) = department::Entity::find_by_id(d)
                        .one(&*tx)
                        .await?
                        .and_then(|d| d.head_user_id)
                {
                    to.push(head);
                }
                to.extend(workers(&*tx, Assignment::of(&w)).await?);
                let msg = Message {
                    kind: "pm_escalated",
                    title: format!("Preventive maintenance missed its window: {}", w.code),
                    body: format!(
                        "\"{}\" was due {} and is still {}.",
                        w.title,
                        i.due_at.format("%Y-%m-%d"),
                        w.status.key().replace('_', " ")
                    ),
                    entity_type: "work_order",
                    entity_id: w.id,
                };
                send(&tx, i.organization_id, &to, &msg, now).await?;
                m.escalated_at = Set(Some(now));
                audit_instance(&tx, &sys, "pm_instance.escalated", i, now).await?;
                escalated += 1;
            }
            m.updated_at = Set(now);
            m.update(&*tx).await?;
        }
        tx.commit().await?;
    }
    Ok(json!({ "overdue": overdue, "escalated": escalated }))
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
