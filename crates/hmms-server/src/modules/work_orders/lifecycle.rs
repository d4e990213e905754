//! The working life of a work order: notes, time (timer and manual entries), completion,
//! approval or rejection, and the history that records all of it.

use chrono::{DateTime, Duration, Utc};
use hmms_domain::validate::Errors;
use hmms_domain::work_orders::{self as rules, Status};
use hmms_store::entities::{work_order, work_order_history, work_order_note, work_order_time_log};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder,
};
use serde_json::json;
use uuid::Uuid;

use super::dto::*;
use super::query::user_names;
use super::record::{
    Move, find_visible, history, notify, rights, status_of, transition, transition_error,
};
use super::service::{self, audit};
use crate::auth::principal::Principal;
use crate::error::{ApiError, ApiResult, parsed};
use crate::modules::notifications::holders_at_site;
use crate::pagination::check_version;
use crate::state::{AppState, WriteTx};

fn minutes_between(a: DateTime<Utc>, b: DateTime<Utc>) -> i32 {
    ((b - a).num_seconds().max(0) / 60) as i32
}

/// Stops every timer still running on a work order (on hold, completion, cancellation).
pub async fn stop_timers_on(
    tx: &WriteTx,
    work_order_id: Uuid,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let running = work_order_time_log::Entity::find()
        .filter(work_order_time_log::Column::WorkOrderId.eq(work_order_id))
        .filter(work_order_time_log::Column::EndedAt.is_null())
        .all(&**tx)
        .await?;
    for t in running {
        let minutes = minutes_between(t.started_at, now);
        let mut m = t.into_active_model();
        m.ended_at = Set(Some(now));
        m.minutes = Set(Some(minutes));
        m.update(&**tx).await?;
    }
    Ok(())
}

fn log_dto(t: work_order_time_log::Model, user_name: Option<String>) -> TimeLogDto {
    TimeLogDto {
        id: t.id,
        user_id: t.user_id,
        user_name,
        started_at: t.started_at,
        ended_at: t.ended_at,
        minutes: t.minutes,
        note: t.note,
    }
}

/// Saves the work order after a lifecycle step, with history, audit and event.
async fn finish_step(
    tx: WriteTx,
    p: &Principal,
    current: work_order::Model,
    mut m: work_order::ActiveModel,
    action: &str,
    now: DateTime<Utc>,
) -> ApiResult<WorkOrderDto> {
    let before = service::to_dto(&*tx, p, current.clone(), now).await?;
    m.updated_at = Set(now);
    m.version = Set(current.version + 1);
    let updated = m.update(&*tx).await?;
    let after = service::to_dto(&*tx, p, updated, now).await?;
    audit(&tx, p, action, Some(&before), &after, now).await?;
    tx.commit().await?;
    Ok(after)
}

fn bounded(errors: &mut Errors, field: &str, v: Option<&str>, max: usize) -> Option<String> {
    let v = v?.trim();
    if v.chars().count() > max {
        errors.add(field, format!("must be at most {max} characters"));
        return None;
    }
    (!v.is_empty()).then(|| v.to_string())
}

