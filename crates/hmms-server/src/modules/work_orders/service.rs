//! Raising and changing work orders: scope, the status machine's role rules, SLA deadlines,
//! codes, history, audit.

use chrono::{DateTime, Datelike, SubsecRound, Utc};
use hmms_domain::RecordScope;
use hmms_domain::validate::{self, Errors};
use hmms_domain::work_orders::{
    self as rules, Priority, Rights, Status, TransitionError, WorkOrderType,
};
use hmms_store::entities::{
    asset, code_counter, department, location, work_order, work_order_history,
};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ConnectionTrait, EntityTrait, ExprTrait, IntoActiveModel,
};
use serde_json::json;
use uuid::Uuid;

use super::assignment::{self, Assignment};
use super::dto::*;
pub use super::query::{get, list, to_dto, to_dtos};
use super::sla;
use crate::audit::{self, Change};
use crate::auth::principal::Principal;
use crate::error::{ApiError, ApiResult};
use crate::modules::notifications::service::{Message, send};
use crate::pagination;
use crate::state::{AppState, WriteTx};

pub fn status_of(w: &work_order::Model) -> Status {
    Status::from_key(&w.status).unwrap_or(Status::Pending)
}

pub fn record_scope(w: &work_order::Model) -> RecordScope {
    RecordScope {
        organization_id: w.organization_id,
        site_id: Some(w.site_id),
        department_id: w.department_id,
        people: std::iter::once(w.requester_id)
            .chain(w.assignee_id)
            .collect(),
        company_id: w.vendor_company_id,
    }
}

pub fn rights(p: &Principal, w: &work_order::Model) -> Rights {
    Rights {
        assign: p.can("work_order.assign"),
        approve: p.can("work_order.approve_close"),
        execute_own: p.can("work_order.execute") && assignment::is_worker(p, w),
        requester: w.requester_id == p.id(),
    }
}

/// A work order the principal may see, or 404 — also when it exists outside their scope.
pub async fn find_visible(
    db: &impl ConnectionTrait,
    p: &Principal,
    id: Uuid,
) -> ApiResult<work_order::Model> {
    p.require("work_order.read")?;
    work_order::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|w| p.sees(&record_scope(w)))
        .ok_or_else(|| ApiError::not_found("work order"))
}

