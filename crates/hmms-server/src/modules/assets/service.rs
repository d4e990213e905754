//! Assets: scope, validation of the whole record after each change, status steps with their
//! history, and the asset's story in time order.

use chrono::{DateTime, Utc};
use hmms_domain::ScopeFilter;
use hmms_domain::assets::{
    self as rules, AssetStatus, Depreciable, DepreciationMethod, EmScores, StatusStepError,
};
use hmms_domain::validate::Errors;
use hmms_store::entities::{asset, asset_history, work_order};
use sea_orm::ExprTrait;
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::json;
use uuid::Uuid;

use super::dto::*;
use super::input::{blank, check, merge, tag_taken};
use crate::audit::{self, Change};
use crate::auth::principal::Principal;
use crate::error::{ApiError, ApiResult};
use crate::modules::org::require_site_write;
use crate::pagination::{self, Cursor};
use crate::scope::{self, Placed};
use crate::state::{AppState, WriteTx};

/// Assets on work orders the user raised, works on, or whose company works on.
fn on_their_work(user_id: Uuid, company_id: Option<Uuid>) -> Condition {
    use work_order::Column as W;
    let mut involved = Condition::any()
        .add(W::RequesterId.eq(user_id))
        .add(W::AssigneeId.eq(user_id));
    if let Some(c) = company_id {
        involved = involved.add(W::VendorCompanyId.eq(c));
    }
    let ids = Query::select()
        .column(W::AssetId)
        .from(work_order::Entity)
        .cond_where(Condition::all().add(W::AssetId.is_not_null()).add(involved))
        .to_owned();
    Condition::all().add(Expr::col((asset::Entity, asset::Column::Id)).in_subquery(ids))
}

/// The caller's scope over assets: their site or department, plus assets of work they are
/// involved in; with the assigned scope (vendors) only the latter ([`crate::scope`]).
pub fn scope_condition(f: &ScopeFilter) -> Condition {
    use asset::Column as C;
    // Qualified, so reports may join other tables to the rows it selects.
    let t = asset::Entity;
    let placed = Placed {
        organization: (t, C::OrganizationId),
        site: Some((t, C::SiteId)),
        department: Some((t, C::DepartmentId)),
    };
    scope::condition(f, &placed, on_their_work)
}

/// An asset the caller may see, or 404 (also when it exists outside their scope).
pub async fn find_visible(
    db: &impl ConnectionTrait,
    p: &Principal,
    id: Uuid,
) -> ApiResult<asset::Model> {
    p.require("asset.read")?;
    asset::Entity::find()
        .filter(asset::Column::Id.eq(id))
        .filter(scope_condition(&p.filter()))
        .one(db)
        .await?
        .ok_or_else(|| ApiError::not_found("asset"))
}

/// The asset with `tag` in the caller's organization, if they may see it.
pub async fn find_by_tag(
    db: &impl ConnectionTrait,
    p: &Principal,
    tag: &str,
) -> ApiResult<Option<asset::Model>> {
    if !p.can("asset.read") {
        return Ok(None);
    }
    Ok(asset::Entity::find()
        .filter(asset::Column::Tag.eq(tag))
        .filter(scope_condition(&p.filter()))
        .one(db)
        .await?)
}

fn status_of(a: &asset::Model) -> AssetStatus {
    a.status
}

fn method_of(a: &asset::Model) -> DepreciationMethod {
    a.depreciation_method
}

fn em_scores(a: &asset::Model) -> Option<EmScores> {
    Some(EmScores {
        function: u8::try_from(a.em_function?).ok()?,
        physical_risk: u8::try_from(a.em_physical_risk?).ok()?,
        maintenance: u8::try_from(a.em_maintenance?).ok()?,
        incident_history: u8::try_from(a.em_incident_history?).ok()?,
    })
}

