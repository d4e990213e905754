//! What is due: calendar occurrences whose generation time has come and meters past their
//! interval, read in bulk.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use hmms_domain::preventive::schedule::Mode;
use hmms_store::entities::{asset, asset_meter, meter_reading, pm_plan, pm_target, site};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::{CHUNK, Due, Loaded, PER_TARGET, TargetUpdate};
use crate::error::ApiResult;
use crate::modules::preventive::targets::{self, Schedule, generate_at};
use crate::state::AppState;

/// Reads what is due: calendar occurrences whose generation time has come, and meters past
/// their interval. Class and model plans first pick up equipment added since the last run.
pub(super) async fn load(
    state: &AppState,
    org: Uuid,
    plans: Vec<pm_plan::Model>,
    now: DateTime<Utc>,
) -> ApiResult<Loaded> {
    let zones: HashMap<Uuid, String> = site::Entity::find()
        .filter(site::Column::OrganizationId.eq(org))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|s| (s.id, s.time_zone))
        .collect();
    let mut with_schedule = Vec::with_capacity(plans.len());
    for p in plans {
        let zone = zones
            .get(&p.site_id)
            .cloned()
            .unwrap_or_else(|| "UTC".into());
        match Schedule::of(&p, &zone) {
            Ok(s) => with_schedule.push((p, s)),
            Err(e) => {
                tracing::error!(plan = %p.id, error = %e, "plan schedule cannot be read; skipped")
            }
        }
    }
    // Equipment added to a class or model since the last run.
    let mut targets_added = 0;
    let growing: Vec<usize> = with_schedule
        .iter()
        .enumerate()
        .filter(|(_, (p, _))| p.target_kind != "asset")
        .map(|(i, _)| i)
        .collect();
    for chunk in growing.chunks(CHUNK) {
        let tx = state.begin_write().await?;
        for &i in chunk {
            let (p, s) = &with_schedule[i];
            targets_added += targets::sync_targets(&tx, p, s, now).await?;
        }
        tx.commit().await?;
    }
    let plan_index: HashMap<Uuid, usize> = with_schedule
        .iter()
        .enumerate()
        .map(|(i, (p, _))| (p.id, i))
        .collect();
    let plan_ids: Vec<Uuid> = plan_index.keys().copied().collect();

    // Calendar: targets whose generation time has come.
    let mut due_targets: Vec<pm_target::Model> = Vec::new();
    for ids in plan_ids.chunks(500) {
        due_targets.extend(
            pm_target::Entity::find()
                .filter(pm_target::Column::PlanId.is_in(ids.to_vec()))
                .filter(pm_target::Column::GenerateAt.lte(now))
                .all(&state.db)
                .await?,
        );
    }
    // Meters: every target of a meter plan (their readings decide).
    let meter_plans: Vec<Uuid> = with_schedule
        .iter()
        .filter(|(_, s)| s.meter.is_some())
        .map(|(p, _)| p.id)
        .collect();
    let mut meter_targets: Vec<pm_target::Model> = Vec::new();
    for ids in meter_plans.chunks(500) {
        meter_targets.extend(
            pm_target::Entity::find()
                .filter(pm_target::Column::PlanId.is_in(ids.to_vec()))
                .all(&state.db)
                .await?,
        );
    }
    let mut asset_ids: Vec<Uuid> = due_targets
        .iter()
        .chain(&meter_targets)
        .map(|t| t.asset_id)
        .collect();
    asset_ids.sort_unstable();
    asset_ids.dedup();
    let mut assets = Vec::with_capacity(asset_ids.len());
    for ids in asset_ids.chunks(500) {
        assets.extend(
            asset::Entity::find()
                .filter(asset::Column::Id.is_in(ids.to_vec()))
                .all(&state.db)
                .await?,
        );
    }
    let asset_index: HashMap<Uuid, usize> =
        assets.iter().enumerate().map(|(i, a)| (a.id, i)).collect();
    let latest = latest_readings(state, &meter_targets, &with_schedule, &plan_index).await?;

    let mut due = Vec::new();
    let mut updates: HashMap<Uuid, TargetUpdate> = HashMap::new();
    for t in due_targets {
        let (Some(&pi), Some(&ai)) = (plan_index.get(&t.plan_id), asset_index.get(&t.asset_id))
        else {
            continue;
        };
        if targets::OUT_OF_USE.contains(&assets[ai].status) {
            continue;
        }
        let (_, schedule) = &with_schedule[pi];
        let Some(cal) = &schedule.calendar else {
            continue;
        };
        let Some(mut at) = t.next_due_at else {
            continue;
        };
        if schedule.mode == Mode::Floating && t.open_instance_id.is_some() {
            continue;
        }
        // Every occurrence whose generation time has come; of those already past due, all but
        // the last are superseded by a later one and recorded as missed.
        let mut list = vec![at];
        if schedule.mode == Mode::Fixed {
            while list.len() < PER_TARGET {
                match cal.next_after(at) {
                    Some(n) if n - schedule.lead <= now => {
                        list.push(n);
                        at = n;
                    }
                    _ => break,
                }
            }
        }
        let last_past = list.iter().rposition(|d| *d <= now);
        let mut row = t.clone();
        for (k, d) in list.iter().enumerate() {
            due.push(Due {
                plan: pi,
                target: t.id,
                asset: ai,
                due_at: *d,
                trigger: "calendar",
                meter_value: None,
                missed: last_past.is_some_and(|lp| k < lp),
            });
        }
        // `at` moved along with every occurrence added: it is the last of them.
        let last = at;
        let next = match schedule.mode {
            Mode::Fixed => cal.next_after(last),
            // Floating schedules count from the completion.
            Mode::Floating => None,
        };
        row.next_due_at = next;
        row.generate_at = generate_at(next, schedule.lead);
        updates.insert(t.id, TargetUpdate { row });
    }
    for t in meter_targets {
        let (Some(&pi), Some(&ai)) = (plan_index.get(&t.plan_id), asset_index.get(&t.asset_id))
        else {
            continue;
        };
        if targets::OUT_OF_USE.contains(&assets[ai].status) {
            continue;
        }
        let (_, schedule) = &with_schedule[pi];
        let Some((_, interval)) = &schedule.meter else {
            continue;
        };
        let Some(&reading) = latest.get(&(t.plan_id, t.asset_id)) else {
            continue;
        };
        let mut row = updates
            .get(&t.id)
            .map(|u| u.row.clone())
            .unwrap_or_else(|| t.clone());
        match row.meter_baseline {
            None => {
                // The first reading seen is where counting starts.
                row.meter_baseline = Some(reading);
                updates.insert(t.id, TargetUpdate { row });
            }
            Some(base) if interval.due(base as f64, reading as f64) => {
                // One open occurrence at a time; a calendar one generated now counts too.
                let calendar_now = due.iter().any(|d| d.target == t.id && !d.missed);
                if t.open_instance_id.is_some() || calendar_now {
                    continue;
                }
                due.push(Due {
                    plan: pi,
                    target: t.id,
                    asset: ai,
                    due_at: now,
                    trigger: "meter",
                    meter_value: Some(reading),
                    missed: false,
                });
                if schedule.calendar.is_some() {
                    // Whichever comes first: the calendar waits for this one's completion.
                    row.next_due_at = None;
                    row.generate_at = None;
                }
                updates.insert(t.id, TargetUpdate { row });
            }
            Some(_) => {}
        }
    }
    Ok(Loaded {
        plans: with_schedule,
        assets,
        due,
        updates,
        targets_added,
    })
}