pub async fn complete(
    state: &AppState,
    p: &Principal,
    id: Uuid,
    body: CompleteWorkOrder,
) -> ApiResult<WorkOrderDto> {
    let mut errors = Errors::default();
    let category = bounded(
        &mut errors,
        "resolutionCategory",
        Some(&body.resolution_category),
        80,
    );
    if category.is_none() && errors.0.is_empty() {
        errors.add(
            "resolutionCategory",
            "must say how the work was resolved, e.g. repaired",
        );
    }
    let problem = bounded(
        &mut errors,
        "failureProblem",
        body.failure_problem.as_deref(),
        2000,
    );
    let cause = bounded(
        &mut errors,
        "failureCause",
        body.failure_cause.as_deref(),
        2000,
    );
    let remedy = bounded(
        &mut errors,
        "failureRemedy",
        body.failure_remedy.as_deref(),
        2000,
    );
    if body
        .downtime_minutes
        .is_some_and(|d| !(0..=10_000_000).contains(&d))
    {
        errors.add("downtimeMinutes", "must be between 0 and 10,000,000");
    }
    errors.into_result()?;
    let tx = state.begin_write().await?;
    let current = find_visible(&*tx, p, id).await?;
    let from = status_of(&current);
    rules::check_transition(from, Status::Completed, rights(p, &current))
        .map_err(|e| transition_error(from, Status::Completed, e))?;
    check_version(body.version, current.version)?;
    if current.signature_required {
        let signed = hmms_store::entities::attachment::Entity::find()
            .filter(hmms_store::entities::attachment::Column::EntityId.eq(current.id))
            .filter(hmms_store::entities::attachment::Column::Kind.eq("signature"))
            .one(&*tx)
            .await?
            .is_some();
        if !signed {
            return Err(ApiError::validation(
                "signature",
                "this work needs a signature: attach it (kind `signature`) before completing",
            ));
        }
    }
    let now = state.clock.now();
    let managers = holders_at_site(
        &*tx,
        current.organization_id,
        "facility_manager",
        current.site_id,
    )
    .await?;
    let title = format!("{} is done and waits for approval", current.code);
    notify(
        &tx,
        &current,
        &managers,
        "work_order_completed",
        title,
        current.title.clone(),
        now,
    )
    .await?;
    let mut m = current.clone().into_active_model();
    m.resolution_category = Set(category);
    m.failure_problem = Set(problem);
    m.failure_cause = Set(cause);
    m.failure_remedy = Set(remedy);
    m.downtime_minutes = Set(body.downtime_minutes);
    // The hooks check first (a preventive checklist must be complete) and react after: a passed
    // acceptance inspection puts new equipment in service, a preventive occurrence ends on time
    // or late and failed checks open a follow-up — all in this transaction.
    let resolution = body.resolution_category.trim();
    transition(
        &tx,
        p,
        &current,
        &mut m,
        Move {
            from,
            to: Status::Completed,
            detail: json!({ "resolutionCategory": resolution }),
            reason: None,
            resolution,
            hold_reason: None,
        },
        now,
    )
    .await?;
    finish_step(tx, p, current, m, "work_order.completed", now).await
}

pub async fn approve_close(
    state: &AppState,
    p: &Principal,
    id: Uuid,
    body: ApproveClose,
) -> ApiResult<WorkOrderDto> {
    let tx = state.begin_write().await?;
    let current = find_visible(&*tx, p, id).await?;
    let from = status_of(&current);
    rules::check_transition(from, Status::Closed, rights(p, &current))
        .map_err(|e| transition_error(from, Status::Closed, e))?;
    check_version(body.version, current.version)?;
    let now = state.clock.now();
    let mut m = current.clone().into_active_model();
    transition(
        &tx,
        p,
        &current,
        &mut m,
        Move {
            from,
            to: Status::Closed,
            detail: json!({ "approved": true }),
            reason: None,
            resolution: "",
            hold_reason: None,
        },
        now,
    )
    .await?;
    let title = format!("{} is closed", current.code);
    let body = format!("\"{}\" was completed and approved.", current.title);
    notify(
        &tx,
        &current,
        &[current.requester_id],
        "work_order_closed",
        title,
        body,
        now,
    )
    .await?;
    finish_step(tx, p, current, m, "work_order.closed", now).await
}

