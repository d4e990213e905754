//! Background jobs: scheduled in-process, each run claimed in the database so that when several
//! servers share one database exactly one of them runs a given minute's job, and recorded so
//! operators can see what ran (`GET /admin/jobs`).

pub mod routes;
pub mod sla_check;

use std::time::Duration;

use chrono::{DateTime, DurationRound, Utc};
use hmms_store::entities::job_run;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, IntoActiveModel};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// A job HMMS runs on its own.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct JobInfo {
    pub name: &'static str,
    pub description: &'static str,
    /// How often it runs.
    pub every_seconds: u64,
}

pub const JOBS: &[JobInfo] = &[
    JobInfo {
        name: "sla-check",
        description: "Warns at 75% of a work order's resolution time and escalates breaches along the site's chain",
        every_seconds: 60,
    },
    JobInfo {
        name: "pm-generate",
        description: "Generates preventive work orders ahead of their due dates, from calendars and meters, and marks superseded occurrences missed",
        every_seconds: 3600,
    },
    JobInfo {
        name: "pm-overdue",
        description: "Tells assignees and managers when preventive work passes its due date, and escalates it after the grace window",
        every_seconds: 900,
    },
];

/// One run of a job.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct JobRunDto {
    pub id: Uuid,
    pub job: String,
    /// The minute it was scheduled for, or `manual:…` when an administrator started it.
    pub slot: String,
    /// `running`, `ok` or `failed`.
    pub status: String,
    /// What the run did (counts), or why it failed.
    pub detail: serde_json::Value,
    /// Which server ran it.
    pub instance: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl From<job_run::Model> for JobRunDto {
    fn from(m: job_run::Model) -> Self {
        Self {
            id: m.id,
            job: m.job,
            slot: m.slot,
            status: m.status,
            detail: serde_json::from_str(&m.detail).unwrap_or_default(),
            instance: m.instance,
            started_at: m.started_at,
            finished_at: m.finished_at,
        }
    }
}

fn instance() -> String {
    format!(
        "{}:{}",
        std::env::var("HOSTNAME").unwrap_or_else(|_| "hmms".into()),
        std::process::id()
    )
}

/// The latest `n` runs of any job, newest first.
pub async fn latest_runs(state: &AppState, n: u64) -> ApiResult<Vec<JobRunDto>> {
    use sea_orm::{EntityTrait, QueryOrder, QuerySelect};
    let runs = job_run::Entity::find()
        .order_by_desc(job_run::Column::StartedAt)
        .limit(n)
        .all(&state.db)
        .await?;
    Ok(runs.into_iter().map(Into::into).collect())
}

/// Runs `job` for `slot` unless another server already claimed that slot (then `None`).
pub async fn run(state: &AppState, job: &str, slot: String) -> ApiResult<Option<JobRunDto>> {
    if !JOBS.iter().any(|j| j.name == job) {
        return Err(ApiError::not_found("job"));
    }
    let started = state.clock.now();
    let claim = job_run::ActiveModel {
        id: Set(Uuid::now_v7()),
        job: Set(job.into()),
        slot: Set(slot),
        status: Set("running".into()),
        detail: Set("{}".into()),
        instance: Set(instance()),
        started_at: Set(started),
        finished_at: Set(None),
    };
    // The unique (job, slot) index is the claim: a second server's insert fails.
    let claimed = match claim.insert(&state.db).await {
        Ok(row) => row,
        Err(e)
            if e.sql_err()
                .is_some_and(|s| matches!(s, sea_orm::SqlErr::UniqueConstraintViolation(_))) =>
        {
            return Ok(None);
        }
        Err(e) => return Err(e.into()),
    };
    let outcome = match job {
        "sla-check" => sla_check::run(state).await,
        "pm-generate" => crate::modules::preventive::run_generator(state, None)
            .await
            .and_then(|r| Ok(serde_json::to_value(r)?)),
        "pm-overdue" => crate::modules::preventive::overdue_check(state).await,
        _ => unreachable!("checked above"),
    };
    let mut m = claimed.into_active_model();
    match &outcome {
        Ok(detail) => {
            m.status = Set("ok".into());
            m.detail = Set(detail.to_string());
        }
        Err(e) => {
            tracing::error!(job, error = %e, "job failed");
            m.status = Set("failed".into());
            m.detail = Set(serde_json::json!({ "error": e.to_string() }).to_string());
        }
    }
    m.finished_at = Set(Some(state.clock.now()));
    let row = m.update(&state.db).await?;
    outcome?;
    Ok(Some(row.into()))
}

/// Starts the scheduler: each job runs at the start of every interval.
pub fn start(state: AppState) {
    for info in JOBS {
        let state = state.clone();
        tokio::spawn(async move {
            loop {
                let now = state.clock.now();
                let step = chrono::Duration::seconds(info.every_seconds as i64);
                let slot_start = now.duration_trunc(step).unwrap_or(now);
                let next = slot_start + step;
                let wait = (next - now).to_std().unwrap_or(Duration::from_secs(1));
                tokio::time::sleep(wait).await;
                let slot = next.to_rfc3339();
                if let Err(e) = run(&state, info.name, slot).await {
                    tracing::error!(job = info.name, error = %e, "scheduled job failed");
                }
            }
        });
    }
}