/// The latest reading of the plan's meter on each asset, by (plan, asset).
async fn latest_readings(
    state: &AppState,
    targets: &[pm_target::Model],
    plans: &[(pm_plan::Model, Schedule)],
    plan_index: &HashMap<Uuid, usize>,
) -> ApiResult<HashMap<(Uuid, Uuid), i64>> {
    let mut out = HashMap::new();
    if targets.is_empty() {
        return Ok(out);
    }
    let assets: Vec<Uuid> = targets.iter().map(|t| t.asset_id).collect();
    let mut meters = Vec::new();
    for ids in assets.chunks(500) {
        meters.extend(
            asset_meter::Entity::find()
                .filter(asset_meter::Column::AssetId.is_in(ids.to_vec()))
                .all(&state.db)
                .await?,
        );
    }
    for t in targets {
        let Some(&pi) = plan_index.get(&t.plan_id) else {
            continue;
        };
        let Some((name, _)) = &plans[pi].1.meter else {
            continue;
        };
        let Some(m) = meters
            .iter()
            .find(|m| m.asset_id == t.asset_id && m.name.eq_ignore_ascii_case(name.trim()))
        else {
            continue;
        };
        if let Some(r) = meter_reading::Entity::find()
            .filter(meter_reading::Column::MeterId.eq(m.id))
            .order_by_desc(meter_reading::Column::ReadAt)
            .one(&state.db)
            .await?
        {
            out.insert((t.plan_id, t.asset_id), r.value);
        }
    }
    Ok(out)
}
