//! Preventive maintenance plans: what is done, to which equipment, how often — listed, read,
//! created, changed and previewed. Their checks are in `plan_input`, the equipment they cover
//! and each one's schedule in `targets`.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use hmms_domain::ScopeFilter;
use hmms_domain::preventive::schedule::{Calendar, Mode, Recurrence};
use hmms_domain::validate::{self, Errors};
use hmms_domain::work_orders::Priority;
use hmms_store::entities::{equipment_class, pm_plan, pm_target};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::dto::*;
use super::plan_input::*;
use super::targets::*;
use crate::audit::{self, Change};
use crate::auth::principal::Principal;
use crate::error::{ApiError, ApiResult, parsed};
use crate::modules::work_orders::PriorityDto;
use crate::pagination::{self, Cursor, check_version};
use crate::state::{AppState, WriteTx};

/// Plans the caller may see: the whole organization, or their site.
fn scope_condition(p: &Principal) -> Condition {
    let org = pm_plan::Column::OrganizationId.eq(p.org());
    match p.filter() {
        ScopeFilter::Organization { .. } => Condition::all().add(org),
        _ => match p.user.site_id {
            Some(site) => Condition::all()
                .add(org)
                .add(pm_plan::Column::SiteId.eq(site)),
            // No site on the account: nothing (a misconfigured account sees less, never more).
            None => Condition::all().add(org).add(pm_plan::Column::Id.is_null()),
        },
    }
}

pub fn sees_site(p: &Principal, site_id: Uuid) -> bool {
    matches!(p.filter(), ScopeFilter::Organization { .. }) || p.user.site_id == Some(site_id)
}

pub async fn find_visible(
    db: &impl ConnectionTrait,
    p: &Principal,
    id: Uuid,
) -> ApiResult<pm_plan::Model> {
    pm_plan::Entity::find_by_id(id)
        .filter(scope_condition(p))
        .one(db)
        .await?
        .ok_or_else(|| ApiError::not_found("plan"))
}

