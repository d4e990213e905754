//! The key figures of a period — MTTR, MTBF, downtime, availability, PM compliance, planned
//! work, SLA attainment, first-time fix, repeat failures, backlog, cost and stock-outs — over
//! the records the reader may see, narrowed to a site or department. Each figure is computed as
//! its published definition ([`hmms_domain::reports::DEFINITIONS`]) says.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use hmms_domain::assets::{AssetStatus, RiskClass};
use hmms_domain::money;
use hmms_domain::preventive::compliance::{InstanceStatus, Tally};
use hmms_domain::reports::{self as rules, AGE_BUCKETS, DEFINITIONS};
use hmms_domain::stock::MovementKind;
use hmms_domain::work_orders::{Priority, Status, WorkOrderType};
use hmms_store::entities::{
    asset, organization, pm_instance, stock_entry, stock_out, store, work_order,
    work_order_history, work_order_time_log,
};
use sea_orm::sea_query::{Expr, IntoColumnRef, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, FromQueryResult, PaginatorTrait,
    QueryFilter, QuerySelect,
};
use uuid::Uuid;

use super::dto::*;
use super::place::{Place, check_period, department_names, ids_of_work, place};
use crate::auth::principal::Principal;
use crate::error::ApiResult;
use crate::modules::{inventory, work_orders};
use crate::state::AppState;

/// Work that is planned rather than a repair.
const PLANNED: [WorkOrderType; 3] = [
    WorkOrderType::Preventive,
    WorkOrderType::Inspection,
    WorkOrderType::Calibration,
];

/// What the figures read of a piece of work completed in the period.
#[derive(Debug)]
struct Done {
    wo_type: WorkOrderType,
    priority: Priority,
    created_at: DateTime<Utc>,
    first_response_at: Option<DateTime<Utc>>,
    completed_at: Option<DateTime<Utc>>,
    sla_response_due_at: DateTime<Utc>,
    sla_resolution_due_at: DateTime<Utc>,
    downtime_minutes: Option<i32>,
    vendor_cost_minor: i64,
}

impl FromQueryResult for Done {
    fn from_query_result(r: &sea_orm::QueryResult, pre: &str) -> Result<Self, sea_orm::DbErr> {
        Ok(Self {
            wo_type: r.try_get(pre, "wo_type")?,
            priority: r.try_get(pre, "priority")?,
            created_at: r.try_get(pre, "created_at")?,
            first_response_at: r.try_get(pre, "first_response_at")?,
            completed_at: r.try_get(pre, "completed_at")?,
            sla_response_due_at: r.try_get(pre, "sla_response_due_at")?,
            sla_resolution_due_at: r.try_get(pre, "sla_resolution_due_at")?,
            downtime_minutes: r.try_get(pre, "downtime_minutes")?,
            vendor_cost_minor: r.try_get(pre, "vendor_cost_minor")?,
        })
    }
}

/// A work order as reported: its type, asset, report time and first response.
type Reported = (
    WorkOrderType,
    Option<Uuid>,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
);

