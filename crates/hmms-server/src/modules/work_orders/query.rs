//! Reading work orders: lists with filters, sort and keyset paging under the caller's scope, and
//! the view each reader gets (SLA state, labour, the steps they may take).

use hmms_domain::money;
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use hmms_domain::ScopeFilter;
use hmms_domain::work_orders::{self as rules, Priority, SlaState, Status, WorkOrderType};
use hmms_store::entities::{work_order, work_order_time_log};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use super::dto::*;
use super::record::{find_visible, rights, status_of};
use crate::auth::principal::Principal;
use crate::error::{ApiError, ApiResult};
use crate::pagination::{self, Cursor};
use crate::scope::{self, Placed};
use crate::state::AppState;

fn involved(user_id: Uuid, company_id: Option<Uuid>) -> Condition {
    let c = Condition::any()
        .add(work_order::Column::RequesterId.eq(user_id))
        .add(work_order::Column::AssigneeId.eq(user_id));
    match company_id {
        Some(company) => c.add(work_order::Column::VendorCompanyId.eq(company)),
        None => c,
    }
}

/// The work orders the caller may see (the one scope rule, [`crate::scope`]).
pub fn scope_condition(f: &ScopeFilter) -> Condition {
    use work_order::Column as C;
    // Qualified, so reports may join other tables to the rows it selects.
    let t = work_order::Entity;
    let placed = Placed {
        organization: (t, C::OrganizationId),
        site: Some((t, C::SiteId)),
        department: Some((t, C::DepartmentId)),
    };
    scope::condition(f, &placed, involved)
}

async fn labour_minutes(
    db: &impl ConnectionTrait,
    ids: Vec<Uuid>,
) -> ApiResult<HashMap<Uuid, i64>> {
    let mut out = HashMap::new();
    for l in work_order_time_log::Entity::find()
        .filter(work_order_time_log::Column::WorkOrderId.is_in(ids))
        .filter(work_order_time_log::Column::Minutes.is_not_null())
        .all(db)
        .await?
    {
        *out.entry(l.work_order_id).or_default() += l.minutes.unwrap_or(0) as i64;
    }
    Ok(out)
}

/// The rows whose `sla_status` (below) is `s` at `now`, as SQL: the list can then show "the 7 at
/// risk" the dashboard counts, a page at a time.
fn sla_condition(backend: DbBackend, s: SlaStatusDto, now: DateTime<Utc>) -> Condition {
    use sea_orm::sea_query::Expr;
    use work_order::Column as C;
    let cancelled = Status::Cancelled.key();
    let running = Condition::all()
        .add(C::CompletedAt.is_null())
        .add(C::Status.ne(cancelled));
    // 75 % of the time used, in whole seconds as `rules::sla_state` counts them. `now` is the
    // server's own clock, written as a literal.
    let at = now.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string();
    let seconds = |a: &str, b: &str| match backend {
        DbBackend::Postgres => format!("FLOOR(EXTRACT(EPOCH FROM ({b} - {a})))"),
        _ => {
            format!("(CAST(ROUND((julianday({b}) - julianday({a})) * 86400000) AS INTEGER) / 1000)")
        }
    };
    let now_sql = match backend {
        DbBackend::Postgres => format!("TIMESTAMPTZ '{at}'"),
        _ => format!("'{at}'"),
    };
    let used = seconds("work_orders.created_at", &now_sql);
    let total = seconds(
        "work_orders.created_at",
        "work_orders.sla_resolution_due_at",
    );
    let late = format!("4 * {used} >= 3 * (CASE WHEN {total} < 1 THEN 1 ELSE {total} END)");
    match s {
        SlaStatusDto::Met => Condition::any()
            .add(Expr::cust(
                "work_orders.completed_at IS NOT NULL \
                 AND work_orders.completed_at <= work_orders.sla_resolution_due_at",
            ))
            .add(
                Condition::all()
                    .add(C::CompletedAt.is_null())
                    .add(C::Status.eq(cancelled)),
            ),
        SlaStatusDto::Breached => Condition::any()
            .add(Expr::cust(
                "work_orders.completed_at IS NOT NULL \
                 AND work_orders.completed_at > work_orders.sla_resolution_due_at",
            ))
            .add(running.add(C::SlaResolutionDueAt.lte(now))),
        SlaStatusDto::AtRisk => running
            .add(C::SlaResolutionDueAt.gt(now))
            .add(Expr::cust(late)),
        SlaStatusDto::OnTrack => running
            .add(C::SlaResolutionDueAt.gt(now))
            .add(Expr::cust(format!("NOT ({late})"))),
    }
}