pub fn dto(a: asset::Model, now: DateTime<Utc>) -> AssetDto {
    let today = now.date_naive();
    let book_value_minor = match (
        a.purchase_cost_minor,
        a.expected_life_years,
        a.commissioned_on.or(a.purchase_date),
    ) {
        (Some(cost), Some(life), Some(from)) if life > 0 => Some(rules::book_value(
            &Depreciable {
                cost,
                salvage: a.salvage_value_minor.unwrap_or(0),
                life_years: life as u32,
                from,
                method: method_of(&a),
            },
            today,
        )),
        _ => None,
    };
    AssetDto {
        em_number: em_scores(&a).map(|s| s.number() as i16),
        under_warranty: a.warranty_end.is_some_and(|w| w >= today),
        book_value_minor,
        status: a.status.into(),
        lifecycle_stage: rules::lifecycle_stage(status_of(&a)).into(),
        risk_class: a.risk_class.into(),
        maintenance_strategy: a.maintenance_strategy.into(),
        depreciation_method: a.depreciation_method.into(),
        id: a.id,
        tag: a.tag,
        name: a.name,
        class_id: a.class_id,
        make: a.make,
        model: a.model,
        serial_number: a.serial_number,
        site_id: a.site_id,
        department_id: a.department_id,
        location_id: a.location_id,
        parent_id: a.parent_id,
        installed_on: a.installed_on,
        commissioned_on: a.commissioned_on,
        warranty_end: a.warranty_end,
        purchase_date: a.purchase_date,
        purchase_cost_minor: a.purchase_cost_minor,
        replacement_cost_minor: a.replacement_cost_minor,
        expected_life_years: a.expected_life_years,
        salvage_value_minor: a.salvage_value_minor,
        supplier: a.supplier,
        service_vendor_id: a.service_vendor_id,
        service_contract_end: a.service_contract_end,
        life_support: a.life_support,
        em_function: a.em_function,
        em_physical_risk: a.em_physical_risk,
        em_maintenance: a.em_maintenance,
        em_incident_history: a.em_incident_history,
        strategy_justification: a.strategy_justification,
        notes: a.notes,
        custom_fields: serde_json::from_str(&a.custom_values).unwrap_or_default(),
        created_at: a.created_at,
        updated_at: a.updated_at,
        version: a.version,
    }
}

pub async fn list(state: &AppState, p: &Principal, q: AssetQuery) -> ApiResult<AssetPage> {
    p.require("asset.read")?;
    use asset::Column as C;
    let limit = pagination::limit(q.limit)?;
    let mut cond = scope_condition(&p.filter());
    for (col, v) in [
        (C::SiteId, q.site_id),
        (C::DepartmentId, q.department_id),
        (C::LocationId, q.location_id),
        (C::ClassId, q.class_id),
        (C::ParentId, q.parent_id),
    ] {
        if let Some(v) = v {
            cond = cond.add(col.eq(v));
        }
    }
    if let Some(s) = q.status {
        cond = cond.add(C::Status.eq(s.key()));
    }
    if let Some(r) = q.risk_class {
        cond = cond.add(C::RiskClass.eq(r.key()));
    }
    if let Some(l) = q.life_support {
        cond = cond.add(C::LifeSupport.eq(l));
    }
    if let Some(text) = q.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        let like = |col: C| pagination::contains(col, text);
        cond = cond.add(
            Condition::any()
                .add(like(C::Tag))
                .add(like(C::Name))
                .add(like(C::Make))
                .add(like(C::Model))
                .add(like(C::SerialNumber)),
        );
    }
    if let Some(c) = Cursor::decode(q.cursor.as_deref())? {
        cond = cond.add(
            Condition::any()
                .add(C::Tag.gt(c.key.clone()))
                .add(Condition::all().add(C::Tag.eq(c.key)).add(C::Id.gt(c.id))),
        );
    }
    let rows = asset::Entity::find()
        .filter(cond)
        .order_by_asc(C::Tag)
        .order_by_asc(C::Id)
        .limit(limit + 1)
        .all(&state.db)
        .await?;
    let (rows, next_cursor) = pagination::finish(rows, limit, |a| Cursor {
        key: a.tag.clone(),
        id: a.id,
    });
    let now = state.clock.now();
    Ok(AssetPage {
        items: rows.into_iter().map(|a| dto(a, now)).collect(),
        next_cursor,
    })
}

pub async fn get(state: &AppState, p: &Principal, id: Uuid) -> ApiResult<AssetDto> {
    Ok(dto(
        find_visible(&state.db, p, id).await?,
        state.clock.now(),
    ))
}

pub(super) async fn history(
    tx: &WriteTx,
    a: &asset::Model,
    actor: Option<Uuid>,
    kind: &str,
    status: Option<(Option<&str>, &str)>,
    detail: serde_json::Value,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    asset_history::ActiveModel {
        id: Set(Uuid::now_v7()),
        organization_id: Set(a.organization_id),
        asset_id: Set(a.id),
        kind: Set(kind.into()),
        from_status: Set(status.and_then(|(f, _)| f.map(String::from))),
        to_status: Set(status.map(|(_, t)| t.to_string())),
        detail: Set(detail.to_string()),
        actor_id: Set(actor),
        created_at: Set(now),
    }
    .insert(&**tx)
    .await?;
    Ok(())
}