pub async fn kpis(state: &AppState, p: &Principal, q: KpiQuery) -> ApiResult<Kpis> {
    p.require("report.read")?;
    check_period(&q)?;
    let db = &state.db;
    let place = place(db, p, &q).await?;
    let now = state.clock.now();
    let mut figures: HashMap<&str, (Option<f64>, i64)> = HashMap::new();

    // Work completed in the period: repairs, downtime, SLA, first-time fix, cost.
    // Only the columns the figures read: a year of a large hospital's work is many rows.
    let done_in_period = Condition::all()
        .add(place.work.clone())
        .add(work_order::Column::CompletedAt.gte(q.from))
        .add(work_order::Column::CompletedAt.lt(q.to));
    use work_order::Column as C;
    let completed: Vec<Done> = work_order::Entity::find()
        .select_only()
        .columns([
            C::WoType,
            C::Priority,
            C::CreatedAt,
            C::FirstResponseAt,
            C::CompletedAt,
            C::SlaResponseDueAt,
            C::SlaResolutionDueAt,
            C::DowntimeMinutes,
            C::VendorCostMinor,
        ])
        .filter(done_in_period.clone())
        .into_model()
        .all(db)
        .await?;
    let repairs: Vec<&Done> = completed
        .iter()
        .filter(|w| w.wo_type == WorkOrderType::Corrective)
        .collect();
    let repair_minutes: i64 = repairs
        .iter()
        .filter_map(|w| Some((w.completed_at? - w.created_at).num_minutes().max(0)))
        .sum();
    figures.insert(
        "mttr",
        (
            rules::mean_hours(repair_minutes, repairs.len() as i64),
            repairs.len() as i64,
        ),
    );
    let downtime: i64 = completed
        .iter()
        .map(|w| i64::from(w.downtime_minutes.unwrap_or(0).max(0)))
        .sum();
    figures.insert(
        "downtime",
        (Some(downtime as f64 / 60.0), completed.len() as i64),
    );
    let sla = sla_by_priority(&completed);
    let (response, resolution) = sla.iter().fold((0, 0), |(a, b), s| {
        (a + s.response_met, b + s.resolution_met)
    });
    let done = completed.len() as i64;
    figures.insert("sla_response", (rules::percent(response, done), done));
    figures.insert("sla_resolution", (rules::percent(resolution, done), done));
    let repaired = Condition::all()
        .add(done_in_period.clone())
        .add(C::WoType.eq(WorkOrderType::Corrective));
    let fixed_again = not_first_time(db, repaired).await?;
    let n = repairs.len() as i64;
    figures.insert(
        "first_time_fix",
        (rules::percent(n - fixed_again as i64, n), n),
    );
    let cost = cost(db, p, done_in_period, &completed).await?;
    figures.insert("maintenance_cost", (Some(cost.total_minor as f64), done));

    // Work reported in the period (and the 30 days before, for repeats).
    let lookback = q.from - Duration::days(rules::REPEAT_WINDOW_DAYS);
    let reported: Vec<Reported> = work_order::Entity::find()
        .select_only()
        .column(work_order::Column::WoType)
        .column(work_order::Column::AssetId)
        .column(work_order::Column::CreatedAt)
        .column(work_order::Column::FirstResponseAt)
        .filter(place.work.clone())
        .filter(work_order::Column::CreatedAt.gte(lookback))
        .filter(work_order::Column::CreatedAt.lt(q.to))
        .into_tuple()
        .all(db)
        .await?;
    let in_period = |t: &DateTime<Utc>| *t >= q.from;
    let (respond_minutes, responded) = reported
        .iter()
        .filter(|r| in_period(&r.2))
        .filter_map(|r| Some((r.3? - r.2).num_minutes().max(0)))
        .fold((0i64, 0i64), |(m, n), x| (m + x, n + 1));
    figures.insert(
        "mean_time_to_respond",
        (rules::mean_hours(respond_minutes, responded), responded),
    );
    let mut failures_by_asset: BTreeMap<Uuid, Vec<DateTime<Utc>>> = BTreeMap::new();
    for (kind, asset, at, _) in &reported {
        if let (WorkOrderType::Corrective, Some(a)) = (kind, asset) {
            failures_by_asset.entry(*a).or_default().push(*at);
        }
    }
    let mut failures = 0;
    let mut repeats = 0;
    for times in failures_by_asset.values_mut() {
        times.sort_unstable();
        failures += times.iter().filter(|t| in_period(t)).count() as i64;
        repeats += rules::repeats(times, q.from);
    }
    figures.insert("repeat_failures", (Some(repeats as f64), failures));

    // The fleet: time in use less downtime, per failure and as availability. A period still
    // running counts the time elapsed so far.
    let fleet = asset::Entity::find()
        .filter(place.assets.clone())
        .filter(asset::Column::Status.is_in([
            AssetStatus::InService,
            AssetStatus::UnderMaintenance,
            AssetStatus::OutOfService,
        ]))
        .count(db)
        .await? as i64;
    let period_minutes = (q.to.min(now) - q.from).num_minutes().max(0);
    figures.insert(
        "mtbf",
        (
            rules::mtbf_hours(fleet, period_minutes, downtime, failures),
            failures,
        ),
    );
    figures.insert(
        "availability",
        (
            rules::availability_percent(fleet, period_minutes, downtime),
            fleet,
        ),
    );

    // Preventive maintenance due in the period, overall and on high-risk equipment.
    let all = pm_tally(db, &q, place.assets.clone(), now).await?;
    figures.insert("pm_compliance", (all.compliance_percent(), all.decided()));
    let high = Condition::all().add(place.assets.clone()).add(
        Condition::any()
            .add(asset::Column::RiskClass.eq(RiskClass::High))
            .add(asset::Column::LifeSupport.eq(true)),
    );
    let high = pm_tally(db, &q, high, now).await?;
    figures.insert(
        "pm_compliance_high_risk",
        (high.compliance_percent(), high.decided()),
    );

    // Hours logged in the period, planned and all.
    let logged = logged_minutes(db, &q, place.work.clone()).await?;
    let planned = logged_minutes(
        db,
        &q,
        Condition::all()
            .add(place.work.clone())
            .add(work_order::Column::WoType.is_in(PLANNED)),
    )
    .await?;
    figures.insert(
        "planned_work",
        (rules::percent(planned, logged), logged / 60),
    );

    let backlog = backlog(db, &place, now).await?;
    let open: i64 = backlog.iter().map(|b| b.open).sum();
    figures.insert("backlog", (Some(open as f64), open));

    figures.insert("stock_outs", stock_outs(db, p, &q, &place).await?);

    let currency = organization::Entity::find_by_id(p.org())
        .one(db)
        .await?
        .map(|o| o.currency)
        .unwrap_or_default();
    Ok(Kpis {
        from: q.from,
        to: q.to,
        site_id: place.site,
        department_id: place.department,
        class_id: q.class_id,
        risk_class: q.risk_class.clone(),
        currency,
        figures: DEFINITIONS
            .iter()
            .map(|d| {
                let (value, counted) = figures.get(d.key).copied().unwrap_or((None, 0));
                FigureDto {
                    key: d.key.into(),
                    name: d.name.into(),
                    unit: serde_plain_unit(d.unit),
                    formula: d.formula.into(),
                    period_rule: d.period_rule.into(),
                    value,
                    counted,
                }
            })
            .collect(),
        sla_by_priority: sla,
        age_buckets: AGE_BUCKETS.iter().map(|b| (*b).into()).collect(),
        backlog,
        cost,
    })
}

