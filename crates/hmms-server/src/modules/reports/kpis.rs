//! The key figures of a period — MTTR, MTBF, downtime, availability, PM compliance, planned
//! work, SLA attainment, first-time fix, repeat failures, backlog, cost and stock-outs — over
//! the records the reader may see, narrowed to a site or department. Each figure is computed as
//! its published definition ([`hmms_domain::reports::DEFINITIONS`]) says.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use hmms_domain::assets::{AssetStatus, RiskClass};
use hmms_domain::money;
use hmms_domain::preventive::compliance::{InstanceStatus, Tally};
use hmms_domain::reports::{self as rules, AGE_BUCKETS, DEFINITIONS};
use hmms_domain::stock::MovementKind;
use hmms_domain::work_orders::{Priority, Status, WorkOrderType};
use hmms_store::entities::{
    asset, organization, pm_instance, stock_entry, stock_out, store, work_order,
    work_order_time_log,
};
use sea_orm::sea_query::{Expr, IntoColumnRef, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect,
};
use uuid::Uuid;

use super::done::{self, DoneSums, Key};
use super::dto::*;
use super::place::{Place, check_period, department_names, ids_of_work, place};
use super::reported;
use crate::auth::principal::Principal;
use crate::error::ApiResult;
use crate::modules::inventory;
use crate::state::AppState;

/// Work that is planned rather than a repair.
const PLANNED: [WorkOrderType; 3] = [
    WorkOrderType::Preventive,
    WorkOrderType::Inspection,
    WorkOrderType::Calibration,
];

pub async fn kpis(state: &AppState, p: &Principal, q: KpiQuery) -> ApiResult<Kpis> {
    p.require("report.read")?;
    check_period(&q)?;
    let db = &state.db;
    let place = place(db, p, &q).await?;
    let now = state.clock.now();
    let mut figures: HashMap<&str, (Option<f64>, i64)> = HashMap::new();

    // Work completed in the period: repairs, downtime, SLA, first-time fix, cost — summed by
    // the database per priority and type (a year of a large hospital's work is many rows).
    let done_in_period = Condition::all()
        .add(place.work.clone())
        .add(work_order::Column::CompletedAt.gte(q.from))
        .add(work_order::Column::CompletedAt.lt(q.to));
    let by: HashMap<(Priority, WorkOrderType), DoneSums> =
        done::sums(db, &Key::priority_and_type(), done_in_period.clone()).await?;
    let all = by.values().fold(DoneSums::default(), |a, s| DoneSums {
        completed: a.completed + s.completed,
        repairs: a.repairs + s.repairs,
        repair_minutes: a.repair_minutes + s.repair_minutes,
        downtime_minutes: a.downtime_minutes + s.downtime_minutes,
        vendor_minor: money::total([a.vendor_minor, s.vendor_minor]),
        response_met: a.response_met + s.response_met,
        resolution_met: a.resolution_met + s.resolution_met,
    });
    figures.insert(
        "mttr",
        (
            rules::mean_hours(all.repair_minutes, all.repairs),
            all.repairs,
        ),
    );
    let downtime = all.downtime_minutes;
    figures.insert("downtime", (Some(downtime as f64 / 60.0), all.completed));
    let done = all.completed;
    figures.insert(
        "sla_response",
        (rules::percent(all.response_met, done), done),
    );
    figures.insert(
        "sla_resolution",
        (rules::percent(all.resolution_met, done), done),
    );
    let repaired = Condition::all()
        .add(done_in_period.clone())
        .add(work_order::Column::WoType.eq(WorkOrderType::Corrective));
    let fixed_again = done::not_first_time(db, repaired).await?;
    let n = all.repairs;
    figures.insert("first_time_fix", (rules::percent(n - fixed_again, n), n));
    let cost = cost(db, p, done_in_period.clone(), all.vendor_minor).await?;
    figures.insert("maintenance_cost", (Some(cost.total_minor as f64), done));
    let delays = delays(db, p, done_in_period).await?;
    let (held, held_minutes) = delays
        .iter()
        .fold((0, 0), |(n, m), d| (n + d.work_orders, m + d.minutes));
    figures.insert(
        "time_on_hold",
        (Some(rules::round1(held_minutes as f64 / 60.0)), held),
    );

    // Work reported in the period (and the 30 days before, for repeats).
    let responded = reported::responded(db, place.work.clone(), q.from, q.to).await?;
    figures.insert(
        "mean_time_to_respond",
        (
            rules::mean_hours(responded.minutes, responded.answered),
            responded.answered,
        ),
    );
    let (failures, repeats) = reported::failures(db, place.work.clone(), q.from, q.to).await?;
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
    let pm = pm_tally(db, &q, place.assets.clone(), now).await?;
    figures.insert("pm_compliance", (pm.compliance_percent(), pm.decided()));
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
    let (logged, planned) = logged_in_period(db, &q, place.work.clone()).await?;
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
        sla_by_priority: sla_by_priority(&by),
        age_buckets: AGE_BUCKETS.iter().map(|b| (*b).into()).collect(),
        backlog,
        cost,
        delays,
    })
}

