//! The generator: turns plans into occurrences and preventive work orders ahead of their due
//! dates, from the calendar and from meters; marks occurrences missed when the next fell due
//! before work started; and catches up after the server was down without doing anything twice
//! (one occurrence per plan, asset and due time — a unique index — checked under the write lock).
//!
//! Work is written in chunks of [`CHUNK`] occurrences per transaction, with multi-row inserts,
//! so a first run over tens of thousands of plans neither holds the writer for long nor costs a
//! round trip per row; each person is told once per run how much work was scheduled for them.

mod due;
mod supersede;
mod write;

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use hmms_store::entities::{asset, pm_instance, pm_plan, pm_target};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::auth::principal::Principal;
use crate::error::ApiResult;
use crate::modules::preventive::dto::GeneratorReport;
use crate::modules::preventive::targets::Schedule;
use crate::state::{AppState, WriteTx};
use crate::system_users;

/// Occurrences written per transaction.
pub const CHUNK: usize = 500;
/// At most this many occurrences are made for one asset in one run (a daily plan with a long
/// lead time does not flood the list).
const PER_TARGET: usize = 31;

/// The identity preventive work is raised under.
pub async fn system(tx: &WriteTx, org: Uuid, now: DateTime<Utc>) -> ApiResult<Principal> {
    system_users::principal(
        tx,
        org,
        "preventive-maintenance",
        "Preventive maintenance (HMMS)",
        &["work_order.read", "work_order.create", "work_order.assign"],
        "hmms pm-generator",
        now,
    )
    .await
}

/// One occurrence to write.
pub(super) struct Due {
    plan: usize,
    target: Uuid,
    asset: usize,
    due_at: DateTime<Utc>,
    trigger: &'static str,
    meter_value: Option<i64>,
    /// Recorded as missed without work: an earlier occurrence that fell due while nothing
    /// generated, already superseded by a later one that is due too.
    missed: bool,
}

/// How a target's schedule moves once its occurrences are written.
#[derive(Clone)]
pub(super) struct TargetUpdate {
    row: pm_target::Model,
}

pub(super) struct Loaded {
    plans: Vec<(pm_plan::Model, Schedule)>,
    assets: Vec<asset::Model>,
    due: Vec<Due>,
    updates: HashMap<Uuid, TargetUpdate>,
    targets_added: i64,
}

/// Runs the generator for every organization (the hourly job), or for one plan.
pub async fn run(state: &AppState, only_plan: Option<Uuid>) -> ApiResult<GeneratorReport> {
    let now = state.clock.now();
    let mut report = GeneratorReport::default();
    let mut q = pm_plan::Entity::find().filter(pm_plan::Column::Active.eq(true));
    if let Some(id) = only_plan {
        q = q.filter(pm_plan::Column::Id.eq(id));
    }
    let all_plans = q.order_by_asc(pm_plan::Column::Id).all(&state.db).await?;
    let mut by_org: BTreeMap<Uuid, Vec<pm_plan::Model>> = BTreeMap::new();
    for p in all_plans {
        by_org.entry(p.organization_id).or_default().push(p);
    }
    let started = std::time::Instant::now();
    for (org, plans) in by_org {
        let loaded = due::load(state, org, plans, now).await?;
        report.targets_added += loaded.targets_added;
        write::write(state, org, loaded, now, &mut report).await?;
        report.missed += supersede::supersede(state, org, now).await?;
    }
    if report.generated + report.missed + report.targets_added > 0 {
        tracing::info!(
            generated = report.generated,
            missed = report.missed,
            targets_added = report.targets_added,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "preventive generator run"
        );
    }
    Ok(report)
}

/// Runs the generator for the meter plans covering one asset, after a reading: work due by
/// the meter appears at once. A failure is logged; the hourly run catches up.
pub async fn run_for_asset(state: &AppState, asset_id: Uuid) {
    use sea_orm::QuerySelect;
    let plans: Result<Vec<Uuid>, sea_orm::DbErr> = pm_target::Entity::find()
        .select_only()
        .column(pm_target::Column::PlanId)
        .filter(pm_target::Column::AssetId.eq(asset_id))
        .into_tuple()
        .all(&state.db)
        .await;
    let Ok(plans) = plans else { return };
    for plan in plans {
        let metered = pm_plan::Entity::find_by_id(plan)
            .one(&state.db)
            .await
            .ok()
            .flatten()
            .is_some_and(|p| p.meter_every.is_some());
        if metered && let Err(e) = run(state, Some(plan)).await {
            tracing::error!(%plan, error = %e, "generator after a meter reading failed");
        }
    }
}

/// A select of `(plan_id, asset_id, due_at)` only.
pub(super) trait SelectKey {
    fn select_only_tuple(self) -> Self;
}

impl SelectKey for sea_orm::Select<pm_instance::Entity> {
    fn select_only_tuple(self) -> Self {
        use sea_orm::QuerySelect;
        self.select_only().columns([
            pm_instance::Column::PlanId,
            pm_instance::Column::AssetId,
            pm_instance::Column::DueAt,
        ])
    }
}