/// Audit entry and event for something added to an asset (an incident, a meter, a reading).
pub(super) async fn audit_addition<T: serde::Serialize>(
    tx: &WriteTx,
    p: &Principal,
    action: &str,
    asset_id: Uuid,
    added: &T,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let change = Change {
        action,
        entity_type: "asset",
        entity_id: Some(asset_id.to_string()),
        before: None,
        after: Some(serde_json::to_value(added)?),
    };
    audit::record(tx, now, &p.who(), change).await
}

pub(super) async fn audit_asset(
    tx: &WriteTx,
    p: &Principal,
    action: &str,
    before: Option<&AssetDto>,
    after: &AssetDto,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let change = Change {
        action,
        entity_type: "asset",
        entity_id: Some(after.id.to_string()),
        before: before.map(serde_json::to_value).transpose()?,
        after: Some(serde_json::to_value(after)?),
    };
    audit::record(tx, now, &p.who(), change).await
}

pub async fn create(state: &AppState, p: &Principal, input: AssetInput) -> ApiResult<AssetDto> {
    p.require("asset.manage")?;
    let mut errors = Errors::default();
    if input.tag.is_none() {
        errors.add("tag", "is required");
    }
    if input.name.is_none() {
        errors.add("name", "is required");
    }
    let now = state.clock.now();
    // New equipment is inspected before first use; equipment already in use may be registered
    // as `in_service`.
    let status = input.status.unwrap_or(AssetStatusDto::PendingAcceptance);
    if !matches!(
        status,
        AssetStatusDto::InService | AssetStatusDto::PendingAcceptance
    ) {
        errors.add("status", "a new asset is in_service or pending_acceptance");
    }
    let life_support = input.life_support.unwrap_or(false);
    let mut m = blank(p, now, status, life_support);
    let reason = input.status_reason.clone();
    merge(&mut m, input, &mut errors);
    check(&state.db, p, &mut m, &mut errors).await?;
    errors.into_result()?;
    require_site_write(p, "asset.manage", m.site_id)?;
    let tx = state.begin_write().await?;
    if tag_taken(&*tx, p.org(), &m.tag, m.id).await? {
        return Err(ApiError::Conflict(format!(
            "An asset tagged {} already exists.",
            m.tag
        )));
    }
    let saved = m.into_active_model().insert(&*tx).await?;
    history(
        &tx,
        &saved,
        Some(p.id()),
        "registered",
        Some((None, saved.status.key())),
        json!({ "reason": reason, "siteId": saved.site_id, "locationId": saved.location_id }),
        now,
    )
    .await?;
    let out = dto(saved.clone(), now);
    audit_asset(&tx, p, "asset.created", None, &out, now).await?;
    if status == AssetStatusDto::PendingAcceptance {
        super::acceptance::open(&tx, p, &saved, now).await?;
    }
    tx.commit().await?;
    Ok(out)
}

fn step_error(from: AssetStatus, to: AssetStatus, e: StatusStepError) -> ApiError {
    let why = match e {
        StatusStepError::Final => "a disposed asset stays disposed",
        StatusStepError::BackToAcceptance => "only a new asset awaits acceptance",
        StatusStepError::DisposeUnretired => "retire the asset before disposing of it",
        StatusStepError::NeedsAcceptance => {
            "it enters service when its acceptance inspection work order is completed"
        }
    };
    ApiError::Conflict(format!(
        "An asset that is {} cannot become {}: {why}.",
        from.key(),
        to.key()
    ))
}

