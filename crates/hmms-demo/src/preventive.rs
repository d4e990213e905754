//! A year of demo preventive maintenance: checklists, plans for the demo's equipment classes at
//! both hospitals, and the past year's occurrences with their work orders — mostly on time,
//! some late, a few missed with the reasons a surveyor would hear. The current occurrences are
//! left to the real generator, which runs once the demo is loaded.

use chrono::{DateTime, Datelike, Duration, NaiveDateTime, NaiveTime, Utc};
use hmms_domain::preventive::checklist::{Answer, Item, ItemKind};
use hmms_domain::preventive::compliance::{self, InstanceStatus};
use hmms_domain::preventive::schedule::{Frequency, Recurrence};
use hmms_domain::work_orders::{self as rules, Status, WorkOrderType};
use hmms_store::entities::{
    checklist_template, checklist_template_version, equipment_class, pm_instance, pm_plan,
    pm_target, work_order_checklist,
};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;
use uuid::Uuid;

use hmms_server::modules::preventive::{Schedule, covered_assets, generate_at};
use hmms_server::modules::work_orders::{
    Assignment, NewWorkOrder, PastStep, PastTime, PastWorkOrder, import_past,
};
use hmms_server::state::WriteTx;

/// Who the demo's preventive work involves.
pub struct People {
    pub organization: Uuid,
    pub technician: Uuid,
    pub manager: Uuid,
    pub vendor_company: Option<Uuid>,
}

fn item(key: &str, label: &str, kind: ItemKind) -> Item {
    Item {
        key: key.into(),
        label: label.into(),
        kind,
        required: true,
        allow_na: false,
        unit: None,
        min: None,
        max: None,
        guidance: None,
    }
}

fn number(key: &str, label: &str, unit: &str, min: Option<f64>, max: Option<f64>) -> Item {
    Item {
        unit: Some(unit.into()),
        min,
        max,
        ..item(key, label, ItemKind::Number)
    }
}

/// (name, items)
fn templates() -> Vec<(&'static str, Vec<Item>)> {
    let mut alarms = item("alarms", "All alarms sound and reset", ItemKind::PassFail);
    alarms.guidance =
        Some("Disconnect the circuit, block the patient port, let the mains fail.".into());
    let mut remarks = item("remarks", "Remarks", ItemKind::Text);
    remarks.required = false;
    vec![
        (
            "Ventilator preventive maintenance",
            vec![
                item(
                    "visual",
                    "Casing, hoses and cables undamaged",
                    ItemKind::PassFail,
                ),
                item(
                    "filters",
                    "Bacterial and fan filters replaced",
                    ItemKind::PassFail,
                ),
                number(
                    "o2",
                    "Oxygen cell reads room air",
                    "% O2",
                    Some(20.0),
                    Some(22.0),
                ),
                item("leak", "Circuit leak test passed", ItemKind::PassFail),
                alarms.clone(),
                number("battery", "Runs on battery", "min", Some(30.0), None),
                item("label", "Photo of the PM label", ItemKind::Photo),
                remarks.clone(),
            ],
        ),
        (
            "Defibrillator check",
            vec![
                item(
                    "visual",
                    "Casing, cables and paddles undamaged",
                    ItemKind::PassFail,
                ),
                number(
                    "energy",
                    "Delivers 200 J into the tester",
                    "J",
                    Some(190.0),
                    Some(210.0),
                ),
                item("selftest", "Self-test passes", ItemKind::PassFail),
                item("pads", "Pads in date and sealed", ItemKind::PassFail),
                remarks.clone(),
            ],
        ),
        (
            "Infusion pump preventive maintenance",
            vec![
                item(
                    "visual",
                    "Casing, door and clamp undamaged",
                    ItemKind::PassFail,
                ),
                number(
                    "flow",
                    "Flow rate error at 100 mL/h",
                    "%",
                    Some(-5.0),
                    Some(5.0),
                ),
                item(
                    "occlusion",
                    "Occlusion alarm at the set pressure",
                    ItemKind::PassFail,
                ),
                alarms.clone(),
                remarks.clone(),
            ],
        ),
        (
            "Electrical safety test (IEC 62353)",
            vec![
                item(
                    "visual",
                    "Mains lead, plug and casing undamaged",
                    ItemKind::PassFail,
                ),
                number("earth", "Protective earth resistance", "Ω", None, Some(0.3)),
                number(
                    "leakage",
                    "Equipment leakage current",
                    "µA",
                    None,
                    Some(500.0),
                ),
                number(
                    "patient",
                    "Applied-part leakage current",
                    "µA",
                    None,
                    Some(100.0),
                ),
                remarks.clone(),
            ],
        ),
        (
            "Standby generator load test",
            vec![
                item(
                    "start",
                    "Starts automatically on mains failure",
                    ItemKind::PassFail,
                ),
                number(
                    "voltage",
                    "Output voltage under load",
                    "V",
                    Some(380.0),
                    Some(420.0),
                ),
                number(
                    "frequency",
                    "Output frequency",
                    "Hz",
                    Some(49.5),
                    Some(50.5),
                ),
                item(
                    "levels",
                    "Oil, coolant and fuel levels correct",
                    ItemKind::PassFail,
                ),
                remarks.clone(),
            ],
        ),
        (
            "Autoclave validation",
            vec![
                item("bowie", "Bowie-Dick test passed", ItemKind::PassFail),
                number(
                    "temperature",
                    "Holding temperature",
                    "°C",
                    Some(134.0),
                    Some(137.0),
                ),
                item("gasket", "Door gasket intact", ItemKind::PassFail),
                remarks,
            ],
        ),
    ]
}

