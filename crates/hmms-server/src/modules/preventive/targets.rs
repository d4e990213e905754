//! Which equipment a plan covers, and each one's schedule (`pm_targets`) that the generator
//! works from: the plan's schedule as the rules see it, generation times, the site's zone.

use std::collections::HashSet;

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use hmms_domain::preventive::schedule::{Calendar, MeterInterval, Mode, Recurrence};
use hmms_store::entities::{asset, equipment_class, pm_plan, pm_target, site};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::state::WriteTx;
use hmms_domain::assets::AssetStatus;

/// Statuses of equipment that no longer gets maintenance.
pub const OUT_OF_USE: [AssetStatus; 2] = [AssetStatus::Retired, AssetStatus::Disposed];

/// What the rules need of a plan's schedule, read from its row.
pub struct Schedule {
    pub calendar: Option<Calendar>,
    pub meter: Option<(String, MeterInterval)>,
    pub mode: Mode,
    pub lead: Duration,
    pub grace_days: i32,
}

impl Schedule {
    pub fn of(plan: &pm_plan::Model, zone: &str) -> ApiResult<Self> {
        let calendar = match (&plan.recurrence, &plan.start_local) {
            (Some(r), Some(start)) => {
                let recurrence: Recurrence = serde_json::from_str(r)?;
                let start = NaiveDateTime::parse_from_str(start, "%Y-%m-%dT%H:%M:%S")
                    .map_err(|e| ApiError::Internal(anyhow::anyhow!("plan {}: {e}", plan.id)))?;
                Some(
                    Calendar::of(&recurrence, start, zone).map_err(|e| {
                        ApiError::Internal(anyhow::anyhow!("plan {}: {e}", plan.id))
                    })?,
                )
            }
            _ => None,
        };
        let meter = match (&plan.meter_name, plan.meter_every) {
            (Some(name), Some(every)) => Some((
                name.clone(),
                MeterInterval {
                    every: every as f64,
                },
            )),
            _ => None,
        };
        let mode = if plan.mode == "floating" || (meter.is_some() && calendar.is_some()) {
            // "Whichever comes first" restarts both counters at each completion.
            Mode::Floating
        } else {
            Mode::Fixed
        };
        Ok(Self {
            calendar,
            meter,
            mode,
            lead: Duration::days(i64::from(plan.lead_days)),
            grace_days: plan.grace_days,
        })
    }

    /// The first calendar occurrence a newly covered asset gets: the first at or after both
    /// the plan's start and `now` (past occurrences are not made up for a new plan).
    pub fn first_due(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.calendar.as_ref().and_then(|c| c.first_from(now))
    }
}

/// The due time's generation time: `lead` earlier.
pub fn generate_at(due: Option<DateTime<Utc>>, lead: Duration) -> Option<DateTime<Utc>> {
    due.map(|d| d - lead)
}

pub async fn zone_of(db: &impl ConnectionTrait, site_id: Uuid) -> ApiResult<String> {
    Ok(site::Entity::find_by_id(site_id)
        .one(db)
        .await?
        .map(|s| s.time_zone)
        .unwrap_or_else(|| "UTC".into()))
}

/// An equipment class and every class under it.
async fn class_subtree(db: &impl ConnectionTrait, org: Uuid, root: Uuid) -> ApiResult<Vec<Uuid>> {
    let all: Vec<(Uuid, Option<Uuid>)> = equipment_class::Entity::find()
        .select_only()
        .columns([
            equipment_class::Column::Id,
            equipment_class::Column::ParentId,
        ])
        .filter(equipment_class::Column::OrganizationId.eq(org))
        .into_tuple()
        .all(db)
        .await?;
    let mut out = vec![root];
    let mut i = 0;
    while i < out.len() {
        let parent = out[i];
        out.extend(
            all.iter()
                .filter(|(_, p)| *p == Some(parent))
                .map(|(id, _)| *id),
        );
        i += 1;
    }
    Ok(out)
}

/// The assets a plan covers now: its asset, or the in-use assets of its class (and subclasses)
/// or make and model at its site.
pub async fn covered_assets(
    db: &impl ConnectionTrait,
    plan: &pm_plan::Model,
) -> ApiResult<Vec<asset::Model>> {
    let mut q = asset::Entity::find()
        .filter(asset::Column::OrganizationId.eq(plan.organization_id))
        .filter(asset::Column::Status.is_not_in(OUT_OF_USE));
    q = match plan.target_kind.as_str() {
        "asset" => q.filter(asset::Column::Id.eq(plan.asset_id.unwrap_or_default())),
        "class" => {
            let classes =
                class_subtree(db, plan.organization_id, plan.class_id.unwrap_or_default()).await?;
            q.filter(asset::Column::SiteId.eq(plan.site_id))
                .filter(asset::Column::ClassId.is_in(classes))
        }
        _ => q
            .filter(asset::Column::SiteId.eq(plan.site_id))
            .filter(asset::Column::Make.eq(plan.make.clone().unwrap_or_default()))
            .filter(asset::Column::Model.eq(plan.model.clone().unwrap_or_default())),
    };
    Ok(q.order_by_asc(asset::Column::Tag).all(db).await?)
}

/// Adds a schedule row for every asset the plan covers that has none yet; returns how many.
pub async fn sync_targets(
    tx: &WriteTx,
    plan: &pm_plan::Model,
    schedule: &Schedule,
    now: DateTime<Utc>,
) -> ApiResult<i64> {
    let assets = covered_assets(&**tx, plan).await?;
    let have: HashSet<Uuid> = pm_target::Entity::find()
        .select_only()
        .column(pm_target::Column::AssetId)
        .filter(pm_target::Column::PlanId.eq(plan.id))
        .into_tuple::<Uuid>()
        .all(&**tx)
        .await?
        .into_iter()
        .collect();
    let due = schedule.first_due(now);
    let rows: Vec<pm_target::ActiveModel> = assets
        .iter()
        .filter(|a| !have.contains(&a.id))
        .map(|a| pm_target::ActiveModel {
            id: Set(Uuid::now_v7()),
            organization_id: Set(plan.organization_id),
            plan_id: Set(plan.id),
            asset_id: Set(a.id),
            next_due_at: Set(due),
            generate_at: Set(generate_at(due, schedule.lead)),
            meter_baseline: Set(None),
            last_completed_at: Set(None),
            open_instance_id: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .collect();
    let added = rows.len() as i64;
    for chunk in rows.chunks(200) {
        pm_target::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&**tx)
            .await?;
    }
    Ok(added)
}