/// What a plan looks like to a reader, with how many assets it covers and when next.
pub async fn view(db: &impl ConnectionTrait, plan: pm_plan::Model) -> ApiResult<PlanDto> {
    let zone = zone_of(db, plan.site_id).await?;
    let targets: Vec<(Option<DateTime<Utc>>,)> = pm_target::Entity::find()
        .select_only()
        .column(pm_target::Column::NextDueAt)
        .filter(pm_target::Column::PlanId.eq(plan.id))
        .into_tuple()
        .all(db)
        .await?;
    let recurrence: Option<Recurrence> = plan
        .recurrence
        .as_deref()
        .and_then(|r| serde_json::from_str(r).ok());
    let start = plan
        .start_local
        .as_deref()
        .and_then(|s| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S").ok());
    let rule = match (&recurrence, start) {
        (Some(r), Some(s)) => r.rule_for(s).ok(),
        _ => None,
    };
    Ok(PlanDto {
        id: plan.id,
        site_id: plan.site_id,
        name: plan.name,
        task: plan.task,
        target_kind: match plan.target_kind.as_str() {
            "asset" => TargetKindDto::Asset,
            "class" => TargetKindDto::Class,
            _ => TargetKindDto::Model,
        },
        asset_id: plan.asset_id,
        class_id: plan.class_id,
        make: plan.make,
        model: plan.model,
        checklist_template_id: plan.checklist_template_id,
        recurrence: recurrence.map(Into::into),
        rule,
        start_local: start,
        meter_name: plan.meter_name,
        meter_every: plan.meter_every,
        mode: if plan.mode == "floating" {
            ModeDto::Floating
        } else {
            ModeDto::Fixed
        },
        lead_days: plan.lead_days,
        grace_days: plan.grace_days,
        assignee_id: plan.assignee_id,
        vendor_company_id: plan.vendor_company_id,
        priority: plan.priority.into(),
        estimated_minutes: plan.estimated_minutes,
        required_parts: serde_json::from_str(&plan.required_parts).unwrap_or_default(),
        signature_required: plan.signature_required,
        corrective_on_failure: plan.corrective_on_failure,
        active: plan.active,
        paused_reason: plan.paused_reason,
        time_zone: zone,
        asset_count: targets.len() as i64,
        next_due_at: targets.iter().filter_map(|(d,)| *d).min(),
        created_at: plan.created_at,
        updated_at: plan.updated_at,
        version: plan.version,
    })
}

pub async fn list(state: &AppState, p: &Principal, q: PlanQuery) -> ApiResult<PlanPage> {
    p.require("preventive.read")?;
    let limit = pagination::limit(q.limit)?;
    let mut select = pm_plan::Entity::find().filter(scope_condition(p));
    if let Some(s) = q.site_id {
        select = select.filter(pm_plan::Column::SiteId.eq(s));
    }
    if let Some(a) = q.active {
        select = select.filter(pm_plan::Column::Active.eq(a));
    }
    if let Some(asset_id) = q.asset_id {
        let plans: Vec<Uuid> = pm_target::Entity::find()
            .select_only()
            .column(pm_target::Column::PlanId)
            .filter(pm_target::Column::AssetId.eq(asset_id))
            .into_tuple()
            .all(&state.db)
            .await?;
        select = select.filter(pm_plan::Column::Id.is_in(plans));
    }
    if let Some(text) = q.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        select = select.filter(
            Condition::any()
                .add(pagination::contains(pm_plan::Column::Name, text))
                .add(pagination::contains(pm_plan::Column::Task, text)),
        );
    }
    if let Some(c) = Cursor::decode(q.cursor.as_deref())? {
        select = select.filter(
            Condition::any()
                .add(pm_plan::Column::Name.gt(c.key.clone()))
                .add(
                    Condition::all()
                        .add(pm_plan::Column::Name.eq(c.key))
                        .add(pm_plan::Column::Id.gt(c.id)),
                ),
        );
    }
    let rows = select
        .order_by_asc(pm_plan::Column::Name)
        .order_by_asc(pm_plan::Column::Id)
        .limit(limit + 1)
        .all(&state.db)
        .await?;
    let (rows, next_cursor) = pagination::finish(rows, limit, |m| Cursor {
        key: m.name.clone(),
        id: m.id,
    });
    let mut items = Vec::with_capacity(rows.len());
    for r in rows {
        items.push(view(&state.db, r).await?);
    }
    Ok(PlanPage { items, next_cursor })
}

pub async fn get(state: &AppState, p: &Principal, id: Uuid) -> ApiResult<PlanDto> {
    p.require("preventive.read")?;
    view(&state.db, find_visible(&state.db, p, id).await?).await
}

async fn record(
    tx: &WriteTx,
    p: &Principal,
    action: &str,
    id: Uuid,
    before: Option<&PlanDto>,
    after: &PlanDto,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    audit::record(
        tx,
        now,
        &p.who(),
        Change {
            action,
            entity_type: "pm_plan",
            entity_id: Some(id.to_string()),
            before: before.map(serde_json::to_value).transpose()?,
            after: Some(serde_json::to_value(after)?),
        },
    )
    .await
}