/// A passing answer to each required item (values in range, photos left as recorded).
fn passing(items: &[Item]) -> Vec<Answer> {
    items
        .iter()
        .filter(|i| i.required && i.kind != ItemKind::Photo && i.kind != ItemKind::Signature)
        .map(|i| Answer {
            key: i.key.clone(),
            result: (i.kind == ItemKind::PassFail).then(|| "pass".to_string()),
            value: (i.kind == ItemKind::Number).then(|| match (i.min, i.max) {
                (Some(lo), Some(hi)) => (lo + hi) / 2.0,
                (None, Some(hi)) => (hi * 0.4 * 100.0).round() / 100.0,
                (Some(lo), None) => lo * 1.5,
                (None, None) => 1.0,
            }),
            text: (i.kind == ItemKind::Text).then(|| "OK".to_string()),
            attachment_id: None,
        })
        .collect()
}

struct PlanSpec {
    site: &'static str,
    name: &'static str,
    task: &'static str,
    class: &'static str,
    template: Option<&'static str>,
    frequency: Frequency,
    interval: u32,
    lead: i32,
    grace: i32,
    minutes: i32,
    vendor: bool,
    signature: bool,
    priority: &'static str,
    /// When the plan started, so the demo's yearly work is not all due in the same week.
    started_days_ago: i64,
}

const PLANS: &[PlanSpec] = &[
    PlanSpec {
        site: "SMGH",
        name: "Ventilator six-monthly PM",
        task: "Manufacturer's six-monthly service: replace filters, calibrate the oxygen cell, leak test, alarm and battery checks.",
        class: "VENT",
        template: Some("Ventilator preventive maintenance"),
        frequency: Frequency::Monthly,
        interval: 6,
        lead: 14,
        grace: 7,
        minutes: 120,
        vendor: false,
        signature: true,
        started_days_ago: 365,
        priority: "high",
    },
    PlanSpec {
        site: "SMGH",
        name: "Defibrillator monthly check",
        task: "Energy delivery into the analyser, self-test, pads and battery.",
        class: "DEFIB",
        template: Some("Defibrillator check"),
        frequency: Frequency::Monthly,
        interval: 1,
        lead: 5,
        grace: 3,
        minutes: 20,
        vendor: false,
        signature: false,
        started_days_ago: 365,
        priority: "high",
    },
    PlanSpec {
        site: "LDH",
        name: "Defibrillator monthly check",
        task: "Energy delivery into the analyser, self-test, pads and battery.",
        class: "DEFIB",
        template: Some("Defibrillator check"),
        frequency: Frequency::Monthly,
        interval: 1,
        lead: 5,
        grace: 3,
        minutes: 20,
        vendor: false,
        signature: false,
        started_days_ago: 365,
        priority: "high",
    },
    PlanSpec {
        site: "SMGH",
        name: "Infusion pump annual PM",
        task: "Flow accuracy, occlusion pressure and alarms against the analyser.",
        class: "INFPUMP",
        template: Some("Infusion pump preventive maintenance"),
        frequency: Frequency::Yearly,
        interval: 1,
        lead: 21,
        grace: 14,
        minutes: 45,
        vendor: false,
        signature: false,
        started_days_ago: 200,
        priority: "medium",
    },
    PlanSpec {
        site: "SMGH",
        name: "Patient monitor electrical safety test",
        task: "IEC 62353 recurrent test with the safety analyser.",
        class: "MONITOR",
        template: Some("Electrical safety test (IEC 62353)"),
        frequency: Frequency::Yearly,
        interval: 1,
        lead: 21,
        grace: 14,
        minutes: 30,
        vendor: false,
        signature: false,
        started_days_ago: 290,
        priority: "medium",
    },
    PlanSpec {
        site: "SMGH",
        name: "Standby generator weekly load test",
        task: "Simulate a mains failure and run the generator under load for 30 minutes.",
        class: "GENSET",
        template: Some("Standby generator load test"),
        frequency: Frequency::Weekly,
        interval: 1,
        lead: 2,
        grace: 1,
        minutes: 45,
        vendor: false,
        signature: false,
        started_days_ago: 365,
        priority: "high",
    },
    PlanSpec {
        site: "SMGH",
        name: "Autoclave quarterly validation",
        task: "Bowie-Dick test, temperature and pressure logging, door gasket.",
        class: "AUTOCL",
        template: Some("Autoclave validation"),
        frequency: Frequency::Monthly,
        interval: 3,
        lead: 7,
        grace: 7,
        minutes: 60,
        vendor: false,
        signature: false,
        started_days_ago: 300,
        priority: "medium",
    },
    PlanSpec {
        site: "SMGH",
        name: "CT scanner quarterly service (contract)",
        task: "Contractor's quarterly preventive service under the imaging service contract.",
        class: "CT",
        template: None,
        frequency: Frequency::Monthly,
        interval: 3,
        lead: 14,
        grace: 14,
        minutes: 240,
        vendor: true,
        signature: false,
        started_days_ago: 330,
        priority: "medium",
    },
];

