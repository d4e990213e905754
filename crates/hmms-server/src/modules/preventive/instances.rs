//! Occurrences after they are generated: how they end when their work order is completed,
//! sent back or cancelled, marked missed, listed, and told about when overdue.

use chrono::{DateTime, Utc};
use hmms_domain::preventive::compliance::InstanceStatus;
use hmms_domain::preventive::schedule::Mode;
use hmms_domain::work_orders::Status;
use hmms_store::entities::{
    asset, asset_meter, meter_reading, pm_instance, pm_plan, pm_target, work_order,
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
use crate::modules::work_orders::{Move, status_of, transition};
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

pub(super) async fn audit_instance(
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

pub(super) async fn plan_and_schedule(
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

pub(super) async fn target_of(
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
pub(super) async fn meter_now(
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
pub(super) async fn release_target(
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
            hold_reason: None,
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

/// The instances of plans the caller may see.
pub(super) fn scope_condition(p: &Principal) -> Condition {
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
