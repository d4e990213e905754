//! `GET /work-orders/summary`: the dashboard's figures for the work the caller may see.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, TimeZone, Utc};
use hmms_domain::work_orders::{self as rules, SlaState, Status};
use hmms_store::entities::work_order;
use sea_orm::{ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::query::scope_condition;
use crate::auth::principal::Principal;
use crate::error::ApiResult;
use crate::state::AppState;

/// Open work by priority.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct ByPriority {
    pub critical: i64,
    pub high: i64,
    pub medium: i64,
    pub low: i64,
}

/// Open work of one department (none: work without a department).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DepartmentBacklog {
    pub department_id: Option<Uuid>,
    pub open: i64,
    /// Of which past their resolution deadline.
    pub breached: i64,
}

/// What the dashboard shows, counted over the work orders the caller may see.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkOrderSummary {
    /// Open work (not completed, closed or cancelled) by priority.
    pub open_by_priority: ByPriority,
    /// Open work that has used 75% or more of its resolution time.
    pub at_risk: i64,
    /// Open work past its resolution deadline.
    pub breached: i64,
    /// Requests waiting for a manager to accept them.
    pub pending_requests: i64,
    /// Completed work waiting for closure approval.
    pub awaiting_approval: i64,
    /// Open work assigned to the caller (or the caller's vendor company).
    pub assigned_to_me: i64,
    /// Corrective work completed this calendar month (UTC).
    pub completed_this_month: i64,
    /// Mean hours from report to completion of that work; absent when there was none.
    pub mttr_hours_this_month: Option<f64>,
    /// Open work per department, most first.
    pub backlog_by_department: Vec<DepartmentBacklog>,
}

/// How far ahead "at risk" looks: work is at risk once 75% of its window is used, so only work
/// due within a quarter of the longest window can be. Windows are the SLA policies' (7 days at
/// most by default); 30 days covers longer ones set by hand, beyond which work counts as at
/// risk only in its last 7.5 days.
const LONGEST_WINDOW: Duration = Duration::days(30);

pub async fn summary(state: &AppState, p: &Principal) -> ApiResult<WorkOrderSummary> {
    p.require("work_order.read")?;
    use work_order::Column as C;
    let db = &state.db;
    let scope = scope_condition(&p.filter());
    let now = state.clock.now();
    let open_keys: Vec<&str> = Status::ALL
        .iter()
        .filter(|s| s.is_open())
        .map(|s| s.key())
        .collect();
    let open = C::Status.is_in(open_keys.iter().copied());

    // Counted by the database, so the dashboard costs the same at a million work orders.
    let groups: Vec<(String, String, Option<Uuid>, i64)> = work_order::Entity::find()
        .select_only()
        .columns([C::Status, C::Priority, C::DepartmentId])
        .column_as(C::Id.count(), "n")
        .filter(scope.clone())
        .filter(C::Status.is_in(open_keys.iter().copied().chain([Status::Completed.key()])))
        .group_by(C::Status)
        .group_by(C::Priority)
        .group_by(C::DepartmentId)
        .into_tuple()
        .all(db)
        .await?;
    let breached: Vec<(Option<Uuid>, i64)> = work_order::Entity::find()
        .select_only()
        .column(C::DepartmentId)
        .column_as(C::Id.count(), "n")
        .filter(scope.clone())
        .filter(open.clone())
        .filter(C::SlaResolutionDueAt.lte(now))
        .group_by(C::DepartmentId)
        .into_tuple()
        .all(db)
        .await?;
    let soon: Vec<(DateTime<Utc>, DateTime<Utc>)> = work_order::Entity::find()
        .select_only()
        .columns([C::CreatedAt, C::SlaResolutionDueAt])
        .filter(scope.clone())
        .filter(open.clone())
        .filter(C::SlaResolutionDueAt.gt(now))
        .filter(C::SlaResolutionDueAt.lte(now + LONGEST_WINDOW / 4))
        .into_tuple()
        .all(db)
        .await?;
    let mine = match p.user.vendor_company_id {
        Some(company) => Condition::any()
            .add(C::AssigneeId.eq(p.id()))
            .add(C::VendorCompanyId.eq(company)),
        None => Condition::all().add(C::AssigneeId.eq(p.id())),
    };
    let assigned_to_me = work_order::Entity::find()
        .filter(scope.clone())
        .filter(open)
        .filter(mine)
        .count(db)
        .await? as i64;

    let mut out = WorkOrderSummary {
        open_by_priority: ByPriority::default(),
        at_risk: soon
            .iter()
            .filter(|(created, due)| rules::sla_state(*created, *due, now) == SlaState::AtRisk)
            .count() as i64,
        breached: breached.iter().map(|(_, n)| n).sum(),
        pending_requests: 0,
        awaiting_approval: 0,
        assigned_to_me,
        completed_this_month: 0,
        mttr_hours_this_month: None,
        backlog_by_department: Vec::new(),
    };
    let mut departments: BTreeMap<Option<Uuid>, (i64, i64)> = BTreeMap::new();
    for (status, priority, department, n) in groups {
        if status == Status::Completed.key() {
            out.awaiting_approval += n;
            continue;
        }
        match priority.as_str() {
            "critical" => out.open_by_priority.critical += n,
            "high" => out.open_by_priority.high += n,
            "medium" => out.open_by_priority.medium += n,
            _ => out.open_by_priority.low += n,
        }
        if status == Status::Pending.key() {
            out.pending_requests += n;
        }
        departments.entry(department).or_default().0 += n;
    }
    for (department, n) in breached {
        departments.entry(department).or_default().1 += n;
    }
    let mut backlog: Vec<DepartmentBacklog> = departments
        .into_iter()
        .map(|(department_id, (open, breached))| DepartmentBacklog {
            department_id,
            open,
            breached,
        })
        .collect();
    backlog.sort_by_key(|b| std::cmp::Reverse(b.open));
    out.backlog_by_department = backlog;

    let month_start = Utc
        .with_ymd_and_hms(now.year(), now.month(), 1, 0, 0, 0)
        .single()
        .unwrap_or(now);
    let repairs: Vec<(DateTime<Utc>, Option<DateTime<Utc>>)> = work_order::Entity::find()
        .select_only()
        .columns([C::CreatedAt, C::CompletedAt])
        .filter(scope)
        .filter(C::WoType.eq("corrective"))
        .filter(C::CompletedAt.gte(month_start))
        .into_tuple()
        .all(db)
        .await?;
    let hours: Vec<f64> = repairs
        .into_iter()
        .filter_map(|(created, done)| done.map(|d| (d - created).num_seconds() as f64 / 3600.0))
        .collect();
    out.completed_this_month = hours.len() as i64;
    if !hours.is_empty() {
        out.mttr_hours_this_month = Some(hours.iter().sum::<f64>() / hours.len() as f64);
    }
    Ok(out)
}