fn sla_status(w: &work_order::Model, now: DateTime<Utc>) -> SlaStatusDto {
    match w.completed_at {
        Some(done) if done <= w.sla_resolution_due_at => SlaStatusDto::Met,
        Some(_) => SlaStatusDto::Breached,
        None if status_of(w) == Status::Cancelled => SlaStatusDto::Met,
        None => match rules::sla_state(w.created_at, w.sla_resolution_due_at, now) {
            SlaState::OnTrack => SlaStatusDto::OnTrack,
            SlaState::AtRisk => SlaStatusDto::AtRisk,
            SlaState::Breached => SlaStatusDto::Breached,
        },
    }
}

pub async fn to_dtos(
    db: &impl ConnectionTrait,
    p: &Principal,
    rows: Vec<work_order::Model>,
    now: DateTime<Utc>,
) -> ApiResult<Vec<WorkOrderDto>> {
    let labour = labour_minutes(db, rows.iter().map(|w| w.id).collect()).await?;
    let parts = super::parts::costs(db, rows.iter().map(|w| w.id).collect()).await?;
    let rate = hmms_store::entities::organization::Entity::find_by_id(p.org())
        .one(db)
        .await?
        .map(|o| o.labour_rate_minor)
        .unwrap_or(0);
    let names = Names::load(db, &rows).await?;
    Ok(rows
        .into_iter()
        .map(|w| {
            let costs = Costs {
                labour_minutes: labour.get(&w.id).copied().unwrap_or(0),
                parts_minor: parts.get(&w.id).copied().unwrap_or(0),
                labour_rate_minor: rate,
            };
            let named = names.of(&w);
            let mut dto = dto_of(p, w, costs, now);
            dto.names = Some(named);
            dto
        })
        .collect())
}