pub async fn reject(
    state: &AppState,
    p: &Principal,
    id: Uuid,
    body: RejectCompletion,
) -> ApiResult<WorkOrderDto> {
    let mut errors = Errors::default();
    let reason = bounded(&mut errors, "reason", Some(&body.reason), 2000);
    if reason.is_none() && errors.0.is_empty() {
        errors.add("reason", "must say what is still wrong");
    }
    errors.into_result()?;
    let tx = state.begin_write().await?;
    let current = find_visible(&*tx, p, id).await?;
    // Permission before state: only those who approve may send work back.
    if !rights(p, &current).approve {
        return Err(ApiError::missing_permission("work_order.approve_close"));
    }
    check_version(body.version, current.version)?;
    let from = status_of(&current);
    if from != Status::Completed {
        return Err(ApiError::InvalidTransition {
            detail: format!(
                "Only completed work can be sent back; this work order is {}.",
                from.key()
            ),
            allowed: rules::allowed_next(from, rights(p, &current))
                .iter()
                .map(|s| s.key().to_string())
                .collect(),
        });
    }
    rules::check_transition(from, Status::InProgress, rights(p, &current))
        .map_err(|e| transition_error(from, Status::InProgress, e))?;
    let now = state.clock.now();
    let mut m = current.clone().into_active_model();
    m.rejection_reason = Set(reason.clone());
    // The occurrence of sent-back preventive work is open again (a hook).
    transition(
        &tx,
        p,
        &current,
        &mut m,
        Move {
            from,
            to: Status::InProgress,
            detail: json!({ "rejected": true, "reason": reason }),
            reason: None,
            resolution: "",
            hold_reason: None,
        },
        now,
    )
    .await?;
    let to = super::assignment::workers(&*tx, super::assignment::Assignment::of(&current)).await?;
    let title = format!("{} was sent back", current.code);
    notify(
        &tx,
        &current,
        &to,
        "work_order_rejected",
        title,
        reason.clone().unwrap_or_default(),
        now,
    )
    .await?;
    finish_step(tx, p, current, m, "work_order.completion_rejected", now).await
}

pub async fn notes(state: &AppState, p: &Principal, id: Uuid) -> ApiResult<Vec<NoteDto>> {
    find_visible(&state.db, p, id).await?;
    let rows = work_order_note::Entity::find()
        .filter(work_order_note::Column::WorkOrderId.eq(id))
        .order_by_asc(work_order_note::Column::CreatedAt)
        .order_by_asc(work_order_note::Column::Id)
        .all(&state.db)
        .await?;
    let names = user_names(&state.db, rows.iter().map(|n| n.author_id).collect()).await?;
    Ok(rows
        .into_iter()
        .map(|n| NoteDto {
            id: n.id,
            author_name: names.get(&n.author_id).cloned(),
            author_id: n.author_id,
            body: n.body,
            created_at: n.created_at,
        })
        .collect())
}

pub async fn add_note(
    state: &AppState,
    p: &Principal,
    id: Uuid,
    body: CreateNote,
) -> ApiResult<NoteDto> {
    let mut errors = Errors::default();
    let text = bounded(&mut errors, "body", Some(&body.body), 10_000);
    if text.is_none() && errors.0.is_empty() {
        errors.add("body", "must not be empty");
    }
    errors.into_result()?;
    let tx = state.begin_write().await?;
    let w = find_visible(&*tx, p, id).await?;
    if status_of(&w).is_final() {
        return Err(ApiError::Conflict(format!(
            "The work order is {}; add a note to a new one instead.",
            status_of(&w).key()
        )));
    }
    let now = state.clock.now();
    let n = work_order_note::ActiveModel {
        id: Set(Uuid::now_v7()),
        organization_id: Set(w.organization_id),
        work_order_id: Set(w.id),
        author_id: Set(p.id()),
        body: Set(parsed(text, "text")?),
        created_at: Set(now),
    }
    .insert(&*tx)
    .await?;
    history(
        &tx,
        &w,
        Some(p.id()),
        "note",
        None,
        json!({ "noteId": n.id }),
        now,
    )
    .await?;
    let dto = NoteDto {
        id: n.id,
        author_id: n.author_id,
        author_name: Some(p.user.name.clone()),
        body: n.body,
        created_at: n.created_at,
    };
    let change = crate::audit::Change {
        action: "work_order.note_added",
        entity_type: "work_order",
        entity_id: Some(w.id.to_string()),
        before: None,
        after: Some(serde_json::to_value(&dto)?),
    };
    crate::audit::record(&tx, now, &p.who(), change).await?;
    tx.commit().await?;
    Ok(dto)
}

