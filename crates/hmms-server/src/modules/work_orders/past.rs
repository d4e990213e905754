//! Work done before it was recorded in HMMS — a paper logbook, a spreadsheet, the demo's year
//! of history — through the same front door as new work: the row is filled by
//! [`super::record`], numbered in the order the work was raised, and every step it went through
//! is checked against the status machine and sets what that step sets on live work
//! (started, completed, closed and by whom), with one history line per step.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, SubsecRound, Utc};
use hmms_domain::work_orders::{Status, machine_next};
use hmms_store::entities::{work_order, work_order_history, work_order_time_log};
use sea_orm::{ActiveValue::Set, EntityTrait};
use serde_json::{Value, json};
use uuid::Uuid;

use super::record::{NewWorkOrder, history_line, reserve_codes, row_of, write};
use crate::error::{ApiError, ApiResult};
use crate::state::WriteTx;

/// A work order from the past: what was asked, by whom and when, and what happened to it.
pub struct PastWorkOrder {
    /// The request, as it would be raised today; `assignment` names who did the work.
    pub new: NewWorkOrder,
    pub requester_id: Uuid,
    pub raised_at: DateTime<Utc>,
    /// What the first history line records beside the creation (e.g. where it came from).
    pub detail: Value,
    /// The status steps it went through, oldest first, each permitted by the status machine
    /// from the status before it. Work that names its workers starts assigned.
    pub steps: Vec<PastStep>,
    /// How it was resolved, when it was completed.
    pub resolution: Option<String>,
    /// Why it was cancelled, when it was.
    pub cancellation_reason: Option<String>,
    pub downtime_minutes: Option<i32>,
    pub vendor_cost_minor: i64,
    /// Time its workers logged on it.
    pub time: Vec<PastTime>,
}

/// One status step of past work.
pub struct PastStep {
    pub to: Status,
    pub at: DateTime<Utc>,
    pub by: Uuid,
    /// Why, for a step onto hold: a hold reason's code (required there).
    pub hold_reason: Option<String>,
}

/// Time logged on past work.
pub struct PastTime {
    pub by: Uuid,
    pub from: DateTime<Utc>,
    pub minutes: i32,
}

/// Records past work orders of `organization` in the caller's transaction, numbered per site
/// and year in the order they were raised, after any numbers already given. Work still open
/// whose deadline had passed by `now` is taken as escalated through the whole chain of its site
/// then: breaches from before it was recorded are not news, new ones escalate from the first
/// level. Nobody is notified; the caller audits the import as a whole. Returns the rows.
pub async fn import_past(
    tx: &WriteTx,
    organization: Uuid,
    past: Vec<PastWorkOrder>,
    now: DateTime<Utc>,
) -> ApiResult<Vec<work_order::Model>> {
    let mut order: BTreeMap<(Uuid, i32), Vec<usize>> = BTreeMap::new();
    for (i, p) in past.iter().enumerate() {
        order
            .entry((p.new.site_id, p.raised_at.year()))
            .or_default()
            .push(i);
    }
    let mut codes = vec![String::new(); past.len()];
    let mut top_level: BTreeMap<Uuid, i32> = BTreeMap::new();
    for ((site, year), mut members) in order {
        members.sort_by_key(|&i| past[i].raised_at);
        let reserved = reserve_codes(tx, organization, site, year, members.len()).await?;
        for (i, code) in members.into_iter().zip(reserved) {
            codes[i] = code;
        }
        if let std::collections::btree_map::Entry::Vacant(e) = top_level.entry(site) {
            let chain = super::escalation::chain(&**tx, site).await?;
            e.insert(chain.iter().map(|s| s.level).max().unwrap_or(0));
        }
    }
    let mut rows = Vec::with_capacity(past.len());
    let mut lines = Vec::with_capacity(past.len() * 3);
    let mut logs = vec![];
    for (p, code) in past.into_iter().zip(codes) {
        let top = top_level.get(&p.new.site_id).copied().unwrap_or(0);
        let (row, mut history) = replay(organization, &p, code, top, now)?;
        logs.extend(p.time.iter().map(|t| work_order_time_log::ActiveModel {
            id: Set(Uuid::now_v7()),
            organization_id: Set(organization),
            work_order_id: Set(row.id),
            user_id: Set(t.by),
            started_at: Set(t.from),
            ended_at: Set(Some(
                t.from + chrono::Duration::minutes(i64::from(t.minutes)),
            )),
            minutes: Set(Some(t.minutes)),
            note: Set(None),
            created_at: Set(t.from + chrono::Duration::minutes(i64::from(t.minutes))),
        }));
        rows.push(row);
        lines.append(&mut history);
    }
    write(tx, &rows, &lines).await?;
    let backend = sea_orm::ConnectionTrait::get_database_backend(&**tx);
    for run in crate::audit::batches_for(backend, &logs, |_| 200) {
        work_order_time_log::Entity::insert_many(run.to_vec())
            .exec_without_returning(&**tx)
            .await?;
    }
    Ok(rows)
}