pub fn transition_error(from: Status, to: Status, e: TransitionError) -> ApiError {
    match e {
        TransitionError::Invalid { allowed } => ApiError::InvalidTransition {
            detail: format!(
                "A work order that is {} cannot become {}. You may move it to: {}.",
                from.key(),
                to.key(),
                if allowed.is_empty() {
                    "nothing (no step is open to you)".into()
                } else {
                    allowed
                        .iter()
                        .map(|s| s.key())
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            ),
            allowed: allowed.iter().map(|s| s.key().to_string()).collect(),
        },
        TransitionError::Forbidden => ApiError::Forbidden(format!(
            "Your role may not move this work order from {} to {}.",
            from.key(),
            to.key()
        )),
    }
}

/// Tells people about a work order.
pub async fn notify(
    tx: &WriteTx,
    w: &work_order::Model,
    to: &[Uuid],
    kind: &str,
    title: String,
    body: String,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let msg = Message {
        kind,
        title,
        body,
        entity_type: "work_order",
        entity_id: w.id,
    };
    send(tx, w.organization_id, to, &msg, now).await?;
    Ok(())
}

/// Appends a line to the work order's history.
pub async fn history(
    tx: &WriteTx,
    w: &work_order::Model,
    actor: Option<Uuid>,
    kind: &str,
    status: Option<(Status, Status)>,
    detail: serde_json::Value,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    work_order_history::ActiveModel {
        id: Set(Uuid::now_v7()),
        organization_id: Set(w.organization_id),
        work_order_id: Set(w.id),
        actor_id: Set(actor),
        kind: Set(kind.into()),
        from_status: Set(status.map(|(f, _)| f.key().into())),
        to_status: Set(status.map(|(_, t)| t.key().into())),
        detail: Set(detail.to_string()),
        created_at: Set(now),
    }
    .insert(&**tx)
    .await?;
    Ok(())
}

/// Audit entry and domain event for a work-order change.
pub async fn audit(
    tx: &WriteTx,
    p: &Principal,
    action: &str,
    before: Option<&WorkOrderDto>,
    after: &WorkOrderDto,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let change = Change {
        action,
        entity_type: "work_order",
        entity_id: Some(after.id.to_string()),
        before: before.map(serde_json::to_value).transpose()?,
        after: Some(serde_json::to_value(after)?),
    };
    audit::record(tx, now, &p.who(), change).await
}

pub async fn next_code(tx: &WriteTx, org: Uuid, site: Uuid, year: i32) -> ApiResult<String> {
    let mut codes = reserve_codes(tx, org, site, year, 1).await?;
    Ok(codes.pop().expect("one code reserved"))
}

/// Reserves the next `count` work-order numbers of a site's year, in order. One statement
/// (insert or increment, returning the last number) keeps the time under the write lock short;
/// both SQLite (3.35+) and PostgreSQL support it.
pub async fn reserve_codes(
    tx: &WriteTx,
    org: Uuid,
    site: Uuid,
    year: i32,
    count: usize,
) -> ApiResult<Vec<String>> {
    let count = count as i64;
    let counter = code_counter::Entity::insert(code_counter::ActiveModel {
        site_id: Set(site),
        prefix: Set("WO".into()),
        year: Set(year),
        organization_id: Set(org),
        last_number: Set(count),
    })
    .on_conflict(
        OnConflict::columns([
            code_counter::Column::SiteId,
            code_counter::Column::Prefix,
            code_counter::Column::Year,
        ])
        .value(
            code_counter::Column::LastNumber,
            Expr::col((code_counter::Entity, code_counter::Column::LastNumber)).add(count),
        )
        .to_owned(),
    )
    .exec_with_returning(&**tx)
    .await?;
    let last = counter.last_number;
    Ok((last - count + 1..=last)
        .map(|n| rules::code("WO", year, n))
        .collect())
}

fn text(errors: &mut Errors, field: &str, value: Option<&str>, max: usize) -> Option<String> {
    let v = value?.trim();
    if v.is_empty() {
        return None;
    }
    if v.chars().count() > max {
        errors.add(field, format!("must be at most {max} characters"));
        return None;
    }
    Some(v.to_string())
}

pub async fn create(
    state: &AppState,
    p: &Principal,
    body: CreateWorkOrder,
) -> ApiResult<WorkOrderDto> {
    if !p.can("work_order.request") && !p.can("work_order.create") {
        return Err(ApiError::missing_permission("work_order.request"));
    }
    let assigns = body.assignee_id.is_some() || body.vendor_company_id.is_some();
    if assigns && !(p.can("work_order.create") && p.can("work_order.assign")) {
        return Err(ApiError::missing_permission("work_order.assign"));
    }
    if body.signature_required == Some(true) && !p.can("work_order.create") {
        return Err(ApiError::missing_permission("work_order.create"));
    }
    let mut errors = Errors::default();
    let title = errors.check("title", validate::name(&body.title, 200));
    let description = text(
        &mut errors,
        "description",
        body.description.as_deref(),
        10_000,
    )
    .unwrap_or_default();
    // Lookups and validation run before the write lock: creates serialize on it (decision 0002),
    // so only the writes themselves should wait for it. Foreign keys still guard the insert.
    let db = &state.db;
    // Work on a piece of equipment happens where the equipment is, unless told otherwise.
    let asset = match body.asset_id {
        Some(a) => {
            let found = asset::Entity::find_by_id(a)
                .one(db)
                .await?
                .filter(|a| a.organization_id == p.org());
            if found.is_none() {
                errors.add("assetId", "no such asset");
            }
            found
        }
        None => None,
    };
    let department_id = body
        .department_id
        .or(asset.as_ref().and_then(|a| a.department_id))
        .or(p.user.department_id);
    let location_id = body
        .location_id
        .or(asset.as_ref().and_then(|a| a.location_id));
    let mut site_id = body.site_id.or(asset.as_ref().map(|a| a.site_id));
    // A site reached through the caller's own department or location is known to exist.
    let mut site_known = false;
    if let Some(d) = department_id {
        match department::Entity::find_by_id(d)
            .one(db)
            .await?
            .filter(|d| d.organization_id == p.org())
        {
            Some(d) if site_id.is_none_or(|s| s == d.site_id) => {
                site_id = Some(d.site_id);
                site_known = true;
            }
            Some(_) => errors.add("departmentId", "belongs to another site"),
            None => errors.add("departmentId", "no such department"),
        }
    }
    if let Some(l) = location_id {
        match location::Entity::find_by_id(l)
            .one(db)
            .await?
            .filter(|l| l.organization_id == p.org())
        {
            Some(l) if site_id.is_none_or(|s| s == l.site_id) => {
                site_id = Some(l.site_id);
                site_known = true;
            }
            Some(_) => errors.add("locationId", "is at another site"),
            None => errors.add("locationId", "no such location"),
        }
    }
    let site_id = site_id.or(p.user.site_id);
    match site_id {
        None => errors.add("siteId", "is required: say which hospital the work is at"),
        Some(s) => {
            if !site_known && crate::modules::org::sites::find(db, p, s).await.is_err() {
                errors.add("siteId", "no such site");
            }
        }
    }
    let assignment =
        assignment::resolve(db, p, body.assignee_id, body.vendor_company_id, &mut errors).await?;
    errors.into_result()?;
    let site_id = site_id.expect("validated");
    let now = state.clock.now();
    let priority: Priority = body.priority.map(Into::into).unwrap_or(Priority::Medium);
    let times = sla::policy(db, site_id, priority).await?;
    super::group_commit::submit(
        state,
        p,
        NewWorkOrder {
            site_id,
            title: title.expect("validated"),
            description,
            wo_type: body
                .wo_type
                .map(WorkOrderType::from)
                .unwrap_or(WorkOrderType::Corrective),
            priority,
            sla: times,
            asset_id: body.asset_id,
            department_id,
            location_id,
            assignment,
            signature_required: body.signature_required.unwrap_or(false),
            due: None,
            pm_instance_id: None,
            follow_up_of: None,
        },
        now,
    )
    .await
}

/// A checked work order, ready to be written.
#[derive(Clone)]
pub struct NewWorkOrder {
    pub site_id: Uuid,
    pub title: String,
    pub description: String,
    pub wo_type: WorkOrderType,
    pub priority: Priority,
    pub sla: hmms_domain::work_orders::SlaTimes,
    pub asset_id: Option<Uuid>,
    pub department_id: Option<Uuid>,
    pub location_id: Option<Uuid>,
    pub assignment: Option<Assignment>,
    pub signature_required: bool,
    /// Fixed response and resolution deadlines instead of the SLA policy's (preventive work is
    /// due when its plan says).
    pub due: Option<(DateTime<Utc>, DateTime<Utc>)>,
    pub pm_instance_id: Option<Uuid>,
    pub follow_up_of: Option<Uuid>,
}

/// A new work order as it will be stored, with its first history line.
pub struct Built {
    pub row: work_order::Model,
    pub history: work_order_history::ActiveModel,
    assignment: Option<Assignment>,
}

/// Builds a new work order numbered `code`, without touching the database.
pub fn build_new(p: &Principal, n: NewWorkOrder, code: String, now: DateTime<Utc>) -> Built {
    // Stored timestamps keep microseconds; building with the same keeps the answer equal to
    // what a later read returns.
    let now = now.trunc_subsecs(6);
    let (response_due, resolution_due) = n.due.unwrap_or_else(|| rules::deadlines(now, n.sla));
    let assignment = n.assignment;
    let status = if assignment.is_some() {
        Status::Assigned
    } else {
        Status::Pending
    };
    let row = work_order::Model {
        id: Uuid::now_v7(),
        organization_id: p.org(),
        site_id: n.site_id,
        code,
        title: n.title,
        description: n.description,
        wo_type: n.wo_type.key().into(),
        priority: n.priority.key().into(),
        status: status.key().into(),
        asset_id: n.asset_id,
        department_id: n.department_id,
        location_id: n.location_id,
        requester_id: p.id(),
        assignee_id: assignment.and_then(|a| a.assignee),
        vendor_company_id: assignment.and_then(|a| a.company),
        sla_response_due_at: response_due,
        sla_resolution_due_at: resolution_due,
        first_response_at: None,
        started_at: None,
        completed_at: None,
        closed_at: None,
        closed_by: None,
        downtime_minutes: None,
        resolution_category: None,
        failure_problem: None,
        failure_cause: None,
        failure_remedy: None,
        vendor_cost_minor: 0,
        signature_required: n.signature_required,
        rejection_reason: None,
        cancellation_reason: None,
        escalation_level: 0,
        sla_warned_at: None,
        sla_breached_at: None,
        created_at: now,
        updated_at: now,
        version: 1,
        pm_instance_id: n.pm_instance_id,
        follow_up_of: n.follow_up_of,
    };
    let history = work_order_history::ActiveModel {
        id: Set(Uuid::now_v7()),
        organization_id: Set(row.organization_id),
        work_order_id: Set(row.id),
        actor_id: Set(Some(p.id())),
        kind: Set("created".into()),
        from_status: Set(None),
        to_status: Set(None),
        detail: Set(json!({
            "status": status.key(),
            "assigneeId": row.assignee_id,
            "vendorCompanyId": row.vendor_company_id,
        })
        .to_string()),
        created_at: Set(now),
    };
    Built {
        row,
        history,
        assignment,
    }
}

/// After a built work order's row and history line are written: the assignees' notification,
/// the audit entry and event. Returns the answer.
pub async fn announce_new(tx: &WriteTx, p: &Principal, b: Built) -> ApiResult<WorkOrderDto> {
    let w = b.row;
    let now = w.created_at;
    if let Some(a) = b.assignment {
        let title = format!("New work: {}", w.code);
        notify(
            tx,
            &w,
            &assignment::workers(&**tx, a).await?,
            "work_order_assigned",
            title,
            w.title.clone(),
            now,
        )
        .await?;
    }
    // Nothing is logged or priced on new work yet, so the view needs no further reads.
    let dto = super::query::dto_of(p, w, Default::default(), now);
    audit(tx, p, "work_order.created", None, &dto, now).await?;
    Ok(dto)
}

/// Writes a new work order in the caller's transaction: its code, the row, the history line,
/// the assignees' notification, the audit entry and event. The caller commits.
pub async fn insert_new(
    tx: &WriteTx,
    p: &Principal,
    n: NewWorkOrder,
    now: DateTime<Utc>,
) -> ApiResult<WorkOrderDto> {
    let code = next_code(tx, p.org(), n.site_id, now.year()).await?;
    let b = build_new(p, n, code, now);
    work_order::Entity::insert(b.row.clone().into_active_model())
        .exec_without_returning(&**tx)
        .await?;
    work_order_history::Entity::insert(b.history.clone())
        .exec_without_returning(&**tx)
        .await?;
    announce_new(tx, p, b).await
}

/// Sets the timestamps a status step implies and stops timers that must not keep running.
pub async fn enter_status(
    tx: &WriteTx,
    m: &mut work_order::ActiveModel,
    current: &work_order::Model,
    to: Status,
    actor: Uuid,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    m.status = Set(to.key().into());
    match to {
        Status::InProgress => {
            if current.started_at.is_none() {
                m.started_at = Set(Some(now));
            }
            if current.first_response_at.is_none() {
                m.first_response_at = Set(Some(now));
            }
        }
        Status::Completed => m.completed_at = Set(Some(now)),
        Status::Closed => {
            m.closed_at = Set(Some(now));
            m.closed_by = Set(Some(actor));
        }
        _ => {}
    }
    if matches!(
        to,
        Status::OnHold | Status::Completed | Status::Cancelled | Status::Closed
    ) {
        super::lifecycle::stop_timers_on(tx, current.id, now).await?;
    }
    Ok(())
}

pub async fn update(
    state: &AppState,
    p: &Principal,
    id: Uuid,
    body: UpdateWorkOrder,
    if_match: Option<i32>,
) -> ApiResult<WorkOrderDto> {
    let tx = state.begin_write().await?;
    let current = find_visible(&*tx, p, id).await?;
    pagination::check_version(if_match.or(body.version), current.version)?;
    let now = state.clock.now();
    let from = status_of(&current);
    let r = rights(p, &current);
    let edits_fields = body.title.is_some()
        || body.description.is_some()
        || body.wo_type.is_some()
        || body.priority.is_some()
        || body.department_id.is_some()
        || body.location_id.is_some()
        || body.vendor_cost_minor.is_some()
        || body.signature_required.is_some();
    // Managers edit any open work order; requesters may still correct their own pending request.
    if edits_fields && !(r.assign || (r.requester && from == Status::Pending)) {
        return Err(ApiError::missing_permission("work_order.assign"));
    }
    if edits_fields && from.is_final() {
        return Err(ApiError::Conflict(format!(
            "A {} work order can no longer be edited.",
            from.key()
        )));
    }
    let mut errors = Errors::default();
    let title = body
        .title
        .as_deref()
        .and_then(|t| errors.check("title", validate::name(t, 200)));
    let description = body
        .description
        .as_deref()
        .map(|d| text(&mut errors, "description", Some(d), 10_000).unwrap_or_default());
    if let Some(Some(d)) = body.department_id
        && department::Entity::find_by_id(d)
            .one(&*tx)
            .await?
            .filter(|d| d.site_id == current.site_id)
            .is_none()
    {
        errors.add(
            "departmentId",
            "must be a department of the work order's site",
        );
    }
    if let Some(Some(l)) = body.location_id
        && location::Entity::find_by_id(l)
            .one(&*tx)
            .await?
            .filter(|l| l.site_id == current.site_id)
            .is_none()
    {
        errors.add("locationId", "must be a location of the work order's site");
    }
    if body.vendor_cost_minor.is_some_and(|c| c < 0) {
        errors.add("vendorCostMinor", "must not be negative");
    }
    if body.assignee_id.is_some() || body.vendor_company_id.is_some() {
        if !r.assign {
            return Err(ApiError::missing_permission("work_order.assign"));
        }
        if from.is_final() || from == Status::Completed {
            return Err(ApiError::Conflict(format!(
                "A {} work order cannot be re-assigned.",
                from.key()
            )));
        }
    }
    let assignment = assignment::resolve(
        &*tx,
        p,
        body.assignee_id,
        body.vendor_company_id,
        &mut errors,
    )
    .await?;
    errors.into_result()?;

    let before = to_dto(&*tx, p, current.clone(), now).await?;
    let mut m = current.clone().into_active_model();
    let mut action = "work_order.updated";
    if let Some(v) = title {
        m.title = Set(v);
    }
    if let Some(v) = description {
        m.description = Set(v);
    }
    if let Some(v) = body.wo_type {
        m.wo_type = Set(WorkOrderType::from(v).key().into());
    }
    if let Some(v) = body.priority {
        let priority = Priority::from(v);
        let times = sla::policy(&*tx, current.site_id, priority).await?;
        let (response_due, resolution_due) = rules::deadlines(current.created_at, times);
        m.priority = Set(priority.key().into());
        m.sla_response_due_at = Set(response_due);
        m.sla_resolution_due_at = Set(resolution_due);
    }
    if let Some(v) = body.department_id {
        m.department_id = Set(v);
    }
    if let Some(v) = body.location_id {
        m.location_id = Set(v);
    }
    if let Some(v) = body.vendor_cost_minor {
        m.vendor_cost_minor = Set(v);
    }
    if let Some(v) = body.signature_required {
        m.signature_required = Set(v);
    }
    let mut status_now = from;
    if let Some(a) = assignment
        && a != Assignment::of(&current)
    {
        m.assignee_id = Set(a.assignee);
        m.vendor_company_id = Set(a.company);
        if from == Status::Pending {
            status_now = Status::Assigned;
            m.status = Set(Status::Assigned.key().into());
        }
        history(
            &tx,
            &current,
            Some(p.id()),
            "assigned",
            (status_now != from).then_some((from, status_now)),
            json!({
                "from": current.assignee_id,
                "to": a.assignee,
                "fromVendorCompanyId": current.vendor_company_id,
                "toVendorCompanyId": a.company,
            }),
            now,
        )
        .await?;
        notify(
            &tx,
            &current,
            &assignment::workers(&*tx, a).await?,
            "work_order_assigned",
            format!("New work: {}", current.code),
            current.title.clone(),
            now,
        )
        .await?;
        action = "work_order.assigned";
    }
    if let Some(to) = body.status.map(Status::from)
        && to != status_now
    {
        // Assignment and the step are judged on the work order as it will be.
        let mut after_assign = current.clone();
        if let Some(a) = assignment {
            after_assign.assignee_id = a.assignee;
            after_assign.vendor_company_id = a.company;
        }
        rules::check_transition(status_now, to, rights(p, &after_assign))
            .map_err(|e| transition_error(status_now, to, e))?;
        // Some steps carry more than a status: they have their own endpoints.
        let own_endpoint = match to {
            Status::Assigned => Some("assign it by naming `assigneeId` or `vendorCompanyId`"),
            Status::Completed => Some("use POST /work-orders/{id}/complete with the resolution"),
            Status::Closed => Some("use POST /work-orders/{id}/approve-close"),
            _ => None,
        };
        if let Some(how) = own_endpoint {
            return Err(ApiError::validation("status", how));
        }
        let reason = body
            .reason
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(str::to_string);
        if reason.as_ref().is_some_and(|r| r.chars().count() > 2000) {
            return Err(ApiError::validation(
                "reason",
                "must be at most 2000 characters",
            ));
        }
        if to == Status::Cancelled {
            // Declining someone else's request needs a reason they can read.
            if reason.is_none() && current.requester_id != p.id() {
                return Err(ApiError::validation(
                    "reason",
                    "say why the request is declined; the requester is told",
                ));
            }
            m.cancellation_reason = Set(reason.clone());
            if current.requester_id != p.id() {
                let title = format!("{} was declined", current.code);
                notify(
                    &tx,
                    &current,
                    &[current.requester_id],
                    "work_order_declined",
                    title,
                    reason.clone().unwrap_or_default(),
                    now,
                )
                .await?;
            }
        }
        if to == Status::Cancelled {
            crate::modules::preventive::instances::on_cancelled(
                &tx,
                p,
                &current,
                reason.as_deref(),
                now,
            )
            .await?;
        }
        enter_status(&tx, &mut m, &current, to, p.id(), now).await?;
        history(
            &tx,
            &current,
            Some(p.id()),
            "status",
            Some((status_now, to)),
            json!({ "reason": reason }),
            now,
        )
        .await?;
        action = "work_order.status_changed";
    }
    if edits_fields {
        history(
            &tx,
            &current,
            Some(p.id()),
            "updated",
            None,
            json!({ "fields": changed_fields(&body) }),
            now,
        )
        .await?;
    }
    m.updated_at = Set(now);
    m.version = Set(current.version + 1);
    let updated = m.update(&*tx).await?;
    let after = to_dto(&*tx, p, updated, now).await?;
    audit(&tx, p, action, Some(&before), &after, now).await?;
    tx.commit().await?;
    Ok(after)
}

fn changed_fields(b: &UpdateWorkOrder) -> Vec<&'static str> {
    let mut f = vec![];
    for (set, name) in [
        (b.title.is_some(), "title"),
        (b.description.is_some(), "description"),
        (b.wo_type.is_some(), "type"),
        (b.priority.is_some(), "priority"),
        (b.department_id.is_some(), "departmentId"),
        (b.location_id.is_some(), "locationId"),
        (b.vendor_cost_minor.is_some(), "vendorCostMinor"),
        (b.signature_required.is_some(), "signatureRequired"),
    ] {
        if set {
            f.push(name);
        }
    }
    f
}
