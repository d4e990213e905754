//! `GET /reports/breakdown`: repairs, reliability and cost per site, department, equipment class
//! or asset — the key figures of [`super::kpis`], computed the same way for each group.

use std::collections::HashMap;

use hmms_domain::assets::AssetStatus;
use hmms_domain::money;
use hmms_domain::reports as rules;
use hmms_domain::work_orders::WorkOrderType;
use hmms_store::entities::{
    asset, equipment_class, organization, site, work_order, work_order_time_log,
};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::dto::*;
use super::place::{CHUNK, check_period, department_names, place};
use crate::auth::principal::Principal;
use crate::error::ApiResult;
use crate::modules::work_orders;
use crate::state::AppState;

/// An asset breakdown lists the equipment that cost most, at most this many.
const TOP_ASSETS: usize = 100;

/// What a group adds up.
#[derive(Default)]
struct Sums {
    completed: i64,
    repairs: i64,
    repair_minutes: i64,
    failures: i64,
    downtime_minutes: i64,
    assets: i64,
    labour_minutes: i64,
    parts: i64,
    vendor: i64,
}

/// An asset as a breakdown places it.
struct Placed {
    site: Uuid,
    department: Option<Uuid>,
    class: Option<Uuid>,
    in_use: bool,
}

pub async fn breakdown(state: &AppState, p: &Principal, q: BreakdownQuery) -> ApiResult<Breakdown> {
    p.require("report.read")?;
    let filters = q.place();
    check_period(&filters)?;
    let db = &state.db;
    let place = place(db, p, &filters).await?;
    let now = state.clock.now();

    let placed: HashMap<Uuid, Placed> = asset::Entity::find()
        .select_only()
        .column(asset::Column::Id)
        .column(asset::Column::SiteId)
        .column(asset::Column::DepartmentId)
        .column(asset::Column::ClassId)
        .column(asset::Column::Status)
        .filter(place.assets.clone())
        .into_tuple::<(Uuid, Uuid, Option<Uuid>, Option<Uuid>, AssetStatus)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(id, site, department, class, status)| {
            let in_use = matches!(
                status,
                AssetStatus::InService | AssetStatus::UnderMaintenance | AssetStatus::OutOfService
            );
            (
                id,
                Placed {
                    site,
                    department,
                    class,
                    in_use,
                },
            )
        })
        .collect();
    // The group of a piece of work: by its own place, or by its equipment's.
    let group_of = |site: Uuid, department: Option<Uuid>, asset: Option<Uuid>| match q.by {
        GroupBy::Site => Some(site),
        GroupBy::Department => department,
        GroupBy::Class => asset.and_then(|a| placed.get(&a)).and_then(|a| a.class),
        GroupBy::Asset => asset,
    };

    let mut sums: HashMap<Option<Uuid>, Sums> = HashMap::new();
    if q.by != GroupBy::Asset {
        for (id, a) in &placed {
            if a.in_use {
                let key = group_of(a.site, a.department, Some(*id));
                sums.entry(key).or_default().assets += 1;
            }
        }
    }

    let completed = work_order::Entity::find()
        .filter(place.work.clone())
        .filter(work_order::Column::CompletedAt.gte(q.from))
        .filter(work_order::Column::CompletedAt.lt(q.to))
        .all(db)
        .await?;
    let ids: Vec<Uuid> = completed.iter().map(|w| w.id).collect();
    let (labour, parts) = costs(db, &ids).await?;
    for w in &completed {
        let s = sums
            .entry(group_of(w.site_id, w.department_id, w.asset_id))
            .or_default();
        s.completed += 1;
        if w.wo_type == WorkOrderType::Corrective {
            s.repairs += 1;
            if let Some(done) = w.completed_at {
                s.repair_minutes += (done - w.created_at).num_minutes().max(0);
            }
        }
        s.downtime_minutes += i64::from(w.downtime_minutes.unwrap_or(0).max(0));
        s.labour_minutes += labour.get(&w.id).copied().unwrap_or(0);
        s.parts = money::total([s.parts, parts.get(&w.id).copied().unwrap_or(0)]);
        s.vendor = money::total([s.vendor, w.vendor_cost_minor]);
    }

    let failures: Vec<(Uuid, Option<Uuid>, Option<Uuid>)> = work_order::Entity::find()
        .select_only()
        .column(work_order::Column::SiteId)
        .column(work_order::Column::DepartmentId)
        .column(work_order::Column::AssetId)
        .filter(place.work.clone())
        .filter(work_order::Column::WoType.eq(WorkOrderType::Corrective))
        .filter(work_order::Column::AssetId.is_not_null())
        .filter(work_order::Column::CreatedAt.gte(q.from))
        .filter(work_order::Column::CreatedAt.lt(q.to))
        .into_tuple()
        .all(db)
        .await?;
    for (site, department, asset) in failures {
        sums.entry(group_of(site, department, asset))
            .or_default()
            .failures += 1;
    }
    if q.by == GroupBy::Asset {
        for (id, s) in sums.iter_mut() {
            s.assets = i64::from(id.and_then(|a| placed.get(&a)).is_some_and(|a| a.in_use));
        }
    }

    let org = organization::Entity::find_by_id(p.org()).one(db).await?;
    let rate = org.as_ref().map(|o| o.labour_rate_minor).unwrap_or(0);
    let period = (q.to.min(now) - q.from).num_minutes().max(0);
    let names = names(db, q.by, sums.keys().flatten().copied().collect()).await?;
    let mut rows: Vec<BreakdownRow> = sums
        .into_iter()
        .map(|(id, s)| row(id, id.and_then(|i| names.get(&i).cloned()), s, rate, period))
        .collect();
    rows.sort_by(|a, b| {
        b.cost_minor
            .cmp(&a.cost_minor)
            .then(b.repairs.cmp(&a.repairs))
            .then_with(|| a.name.cmp(&b.name))
    });
    if q.by == GroupBy::Asset {
        rows.truncate(TOP_ASSETS);
    }
    Ok(Breakdown {
        by: q.by,
        currency: org.map(|o| o.currency).unwrap_or_default(),
        rows,
    })
}

