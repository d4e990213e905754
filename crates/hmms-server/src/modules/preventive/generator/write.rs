//! Writing what is due: occurrences and their work orders (through the work-order front
//! door), checklists and schedules, in chunks; then one notification per person.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};
use hmms_domain::preventive::compliance::{self, InstanceStatus};
use hmms_domain::preventive::schedule::Mode;
use hmms_domain::work_orders::{SlaTimes, WorkOrderType};
use hmms_store::entities::{
    asset, checklist_template as tpl, checklist_template_version as ver, pm_instance, pm_plan,
    pm_target, work_order_checklist,
};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;
use uuid::Uuid;

use super::{CHUNK, Due, Loaded, SelectKey, system};
use crate::audit::{self, Change};
use crate::error::ApiResult;
use crate::modules::notifications::{Message, send};
use crate::modules::preventive::dto::GeneratorReport;
use crate::modules::preventive::targets::Schedule;
use crate::modules::work_orders::{
    Assignment, NewWorkOrder, Notice, Raise, Raiser, raise_many, workers,
};
use crate::state::AppState;

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
    let parts: Vec<crate::modules::preventive::dto::RequiredPart> =
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
pub(super) async fn write(
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