pub async fn update(
    state: &AppState,
    p: &Principal,
    id: Uuid,
    input: AssetInput,
    if_match: Option<i32>,
) -> ApiResult<AssetDto> {
    p.require("asset.manage")?;
    let tx = state.begin_write().await?;
    let current = find_visible(&*tx, p, id).await?;
    require_site_write(p, "asset.manage", current.site_id)?;
    pagination::check_version(if_match.or(input.version), current.version)?;
    let now = state.clock.now();
    let mut errors = Errors::default();
    let to_status = input.status.map(AssetStatus::from);
    let reason = input.status_reason.clone();
    if reason.as_ref().is_some_and(|r| r.chars().count() > 2000) {
        errors.add("statusReason", "must be at most 2000 characters");
    }
    let mut m = current.clone();
    merge(&mut m, input, &mut errors);
    check(&*tx, p, &mut m, &mut errors).await?;
    errors.into_result()?;
    if m.site_id != current.site_id {
        require_site_write(p, "asset.manage", m.site_id)?;
    }
    if m.tag != current.tag && tag_taken(&*tx, p.org(), &m.tag, m.id).await? {
        return Err(ApiError::Conflict(format!(
            "An asset tagged {} already exists.",
            m.tag
        )));
    }
    let from = status_of(&current);
    let mut action = "asset.updated";
    if let Some(to) = to_status.filter(|t| *t != from) {
        rules::check_status_step(from, to).map_err(|e| step_error(from, to, e))?;
        m.status = to;
        history(
            &tx,
            &current,
            Some(p.id()),
            "status",
            Some((Some(from.key()), to.key())),
            json!({ "reason": reason }),
            now,
        )
        .await?;
        action = "asset.status_changed";
    }
    if (m.location_id, m.department_id, m.site_id)
        != (current.location_id, current.department_id, current.site_id)
    {
        history(
            &tx,
            &current,
            Some(p.id()),
            "moved",
            None,
            json!({
                "from": { "siteId": current.site_id, "departmentId": current.department_id, "locationId": current.location_id },
                "to": { "siteId": m.site_id, "departmentId": m.department_id, "locationId": m.location_id },
            }),
            now,
        )
        .await?;
    }
    let before = dto(current.clone(), now);
    // Every column may have changed; write them all.
    let mut am = m.into_active_model().reset_all();
    am.updated_at = Set(now);
    am.version = Set(current.version + 1);
    let saved = am.update(&*tx).await?;
    let out = dto(saved, now);
    audit_asset(&tx, p, action, Some(&before), &out, now).await?;
    tx.commit().await?;
    Ok(out)
}

/// Registration, status steps, moves and the asset's work orders, in time order.
pub async fn history_of(
    state: &AppState,
    p: &Principal,
    id: Uuid,
) -> ApiResult<Vec<AssetHistoryEntry>> {
    let a = find_visible(&state.db, p, id).await?;
    let mut out: Vec<AssetHistoryEntry> = asset_history::Entity::find()
        .filter(asset_history::Column::AssetId.eq(a.id))
        .order_by_asc(asset_history::Column::CreatedAt)
        .order_by_asc(asset_history::Column::Id)
        .all(&state.db)
        .await?
        .into_iter()
        .map(|h| AssetHistoryEntry {
            kind: h.kind,
            at: h.created_at,
            actor_id: h.actor_id,
            from_status: h.from_status,
            to_status: h.to_status,
            work_order_id: None,
            detail: serde_json::from_str(&h.detail).unwrap_or_default(),
        })
        .collect();
    // Work on the asset is part of its story for whoever may see the asset.
    let orders = work_order::Entity::find()
        .filter(work_order::Column::AssetId.eq(a.id))
        .filter(work_order::Column::OrganizationId.eq(a.organization_id))
        .all(&state.db)
        .await?;
    let costed =
        crate::modules::work_orders::to_dtos(&state.db, p, orders.clone(), state.clock.now())
            .await?;
    for (w, c) in orders.into_iter().zip(costed) {
        let detail = json!({ "code": w.code, "title": w.title, "type": w.wo_type,
            "priority": w.priority, "status": w.status });
        out.push(AssetHistoryEntry {
            kind: "work_order_opened".into(),
            at: w.created_at,
            actor_id: Some(w.requester_id),
            from_status: None,
            to_status: None,
            work_order_id: Some(w.id),
            detail: detail.clone(),
        });
        if let Some(done) = w.completed_at {
            out.push(AssetHistoryEntry {
                kind: "work_order_completed".into(),
                at: done,
                actor_id: w.assignee_id,
                from_status: None,
                to_status: None,
                work_order_id: Some(w.id),
                detail: json!({ "code": w.code, "resolutionCategory": w.resolution_category,
                    "downtimeMinutes": w.downtime_minutes,
                    "labourCostMinor": c.labour_cost_minor, "partsCostMinor": c.parts_cost_minor,
                    "vendorCostMinor": c.vendor_cost_minor, "totalCostMinor": c.total_cost_minor }),
            });
        }
    }
    out.sort_by_key(|e| e.at);
    Ok(out)
}