const MISS_REASONS: &[&str] = &[
    "Equipment in continuous use on a patient; could not be released for PM",
    "Technician on leave and the work was not reassigned in time",
    "Spare part out of stock; service postponed",
    "Equipment was away at the vendor for repair",
];

/// A small deterministic hash, so the demo is the same every time.
fn dice(a: Uuid, t: DateTime<Utc>) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in a
        .as_bytes()
        .iter()
        .chain(t.timestamp().to_le_bytes().iter())
    {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Writes the demo's preventive maintenance; returns how many work orders it made.
pub async fn generate(
    tx: &WriteTx,
    people: &People,
    sites: &[(Uuid, &str, String)],
    now: DateTime<Utc>,
) -> anyhow::Result<usize> {
    let org = people.organization;
    let sys = hmms_server::system_users::stand_in(
        tx,
        org,
        "preventive-maintenance",
        "Preventive maintenance (HMMS)",
        now,
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    // Checklist templates, version 1.
    let mut versions = std::collections::HashMap::new();
    for (name, items) in templates() {
        let id = Uuid::now_v7();
        checklist_template::Entity::insert(checklist_template::ActiveModel {
            id: Set(id),
            organization_id: Set(org),
            name: Set(name.into()),
            description: Set(None),
            current_version: Set(1),
            active: Set(true),
            created_at: Set(now - Duration::days(400)),
            updated_at: Set(now - Duration::days(400)),
            version: Set(1),
        })
        .exec_without_returning(&**tx)
        .await?;
        let vid = Uuid::now_v7();
        checklist_template_version::Entity::insert(checklist_template_version::ActiveModel {
            id: Set(vid),
            organization_id: Set(org),
            template_id: Set(id),
            number: Set(1),
            items: Set(serde_json::to_string(&items)?),
            created_by: Set(Some(people.manager)),
            created_at: Set(now - Duration::days(400)),
        })
        .exec_without_returning(&**tx)
        .await?;
        versions.insert(name, (id, vid, items));
    }
    let classes: std::collections::HashMap<String, Uuid> = equipment_class::Entity::find()
        .filter(equipment_class::Column::OrganizationId.eq(org))
        .all(&**tx)
        .await?
        .into_iter()
        .map(|c| (c.code, c.id))
        .collect();

    let mut orders = Vec::new();
    let mut instances = Vec::new();
    let mut checklists = Vec::new();
    let mut targets = Vec::new();
    for spec in PLANS {
        let Some((site_id, _, zone)) = sites.iter().find(|(_, code, _)| *code == spec.site) else {
            continue;
        };
        let Some(&class_id) = classes.get(spec.class) else {
            continue;
        };
        // Started a year ago, on a weekday morning in the site's zone.
        let local_now = now.with_timezone(&zone.parse::<chrono_tz::Tz>().unwrap_or(chrono_tz::UTC));
        let mut start_day = (local_now - Duration::days(spec.started_days_ago)).date_naive();
        while start_day.weekday() != chrono::Weekday::Mon {
            start_day = start_day.succ_opt().unwrap_or(start_day);
        }
        let hour = if spec.class == "GENSET" { 10 } else { 9 };
        let start: NaiveDateTime = start_day.and_time(NaiveTime::MIN + Duration::hours(hour));
        let template = spec.template.and_then(|t| versions.get(t));
        let plan = pm_plan::Model {
            id: Uuid::now_v7(),
            organization_id: org,
            site_id: *site_id,
            name: spec.name.into(),
            task: spec.task.into(),
            target_kind: "class".into(),
            asset_id: None,
            class_id: Some(class_id),
            make: None,
            model: None,
            checklist_template_id: template.map(|t| t.0),
            recurrence: Some(serde_json::to_string(&Recurrence::Simple {
                frequency: spec.frequency,
                interval: spec.interval,
            })?),
            start_local: Some(start.format("%Y-%m-%dT%H:%M:%S").to_string()),
            meter_name: None,
            meter_every: None,
            mode: "fixed".into(),
            lead_days: spec.lead,
            grace_days: spec.grace,
            assignee_id: (!spec.vendor).then_some(people.technician),
            vendor_company_id: if spec.vendor {
                people.vendor_company
            } else {
                None
            },
            priority: spec.priority.parse()?,
            estimated_minutes: Some(spec.minutes),
            required_parts: "[]".into(),
            signature_required: spec.signature,
            corrective_on_failure: true,
            active: true,
            paused_reason: None,
            created_at: now - Duration::days(366),
            updated_at: now - Duration::days(366),
            version: 1,
        };
        pm_plan::Entity::insert(
            <pm_plan::ActiveModel as From<pm_plan::Model>>::from(plan.clone()).reset_all(),
        )
        .exec_without_returning(&**tx)
        .await?;
        let schedule = Schedule::of(&plan, zone).map_err(|e| anyhow::anyhow!("{e}"))?;
        let cal = schedule
            .calendar
            .as_ref()
            .ok_or_else(|| anyhow::anyhow!("demo plan {} has no calendar", plan.name))?;
        // History stops two days ago; the generator takes it from there.
        let cutoff = now - Duration::days(2);
        let occurrences = cal.between(
            cal.first_from(now - Duration::days(400)).unwrap_or(now),
            cutoff,
            400,
        );
        for a in covered_assets(&**tx, &plan).await? {
            let mut last_done = None;
            for &due in &occurrences {
                let roll = dice(a.id, due) % 100;
                let critical =
                    a.life_support || a.risk_class == hmms_domain::assets::RiskClass::High;
                let outcome = match (critical, roll) {
                    (true, 0..=91) | (false, 0..=84) => InstanceStatus::CompletedOnTime,
                    (true, 92..=96) | (false, 85..=92) => InstanceStatus::CompletedLate,
                    _ => InstanceStatus::Missed,
                };
                let window_end = compliance::window_end(due, spec.grace);
                let created = due - Duration::days(i64::from(spec.lead));
                let done = match outcome {
                    InstanceStatus::CompletedOnTime => {
                        Some(due - Duration::hours(30) + Duration::hours((roll % 48) as i64))
                    }
                    InstanceStatus::CompletedLate => {
                        Some(window_end + Duration::days(1 + (roll % 9) as i64))
                    }
                    _ => None,
                };
                let done = done.map(|d| d.min(now - Duration::hours(1)));
                let reason = (outcome == InstanceStatus::Missed)
                    .then(|| MISS_REASONS[(roll as usize) % MISS_REASONS.len()].to_string());
                let instance_id = Uuid::now_v7();
                let wo_id = Uuid::now_v7();
                let end = done.unwrap_or(window_end + Duration::days(3)).min(now);
                let worker = (!spec.vendor).then_some(people.technician);
                let steps = match done {
                    Some(d) => vec![
                        (
                            Status::InProgress,
                            d - Duration::minutes(i64::from(spec.minutes)),
                            people.technician,
                        ),
                        (Status::Completed, d, people.technician),
                        (
                            Status::Closed,
                            (d + Duration::hours(20)).min(now),
                            people.manager,
                        ),
                    ],
                    None => vec![(Status::Cancelled, end, people.manager)],
                };
                orders.push(PastWorkOrder {
                    new: NewWorkOrder {
                        id: Some(wo_id),
                        site_id: *site_id,
                        title: format!("PM: {} — {} {}", spec.name, a.name, a.tag)
                            .chars()
                            .take(200)
                            .collect(),
                        description: spec.task.into(),
                        wo_type: WorkOrderType::Preventive,
                        priority: spec.priority.parse()?,
                        sla: rules::default_sla(spec.priority.parse()?),
                        asset_id: Some(a.id),
                        department_id: a.department_id,
                        location_id: a.location_id,
                        assignment: Some(Assignment {
                            assignee: worker,
                            company: if spec.vendor {
                                people.vendor_company
                            } else {
                                None
                            },
                        }),
                        signature_required: spec.signature,
                        due: Some((due, window_end)),
                        pm_instance_id: Some(instance_id),
                        follow_up_of: None,
                    },
                    requester_id: sys.id,
                    raised_at: created,
                    detail: json!({ "via": "pm" }),
                    steps: steps
                        .into_iter()
                        .map(|(to, at, by)| PastStep {
                            to,
                            at,
                            by,
                            hold_reason: None,
                        })
                        .collect(),
                    resolution: Some("adjusted".into()),
                    cancellation_reason: reason.clone(),
                    downtime_minutes: Some(spec.minutes),
                    vendor_cost_minor: if spec.vendor && done.is_some() {
                        4_500_000
                    } else {
                        0
                    },
                    time: match done {
                        Some(d) if !spec.vendor => vec![PastTime {
                            by: people.technician,
                            from: d - Duration::minutes(i64::from(spec.minutes)),
                            minutes: spec.minutes,
                        }],
                        _ => vec![],
                    },
                });
                if let Some(d) = done {
                    last_done = Some(d);
                }
                if let Some((_, vid, items)) = template {
                    checklists.push(work_order_checklist::ActiveModel {
                        work_order_id: Set(wo_id),
                        organization_id: Set(org),
                        template_version_id: Set(*vid),
                        answers: Set(if done.is_some() {
                            serde_json::to_string(&passing(items))?
                        } else {
                            "[]".into()
                        }),
                        result: Set(if done.is_some() { "passed" } else { "pending" }.into()),
                        updated_by: Set(done.map(|_| people.technician)),
                        updated_at: Set(end),
                        version: Set(2),
                    });
                }
                instances.push(pm_instance::ActiveModel {
                    id: Set(instance_id),
                    organization_id: Set(org),
                    site_id: Set(*site_id),
                    plan_id: Set(plan.id),
                    asset_id: Set(a.id),
                    due_at: Set(due),
                    window_end_at: Set(window_end),
                    trigger: Set("calendar".into()),
                    meter_value: Set(None),
                    status: Set(done.map_or(InstanceStatus::Missed, |d| {
                        compliance::on_completion(due, spec.grace, d)
                    })),
                    work_order_id: Set(Some(wo_id)),
                    generated_at: Set(created),
                    completed_at: Set(done),
                    miss_reason: Set(reason),
                    overdue_notified_at: Set((end > due).then_some(due)),
                    escalated_at: Set((end > window_end).then_some(window_end)),
                    updated_at: Set(end),
                    version: Set(2),
                });
            }
            let next = cal.first_from(cutoff);
            targets.push(pm_target::ActiveModel {
                id: Set(Uuid::now_v7()),
                organization_id: Set(org),
                plan_id: Set(plan.id),
                asset_id: Set(a.id),
                next_due_at: Set(next),
                generate_at: Set(generate_at(next, schedule.lead)),
                meter_baseline: Set(None),
                last_completed_at: Set(last_done),
                open_instance_id: Set(None),
                created_at: Set(plan.created_at),
                updated_at: Set(now),
            });
        }
    }
    let n = import_past(tx, org, orders, now)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .len();
    for chunk in instances.chunks(200) {
        pm_instance::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&**tx)
            .await?;
    }
    for chunk in checklists.chunks(200) {
        work_order_checklist::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&**tx)
            .await?;
    }
    for chunk in targets.chunks(200) {
        pm_target::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&**tx)
            .await?;
    }
    Ok(n)
}
