//! A year of demo maintenance work: about 300 work orders in every state, most closed, some
//! open and assigned to the demo technician and vendor so each demo user has something to do.

use chrono::{DateTime, Datelike, Duration, Utc};
use hmms_domain::work_orders::{self as rules, Priority, Status, WorkOrderType, default_sla};
use hmms_store::entities::{code_counter, work_order, work_order_history, work_order_time_log};
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};
use std::collections::BTreeMap;
use uuid::Uuid;

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
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const COUNT: usize = 300;

pub async fn generate(
    db: &impl ConnectionTrait,
    cast: &Cast,
    now: DateTime<Utc>,
) -> anyhow::Result<usize> {
    let mut rng = Lcg(2026);
    let mut orders = Vec::with_capacity(COUNT);
    let mut history = vec![];
    let mut logs = vec![];
    // Raised at times spread over the last year, oldest first so codes follow time.
    let mut raised: Vec<DateTime<Utc>> = (0..COUNT)
        .map(|_| now - Duration::minutes(rng.below(365 * 24 * 60) as i64 + 30))
        .collect();
    raised.sort();
    let mut counters: BTreeMap<i32, i64> = BTreeMap::new();
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
        let number = counters
            .entry(created.year())
            .and_modify(|n| *n += 1)
            .or_insert(1);
        let (response_due, resolution_due) = rules::deadlines(created, default_sla(priority));
        let started = matches!(
            status,
            Status::InProgress | Status::OnHold | Status::Completed | Status::Closed
        )
        .then(|| created + Duration::minutes(10 + rng.below(240) as i64));
        let completed = matches!(status, Status::Completed | Status::Closed)
            .then(|| {
                started.unwrap_or(created) + Duration::minutes(30 + rng.below(3 * 24 * 60) as i64)
            })
            .map(|t| t.min(now));
        let closed = (status == Status::Closed)
            .then(|| completed.unwrap_or(created) + Duration::hours(2))
            .map(|t| t.min(now));
        let overdue = status.is_open() && resolution_due <= now;
        let id = Uuid::now_v7();
        orders.push(work_order::ActiveModel {
            id: Set(id),
            organization_id: Set(cast.organization),
            site_id: Set(cast.site),
            code: Set(rules::code("WO", created.year(), *number)),
            title: Set(title.into()),
            description: Set(format!("Reported by the ward: {}.", title.to_lowercase())),
            wo_type: Set(WorkOrderType::Corrective),
            priority: Set(priority),
            status: Set(status),
            asset_id: Set(cast.assets.pick(department, title, i as u64)),
            department_id: Set(Some(department)),
            location_id: Set(None),
            requester_id: Set(cast.requester),
            assignee_id: Set(assignee),
            vendor_company_id: Set(if assignee == Some(cast.vendor) {
                cast.vendor_company
            } else {
                None
            }),
            sla_response_due_at: Set(response_due),
            sla_resolution_due_at: Set(resolution_due),
            first_response_at: Set(started),
            started_at: Set(started),
            completed_at: Set(completed),
            closed_at: Set(closed),
            closed_by: Set(closed.map(|_| cast.manager)),
            downtime_minutes: Set(completed.map(|c| ((c - created).num_minutes()) as i32)),
            resolution_category: Set(completed.map(|_| {
                ["repaired", "replaced_part", "adjusted", "no_fault_found"][i % 4].into()
            })),
            failure_problem: Set(None),
            failure_cause: Set(None),
            failure_remedy: Set(None),
            vendor_cost_minor: Set(if assignee == Some(cast.vendor) && closed.is_some() {
                1_500_000 + (i as i64 % 7) * 250_000
            } else {
                0
            }),
            signature_required: Set(false),
            rejection_reason: Set(None),
            cancellation_reason: Set((status == Status::Cancelled)
                .then(|| "Duplicate of an earlier request".to_string())),
            // Old breaches were dealt with at the time: only new ones alert.
            escalation_level: Set(if overdue { 3 } else { 0 }),
            sla_warned_at: Set(overdue.then_some(resolution_due)),
            sla_breached_at: Set(overdue.then_some(resolution_due)),
            created_at: Set(created),
            updated_at: Set(closed.or(completed).or(started).unwrap_or(created)),
            version: Set(1),
            pm_instance_id: Set(None),
            follow_up_of: Set(None),
        });
        let mut line = |kind: &str,
                        from: Option<Status>,
                        to: Option<Status>,
                        at: DateTime<Utc>,
                        actor: Uuid| {
            history.push(work_order_history::ActiveModel {
                id: Set(Uuid::now_v7()),
                organization_id: Set(cast.organization),
                work_order_id: Set(id),
                actor_id: Set(Some(actor)),
                kind: Set(kind.into()),
                from_status: Set(from.map(|s| s.key().into())),
                to_status: Set(to.map(|s| s.key().into())),
                detail: Set("{}".into()),
                created_at: Set(at),
            });
        };
        line("created", None, None, created, cast.requester);
        if let Some(a) = assignee {
            line(
                "assigned",
                Some(Status::Pending),
                Some(Status::Assigned),
                created + Duration::minutes(5),
                cast.manager,
            );
            if let Some(s) = started {
                line(
                    "status",
                    Some(Status::Assigned),
                    Some(Status::InProgress),
                    s,
                    a,
                );
            }
            if status == Status::OnHold {
                line(
                    "status",
                    Some(Status::InProgress),
                    Some(Status::OnHold),
                    started.unwrap_or(created) + Duration::hours(1),
                    a,
                );
            }
            if let Some(c) = completed {
                line(
                    "status",
                    Some(Status::InProgress),
                    Some(Status::Completed),
                    c,
                    a,
                );
                logs.push(work_order_time_log::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    organization_id: Set(cast.organization),
                    work_order_id: Set(id),
                    user_id: Set(a),
                    started_at: Set(started.unwrap_or(created)),
                    ended_at: Set(Some(
                        started.unwrap_or(created) + Duration::minutes(45 + (i as i64 % 5) * 15),
                    )),
                    minutes: Set(Some(45 + (i as i32 % 5) * 15)),
                    note: Set(None),
                    created_at: Set(c),
                });
            }
            if let Some(c) = closed {
                line(
                    "status",
                    Some(Status::Completed),
                    Some(Status::Closed),
                    c,
                    cast.manager,
                );
            }
        } else if status == Status::Cancelled {
            line(
                "status",
                Some(Status::Pending),
                Some(Status::Cancelled),
                created + Duration::hours(1),
                cast.manager,
            );
        }
    }
    let n = orders.len();
    for chunk in orders.chunks(100) {
        work_order::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    for chunk in history.chunks(200) {
        work_order_history::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    for chunk in logs.chunks(200) {
        work_order_time_log::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    for (year, last) in counters {
        code_counter::Entity::insert(code_counter::ActiveModel {
            site_id: Set(cast.site),
            prefix: Set("WO".into()),
            year: Set(year),
            organization_id: Set(cast.organization),
            last_number: Set(last),
        })
        .exec_without_returning(db)
        .await?;
    }
    Ok(n)
}

/// `hmms demo --scale`: appends `n` work orders spread over the last three years to the demo
/// hospital, for benchmarks. Rows are written in large batches without history or time logs.
pub async fn generate_bulk(
    db: &impl ConnectionTrait,
    cast: &Cast,
    n: usize,
    now: DateTime<Utc>,
) -> anyhow::Result<usize> {
    let mut rng = Lcg(now.timestamp() as u64);
    let existing: BTreeMap<i32, i64> = code_counter::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .filter(|c| c.site_id == cast.site && c.prefix == "WO")
        .map(|c| (c.year, c.last_number))
        .collect();
    let mut counters = existing.clone();
    let span = 3 * 365 * 24 * 60;
    let mut made = 0;
    while made < n {
        // SQLite binds at most 32,766 values per statement: 800 rows × ~40 columns stays below.
        let batch = (n - made).min(800);
        let mut created: Vec<DateTime<Utc>> = (0..batch)
            .map(|_| now - Duration::minutes(rng.below(span) as i64 + 60))
            .collect();
        created.sort();
        let mut rows = Vec::with_capacity(batch);
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
            let number = counters
                .entry(c.year())
                .and_modify(|x| *x += 1)
                .or_insert(1);
            let (response_due, resolution_due) = rules::deadlines(c, default_sla(priority));
            let done = matches!(status, Status::Completed | Status::Closed)
                .then(|| (c + Duration::hours(rng.below(96) as i64 + 1)).min(now));
            let overdue = status.is_open() && resolution_due <= now;
            let mut random = [0u8; 10];
            for b in random.iter_mut() {
                *b = rng.next() as u8;
            }
            let id =
                uuid::Builder::from_unix_timestamp_millis(c.timestamp_millis() as u64, &random)
                    .into_uuid();
            rows.push(work_order::ActiveModel {
                id: Set(id),
                organization_id: Set(cast.organization),
                site_id: Set(cast.site),
                code: Set(rules::code("WO", c.year(), *number)),
                title: Set(title.into()),
                description: Set(String::new()),
                wo_type: Set(WorkOrderType::Corrective),
                priority: Set(priority),
                status: Set(status),
                asset_id: Set(cast.assets.pick(department, title, made as u64)),
                department_id: Set(Some(department)),
                location_id: Set(None),
                requester_id: Set(cast.requester),
                assignee_id: Set(assignee),
                vendor_company_id: Set(if assignee == Some(cast.vendor) {
                    cast.vendor_company
                } else {
                    None
                }),
                sla_response_due_at: Set(response_due),
                sla_resolution_due_at: Set(resolution_due),
                first_response_at: Set(done.map(|_| c + Duration::minutes(20))),
                started_at: Set(done.map(|_| c + Duration::minutes(20))),
                completed_at: Set(done),
                closed_at: Set(if status == Status::Closed { done } else { None }),
                closed_by: Set((status == Status::Closed).then_some(cast.manager)),
                downtime_minutes: Set(done.map(|d| (d - c).num_minutes() as i32)),
                resolution_category: Set(done.map(|_| "repaired".into())),
                failure_problem: Set(None),
                failure_cause: Set(None),
                failure_remedy: Set(None),
                vendor_cost_minor: Set(0),
                signature_required: Set(false),
                rejection_reason: Set(None),
                cancellation_reason: Set(
                    (status == Status::Cancelled).then(|| "Duplicate".to_string())
                ),
                escalation_level: Set(if overdue { 3 } else { 0 }),
                sla_warned_at: Set(overdue.then_some(resolution_due)),
                sla_breached_at: Set(overdue.then_some(resolution_due)),
                created_at: Set(c),
                updated_at: Set(done.unwrap_or(c)),
                version: Set(1),
                pm_instance_id: Set(None),
                follow_up_of: Set(None),
            });
        }
        work_order::Entity::insert_many(rows)
            .exec_without_returning(db)
            .await?;
        made += batch;
    }
    for (year, last) in counters {
        let row = code_counter::ActiveModel {
            site_id: Set(cast.site),
            prefix: Set("WO".into()),
            year: Set(year),
            organization_id: Set(cast.organization),
            last_number: Set(last),
        };
        if existing.contains_key(&year) {
            code_counter::Entity::update(row).exec(db).await?;
        } else {
            code_counter::Entity::insert(row)
                .exec_without_returning(db)
                .await?;
        }
    }
    Ok(made)
}
