//! The generator: turns plans into occurrences and preventive work orders ahead of their due
//! dates, from the calendar and from meters; marks occurrences missed when the next fell due
//! before work started; and catches up after the server was down without doing anything twice
//! (one occurrence per plan, asset and due time — a unique index — checked under the write lock).
//!
//! Work is written in chunks of [`CHUNK`] occurrences per transaction, with multi-row inserts,
//! so a first run over tens of thousands of plans neither holds the writer for long nor costs a
//! round trip per row; each person is told once per run how much work was scheduled for them.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};
use hmms_domain::preventive::compliance::{self, InstanceStatus};
use hmms_domain::preventive::schedule::Mode;
use hmms_domain::work_orders::{SlaTimes, Status, WorkOrderType};
use hmms_store::entities::{
    asset, asset_meter, checklist_template as tpl, checklist_template_version as ver,
    meter_reading, pm_instance, pm_plan, pm_target, site, work_order, work_order_checklist,
};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::json;
use uuid::Uuid;

use super::dto::GeneratorReport;
use super::plans::{self, Schedule, generate_at};
use crate::audit::{self, Change};
use crate::auth::principal::Principal;
use crate::error::ApiResult;
use crate::modules::notifications::{Message, send};
use crate::modules::work_orders::{
    Assignment, NewWorkOrder, Notice, Raise, Raiser, raise_many, workers,
};
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
struct Due {
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
struct TargetUpdate {
    row: pm_target::Model,
}

struct Loaded {
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
        let loaded = load(state, org, plans, now).await?;
        report.targets_added += loaded.targets_added;
        write(state, org, loaded, now, &mut report).await?;
        report.missed += supersede(state, org, now).await?;
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

/// Reads what is due: calendar occurrences whose generation time has come, and meters past
/// their interval. Class and model plans first pick up equipment added since the last run.
async fn load(
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
            targets_added += plans::sync_targets(&tx, p, s, now).await?;
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
        if plans::OUT_OF_USE.contains(&assets[ai].status) {
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
        if plans::OUT_OF_USE.contains(&assets[ai].status) {
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

fn title(plan: &pm_plan::Model, a: &asset::Model) -> String {
    let t = format!("PM: {} — {} {}", plan.name, a.name, a.tag);
    t.chars().take(200).collect()
}

fn description(
    plan: &pm_plan::Model,
    schedule: &Schedule,
    due: &Due,
    tpl_name: Option<&str>,
) -> String {
    let mut lines = vec![plan.task.clone()];
    if let Some(n) = tpl_name {
        lines.push(format!("Checklist: {n}."));
    }
    if let Some(m) = plan.estimated_minutes {
        lines.push(format!("Estimated time: {m} min."));
    }
    let parts: Vec<super::dto::RequiredPart> =
        serde_json::from_str(&plan.required_parts).unwrap_or_default();
    if !parts.is_empty() {
        lines.push(format!(
            "Parts: {}.",
            parts
                .iter()
                .map(|p| format!("{} × {}", p.quantity, p.description))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if let (Some(v), Some((name, i))) = (due.meter_value, &schedule.meter) {
        lines.push(format!("Due by meter: {name} at {v} (every {}).", i.every));
    }
    lines.retain(|l| !l.trim().is_empty());
    lines.join("\n")
}

/// Writes the due occurrences in chunks: instances, work orders, history, checklists, target
/// schedules, audit entries and events; then one notification per person.
async fn write(
    state: &AppState,
    org: Uuid,
    loaded: Loaded,
    now: DateTime<Utc>,
    report: &mut GeneratorReport,
) -> ApiResult<()> {
    let Loaded {
        plans,
        assets,
        due,
        mut updates,
        targets_added: _,
    } = loaded;
    // Templates' current versions, read once.
    let template_ids: HashSet<Uuid> = plans
        .iter()
        .filter_map(|(p, _)| p.checklist_template_id)
        .collect();
    let mut versions: HashMap<Uuid, (Uuid, String)> = HashMap::new();
    for id in template_ids {
        if let Some(t) = tpl::Entity::find_by_id(id).one(&state.db).await?
            && let Some(v) = ver::Entity::find()
                .filter(ver::Column::TemplateId.eq(id))
                .filter(ver::Column::Number.eq(t.current_version))
                .one(&state.db)
                .await?
        {
            versions.insert(id, (v.id, t.name));
        }
    }
    let mut told: BTreeMap<Uuid, Vec<(String, Uuid)>> = BTreeMap::new();
    // Targets are updated with their last chunk of occurrences.
    let last_chunk_of: HashMap<Uuid, usize> = due
        .iter()
        .enumerate()
        .map(|(i, d)| (d.target, i / CHUNK))
        .collect();
    let mut chunks: Vec<&[Due]> = due.chunks(CHUNK).collect();
    if chunks.is_empty() && !updates.is_empty() {
        chunks.push(&[]);
    }
    for (ci, chunk) in chunks.into_iter().enumerate() {
        let tx = state.begin_write().await?;
        let sys = system(&tx, org, now).await?;
        // Under the write lock: what another generator already made is not made again.
        let mut existing: HashSet<(Uuid, Uuid, DateTime<Utc>)> = HashSet::new();
        let keys: Vec<Uuid> = chunk.iter().map(|d| plans[d.plan].0.id).collect();
        for ids in keys.chunks(500) {
            let mut uniq = ids.to_vec();
            uniq.sort_unstable();
            uniq.dedup();
            let rows: Vec<(Uuid, Uuid, DateTime<Utc>)> = pm_instance::Entity::find()
                .select_only_tuple()
                .filter(pm_instance::Column::PlanId.is_in(uniq))
                .filter(pm_instance::Column::DueAt.is_in(chunk.iter().map(|d| d.due_at)))
                .into_tuple()
                .all(&*tx)
                .await?;
            existing.extend(rows);
        }
        let mut raises = Vec::new();
        // Who is told of which new work order (by its place in `raises`), after the chunk.
        let mut to_tell: Vec<(Uuid, usize)> = Vec::new();
        let mut instances = Vec::new();
        let mut checklists = Vec::new();
        for d in chunk {
            let (plan, schedule) = &plans[d.plan];
            let a = &assets[d.asset];
            if existing.contains(&(plan.id, a.id, d.due_at)) {
                report.already_there += 1;
                continue;
            }
            let instance_id = Uuid::now_v7();
            let window_end = compliance::window_end(d.due_at, plan.grace_days);
            let mut work_order_id = None;
            if !d.missed {
                let template = plan.checklist_template_id.and_then(|t| versions.get(&t));
                let assignment = (plan.assignee_id.is_some() || plan.vendor_company_id.is_some())
                    .then_some(Assignment {
                        assignee: plan.assignee_id,
                        company: plan.vendor_company_id,
                    });
                // Chosen here so the occurrence and the checklist can name it.
                let id = Uuid::now_v7();
                let n = NewWorkOrder {
                    id: Some(id),
                    site_id: plan.site_id,
                    title: title(plan, a),
                    description: description(plan, schedule, d, template.map(|(_, n)| n.as_str())),
                    wo_type: WorkOrderType::Preventive,
                    priority: plan.priority,
                    sla: SlaTimes {
                        response_minutes: 0,
                        resolution_minutes: 0,
                    },
                    asset_id: Some(a.id),
                    department_id: a.department_id,
                    location_id: a.location_id,
                    assignment,
                    signature_required: plan.signature_required,
                    due: Some((d.due_at.min(window_end), window_end)),
                    pm_instance_id: Some(instance_id),
                    follow_up_of: None,
                };
                if let Some((version_id, _)) = template {
                    checklists.push(work_order_checklist::ActiveModel {
                        work_order_id: Set(id),
                        organization_id: Set(org),
                        template_version_id: Set(*version_id),
                        answers: Set("[]".into()),
                        result: Set("pending".into()),
                        updated_by: Set(None),
                        updated_at: Set(now),
                        version: Set(1),
                    });
                }
                if let Some(asg) = assignment {
                    for u in workers(&*tx, asg).await? {
                        to_tell.push((u, raises.len()));
                    }
                }
                // The occurrence is made with its work order: one audit entry tells both, and
                // people are told once for the whole run.
                let facts = json!({
                    "type": "preventive", "assetId": a.id, "planId": plan.id,
                    "pmInstanceId": instance_id, "dueAt": d.due_at, "windowEndAt": window_end,
                    "trigger": d.trigger, "assigneeId": plan.assignee_id,
                    "vendorCompanyId": plan.vendor_company_id,
                    "siteId": plan.site_id, "departmentId": a.department_id,
                });
                raises.push(Raise {
                    by: Raiser::Person(&sys),
                    new: n,
                    at: now,
                    notice: Notice::Quiet(facts),
                });
                work_order_id = Some(id);
                report.generated += 1;
                if d.trigger == "meter" {
                    report.by_meter += 1;
                }
            }
            let status = if d.missed {
                InstanceStatus::Missed
            } else {
                InstanceStatus::Generated
            };
            instances.push(pm_instance::ActiveModel {
                id: Set(instance_id),
                organization_id: Set(org),
                site_id: Set(plan.site_id),
                plan_id: Set(plan.id),
                asset_id: Set(a.id),
                due_at: Set(d.due_at),
                window_end_at: Set(window_end),
                trigger: Set(d.trigger.into()),
                meter_value: Set(d.meter_value),
                status: Set(status),
                work_order_id: Set(work_order_id),
                generated_at: Set(now),
                completed_at: Set(None),
                miss_reason: Set(d.missed.then(|| {
                    "Not generated in time: it fell due while preventive work was not being generated, and the next occurrence was already due.".to_string()
                })),
                overdue_notified_at: Set(None),
                escalated_at: Set(None),
                updated_at: Set(now),
                version: Set(1),
            });
            if d.missed {
                audit::record(
                    &tx,
                    now,
                    &sys.who(),
                    Change {
                        action: "pm_instance.missed",
                        entity_type: "pm_instance",
                        entity_id: Some(instance_id.to_string()),
                        before: None,
                        after: Some(json!({
                            "planId": plan.id, "assetId": a.id, "dueAt": d.due_at,
                            "trigger": d.trigger, "status": status.key(),
                        })),
                    },
                )
                .await?;
            }
            if !d.missed
                && let Some(u) = updates.get_mut(&d.target)
                && (schedule.mode == Mode::Floating || d.trigger == "meter")
            {
                u.row.open_instance_id = Some(instance_id);
            }
        }
        // Work orders first, through the front door: instances and checklists refer to them.
        let raised = raise_many(&tx, raises).await?;
        for (user, i) in to_tell {
            if let Some(r) = raised.get(i) {
                told.entry(user)
                    .or_default()
                    .push((r.row.code.clone(), r.row.id));
            }
        }
        let backend = sea_orm::ConnectionTrait::get_database_backend(&*tx);
        for rows in crate::audit::batches_for(backend, &instances, |_| 300) {
            pm_instance::Entity::insert_many(rows.to_vec())
                .exec_without_returning(&*tx)
                .await?;
        }
        for rows in crate::audit::batches_for(backend, &checklists, |_| 150) {
            work_order_checklist::Entity::insert_many(rows.to_vec())
                .exec_without_returning(&*tx)
                .await?;
        }
        // Schedules of the targets whose last occurrences were in this chunk (or that only
        // moved, e.g. a first meter reading), in multi-row upserts.
        let mine: Vec<pm_target::ActiveModel> = updates
            .iter()
            .filter(|(id, _)| last_chunk_of.get(*id).copied().unwrap_or(0) == ci)
            .map(|(_, u)| target_row(&u.row, now))
            .collect();
        for rows in crate::audit::batches_for(backend, &mine, |_| 150) {
            pm_target::Entity::insert_many(rows.to_vec())
                .on_conflict(
                    OnConflict::column(pm_target::Column::Id)
                        .update_columns([
                            pm_target::Column::NextDueAt,
                            pm_target::Column::GenerateAt,
                            pm_target::Column::MeterBaseline,
                            pm_target::Column::OpenInstanceId,
                            pm_target::Column::UpdatedAt,
                        ])
                        .to_owned(),
                )
                .exec_without_returning(&*tx)
                .await?;
        }
        tx.commit().await?;
    }
    updates.clear();
    // One notification per person for the whole run.
    if !told.is_empty() {
        let tx = state.begin_write().await?;
        for (user, codes) in told {
            let one = codes.len() == 1;
            let msg = Message {
                kind: "pm_generated",
                title: if one {
                    format!("Preventive maintenance scheduled: {}", codes[0].0)
                } else {
                    format!("{} preventive work orders scheduled for you", codes.len())
                },
                body: codes
                    .iter()
                    .take(20)
                    .map(|(c, _)| c.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                // One opens its work order; several open the list of notifications.
                entity_type: if one { "work_order" } else { "preventive" },
                entity_id: if one { codes[0].1 } else { Uuid::nil() },
            };
            send(&tx, org, &[user], &msg, now).await?;
        }
        tx.commit().await?;
    }
    Ok(())
}

/// Marks open occurrences missed when a later occurrence of the same plan and asset has fallen
/// due and their work has not started; their work orders are cancelled with the reason.
/// Work in progress is left to finish (it will count as late).
async fn supersede(state: &AppState, org: Uuid, now: DateTime<Utc>) -> ApiResult<i64> {
    let open = pm_instance::Entity::find()
        .filter(pm_instance::Column::OrganizationId.eq(org))
        .filter(pm_instance::Column::Status.eq(InstanceStatus::Generated.key()))
        .filter(pm_instance::Column::DueAt.lte(now))
        .all(&state.db)
        .await?;
    if open.is_empty() {
        return Ok(0);
    }
    // The latest due occurrence per plan and asset, whatever its status.
    let mut latest: HashMap<(Uuid, Uuid), DateTime<Utc>> = HashMap::new();
    let plans: Vec<Uuid> = {
        let mut v: Vec<Uuid> = open.iter().map(|i| i.plan_id).collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    for ids in plans.chunks(500) {
        let rows: Vec<(Uuid, Uuid, DateTime<Utc>)> = pm_instance::Entity::find()
            .select_only_tuple()
            .filter(pm_instance::Column::PlanId.is_in(ids.to_vec()))
            .filter(pm_instance::Column::DueAt.lte(now))
            .into_tuple()
            .all(&state.db)
            .await?;
        for (plan, asset, due) in rows {
            let e = latest.entry((plan, asset)).or_insert(due);
            if due > *e {
                *e = due;
            }
        }
    }
    let candidates: Vec<pm_instance::Model> = open
        .into_iter()
        .filter(|i| {
            latest
                .get(&(i.plan_id, i.asset_id))
                .is_some_and(|l| *l > i.due_at)
        })
        .collect();
    let mut missed = 0;
    for chunk in candidates.chunks(CHUNK) {
        let tx = state.begin_write().await?;
        let sys = system(&tx, org, now).await?;
        for i in chunk {
            let Some(current) = pm_instance::Entity::find_by_id(i.id).one(&*tx).await? else {
                continue;
            };
            if current.status != InstanceStatus::Generated {
                continue;
            }
            let w = match current.work_order_id {
                Some(id) => work_order::Entity::find_by_id(id).one(&*tx).await?,
                None => None,
            };
            let started = w.as_ref().is_some_and(|w| {
                !matches!(
                    w.status,
                    Status::Pending | Status::Assigned | Status::Cancelled
                )
            });
            if !compliance::superseded(started) {
                continue;
            }
            let reason = "Not started before the next occurrence fell due.";
            if let Some(w) = w
                && w.status != Status::Cancelled
            {
                // Missed first: the cancellation's hook then finds nothing left to miss.
                super::instances::mark_missed(&tx, &sys, current, reason, now).await?;
                super::instances::cancel_work(&tx, &sys, w, reason, now).await?;
            } else {
                super::instances::mark_missed(&tx, &sys, current, reason, now).await?;
            }
            missed += 1;
        }
        tx.commit().await?;
    }
    Ok(missed)
}

/// Every column of a target, for the multi-row upsert of schedules.
fn target_row(t: &pm_target::Model, now: DateTime<Utc>) -> pm_target::ActiveModel {
    pm_target::ActiveModel {
        id: Set(t.id),
        organization_id: Set(t.organization_id),
        plan_id: Set(t.plan_id),
        asset_id: Set(t.asset_id),
        next_due_at: Set(t.next_due_at),
        generate_at: Set(t.generate_at),
        meter_baseline: Set(t.meter_baseline),
        last_completed_at: Set(t.last_completed_at),
        open_instance_id: Set(t.open_instance_id),
        created_at: Set(t.created_at),
        updated_at: Set(now),
    }
}

/// A select of `(plan_id, asset_id, due_at)` only.
trait SelectKey {
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