pub async fn create(state: &AppState, p: &Principal, body: CreatePlan) -> ApiResult<PlanDto> {
    p.require("preventive.manage")?;
    let mut errors = Errors::default();
    let name = errors.check("name", validate::name(&body.name, 160));
    let task = text(&mut errors, "task", body.task.as_deref(), 10_000).unwrap_or_default();
    let recurrence = body
        .recurrence
        .as_ref()
        .and_then(|r| recurrence_of(&mut errors, r));
    let checked = Checked {
        recurrence,
        start_local: body.start_local,
        meter_name: text(&mut errors, "meterName", body.meter_name.as_deref(), 80),
        meter_every: body.meter_every,
    };
    let lead = days(&mut errors, "leadDays", body.lead_days, 14);
    let grace = days(&mut errors, "graceDays", body.grace_days, 7);
    let parts = parts(&mut errors, &body.required_parts);
    if let Some(m) = body.estimated_minutes
        && !(1..=100_000).contains(&m)
    {
        errors.add("estimatedMinutes", "must be between 1 and 100000");
    }
    let (make, model) = (
        text(&mut errors, "make", body.make.as_deref(), 120),
        text(&mut errors, "model", body.model.as_deref(), 120),
    );
    match body.target_kind {
        TargetKindDto::Asset if body.asset_id.is_none() => errors.add("assetId", "name the asset"),
        TargetKindDto::Class if body.class_id.is_none() => {
            errors.add("classId", "name the equipment class")
        }
        TargetKindDto::Model if make.is_none() || model.is_none() => {
            errors.add("model", "give the make and the model")
        }
        _ => {}
    }
    let tx = state.begin_write().await?;
    let site = crate::modules::org::find_site(&*tx, p, body.site_id)
        .await
        .map_err(|_| ApiError::validation("siteId", "no such site"))?;
    check_schedule(&mut errors, &checked, &site.time_zone);
    errors.into_result()?;
    check_references(
        &*tx,
        p,
        site.id,
        body.assignee_id,
        body.vendor_company_id,
        body.checklist_template_id,
    )
    .await?;
    match body.target_kind {
        TargetKindDto::Asset => {
            let a =
                crate::modules::assets::find_visible(&*tx, p, body.asset_id.unwrap_or_default())
                    .await
                    .map_err(|_| ApiError::validation("assetId", "no such asset"))?;
            if a.site_id != site.id {
                return Err(ApiError::validation(
                    "assetId",
                    "the asset is at another site",
                ));
            }
            if OUT_OF_USE.contains(&a.status) {
                return Err(ApiError::validation(
                    "assetId",
                    "the asset is retired or disposed of and needs no maintenance",
                ));
            }
        }
        TargetKindDto::Class => {
            let ok = equipment_class::Entity::find_by_id(body.class_id.unwrap_or_default())
                .one(&*tx)
                .await?
                .is_some_and(|c| c.organization_id == p.org());
            if !ok {
                return Err(ApiError::validation("classId", "no such equipment class"));
            }
        }
        TargetKindDto::Model => {}
    }
    let now = state.clock.now();
    let plan = pm_plan::ActiveModel {
        id: Set(Uuid::now_v7()),
        organization_id: Set(p.org()),
        site_id: Set(site.id),
        name: Set(parsed(name, "name")?),
        task: Set(task),
        target_kind: Set(match body.target_kind {
            TargetKindDto::Asset => "asset",
            TargetKindDto::Class => "class",
            TargetKindDto::Model => "model",
        }
        .into()),
        asset_id: Set(matches!(body.target_kind, TargetKindDto::Asset)
            .then_some(body.asset_id)
            .flatten()),
        class_id: Set(matches!(body.target_kind, TargetKindDto::Class)
            .then_some(body.class_id)
            .flatten()),
        make: Set(matches!(body.target_kind, TargetKindDto::Model)
            .then_some(make.clone())
            .flatten()),
        model: Set(matches!(body.target_kind, TargetKindDto::Model)
            .then_some(model.clone())
            .flatten()),
        checklist_template_id: Set(body.checklist_template_id),
        recurrence: Set(checked
            .recurrence
            .as_ref()
            .map(serde_json::to_string)
            .transpose()?),
        start_local: Set(checked
            .start_local
            .map(|s| s.format("%Y-%m-%dT%H:%M:%S").to_string())),
        meter_name: Set(checked.meter_name),
        meter_every: Set(checked.meter_every),
        mode: Set(match body.mode.unwrap_or(ModeDto::Fixed) {
            ModeDto::Fixed => "fixed",
            ModeDto::Floating => "floating",
        }
        .into()),
        lead_days: Set(lead),
        grace_days: Set(grace),
        assignee_id: Set(body.assignee_id),
        vendor_company_id: Set(body.vendor_company_id),
        priority: Set(Priority::from(body.priority.unwrap_or(PriorityDto::Medium))),
        estimated_minutes: Set(body.estimated_minutes),
        required_parts: Set(parts),
        signature_required: Set(body.signature_required.unwrap_or(false)),
        corrective_on_failure: Set(body.corrective_on_failure.unwrap_or(true)),
        active: Set(true),
        paused_reason: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    }
    .insert(&*tx)
    .await?;
    let schedule = Schedule::of(&plan, &site.time_zone)?;
    sync_targets(&tx, &plan, &schedule, now).await?;
    let dto = view(&*tx, plan).await?;
    record(&tx, p, "pm_plan.created", dto.id, None, &dto, now).await?;
    tx.commit().await?;
    Ok(dto)
}