fn row(id: Option<Uuid>, name: Option<String>, s: Sums, rate: i64, period: i64) -> BreakdownRow {
    let labour = money::times(s.labour_minutes, rate) / 60;
    BreakdownRow {
        id,
        name,
        completed: s.completed,
        repairs: s.repairs,
        mttr_hours: rules::mean_hours(s.repair_minutes, s.repairs),
        failures: s.failures,
        mtbf_hours: rules::mtbf_hours(s.assets, period, s.downtime_minutes, s.failures),
        downtime_hours: (s.downtime_minutes as f64 / 6.0).round() / 10.0,
        assets: s.assets,
        availability_percent: rules::availability_percent(s.assets, period, s.downtime_minutes),
        labour_minor: labour,
        parts_minor: s.parts,
        vendor_minor: s.vendor,
        cost_minor: money::total([labour, s.parts, s.vendor]),
    }
}

/// Minutes logged and parts cost of each of these work orders.
async fn costs(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> ApiResult<(HashMap<Uuid, i64>, HashMap<Uuid, i64>)> {
    let (mut labour, mut parts) = (HashMap::new(), HashMap::new());
    for chunk in ids.chunks(CHUNK) {
        let logged: Vec<(Uuid, i64)> = work_order_time_log::Entity::find()
            .select_only()
            .column(work_order_time_log::Column::WorkOrderId)
            .column_as(
                Expr::cust("CAST(COALESCE(SUM(minutes), 0) AS BIGINT)"),
                "minutes",
            )
            .filter(work_order_time_log::Column::WorkOrderId.is_in(chunk.iter().copied()))
            .group_by(work_order_time_log::Column::WorkOrderId)
            .into_tuple()
            .all(db)
            .await?;
        labour.extend(logged);
        parts.extend(work_orders::parts_costs(db, chunk.to_vec()).await?);
    }
    Ok((labour, parts))
}

/// The names of the groups.
async fn names(
    db: &impl ConnectionTrait,
    by: GroupBy,
    ids: Vec<Uuid>,
) -> ApiResult<HashMap<Uuid, String>> {
    let mut out = HashMap::new();
    for chunk in ids.chunks(CHUNK) {
        let chunk = chunk.iter().copied();
        match by {
            GroupBy::Site => out.extend(
                site::Entity::find()
                    .filter(site::Column::Id.is_in(chunk))
                    .all(db)
                    .await?
                    .into_iter()
                    .map(|s| (s.id, s.name)),
            ),
            GroupBy::Department => out.extend(department_names(db, chunk.collect()).await?),
            GroupBy::Class => out.extend(
                equipment_class::Entity::find()
                    .filter(equipment_class::Column::Id.is_in(chunk))
                    .all(db)
                    .await?
                    .into_iter()
                    .map(|c| (c.id, c.name)),
            ),
            GroupBy::Asset => out.extend(
                asset::Entity::find()
                    .filter(asset::Column::Id.is_in(chunk))
                    .all(db)
                    .await?
                    .into_iter()
                    .map(|a| (a.id, format!("{} · {}", a.tag, a.name))),
            ),
        }
    }
    Ok(out)
}
