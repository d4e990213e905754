//! A year of demo maintenance work: about 300 work orders in every state, most closed, some
//! open and assigned to the demo technician and vendor so each demo user has something to do.

use chrono::{DateTime, Duration, Utc};
use hmms_domain::work_orders::{Priority, Status, WorkOrderType, default_sla};
use hmms_server::modules::work_orders::{
    Assignment, NewWorkOrder, PastStep, PastTime, PastWorkOrder, import_past,
};
use hmms_server::state::WriteTx;
use serde_json::json;
use uuid::Uuid;

/// Hold reasons of the demo's work, by job: half for parts (the defaults' codes).
const HOLD_REASONS: [&str; 6] = [
    "awaiting_parts",
    "awaiting_vendor",
    "awaiting_parts",
    "awaiting_access",
    "awaiting_parts",
    "awaiting_funds",
];

/// People and places the generator draws on.
pub struct Cast {
    pub organization: Uuid,
    pub site: Uuid,
    /// (department id, fault titles typical of it)
    pub departments: Vec<(Uuid, &'static [&'static str])>,
    pub requester: Uuid,
    pub manager: Uuid,
    pub technician: Uuid,
    pub vendor: Uuid,
    /// The vendor's company, which shares the vendor's jobs.
    pub vendor_company: Option<Uuid>,
    /// The demo's equipment, for work on a particular asset.
    pub assets: crate::assets::DemoAssets,
}

pub const ICU_FAULTS: &[&str] = &[
    "Ventilator fails self-test",
    "Patient monitor SpO2 reading drops out",
    "Infusion pump occlusion alarm",
    "Syringe driver battery not holding charge",
    "Bed motor not raising head section",
];
pub const ED_FAULTS: &[&str] = &[
    "Defibrillator failed daily check",
    "Suction unit weak",
    "Trolley brake broken",
];
pub const OT_FAULTS: &[&str] = &[
    "Anaesthesia machine leak test failed",
    "Operating light flickering",
    "Diathermy unit error E03",
    "Theatre AC not cooling",
];
pub const RAD_FAULTS: &[&str] = &[
    "X-ray detector calibration error",
    "CT gantry noise",
    "Lead apron torn",
];
pub const LAB_FAULTS: &[&str] = &[
    "Centrifuge imbalance alarm",
    "Fridge temperature above 8 °C",
    "Analyser sample probe blocked",
];
pub const MAT_FAULTS: &[&str] = &[
    "CTG monitor paper feed jammed",
    "Infant warmer overheating",
    "Delivery bed hydraulics leaking",
];
pub const MED_FAULTS: &[&str] = &[
    "Oxygen flowmeter leaking",
    "Nurse call bell not working",
    "Ward door lock broken",
];
pub const EST_FAULTS: &[&str] = &[
    "Generator failed weekly test",
    "Water pressure low on 2nd floor",
    "Lift stuck between floors",
];

/// A small deterministic generator so the demo is the same on every machine.
pub(crate) struct Lcg(pub(crate) u64);