/// The names of these users (people on a work order the reader may see; their names are part
/// of the record, whatever the reader's user scope).
pub async fn user_names(
    db: &impl ConnectionTrait,
    mut ids: Vec<Uuid>,
) -> ApiResult<HashMap<Uuid, String>> {
    use hmms_store::entities::user;
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(user::Entity::find()
        .select_only()
        .columns([user::Column::Id, user::Column::Name])
        .filter(user::Column::Id.is_in(ids))
        .into_tuple::<(Uuid, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

/// The names behind the ids of a page of work orders, read in one query per kind.
#[derive(Default)]
struct Names {
    users: HashMap<Uuid, String>,
    companies: HashMap<Uuid, String>,
    departments: HashMap<Uuid, String>,
    locations: HashMap<Uuid, String>,
    assets: HashMap<Uuid, String>,
    /// Hold reason code → name.
    hold_reasons: HashMap<String, String>,
}

impl Names {
    async fn load(db: &impl ConnectionTrait, rows: &[work_order::Model]) -> ApiResult<Self> {
        use hmms_store::entities::{asset, department, location, vendor_company};
        fn ids(it: impl Iterator<Item = Option<Uuid>>) -> Vec<Uuid> {
            let mut v: Vec<Uuid> = it.flatten().collect();
            v.sort_unstable();
            v.dedup();
            v
        }
        let mut out = Names::default();
        if rows.is_empty() {
            return Ok(out);
        }
        out.users = user_names(
            db,
            rows.iter()
                .flat_map(|w| [Some(w.requester_id), w.assignee_id, w.closed_by])
                .flatten()
                .collect(),
        )
        .await?;
        let companies = ids(rows.iter().map(|w| w.vendor_company_id));
        if !companies.is_empty() {
            out.companies = vendor_company::Entity::find()
                .select_only()
                .columns([vendor_company::Column::Id, vendor_company::Column::Name])
                .filter(vendor_company::Column::Id.is_in(companies))
                .into_tuple::<(Uuid, String)>()
                .all(db)
                .await?
                .into_iter()
                .collect();
        }
        let departments = ids(rows.iter().map(|w| w.department_id));
        if !departments.is_empty() {
            out.departments = department::Entity::find()
                .select_only()
                .columns([department::Column::Id, department::Column::Name])
                .filter(department::Column::Id.is_in(departments))
                .into_tuple::<(Uuid, String)>()
                .all(db)
                .await?
                .into_iter()
                .collect();
        }
        let locations = ids(rows.iter().map(|w| w.location_id));
        if !locations.is_empty() {
            out.locations = location::Entity::find()
                .select_only()
                .columns([location::Column::Id, location::Column::Name])
                .filter(location::Column::Id.is_in(locations))
                .into_tuple::<(Uuid, String)>()
                .all(db)
                .await?
                .into_iter()
                .collect();
        }
        let assets = ids(rows.iter().map(|w| w.asset_id));
        if !assets.is_empty() {
            out.assets = asset::Entity::find()
                .select_only()
                .columns([asset::Column::Id, asset::Column::Name, asset::Column::Tag])
                .filter(asset::Column::Id.is_in(assets))
                .into_tuple::<(Uuid, String, String)>()
                .all(db)
                .await?
                .into_iter()
                .map(|(id, name, tag)| (id, format!("{name} {tag}")))
                .collect();
        }
        if let Some(w) = rows.iter().find(|w| w.hold_reason.is_some()) {
            out.hold_reasons = crate::modules::org::hold_reasons(db, w.organization_id)
                .await?
                .into_iter()
                .map(|r| (r.code, r.name))
                .collect();
        }
        Ok(out)
    }

    fn of(&self, w: &work_order::Model) -> WorkOrderNames {
        let get = |m: &HashMap<Uuid, String>, id: Option<Uuid>| id.and_then(|i| m.get(&i).cloned());
        WorkOrderNames {
            requester: get(&self.users, Some(w.requester_id)),
            assignee: get(&self.users, w.assignee_id),
            vendor_company: get(&self.companies, w.vendor_company_id),
            department: get(&self.departments, w.department_id),
            location: get(&self.locations, w.location_id),
            asset: get(&self.assets, w.asset_id),
            closed_by: get(&self.users, w.closed_by),
            // A reason removed from the list still reads as its code.
            hold_reason: w.hold_reason.as_ref().map(|code| {
                self.hold_reasons
                    .get(code)
                    .cloned()
                    .unwrap_or_else(|| code.clone())
            }),
        }
    }
}

/// What a work order's cost roll-up is built from.
#[derive(Debug, Clone, Copy, Default)]
pub struct Costs {
    pub labour_minutes: i64,
    pub parts_minor: i64,
    /// The organization's hourly labour rate.
    pub labour_rate_minor: i64,
}

/// The view of one work order given what it cost so far.
pub fn dto_of(
    p: &Principal,
    w: work_order::Model,
    costs: Costs,
    now: DateTime<Utc>,
) -> WorkOrderDto {
    let labour_minutes = costs.labour_minutes;
    // Rounded to the nearest minor unit.
    let labour_cost_minor =
        money::times(labour_minutes, costs.labour_rate_minor).saturating_add(30) / 60;
    let status = status_of(&w);
    WorkOrderDto {
        allowed_transitions: rules::allowed_next(status, rights(p, &w))
            .into_iter()
            .map(Into::into)
            .collect(),
        sla_status: sla_status(&w, now),
        labour_minutes,
        labour_cost_minor,
        parts_cost_minor: costs.parts_minor,
        total_cost_minor: money::total([labour_cost_minor, costs.parts_minor, w.vendor_cost_minor]),
        signature_required: w.signature_required,
        pm_instance_id: w.pm_instance_id,
        follow_up_of: w.follow_up_of,
        names: None,
        id: w.id,
        code: w.code,
        site_id: w.site_id,
        title: w.title,
        description: w.description,
        wo_type: w.wo_type.into(),
        priority: w.priority.into(),
        status: status.into(),
        asset_id: w.asset_id,
        department_id: w.department_id,
        location_id: w.location_id,
        requester_id: w.requester_id,
        assignee_id: w.assignee_id,
        vendor_company_id: w.vendor_company_id,
        sla_response_due_at: w.sla_response_due_at,
        sla_resolution_due_at: w.sla_resolution_due_at,
        first_response_at: w.first_response_at,
        started_at: w.started_at,
        completed_at: w.completed_at,
        closed_at: w.closed_at,
        closed_by: w.closed_by,
        downtime_minutes: w.downtime_minutes,
        resolution_category: w.resolution_category,
        failure_problem: w.failure_problem,
        failure_cause: w.failure_cause,
        failure_remedy: w.failure_remedy,
        rejection_reason: w.rejection_reason,
        cancellation_reason: w.cancellation_reason,
        escalation_level: w.escalation_level,
        hold_minutes: w.hold_minutes.saturating_add(
            w.on_hold_since
                .map_or(0, |since| hmms_domain::holds::held_minutes(since, now)),
        ),
        hold_reason: w.hold_reason,
        on_hold_since: w.on_hold_since,
        vendor_cost_minor: w.vendor_cost_minor,
        created_at: w.created_at,
        updated_at: w.updated_at,
        version: w.version,
    }
}

pub async fn to_dto(
    db: &impl ConnectionTrait,
    p: &Principal,
    w: work_order::Model,
    now: DateTime<Utc>,
) -> ApiResult<WorkOrderDto> {
    Ok(to_dtos(db, p, vec![w], now).await?.remove(0))
}

pub async fn list(state: &AppState, p: &Principal, q: WorkOrderQuery) -> ApiResult<WorkOrderPage> {
    p.require("work_order.read")?;
    use work_order::Column as C;
    let limit = pagination::limit(q.limit)?;
    let cursor = Cursor::decode(q.cursor.as_deref())?;
    let mut cond = scope_condition(&p.filter());
    if let Some(v) = q.status {
        cond = cond.add(C::Status.eq(Status::from(v).key()));
    }
    if let Some(v) = q.priority {
        cond = cond.add(C::Priority.eq(Priority::from(v).key()));
    }
    if let Some(v) = q.wo_type {
        cond = cond.add(C::WoType.eq(WorkOrderType::from(v).key()));
    }
    for (col, v) in [
        (C::SiteId, q.site_id),
        (C::DepartmentId, q.department_id),
        (C::AssigneeId, q.assigned_to),
        (C::VendorCompanyId, q.vendor_company_id),
        (C::AssetId, q.asset_id),
        (C::LocationId, q.location_id),
    ] {
        if let Some(v) = v {
            cond = cond.add(col.eq(v));
        }
    }
    if q.open == Some(true) {
        cond =
            cond.add(C::Status.is_in(Status::ALL.iter().filter(|s| s.is_open()).map(|s| s.key())));
    }
    if let Some(text) = q.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        let like = |col: C| pagination::contains(col, text);
        cond = cond.add(
            Condition::any()
                .add(like(C::Code))
                .add(like(C::Title))
                .add(like(C::Description)),
        );
    }
    // Held: time on hold counted, or on hold now.
    match q.held {
        Some(true) => {
            cond = cond.add(
                Condition::any()
                    .add(C::HoldMinutes.gt(0))
                    .add(C::OnHoldSince.is_not_null()),
            );
        }
        Some(false) => {
            cond = cond.add(C::HoldMinutes.eq(0)).add(C::OnHoldSince.is_null());
        }
        None => {}
    }
    if let Some(r) = &q.hold_reason {
        cond = cond.add(C::HoldReason.eq(r.as_str()));
    }
    if let Some(v) = q.created_from {
        cond = cond.add(C::CreatedAt.gte(v));
    }
    if let Some(v) = q.created_to {
        cond = cond.add(C::CreatedAt.lt(v));
    }
    if let Some(v) = q.completed_from {
        cond = cond.add(C::CompletedAt.gte(v));
    }
    if let Some(v) = q.completed_to {
        cond = cond.add(C::CompletedAt.lt(v));
    }
    if let Some(s) = q.sla_status {
        cond = cond.add(sla_condition(
            state.db.get_database_backend(),
            s,
            state.clock.now(),
        ));
    }
    if let Some(v) = q.due_from {
        cond = cond.add(C::SlaResolutionDueAt.gte(v));
    }
    if let Some(v) = q.due_to {
        cond = cond.add(C::SlaResolutionDueAt.lt(v));
    }
    // Ids are UUIDv7, so id order is creation order: `createdAt` sorts by id alone.
    let (by_due, desc) = match q.sort.as_deref().unwrap_or("-createdAt") {
        "-createdAt" => (false, true),
        "createdAt" => (false, false),
        "dueAt" => (true, false),
        "-dueAt" => (true, true),
        _ => {
            return Err(ApiError::validation(
                "sort",
                "must be -createdAt, createdAt, dueAt or -dueAt",
            ));
        }
    };
    if let Some(c) = &cursor {
        let id_after = if desc { C::Id.lt(c.id) } else { C::Id.gt(c.id) };
        cond = cond.add(if by_due {
            let key: DateTime<Utc> = c.key.parse().map_err(|_| {
                ApiError::validation(
                    "cursor",
                    "is not a cursor this server issued; start from the first page",
                )
            })?;
            let beyond = if desc {
                C::SlaResolutionDueAt.lt(key)
            } else {
                C::SlaResolutionDueAt.gt(key)
            };
            Condition::any().add(beyond).add(
                Condition::all()
                    .add(C::SlaResolutionDueAt.eq(key))
                    .add(id_after),
            )
        } else {
            id_after.into()
        });
    }
    let order = if desc {
        sea_orm::Order::Desc
    } else {
        sea_orm::Order::Asc
    };
    let mut select = work_order::Entity::find().filter(cond);
    if by_due {
        select = select.order_by(C::SlaResolutionDueAt, order.clone());
    }
    let rows = select
        .order_by(C::Id, order)
        .limit(limit + 1)
        .all(&state.db)
        .await?;
    let (rows, next_cursor) = pagination::finish(rows, limit, |w| Cursor {
        key: if by_due {
            w.sla_resolution_due_at.to_rfc3339()
        } else {
            String::new()
        },
        id: w.id,
    });
    Ok(WorkOrderPage {
        items: to_dtos(&state.db, p, rows, state.clock.now()).await?,
        next_cursor,
    })
}

pub async fn get(state: &AppState, p: &Principal, id: Uuid) -> ApiResult<WorkOrderDto> {
    let w = find_visible(&state.db, p, id).await?;
    to_dto(&state.db, p, w, state.clock.now()).await
}
