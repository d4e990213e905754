//! Preventive plans for benchmarks (`demo --scale --pm-plans N`): one plan per generated asset,
//! with the mix a large hospital group has — mostly yearly and six-monthly work, some quarterly,
//! a tenth monthly — and their schedules, left for the generator to work through.

use chrono::{DateTime, Duration, Utc};
use hmms_domain::preventive::schedule::{Frequency, Recurrence};
use hmms_store::entities::{asset, checklist_template, pm_plan, pm_target, site};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashMap;
use uuid::Uuid;

use hmms_server::modules::preventive::{OUT_OF_USE, Schedule, generate_at};
use hmms_server::state::WriteTx;

/// (frequency, interval, share in tenths)
const MIX: [(Frequency, u32, usize); 4] = [
    (Frequency::Yearly, 1, 4),
    (Frequency::Monthly, 6, 3),
    (Frequency::Monthly, 3, 2),
    (Frequency::Monthly, 1, 1),
];

/// Adds up to `n` asset plans, generating `lead_days` ahead, over the generated (`-S`) assets
/// that have none yet; returns how many were added.
pub async fn generate(
    tx: &WriteTx,
    org: Uuid,
    technician: Uuid,
    n: usize,
    lead_days: i32,
    now: DateTime<Utc>,
) -> anyhow::Result<usize> {
    let err = |e: hmms_server::error::ApiError| anyhow::anyhow!("{e}");
    let zones: HashMap<Uuid, String> = site::Entity::find()
        .filter(site::Column::OrganizationId.eq(org))
        .all(&**tx)
        .await?
        .into_iter()
        .map(|s| (s.id, s.time_zone))
        .collect();
    let template = checklist_template::Entity::find()
        .filter(checklist_template::Column::OrganizationId.eq(org))
        .order_by_asc(checklist_template::Column::Name)
        .one(&**tx)
        .await?
        .map(|t| t.id);
    let assets: Vec<(Uuid, Uuid)> = asset::Entity::find()
        .select_only()
        .column(asset::Column::Id)
        .column(asset::Column::SiteId)
        .filter(asset::Column::OrganizationId.eq(org))
        .filter(asset::Column::Tag.contains("-S"))
        .filter(asset::Column::Status.is_not_in(OUT_OF_USE))
        // Not twice for the same equipment when --scale runs again.
        .filter(
            asset::Column::Id.not_in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(pm_plan::Column::AssetId)
                    .from(pm_plan::Entity)
                    .and_where(pm_plan::Column::AssetId.is_not_null())
                    .to_owned(),
            ),
        )
        .order_by_asc(asset::Column::Tag)
        .limit(n as u64)
        .into_tuple()
        .all(&**tx)
        .await?;
    let kinds: Vec<(Frequency, u32)> = MIX
        .iter()
        .flat_map(|&(f, i, share)| std::iter::repeat_n((f, i), share))
        .collect();
    let mut plans = Vec::with_capacity(assets.len());
    let mut targets = Vec::with_capacity(assets.len());
    for (k, (asset_id, site_id)) in assets.iter().enumerate() {
        let (frequency, interval) = kinds[k % kinds.len()];
        // Started within the last year, on spread-out days, at nine in the morning.
        let start = (now - Duration::days((k % 365) as i64 + 1))
            .date_naive()
            .and_time(chrono::NaiveTime::MIN + Duration::hours(9));
        let plan = pm_plan::Model {
            id: Uuid::now_v7(),
            organization_id: org,
            site_id: *site_id,
            name: format!("Scheduled PM {}", k + 1),
            task: "Manufacturer's preventive maintenance.".into(),
            target_kind: "asset".into(),
            asset_id: Some(*asset_id),
            class_id: None,
            make: None,
            model: None,
            checklist_template_id: template,
            recurrence: Some(serde_json::to_string(&Recurrence::Simple {
                frequency,
                interval,
            })?),
            start_local: Some(start.format("%Y-%m-%dT%H:%M:%S").to_string()),
            meter_name: None,
            meter_every: None,
            mode: "fixed".into(),
            lead_days,
            grace_days: 7,
            assignee_id: Some(technician),
            vendor_company_id: None,
            priority: hmms_domain::work_orders::Priority::Medium,
            estimated_minutes: Some(60),
            required_parts: "[]".into(),
            signature_required: false,
            corrective_on_failure: true,
            active: true,
            paused_reason: None,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        let zone = zones.get(site_id).map_or("UTC", String::as_str);
        let schedule = Schedule::of(&plan, zone).map_err(err)?;
        let due = schedule.first_due(now);
        targets.push(pm_target::ActiveModel {
            id: sea_orm::Set(Uuid::now_v7()),
            organization_id: sea_orm::Set(org),
            plan_id: sea_orm::Set(plan.id),
            asset_id: sea_orm::Set(*asset_id),
            next_due_at: sea_orm::Set(due),
            generate_at: sea_orm::Set(generate_at(due, schedule.lead)),
            meter_baseline: sea_orm::Set(None),
            last_completed_at: sea_orm::Set(None),
            open_instance_id: sea_orm::Set(None),
            created_at: sea_orm::Set(now),
            updated_at: sea_orm::Set(now),
        });
        plans.push(<pm_plan::ActiveModel as From<pm_plan::Model>>::from(plan).reset_all());
    }
    for chunk in plans.chunks(500) {
        pm_plan::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&**tx)
            .await?;
    }
    for chunk in targets.chunks(500) {
        pm_target::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&**tx)
            .await?;
    }
    Ok(plans.len())
}
