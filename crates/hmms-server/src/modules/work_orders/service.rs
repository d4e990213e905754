//! Raising and changing work orders by people: creation, edits, assignment and status steps
//! through the front door ([`super::record`]), with the role rules, SLA deadlines and audit.

use chrono::{DateTime, Utc};
use hmms_domain::validate::{self, Errors};
use hmms_domain::work_orders::{self as rules, Priority, Status, WorkOrderType};
use hmms_store::entities::{department, location};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, IntoActiveModel};
use serde_json::json;
use uuid::Uuid;

use super::assignment::{self, Assignment};
use super::dto::*;
pub use super::query::{get, list, to_dto};
use super::record::{
    Move, NewWorkOrder, find_visible, history, notify, rights, status_of, transition,
    transition_error,
};
use super::sla;
use crate::audit::{self, Change};
use crate::auth::principal::Principal;
use crate::error::{ApiError, ApiResult};
use crate::pagination;
use crate::state::{AppState, WriteTx};

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
    // Equipment the caller cannot see answers as if it did not exist: naming it must not make
    // it (through the new work order) readable.
    let asset = match body.asset_id {
        Some(a) => match crate::modules::assets::find_visible(db, p, a).await {
            Ok(found) => Some(found),
            Err(ApiError::NotFound(_) | ApiError::Forbidden(_)) => {
                errors.add("assetId", "no such asset");
                None
            }
            Err(e) => return Err(e),
        },
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
            if !site_known && crate::modules::org::find_site(db, p, s).await.is_err() {
                errors.add("siteId", "no such site");
            } else if !p.may_request_at(s, department_id) {
                let field = if body.department_id.is_some() {
                    "departmentId"
                } else {
                    "siteId"
                };
                errors.add(field, "is outside the places you may raise work for");
            }
        }
    }
    let assignment =
        assignment::resolve(db, p, body.assignee_id, body.vendor_company_id, &mut errors).await?;
    errors.into_result()?;
    // Both were checked above: a missing one has already answered 422.
    let (Some(site_id), Some(title)) = (site_id, title) else {
        return Err(ApiError::validation("title", "is required"));
    };
    let now = state.clock.now();
    let priority: Priority = body.priority.map(Into::into).unwrap_or(Priority::Medium);
    let times = sla::policy(db, site_id, priority).await?;
    super::group_commit::submit(
        state,
        p,
        NewWorkOrder {
            id: None,
            site_id,
            title,
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

pub async fn update(
    state: &AppState,
    p: &Principal,
    id: Uuid,
    body: UpdateWorkOrder,
    if_match: Option<i32>,
) -> ApiResult<WorkOrderDto> {
    let tx = state.begin_write().await?;
    let current = find_visible(&*tx, p, id).await?;
    let now = state.clock.now();
    let from = status_of(&current);
    let r = rights(p, &current);
    // What the request says: its requester may still correct it while it is pending.
    let edits_request = body.title.is_some()
        || body.description.is_some()
        || body.department_id.is_some()
        || body.location_id.is_some();
    // How it is handled and what it costs: managers only.
    let edits_handling = body.wo_type.is_some()
        || body.priority.is_some()
        || body.vendor_cost_minor.is_some()
        || body.signature_required.is_some();
    let edits_fields = edits_request || edits_handling;
    if (edits_handling && !r.assign)
        || (edits_request && !(r.assign || (r.requester && from == Status::Pending)))
    {
        return Err(ApiError::missing_permission("work_order.assign"));
    }
    // Permission is judged before state: only then the version and the status.
    pagination::check_version(if_match.or(body.version), current.version)?;
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
    if let Some(Some(d)) = body.department_id {
        if department::Entity::find_by_id(d)
            .one(&*tx)
            .await?
            .filter(|d| d.site_id == current.site_id)
            .is_none()
        {
            errors.add(
                "departmentId",
                "must be a department of the work order's site",
            );
        } else if !p.may_request_at(current.site_id, Some(d)) {
            errors.add(
                "departmentId",
                "is outside the places you may raise work for",
            );
        }
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
    if let Some(Err(e)) = body.vendor_cost_minor.map(hmms_domain::money::amount) {
        errors.add("vendorCostMinor", e);
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
        m.wo_type = Set(WorkOrderType::from(v));
    }
    if let Some(v) = body.priority {
        let priority = Priority::from(v);
        let times = sla::policy(&*tx, current.site_id, priority).await?;
        let (response_due, resolution_due) = rules::deadlines(current.created_at, times);
        m.priority = Set(priority);
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
            m.status = Set(Status::Assigned);
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
    if body.hold_reason.is_some()
        && (body.status != Some(StatusDto::OnHold) || status_now == Status::OnHold)
    {
        return Err(ApiError::validation(
            "holdReason",
            "is given only when putting the work on hold (`status: on_hold`)",
        ));
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
        // Work waits for a reason from the organization's list, so delays can be reported.
        let hold_reason = if to == Status::OnHold {
            Some(hold_reason_of(&*tx, p, body.hold_reason.as_deref()).await?)
        } else {
            None
        };
        let detail = match &hold_reason {
            Some(code) => json!({ "reason": reason, "holdReason": code }),
            None => json!({ "reason": reason }),
        };
        transition(
            &tx,
            p,
            &current,
            &mut m,
            Move {
                from: status_now,
                to,
                detail,
                reason: reason.as_deref(),
                resolution: "",
                hold_reason: hold_reason.as_deref(),
            },
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

/// The code of an active hold reason of the caller's organization, or a 422 naming the choices.
async fn hold_reason_of(
    db: &impl sea_orm::ConnectionTrait,
    p: &Principal,
    code: Option<&str>,
) -> ApiResult<String> {
    let reasons = crate::modules::org::hold_reasons(db, p.org()).await?;
    let choices = || {
        reasons
            .iter()
            .filter(|r| r.active)
            .map(|r| r.code.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match code.map(str::trim) {
        None | Some("") => Err(ApiError::validation(
            "holdReason",
            format!("say why the work waits: one of {}", choices()),
        )),
        Some(c) => hmms_domain::holds::choosable(&reasons, c)
            .map(|r| r.code.clone())
            .ok_or_else(|| {
                ApiError::validation(
                    "holdReason",
                    format!("is not an active hold reason: one of {}", choices()),
                )
            }),
    }
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