/// Why completed work waited: time on hold per the reason it last waited for, named as the
/// organization names its reasons now (a reason since removed reads as its code).
async fn delays(
    db: &impl ConnectionTrait,
    p: &Principal,
    done: Condition,
) -> ApiResult<Vec<DelayDto>> {
    let held = done::held(db, done).await?;
    if held.is_empty() {
        return Ok(vec![]);
    }
    let reasons = crate::modules::org::hold_reasons(db, p.org()).await?;
    Ok(held
        .into_iter()
        .map(|(code, work_orders, minutes)| {
            let name = code.as_ref().map_or_else(
                || "No reason recorded".to_string(),
                |c| {
                    reasons
                        .iter()
                        .find(|r| &r.code == c)
                        .map_or_else(|| c.clone(), |r| r.name.clone())
                },
            );
            DelayDto {
                reason: code,
                name,
                work_orders,
                minutes,
                hours: rules::round1(minutes as f64 / 60.0),
            }
        })
        .collect())
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
fn sla_by_priority(by: &HashMap<(Priority, WorkOrderType), DoneSums>) -> Vec<SlaByPriorityDto> {
    let mut out: Vec<SlaByPriorityDto> = [
        Priority::Critical,
        Priority::High,
        Priority::Medium,
        Priority::Low,
    ]
    .into_iter()
    .map(|priority| {
        let (n, response_met, resolution_met) = by
            .iter()
            .filter(|((p, _), _)| *p == priority)
            .fold((0, 0, 0), |(n, a, b), (_, s)| {
                (n + s.completed, a + s.response_met, b + s.resolution_met)
            });
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

/// Labour at the organization's rate, parts at the ledger's cost (and free-text lines), and
/// vendor cost of the work `done` selects, summed by the database as every work order shows them.
async fn cost(
    db: &impl ConnectionTrait,
    p: &Principal,
    done: Condition,
    vendor: i64,
) -> ApiResult<CostDto> {
    let rate = organization::Entity::find_by_id(p.org())
        .one(db)
        .await?
        .map(|o| o.labour_rate_minor)
        .unwrap_or(0);
    let by_type = Key::one("work_orders.wo_type");
    let minutes: HashMap<WorkOrderType, i64> =
        done::logged_minutes(db, &by_type, done.clone()).await?;
    let parts: HashMap<WorkOrderType, i64> = done::parts_cost(db, &by_type, done).await?;
    let labour = money::times(minutes.values().sum(), rate) / 60;
    let parts = money::total(parts.into_values());
    Ok(CostDto {
        labour_minor: labour,
        parts_minor: parts,
        vendor_minor: vendor,
        total_minor: money::total([labour, parts, vendor]),
    })
}

/// Minutes logged on the work `place` selects, by logs started in the period: all of them,
/// and those on planned work.
async fn logged_in_period(
    db: &impl ConnectionTrait,
    q: &KpiQuery,
    place: Condition,
) -> ApiResult<(i64, i64)> {
    let by: HashMap<WorkOrderType, i64> = done::logged_minutes(
        db,
        &Key::one("work_orders.wo_type"),
        place
            .add(work_order_time_log::Column::StartedAt.gte(q.from))
            .add(work_order_time_log::Column::StartedAt.lt(q.to)),
    )
    .await?;
    let planned = by
        .iter()
        .filter(|(t, _)| PLANNED.contains(t))
        .map(|(_, m)| m)
        .sum();
    Ok((by.values().sum(), planned))
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
    use sea_orm::sea_query::ExprTrait;
    let closed = Expr::col((pm_instance::Entity, pm_instance::Column::WindowEndAt)).lt(now);
    let rows: Vec<(InstanceStatus, bool, i64)> = pm_instance::Entity::find()
        .select_only()
        .column(pm_instance::Column::Status)
        .column_as(
            Expr::Case(Box::new(Expr::case(closed, true).finally(false))),
            "window_closed",
        )
        .column_as(Expr::cust("COUNT(*)"), "n")
        .filter(pm_instance::Column::DueAt.gte(q.from))
        .filter(pm_instance::Column::DueAt.lt(q.to))
        .filter(pm_instance::Column::AssetId.in_subquery(ids))
        .group_by(pm_instance::Column::Status)
        .group_by(Expr::cust("2"))
        .into_tuple()
        .all(db)
        .await?;
    let mut tally = Tally::default();
    for (status, closed, n) in rows {
        tally.add_many(status, closed, n);
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