impl Lcg {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const COUNT: usize = 300;

pub async fn generate(tx: &WriteTx, cast: &Cast, now: DateTime<Utc>) -> anyhow::Result<usize> {
    let mut rng = Lcg(2026);
    let mut past = Vec::with_capacity(COUNT);
    // Raised at times spread over the last year, oldest first so codes follow time.
    let mut raised: Vec<DateTime<Utc>> = (0..COUNT)
        .map(|_| now - Duration::minutes(rng.below(365 * 24 * 60) as i64 + 30))
        .collect();
    raised.sort();
    for (i, created) in raised.into_iter().enumerate() {
        let (department, faults) =
            cast.departments[rng.below(cast.departments.len() as u64) as usize];
        let title = faults[rng.below(faults.len() as u64) as usize];
        let priority = [
            Priority::Low,
            Priority::Medium,
            Priority::Medium,
            Priority::High,
            Priority::Critical,
        ][rng.below(5) as usize];
        let age = now - created;
        // Recent work is more likely to be open; the newest few cover every open state.
        const NEWEST: [Status; 7] = [
            Status::Pending,
            Status::Assigned,
            Status::InProgress,
            Status::OnHold,
            Status::Completed,
            Status::Assigned,
            Status::InProgress,
        ];
        let status = match (age < Duration::days(45), rng.below(100)) {
            _ if i >= COUNT - NEWEST.len() => NEWEST[i + NEWEST.len() - COUNT],
            (true, 0..=19) => Status::Pending,
            (true, 20..=44) => Status::Assigned,
            (true, 45..=64) => Status::InProgress,
            (true, 65..=72) => Status::OnHold,
            (true, 73..=84) => Status::Completed,
            (_, 0..=3) => Status::Cancelled,
            _ => Status::Closed,
        };
        let assignee = match status {
            Status::Pending | Status::Cancelled => None,
            // One job in six goes to the contractor.
            _ if i % 6 == 0 => Some(cast.vendor),
            _ => Some(cast.technician),
        };
        // Urgent work is answered and done sooner: start within about 1.3 response times and
        // finish within about 1.2 resolution times, so most work meets its SLA and some does not,
        // as in a real hospital (a flat spread made every critical repair a breach).
        let sla = default_sla(priority);
        let started = matches!(
            status,
            Status::InProgress | Status::OnHold | Status::Completed | Status::Closed
        )
        .then(|| {
            // After the assignment (5 minutes in), and never in the future.
            let span = sla.response_minutes as u64 * 13 / 10;
            (created + Duration::minutes(6 + rng.below(span.max(1)) as i64))
                .min(now - Duration::minutes(1))
        });
        let completed = matches!(status, Status::Completed | Status::Closed)
            .then(|| {
                let span = sla.resolution_minutes as u64 * 12 / 10;
                started.unwrap_or(created) + Duration::minutes(20 + rng.below(span.max(1)) as i64)
            })
            .map(|t| t.min(now));
        let closed = (status == Status::Closed)
            .then(|| completed.unwrap_or(created) + Duration::hours(2))
            .map(|t| t.min(now));
        let mut steps = vec![];
        // Work waits mostly for parts, sometimes for the contractor, access or money.
        let reason = HOLD_REASONS[i % HOLD_REASONS.len()];
        let mut step = |to: Status, at: DateTime<Utc>, by: Uuid| {
            steps.push(PastStep {
                to,
                at,
                by,
                hold_reason: (to == Status::OnHold).then(|| reason.to_string()),
            })
        };
        let mut time = vec![];
        if let Some(a) = assignee {
            step(
                Status::Assigned,
                created + Duration::minutes(5),
                cast.manager,
            );
            if let Some(s) = started {
                step(Status::InProgress, s, a);
                // One finished job in five waited a while on the way.
                if let Some(c) = completed.filter(|c| i % 5 == 0 && *c - s > Duration::hours(2)) {
                    let quarter = (c - s) / 4;
                    step(Status::OnHold, s + quarter, a);
                    step(Status::InProgress, s + quarter * 2, a);
                }
            }
            if status == Status::OnHold {
                step(
                    Status::OnHold,
                    (started.unwrap_or(created) + Duration::hours(1)).min(now),
                    a,
                );
            }
            if let Some(c) = completed {
                step(Status::Completed, c, a);
                time.push(PastTime {
                    by: a,
                    from: started.unwrap_or(created),
                    minutes: 45 + (i as i32 % 5) * 15,
                });
            }
            if let Some(c) = closed {
                step(Status::Closed, c, cast.manager);
            }
        } else if status == Status::Cancelled {
            step(
                Status::Cancelled,
                created + Duration::hours(1),
                cast.manager,
            );
        }
        let company = if assignee == Some(cast.vendor) {
            cast.vendor_company
        } else {
            None
        };
        past.push(PastWorkOrder {
            new: NewWorkOrder {
                id: None,
                site_id: cast.site,
                title: title.into(),
                description: format!("Reported by the ward: {}.", title.to_lowercase()),
                wo_type: WorkOrderType::Corrective,
                priority,
                sla,
                asset_id: cast.assets.pick(department, title, i as u64),
                department_id: Some(department),
                location_id: None,
                assignment: assignee.map(|a| Assignment {
                    assignee: Some(a),
                    company,
                }),
                signature_required: false,
                due: None,
                pm_instance_id: None,
                follow_up_of: None,
            },
            requester_id: cast.requester,
            raised_at: created,
            detail: json!({}),
            steps,
            resolution: Some(
                ["repaired", "replaced_part", "adjusted", "no_fault_found"][i % 4].into(),
            ),
            cancellation_reason: Some("Duplicate of an earlier request".into()),
            downtime_minutes: completed.map(|c| (c - created).num_minutes() as i32),
            vendor_cost_minor: if assignee == Some(cast.vendor) && closed.is_some() {
                1_500_000 + (i as i64 % 7) * 250_000
            } else {
                0
            },
            time,
        });
    }
    let rows = import_past(tx, cast.organization, past, now)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(rows.len())
}

/// `hmms demo --scale`: appends `n` work orders spread over the last three years to the demo
/// hospital, for benchmarks. Rows are written in large batches without history or time logs.
pub async fn generate_bulk(
    tx: &WriteTx,
    cast: &Cast,
    n: usize,
    now: DateTime<Utc>,
) -> anyhow::Result<usize> {
    let mut rng = Lcg(now.timestamp() as u64);
    let span = 3 * 365 * 24 * 60;
    let mut made = 0;
    while made < n {
        let batch = (n - made).min(800);
        let mut created: Vec<DateTime<Utc>> = (0..batch)
            .map(|_| now - Duration::minutes(rng.below(span) as i64 + 60))
            .collect();
        created.sort();
        let mut past = Vec::with_capacity(batch);
        for c in created {
            let (department, faults) =
                cast.departments[rng.below(cast.departments.len() as u64) as usize];
            let title = faults[rng.below(faults.len() as u64) as usize];
            let priority = [
                Priority::Low,
                Priority::Medium,
                Priority::Medium,
                Priority::High,
                Priority::Critical,
            ][rng.below(5) as usize];
            let recent = now - c < Duration::days(30);
            let status = match rng.below(100) {
                0..=4 if recent => Status::Pending,
                5..=14 if recent => Status::Assigned,
                15..=24 if recent => Status::InProgress,
                25..=27 if recent => Status::OnHold,
                28..=32 if recent => Status::Completed,
                0..=2 => Status::Cancelled,
                _ => Status::Closed,
            };
            let assignee = match status {
                Status::Pending | Status::Cancelled => None,
                _ if rng.below(6) == 0 => Some(cast.vendor),
                _ => Some(cast.technician),
            };
            let done = matches!(status, Status::Completed | Status::Closed)
                .then(|| (c + Duration::hours(rng.below(96) as i64 + 1)).min(now));
            let mut random = [0u8; 10];
            for b in random.iter_mut() {
                *b = rng.next() as u8;
            }
            let id =
                uuid::Builder::from_unix_timestamp_millis(c.timestamp_millis() as u64, &random)
                    .into_uuid();
            let worker = assignee.unwrap_or(cast.technician);
            let started = c + Duration::minutes(20);
            let steps: Vec<PastStep> = match status {
                Status::Pending | Status::Assigned => vec![],
                Status::Cancelled => {
                    vec![(Status::Cancelled, c + Duration::hours(1), cast.manager)]
                }
                Status::InProgress => vec![(Status::InProgress, started, worker)],
                Status::OnHold => vec![
                    (Status::InProgress, started, worker),
                    (Status::OnHold, started + Duration::minutes(30), worker),
                ],
                _ => {
                    let d = done.unwrap_or(now);
                    let mut s = vec![
                        (Status::InProgress, started, worker),
                        (Status::Completed, d, worker),
                    ];
                    if status == Status::Closed {
                        s.push((Status::Closed, d, cast.manager));
                    }
                    s
                }
            }
            .into_iter()
            .map(|(to, at, by)| PastStep {
                to,
                at,
                by,
                hold_reason: (to == Status::OnHold).then(|| "awaiting_parts".to_string()),
            })
            .collect();
            past.push(PastWorkOrder {
                new: NewWorkOrder {
                    id: Some(id),
                    site_id: cast.site,
                    title: title.into(),
                    description: String::new(),
                    wo_type: WorkOrderType::Corrective,
                    priority,
                    sla: default_sla(priority),
                    asset_id: cast.assets.pick(department, title, made as u64),
                    department_id: Some(department),
                    location_id: None,
                    assignment: assignee.map(|a| Assignment {
                        assignee: Some(a),
                        company: if a == cast.vendor {
                            cast.vendor_company
                        } else {
                            None
                        },
                    }),
                    signature_required: false,
                    due: None,
                    pm_instance_id: None,
                    follow_up_of: None,
                },
                requester_id: cast.requester,
                raised_at: c,
                detail: json!({}),
                steps,
                resolution: Some("repaired".into()),
                cancellation_reason: Some("Duplicate".into()),
                downtime_minutes: done.map(|d| (d - c).num_minutes() as i32),
                vendor_cost_minor: 0,
                time: vec![],
            });
        }
        import_past(tx, cast.organization, past, now)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        made += batch;
    }
    Ok(made)
}