fn serde_plain_unit(u: rules::Unit) -> String {
    match u {
        rules::Unit::Hours => "hours",
        rules::Unit::Percent => "percent",
        rules::Unit::Count => "count",
        rules::Unit::Money => "money",
    }
    .into()
}

/// Response and resolution met, per priority, most urgent first.
fn sla_by_priority(completed: &[Done]) -> Vec<SlaByPriorityDto> {
    let mut out: Vec<SlaByPriorityDto> = [
        Priority::Critical,
        Priority::High,
        Priority::Medium,
        Priority::Low,
    ]
    .into_iter()
    .map(|priority| {
        let of: Vec<_> = completed
            .iter()
            .filter(|w| w.priority == priority)
            .collect();
        // Completing the work answers it, when nobody responded before.
        let response_met = of
            .iter()
            .filter(|w| {
                w.first_response_at
                    .or(w.completed_at)
                    .is_some_and(|r| r <= w.sla_response_due_at)
            })
            .count() as i64;
        let resolution_met = of
            .iter()
            .filter(|w| w.completed_at.is_some_and(|c| c <= w.sla_resolution_due_at))
            .count() as i64;
        let n = of.len() as i64;
        SlaByPriorityDto {
            priority: priority.key().into(),
            completed: n,
            response_met,
            resolution_met,
            response_percent: rules::percent(response_met, n),
            resolution_percent: rules::percent(resolution_met, n),
        }
    })
    .collect();
    out.retain(|s| s.completed > 0);
    out
}

