//! Compliance for a period, as a surveyor reads it: every occurrence due in the period counted
//! by how it ended, overall, for high-risk and life-support equipment, by risk class and by
//! maintenance strategy, with every exception and its reason; and the same as a CSV file.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use hmms_domain::preventive::compliance::{InstanceStatus, Tally};
use hmms_store::entities::{asset, pm_instance, pm_plan, work_order};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::dto::*;
use crate::auth::principal::Principal;
use crate::error::{ApiError, ApiResult};
use crate::spreadsheet::CsvOut;
use crate::state::AppState;

/// At most this many exceptions are listed (the CSV has them all).
const EXCEPTIONS: usize = 500;
/// A report covers at most this many days.
const MAX_DAYS: i64 = 3 * 366;

fn tally_dto(t: &Tally) -> TallyDto {
    TallyDto {
        scheduled: t.scheduled,
        completed_on_time: t.completed_on_time,
        completed_late: t.completed_late,
        missed: t.missed,
        overdue: t.overdue,
        open: t.open,
        compliance_percent: t.compliance_percent(),
        completion_percent: t.completion_percent(),
    }
}

/// One occurrence with what the report needs of its equipment.
struct Row {
    i: pm_instance::Model,
    a: asset::Model,
}

async fn rows(state: &AppState, p: &Principal, q: &ComplianceQuery) -> ApiResult<Vec<Row>> {
    p.require("preventive.read")?;
    if q.to <= q.from {
        return Err(ApiError::validation("to", "must be after `from`"));
    }
    if (q.to - q.from).num_days() > MAX_DAYS {
        return Err(ApiError::validation(
            "to",
            "a report covers at most three years",
        ));
    }
    if let Some(r) = &q.risk_class
        && !["high", "medium", "low"].contains(&r.as_str())
    {
        return Err(ApiError::validation("riskClass", "high, medium or low"));
    }
    let mut cond = Condition::all()
        .add(pm_instance::Column::OrganizationId.eq(p.org()))
        .add(pm_instance::Column::DueAt.gte(q.from))
        .add(pm_instance::Column::DueAt.lt(q.to));
    match p.filter() {
        hmms_domain::ScopeFilter::Organization { .. } => {}
        _ => {
            cond = cond.add(pm_instance::Column::SiteId.eq(p.user.site_id.unwrap_or_default()));
        }
    }
    if let Some(s) = q.site_id {
        cond = cond.add(pm_instance::Column::SiteId.eq(s));
    }
    let instances = pm_instance::Entity::find()
        .filter(cond)
        .order_by_asc(pm_instance::Column::DueAt)
        .all(&state.db)
        .await?;
    let mut ids: Vec<Uuid> = instances.iter().map(|i| i.asset_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut assets: HashMap<Uuid, asset::Model> = HashMap::new();
    for chunk in ids.chunks(500) {
        for a in asset::Entity::find()
            .filter(asset::Column::Id.is_in(chunk.to_vec()))
            .all(&state.db)
            .await?
        {
            assets.insert(a.id, a);
        }
    }
    Ok(instances
        .into_iter()
        .filter_map(|i| {
            let a = assets.get(&i.asset_id)?.clone();
            if q.department_id.is_some() && a.department_id != q.department_id {
                return None;
            }
            if q.risk_class
                .as_ref()
                .is_some_and(|r| r != a.risk_class.key())
            {
                return None;
            }
            Some(Row { i, a })
        })
        .collect())
}

fn outcome(r: &Row, now: DateTime<Utc>) -> Option<&'static str> {
    match r.i.status {
        InstanceStatus::Missed => Some("missed"),
        InstanceStatus::CompletedLate => Some("completed_late"),
        InstanceStatus::Generated if r.i.window_end_at < now => Some("overdue"),
        _ => None,
    }
}

async fn names(
    state: &AppState,
    rows: &[Row],
) -> ApiResult<(HashMap<Uuid, String>, HashMap<Uuid, String>)> {
    let mut plans: Vec<Uuid> = rows.iter().map(|r| r.i.plan_id).collect();
    plans.sort_unstable();
    plans.dedup();
    let mut plan_names = HashMap::new();
    for chunk in plans.chunks(500) {
        let got: Vec<(Uuid, String)> = pm_plan::Entity::find()
            .select_only()
            .columns([pm_plan::Column::Id, pm_plan::Column::Name])
            .filter(pm_plan::Column::Id.is_in(chunk.to_vec()))
            .into_tuple()
            .all(&state.db)
            .await?;
        plan_names.extend(got);
    }
    let wos: Vec<Uuid> = rows.iter().filter_map(|r| r.i.work_order_id).collect();
    let mut codes = HashMap::new();
    for chunk in wos.chunks(500) {
        let got: Vec<(Uuid, String)> = work_order::Entity::find()
            .select_only()
            .columns([work_order::Column::Id, work_order::Column::Code])
            .filter(work_order::Column::Id.is_in(chunk.to_vec()))
            .into_tuple()
            .all(&state.db)
            .await?;
        codes.extend(got);
    }
    Ok((plan_names, codes))
}