pub async fn time_logs(state: &AppState, p: &Principal, id: Uuid) -> ApiResult<TimeLogList> {
    find_visible(&state.db, p, id).await?;
    let rows = work_order_time_log::Entity::find()
        .filter(work_order_time_log::Column::WorkOrderId.eq(id))
        .order_by_asc(work_order_time_log::Column::StartedAt)
        .all(&state.db)
        .await?;
    let names = user_names(&state.db, rows.iter().map(|t| t.user_id).collect()).await?;
    let items: Vec<TimeLogDto> = rows
        .into_iter()
        .map(|t| {
            let name = names.get(&t.user_id).cloned();
            log_dto(t, name)
        })
        .collect();
    let total_minutes = items.iter().filter_map(|t| t.minutes).map(i64::from).sum();
    Ok(TimeLogList {
        items,
        total_minutes,
    })
}

/// Only the assignee logs time, and only while the work is open.
fn require_working(p: &Principal, w: &work_order::Model) -> ApiResult<()> {
    if !rights(p, w).execute_own {
        return Err(ApiError::Forbidden(
            "Only the assigned technician or vendor logs time on a work order.".into(),
        ));
    }
    if !matches!(
        status_of(w),
        Status::Assigned | Status::InProgress | Status::OnHold
    ) {
        return Err(ApiError::Conflict(format!(
            "Time cannot be logged on a {} work order.",
            status_of(w).key()
        )));
    }
    Ok(())
}

async fn audit_time(
    tx: &WriteTx,
    p: &Principal,
    w: &work_order::Model,
    action: &str,
    log: &TimeLogDto,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    history(
        tx,
        w,
        Some(p.id()),
        "time_log",
        None,
        serde_json::to_value(log)?,
        now,
    )
    .await?;
    let change = crate::audit::Change {
        action,
        entity_type: "work_order",
        entity_id: Some(w.id.to_string()),
        before: None,
        after: Some(serde_json::to_value(log)?),
    };
    crate::audit::record(tx, now, &p.who(), change).await
}

pub async fn add_time(
    state: &AppState,
    p: &Principal,
    id: Uuid,
    body: CreateTimeLog,
) -> ApiResult<TimeLogDto> {
    let now = state.clock.now();
    let mut errors = Errors::default();
    let note = bounded(&mut errors, "note", body.note.as_deref(), 2000);
    let (start, end) = match (body.started_at, body.ended_at, body.minutes) {
        (Some(s), Some(e), None) => (s, e),
        (None, None, Some(m)) => (now - Duration::minutes(m as i64), now),
        _ => {
            errors.add("minutes", "give either startedAt and endedAt, or minutes");
            (now, now)
        }
    };
    let minutes = minutes_between(start, end);
    if end <= start || !(1..=24 * 60).contains(&minutes) {
        errors.add(
            "endedAt",
            "a time entry lasts between one minute and 24 hours",
        );
    }
    if end > now + Duration::minutes(5) {
        errors.add("endedAt", "cannot be in the future");
    }
    errors.into_result()?;
    let tx = state.begin_write().await?;
    let w = find_visible(&*tx, p, id).await?;
    require_working(p, &w)?;
    let t = work_order_time_log::ActiveModel {
        id: Set(Uuid::now_v7()),
        organization_id: Set(w.organization_id),
        work_order_id: Set(w.id),
        user_id: Set(p.id()),
        started_at: Set(start),
        ended_at: Set(Some(end)),
        minutes: Set(Some(minutes)),
        note: Set(note),
        created_at: Set(now),
    }
    .insert(&*tx)
    .await?;
    let dto = log_dto(t, Some(p.user.name.clone()));
    audit_time(&tx, p, &w, "work_order.time_logged", &dto, now).await?;
    tx.commit().await?;
    Ok(dto)
}

