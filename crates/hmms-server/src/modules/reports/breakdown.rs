//! `GET /reports/breakdown`: repairs, reliability and cost per site, department, equipment class
//! or asset — the key figures of [`super::kpis`], computed the same way for each group.

use std::collections::HashMap;

use hmms_domain::assets::AssetStatus;
use hmms_domain::money;
use hmms_domain::reports as rules;
use hmms_store::entities::{asset, equipment_class, organization, site, work_order};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::done::{self, Key};
use super::dto::*;
use super::place::{CHUNK, check_period, department_names, place};
use super::reported;
use crate::auth::principal::Principal;
use crate::error::ApiResult;
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

/// Equipment counted as in use.
const IN_USE: [AssetStatus; 3] = [
    AssetStatus::InService,
    AssetStatus::UnderMaintenance,
    AssetStatus::OutOfService,
];

pub async fn breakdown(state: &AppState, p: &Principal, q: BreakdownQuery) -> ApiResult<Breakdown> {
    p.require("report.read")?;
    let filters = q.place();
    check_period(&filters)?;
    let db = &state.db;
    let place = place(db, p, &filters).await?;
    let now = state.clock.now();

    // The group of a piece of work: by its own place, or by its equipment's.
    let (work_key, asset_key) = match q.by {
        GroupBy::Site => ("work_orders.site_id", asset::Column::SiteId),
        GroupBy::Department => ("work_orders.department_id", asset::Column::DepartmentId),
        GroupBy::Class => ("assets.class_id", asset::Column::ClassId),
        GroupBy::Asset => ("work_orders.asset_id", asset::Column::Id),
    };
    let key = Key::one(work_key);
    let done_in_period = Condition::all()
        .add(place.work.clone())
        .add(work_order::Column::CompletedAt.gte(q.from))
        .add(work_order::Column::CompletedAt.lt(q.to));

    let mut sums: HashMap<Option<Uuid>, Sums> = HashMap::new();
    let done: HashMap<Option<Uuid>, done::DoneSums> =
        done::sums(db, &key, done_in_period.clone()).await?;
    for (id, d) in done {
        let s = sums.entry(id).or_default();
        s.completed = d.completed;
        s.repairs = d.repairs;
        s.repair_minutes = d.repair_minutes;
        s.downtime_minutes = d.downtime_minutes;
        s.vendor = d.vendor_minor;
    }
    let labour: HashMap<Option<Uuid>, i64> =
        done::logged_minutes(db, &key, done_in_period.clone()).await?;
    for (id, minutes) in labour {
        sums.entry(id).or_default().labour_minutes = minutes;
    }
    let parts: HashMap<Option<Uuid>, i64> = done::parts_cost(db, &key, done_in_period).await?;
    for (id, cost) in parts {
        sums.entry(id).or_default().parts = cost;
    }
    let failures: HashMap<Option<Uuid>, i64> =
        reported::failures_by(db, &key, place.work.clone(), q.from, q.to).await?;
    for (id, n) in failures {
        sums.entry(id).or_default().failures = n;
    }
    // Equipment in use per group; per asset, only for the rows shown (below).
    if q.by != GroupBy::Asset {
        for (id, n) in in_use(db, place.assets.clone(), asset_key).await? {
            sums.entry(id).or_default().assets = n;
        }
    }

    let org = organization::Entity::find_by_id(p.org()).one(db).await?;
    let rate = org.as_ref().map(|o| o.labour_rate_minor).unwrap_or(0);
    let period = (q.to.min(now) - q.from).num_minutes().max(0);
    // Most costly first: labour at the rate, parts and vendor, then most repairs.
    let rank = |s: &Sums| {
        let labour = money::times(s.labour_minutes, rate) / 60;
        (money::total([labour, s.parts, s.vendor]), s.repairs)
    };
    let mut groups: Vec<(Option<Uuid>, Sums)> = sums.into_iter().collect();
    if q.by == GroupBy::Asset && groups.len() > TOP_ASSETS {
        // Keep the costliest, and every one tied with the last of them (their names decide).
        groups.sort_by_key(|(_, s)| std::cmp::Reverse(rank(s)));
        let last = rank(&groups[TOP_ASSETS - 1].1);
        groups.retain(|(_, s)| rank(s) >= last);
    }
    let ids: Vec<Uuid> = groups.iter().filter_map(|(id, _)| *id).collect();
    if q.by == GroupBy::Asset {
        let mut used = HashMap::new();
        for chunk in ids.chunks(CHUNK) {
            let these = place
                .assets
                .clone()
                .add(asset::Column::Id.is_in(chunk.to_vec()));
            used.extend(in_use(db, these, asset_key).await?);
        }
        for (id, s) in &mut groups {
            s.assets = used.get(id).copied().unwrap_or(0);
        }
    }
    let names = names(db, q.by, ids).await?;
    let mut rows: Vec<BreakdownRow> = groups
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

/// Equipment in use that `assets` selects, counted per `key`.
async fn in_use(
    db: &impl ConnectionTrait,
    assets: Condition,
    key: asset::Column,
) -> ApiResult<HashMap<Option<Uuid>, i64>> {
    Ok(asset::Entity::find()
        .select_only()
        .column(key)
        .column_as(sea_orm::sea_query::Expr::cust("COUNT(*)"), "n")
        .filter(assets)
        .filter(asset::Column::Status.is_in(IN_USE))
        .group_by(key)
        .into_tuple::<(Option<Uuid>, i64)>()
        .all(db)
        .await?
        .into_iter()
        .collect())
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