/// Recomputes when each asset without open work is next due, after a schedule change or a
/// resume: from now on (what fell due while paused is not made up).
async fn reschedule(
    tx: &WriteTx,
    plan: &pm_plan::Model,
    schedule: &Schedule,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let targets = pm_target::Entity::find()
        .filter(pm_target::Column::PlanId.eq(plan.id))
        .all(&**tx)
        .await?;
    for t in targets {
        let due = match (schedule.mode, t.last_completed_at, &schedule.calendar) {
            (_, _, None) => None,
            (Mode::Floating, Some(done), Some(c)) => {
                c.next_after_completion(done).map(|d| d.max(now))
            }
            _ => schedule.first_due(now),
        };
        let due = if t.open_instance_id.is_some() && schedule.mode == Mode::Floating {
            None
        } else {
            due
        };
        let mut m = t.into_active_model();
        m.next_due_at = Set(due);
        m.generate_at = Set(generate_at(due, schedule.lead));
        m.updated_at = Set(now);
        m.update(&**tx).await?;
    }
    Ok(())
}

pub async fn update(
    state: &AppState,
    p: &Principal,
    id: Uuid,
    body: UpdatePlan,
    if_match: Option<i32>,
) -> ApiResult<PlanDto> {
    p.require("preventive.manage")?;
    let tx = state.begin_write().await?;
    let current = find_visible(&*tx, p, id).await?;
    check_version(if_match.or(body.version), current.version)?;
    let zone = zone_of(&*tx, current.site_id).await?;
    let mut errors = Errors::default();
    let name = body
        .name
        .as_deref()
        .and_then(|n| errors.check("name", validate::name(n, 160)));
    let recurrence = match &body.recurrence {
        Some(r) => recurrence_of(&mut errors, r),
        None => current
            .recurrence
            .as_deref()
            .and_then(|r| serde_json::from_str(r).ok()),
    };
    let checked = Checked {
        recurrence,
        start_local: body.start_local.or_else(|| {
            current
                .start_local
                .as_deref()
                .and_then(|s| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S").ok())
        }),
        meter_name: match &body.meter_name {
            Some(n) => text(&mut errors, "meterName", Some(n), 80),
            None => current.meter_name.clone(),
        },
        meter_every: body.meter_every.or(current.meter_every),
    };
    check_schedule(&mut errors, &checked, &zone);
    let lead = days(&mut errors, "leadDays", body.lead_days, current.lead_days);
    let grace = days(
        &mut errors,
        "graceDays",
        body.grace_days,
        current.grace_days,
    );
    let parts = body
        .required_parts
        .as_ref()
        .map(|_| parts(&mut errors, &body.required_parts));
    let paused_reason = text(
        &mut errors,
        "pausedReason",
        body.paused_reason.as_deref(),
        2000,
    );
    if body.active == Some(false) && paused_reason.is_none() {
        errors.add(
            "pausedReason",
            "say why the plan is paused (a surveyor will ask)",
        );
    }
    let task = body
        .task
        .as_deref()
        .map(|t| text(&mut errors, "task", Some(t), 10_000).unwrap_or_default());
    errors.into_result()?;
    check_references(
        &*tx,
        p,
        current.site_id,
        body.assignee_id,
        body.vendor_company_id,
        body.checklist_template_id,
    )
    .await?;
    let before = view(&*tx, current.clone()).await?;
    let now = state.clock.now();
    let schedule_changed = body.recurrence.is_some()
        || body.start_local.is_some()
        || body.meter_every.is_some()
        || body.meter_name.is_some()
        || body.mode.is_some()
        || body.lead_days.is_some()
        || (body.active == Some(true) && !current.active);
    let mut m = current.clone().into_active_model();
    if let Some(v) = name {
        m.name = Set(v);
    }
    if let Some(v) = task {
        m.task = Set(v);
    }
    if body.checklist_template_id.is_some() {
        m.checklist_template_id = Set(body.checklist_template_id);
    }
    m.recurrence = Set(checked
        .recurrence
        .as_ref()
        .map(serde_json::to_string)
        .transpose()?);
    m.start_local = Set(checked
        .start_local
        .map(|s| s.format("%Y-%m-%dT%H:%M:%S").to_string()));
    m.meter_name = Set(checked.meter_name);
    m.meter_every = Set(checked.meter_every);
    if let Some(mode) = body.mode {
        m.mode = Set(match mode {
            ModeDto::Fixed => "fixed",
            ModeDto::Floating => "floating",
        }
        .into());
    }
    m.lead_days = Set(lead);
    m.grace_days = Set(grace);
    if body.assignee_id.is_some() {
        m.assignee_id = Set(body.assignee_id);
    }
    if body.vendor_company_id.is_some() {
        m.vendor_company_id = Set(body.vendor_company_id);
    }
    if let Some(pr) = body.priority {
        m.priority = Set(Priority::from(pr));
    }
    if body.estimated_minutes.is_some() {
        m.estimated_minutes = Set(body.estimated_minutes);
    }
    if let Some(parts) = parts {
        m.required_parts = Set(parts);
    }
    if let Some(v) = body.signature_required {
        m.signature_required = Set(v);
    }
    if let Some(v) = body.corrective_on_failure {
        m.corrective_on_failure = Set(v);
    }
    if let Some(active) = body.active {
        m.active = Set(active);
        m.paused_reason = Set(if active { None } else { paused_reason });
    }
    m.updated_at = Set(now);
    m.version = Set(current.version + 1);
    let plan = m.update(&*tx).await?;
    if schedule_changed {
        let schedule = Schedule::of(&plan, &zone)?;
        reschedule(&tx, &plan, &schedule, now).await?;
    }
    let after = view(&*tx, plan).await?;
    let action = match (current.active, after.active) {
        (true, false) => "pm_plan.paused",
        (false, true) => "pm_plan.resumed",
        _ => "pm_plan.updated",
    };
    record(&tx, p, action, id, Some(&before), &after, now).await?;
    tx.commit().await?;
    Ok(after)
}

pub async fn preview(
    state: &AppState,
    p: &Principal,
    body: SchedulePreviewRequest,
) -> ApiResult<SchedulePreview> {
    p.require("preventive.read")?;
    let mut errors = Errors::default();
    let recurrence = recurrence_of(&mut errors, &body.recurrence);
    let count = body.count.unwrap_or(10);
    if !(1..=50).contains(&count) {
        errors.add("count", "must be between 1 and 50");
    }
    errors.into_result()?;
    let site = crate::modules::org::find_site(&state.db, p, body.site_id)
        .await
        .map_err(|_| ApiError::validation("siteId", "no such site"))?;
    let recurrence = parsed(recurrence, "recurrence")?;
    let cal = Calendar::of(&recurrence, body.start_local, &site.time_zone)
        .map_err(|e| ApiError::validation("recurrence", e.to_string()))?;
    let from = hmms_domain::preventive::schedule::local_to_utc(body.start_local, cal.zone());
    let occurrences = cal
        .between(from, from + Duration::days(365 * 50), count)
        .into_iter()
        .map(|at| Occurrence {
            at,
            local: at.with_timezone(&cal.zone()).naive_local(),
        })
        .collect();
    Ok(SchedulePreview {
        rule: cal.rule().to_string(),
        time_zone: site.time_zone,
        occurrences,
    })
}