/// Starts the caller's timer on a work order. One timer per person: a timer running on
/// another work order stops first.
pub async fn start_timer(state: &AppState, p: &Principal, id: Uuid) -> ApiResult<TimeLogDto> {
    let tx = state.begin_write().await?;
    let w = find_visible(&*tx, p, id).await?;
    require_working(p, &w)?;
    let now = state.clock.now();
    let running = work_order_time_log::Entity::find()
        .filter(work_order_time_log::Column::UserId.eq(p.id()))
        .filter(work_order_time_log::Column::EndedAt.is_null())
        .all(&*tx)
        .await?;
    if let Some(same) = running.iter().find(|t| t.work_order_id == id) {
        return Err(ApiError::Conflict(format!(
            "Your timer on this work order has been running since {}.",
            same.started_at.to_rfc3339()
        )));
    }
    for t in running {
        let other = work_order::Entity::find_by_id(t.work_order_id)
            .one(&*tx)
            .await?;
        let minutes = minutes_between(t.started_at, now);
        let mut m = t.into_active_model();
        m.ended_at = Set(Some(now));
        m.minutes = Set(Some(minutes));
        let stopped = log_dto(m.update(&*tx).await?, Some(p.user.name.clone()));
        if let Some(other) = other {
            audit_time(&tx, p, &other, "work_order.timer_stopped", &stopped, now).await?;
        }
    }
    let t = work_order_time_log::ActiveModel {
        id: Set(Uuid::now_v7()),
        organization_id: Set(w.organization_id),
        work_order_id: Set(w.id),
        user_id: Set(p.id()),
        started_at: Set(now),
        ended_at: Set(None),
        minutes: Set(None),
        note: Set(None),
        created_at: Set(now),
    }
    .insert(&*tx)
    .await?;
    let dto = log_dto(t, Some(p.user.name.clone()));
    audit_time(&tx, p, &w, "work_order.timer_started", &dto, now).await?;
    tx.commit().await?;
    Ok(dto)
}

pub async fn stop_timer(state: &AppState, p: &Principal, id: Uuid) -> ApiResult<TimeLogDto> {
    let tx = state.begin_write().await?;
    let w = find_visible(&*tx, p, id).await?;
    if !rights(p, &w).execute_own {
        return Err(ApiError::Forbidden(
            "Only the assigned technician or vendor keeps time on a work order.".into(),
        ));
    }
    let now = state.clock.now();
    let running = work_order_time_log::Entity::find()
        .filter(work_order_time_log::Column::UserId.eq(p.id()))
        .filter(work_order_time_log::Column::WorkOrderId.eq(id))
        .filter(work_order_time_log::Column::EndedAt.is_null())
        .one(&*tx)
        .await?
        .ok_or_else(|| {
            ApiError::Conflict("You have no timer running on this work order.".into())
        })?;
    let minutes = minutes_between(running.started_at, now);
    let mut m = running.into_active_model();
    m.ended_at = Set(Some(now));
    m.minutes = Set(Some(minutes));
    let dto = log_dto(m.update(&*tx).await?, Some(p.user.name.clone()));
    audit_time(&tx, p, &w, "work_order.timer_stopped", &dto, now).await?;
    tx.commit().await?;
    Ok(dto)
}

pub async fn history_of(
    state: &AppState,
    p: &Principal,
    id: Uuid,
) -> ApiResult<Vec<HistoryEntryDto>> {
    find_visible(&state.db, p, id).await?;
    let rows = work_order_history::Entity::find()
        .filter(work_order_history::Column::WorkOrderId.eq(id))
        .order_by_asc(work_order_history::Column::CreatedAt)
        .order_by_asc(work_order_history::Column::Id)
        .all(&state.db)
        .await?;
    let names = user_names(&state.db, rows.iter().filter_map(|h| h.actor_id).collect()).await?;
    Ok(rows
        .into_iter()
        .map(|h| HistoryEntryDto {
            id: h.id,
            kind: h.kind,
            actor_name: h.actor_id.and_then(|a| names.get(&a).cloned()),
            actor_id: h.actor_id,
            from_status: h.from_status,
            to_status: h.to_status,
            detail: serde_json::from_str(&h.detail).unwrap_or_default(),
            created_at: h.created_at,
        })
        .collect())
}