/// How many of the repairs `repaired` selects were not fixed the first time: a follow-up work
/// order was raised for them, or they were sent back from completed.
async fn not_first_time(db: &impl ConnectionTrait, repaired: Condition) -> ApiResult<usize> {
    let followed: Vec<Option<Uuid>> = work_order::Entity::find()
        .select_only()
        .column(work_order::Column::FollowUpOf)
        .filter(work_order::Column::FollowUpOf.in_subquery(ids_of_work(repaired.clone())))
        .into_tuple()
        .all(db)
        .await?;
    let sent_back: Vec<Uuid> = work_order_history::Entity::find()
        .select_only()
        .column(work_order_history::Column::WorkOrderId)
        .filter(work_order_history::Column::WorkOrderId.in_subquery(ids_of_work(repaired)))
        .filter(work_order_history::Column::FromStatus.eq(Status::Completed.key()))
        .filter(work_order_history::Column::ToStatus.ne(Status::Closed.key()))
        .into_tuple()
        .all(db)
        .await?;
    let mut ids: HashSet<Uuid> = followed.into_iter().flatten().collect();
    ids.extend(sent_back);
    Ok(ids.len())
}

/// Labour at the organization's rate, parts at the ledger's cost (and free-text lines), and
/// vendor cost of the work `done` selects, summed by the database as every work order shows them.
async fn cost(
    db: &impl ConnectionTrait,
    p: &Principal,
    done: Condition,
    completed: &[Done],
) -> ApiResult<CostDto> {
    let rate = organization::Entity::find_by_id(p.org())
        .one(db)
        .await?
        .map(|o| o.labour_rate_minor)
        .unwrap_or(0);
    let minutes = sum_minutes(
        db,
        work_order_time_log::Entity::find().filter(
            work_order_time_log::Column::WorkOrderId.in_subquery(ids_of_work(done.clone())),
        ),
    )
    .await?;
    let parts = work_orders::parts_total_cost(db, ids_of_work(done)).await?;
    let labour = money::times(minutes, rate) / 60;
    let vendor = money::total(completed.iter().map(|w| w.vendor_cost_minor));
    Ok(CostDto {
        labour_minor: labour,
        parts_minor: parts,
        vendor_minor: vendor,
        total_minor: money::total([labour, parts, vendor]),
    })
}

/// Minutes of the time logs a query selects, summed by the database.
async fn sum_minutes(
    db: &impl ConnectionTrait,
    q: sea_orm::Select<work_order_time_log::Entity>,
) -> ApiResult<i64> {
    let sum: Option<i64> = q
        .select_only()
        .column_as(
            Expr::cust("CAST(COALESCE(SUM(minutes), 0) AS BIGINT)"),
            "minutes",
        )
        .into_tuple()
        .one(db)
        .await?;
    Ok(sum.unwrap_or(0))
}

/// Minutes logged on the work `place` selects, by logs started in the period.
async fn logged_minutes(
    db: &impl ConnectionTrait,
    q: &KpiQuery,
    place: Condition,
) -> ApiResult<i64> {
    sum_minutes(
        db,
        work_order_time_log::Entity::find()
            .filter(work_order_time_log::Column::StartedAt.gte(q.from))
            .filter(work_order_time_log::Column::StartedAt.lt(q.to))
            .filter(work_order_time_log::Column::WorkOrderId.in_subquery(ids_of_work(place))),
    )
    .await
}

/// Occurrences of preventive maintenance due in the period on the equipment `assets` selects.
async fn pm_tally(
    db: &impl ConnectionTrait,
    q: &KpiQuery,
    assets: Condition,
    now: DateTime<Utc>,
) -> ApiResult<Tally> {
    let ids = Query::select()
        .column(asset::Column::Id)
        .from(asset::Entity)
        .cond_where(assets)
        .to_owned();
    let rows: Vec<(InstanceStatus, DateTime<Utc>)> = pm_instance::Entity::find()
        .select_only()
        .column(pm_instance::Column::Status)
        .column(pm_instance::Column::WindowEndAt)
        .filter(pm_instance::Column::DueAt.gte(q.from))
        .filter(pm_instance::Column::DueAt.lt(q.to))
        .filter(pm_instance::Column::AssetId.in_subquery(ids))
        .into_tuple()
        .all(db)
        .await?;
    let mut tally = Tally::default();
    for (status, window_end) in rows {
        tally.add(status, window_end, now);
    }
    Ok(tally)
}