/// The row and history of one past work order: raised, then each step in turn.
fn replay(
    organization: Uuid,
    p: &PastWorkOrder,
    code: String,
    top_level: i32,
    now: DateTime<Utc>,
) -> ApiResult<(work_order::Model, Vec<work_order_history::ActiveModel>)> {
    let raised = p.raised_at.trunc_subsecs(6);
    let start =
        if p.new.assignment.is_some() && p.steps.first().map(|s| s.to) != Some(Status::Assigned) {
            Status::Assigned
        } else {
            Status::Pending
        };
    let mut w = row_of(&p.new, organization, p.requester_id, code, start, raised);
    let mut detail =
        json!({ "status": start.key(), "assigneeId": w.assignee_id, "imported": true });
    if let (Some(d), Some(extra)) = (detail.as_object_mut(), p.detail.as_object()) {
        d.extend(extra.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    let mut lines = vec![history_line(
        organization,
        w.id,
        Some(p.requester_id),
        "created",
        None,
        &detail,
        raised,
    )];
    let mut last = raised;
    for s in &p.steps {
        let at = s.at.trunc_subsecs(6);
        if !machine_next(w.status).contains(&s.to) {
            return Err(ApiError::validation(
                "steps",
                format!(
                    "{}: a work order that is {} cannot become {}.",
                    w.code,
                    w.status.key(),
                    s.to.key()
                ),
            ));
        }
        if at < last {
            return Err(ApiError::validation(
                "steps",
                format!("{}: its steps must follow one another in time.", w.code),
            ));
        }
        let kind = if s.to == Status::Assigned {
            "assigned"
        } else {
            "status"
        };
        let detail = match (&s.hold_reason, s.to) {
            (Some(code), Status::OnHold) => json!({ "holdReason": code }),
            (None, Status::OnHold) => {
                return Err(ApiError::validation(
                    "steps",
                    format!("{}: a step onto hold names its reason.", w.code),
                ));
            }
            _ => json!({}),
        };
        lines.push(history_line(
            organization,
            w.id,
            Some(s.by),
            kind,
            Some((w.status, s.to)),
            &detail,
            at,
        ));
        if w.status == Status::OnHold {
            let held = w
                .on_hold_since
                .map_or(0, |since| hmms_domain::holds::held_minutes(since, at));
            w.hold_minutes = w.hold_minutes.saturating_add(held);
            w.on_hold_since = None;
        }
        if s.to == Status::OnHold {
            w.hold_reason = s.hold_reason.clone();
            w.on_hold_since = Some(at);
        }
        match s.to {
            Status::InProgress => {
                w.started_at.get_or_insert(at);
                w.first_response_at.get_or_insert(at);
                w.completed_at = None;
            }
            Status::Completed => w.completed_at = Some(at),
            Status::Closed => {
                w.closed_at = Some(at);
                w.closed_by = Some(s.by);
            }
            _ => {}
        }
        w.status = s.to;
        w.version += 1;
        last = at;
    }
    if w.completed_at.is_some() {
        w.resolution_category = p.resolution.clone();
        w.downtime_minutes = p.downtime_minutes;
    }
    if w.status == Status::Cancelled {
        w.cancellation_reason = p.cancellation_reason.clone();
    }
    w.vendor_cost_minor = p.vendor_cost_minor;
    w.updated_at = last;
    if w.status.is_open() && w.sla_resolution_due_at <= now {
        w.sla_warned_at = Some(w.sla_resolution_due_at);
        w.sla_breached_at = Some(w.sla_resolution_due_at);
        w.escalation_level = top_level;
    }
    Ok((w, lines))
}