pub async fn report(
    state: &AppState,
    p: &Principal,
    q: ComplianceQuery,
) -> ApiResult<ComplianceReport> {
    let now = state.clock.now();
    let rows = rows(state, p, &q).await?;
    let mut overall = Tally::default();
    let mut critical = Tally::default();
    let mut by_risk: BTreeMap<String, Tally> = BTreeMap::new();
    let mut by_strategy: BTreeMap<String, Tally> = BTreeMap::new();
    for r in &rows {
        let status = r.i.status;
        overall.add(status, r.i.window_end_at, now);
        if r.a.risk_class == hmms_domain::assets::RiskClass::High || r.a.life_support {
            critical.add(status, r.i.window_end_at, now);
        }
        by_risk
            .entry(r.a.risk_class.key().to_string())
            .or_default()
            .add(status, r.i.window_end_at, now);
        by_strategy
            .entry(r.a.maintenance_strategy.key().to_string())
            .or_default()
            .add(status, r.i.window_end_at, now);
    }
    let (plan_names, codes) = names(state, &rows).await?;
    let exceptions = rows
        .iter()
        .filter_map(|r| outcome(r, now).map(|o| (r, o)))
        .take(EXCEPTIONS)
        .map(|(r, o)| Exception {
            instance_id: r.i.id,
            plan_name: plan_names.get(&r.i.plan_id).cloned().unwrap_or_default(),
            asset_tag: r.a.tag.clone(),
            asset_name: r.a.name.clone(),
            risk_class: r.a.risk_class.key().to_string(),
            life_support: r.a.life_support,
            maintenance_strategy: r.a.maintenance_strategy.key().to_string(),
            due_at: r.i.due_at,
            window_end_at: r.i.window_end_at,
            outcome: o.into(),
            completed_at: r.i.completed_at,
            reason: r.i.miss_reason.clone(),
            work_order_id: r.i.work_order_id,
            work_order_code: r.i.work_order_id.and_then(|w| codes.get(&w).cloned()),
        })
        .collect();
    let group = |m: BTreeMap<String, Tally>| {
        m.into_iter()
            .map(|(key, t)| GroupTally {
                key,
                tally: tally_dto(&t),
            })
            .collect()
    };
    Ok(ComplianceReport {
        from: q.from,
        to: q.to,
        overall: tally_dto(&overall),
        high_risk_and_life_support: tally_dto(&critical),
        by_risk_class: group(by_risk),
        by_strategy: group(by_strategy),
        exceptions,
    })
}

/// Every occurrence due in the period with its outcome and reason, for the survey file.
pub async fn csv(state: &AppState, p: &Principal, q: ComplianceQuery) -> ApiResult<String> {
    let now = state.clock.now();
    let rows = rows(state, p, &q).await?;
    let (plan_names, codes) = names(state, &rows).await?;
    let mut out = CsvOut::new([
        "due_at",
        "window_end_at",
        "plan",
        "asset_tag",
        "asset_name",
        "risk_class",
        "life_support",
        "maintenance_strategy",
        "outcome",
        "completed_at",
        "work_order",
        "reason",
    ])?;
    for r in &rows {
        let o = match r.i.status {
            InstanceStatus::CompletedOnTime => "completed_on_time",
            InstanceStatus::CompletedLate => "completed_late",
            InstanceStatus::Missed => "missed",
            _ if r.i.window_end_at < now => "overdue",
            _ => "open",
        };
        let fields = [
            r.i.due_at.to_rfc3339(),
            r.i.window_end_at.to_rfc3339(),
            plan_names.get(&r.i.plan_id).cloned().unwrap_or_default(),
            r.a.tag.clone(),
            r.a.name.clone(),
            r.a.risk_class.key().to_string(),
            r.a.life_support.to_string(),
            r.a.maintenance_strategy.key().to_string(),
            o.to_string(),
            r.i.completed_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
            r.i.work_order_id
                .and_then(|w| codes.get(&w).cloned())
                .unwrap_or_default(),
            r.i.miss_reason.clone().unwrap_or_default(),
        ];
        out.row(fields)?;
    }
    out.finish()
}