/// Open work now, by department and age, most first.
async fn backlog(
    db: &impl ConnectionTrait,
    place: &Place,
    now: DateTime<Utc>,
) -> ApiResult<Vec<BacklogDto>> {
    let open: Vec<(Option<Uuid>, DateTime<Utc>)> = work_order::Entity::find()
        .select_only()
        .column(work_order::Column::DepartmentId)
        .column(work_order::Column::CreatedAt)
        .filter(place.work.clone())
        .filter(
            work_order::Column::Status.is_in(Status::ALL.iter().copied().filter(|s| s.is_open())),
        )
        .into_tuple()
        .all(db)
        .await?;
    let mut by: HashMap<Option<Uuid>, Vec<i64>> = HashMap::new();
    for (d, at) in open {
        by.entry(d).or_insert_with(|| vec![0; AGE_BUCKETS.len()])
            [rules::age_bucket((now - at).num_days())] += 1;
    }
    let ids: Vec<Uuid> = by.keys().flatten().copied().collect();
    let names = department_names(db, ids).await?;
    let mut out: Vec<BacklogDto> = by
        .into_iter()
        .map(|(d, by_age)| BacklogDto {
            department_id: d,
            department_name: d.and_then(|d| names.get(&d).cloned()),
            open: by_age.iter().sum(),
            by_age,
        })
        .collect();
    out.sort_by(|a, b| {
        b.open
            .cmp(&a.open)
            .then_with(|| a.department_name.cmp(&b.department_name))
    });
    Ok(out)
}

/// Issues refused for want of stock and issues made, in the period, in the stores the reader
/// reaches (of the site asked for); with a department or equipment, only those for that work.
async fn stock_outs(
    db: &impl ConnectionTrait,
    p: &Principal,
    q: &KpiQuery,
    place: &Place,
) -> ApiResult<(Option<f64>, i64)> {
    if !p.can("inventory.read") {
        return Ok((None, 0));
    }
    let mut stores = inventory::reachable_store_ids(db, p).await?;
    if let Some(site) = place.site {
        let at_site: HashSet<Uuid> = store::Entity::find()
            .filter(store::Column::SiteId.eq(site))
            .all(db)
            .await?
            .into_iter()
            .map(|s| s.id)
            .collect();
        stores.retain(|s| at_site.contains(s));
    }
    let outs = stock_out::Entity::find()
        .filter(for_work(
            place,
            Condition::all()
                .add(stock_out::Column::StoreId.is_in(stores.clone()))
                .add(stock_out::Column::CreatedAt.gte(q.from))
                .add(stock_out::Column::CreatedAt.lt(q.to)),
            stock_out::Column::WorkOrderId,
        ))
        .count(db)
        .await? as i64;
    let issues = stock_entry::Entity::find()
        .filter(for_work(
            place,
            Condition::all()
                .add(stock_entry::Column::StoreId.is_in(stores))
                .add(stock_entry::Column::Kind.eq(MovementKind::Issue))
                .add(stock_entry::Column::CreatedAt.gte(q.from))
                .add(stock_entry::Column::CreatedAt.lt(q.to)),
            stock_entry::Column::WorkOrderId,
        ))
        .count(db)
        .await? as i64;
    Ok((rules::percent(outs, outs + issues), outs + issues))
}

/// With a department or equipment asked for, only rows for that work.
fn for_work<C: IntoColumnRef>(place: &Place, c: Condition, column: C) -> Condition {
    use sea_orm::sea_query::ExprTrait;
    if place.by_work {
        c.add(Expr::col(column).in_subquery(ids_of_work(place.work.clone())))
    } else {
        c
    }
}
