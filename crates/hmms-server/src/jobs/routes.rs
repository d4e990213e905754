//! `/admin/jobs`: what the background jobs did, and running one now.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{JOBS, JobInfo, JobRunDto};
use crate::auth::principal::Principal;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiPath;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_jobs))
        .routes(routes!(run_job))
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct JobsOverview {
    pub jobs: Vec<JobInfo>,
    /// The latest 100 runs, newest first.
    pub runs: Vec<JobRunDto>,
}

/// The background jobs and their latest runs (administrators and IT).
#[utoipa::path(get, path = "/admin/jobs", tag = "operations",
    responses((status = 200, description = "Jobs and runs", body = JobsOverview)))]
pub async fn list_jobs(
    State(state): State<AppState>,
    p: Principal,
) -> ApiResult<Json<JobsOverview>> {
    p.require("settings.manage")?;
    Ok(Json(JobsOverview {
        jobs: JOBS.to_vec(),
        runs: super::latest_runs(&state, 100).await?,
    }))
}

/// Run a job now, outside its schedule.
#[utoipa::path(post, path = "/admin/jobs/{name}/run", tag = "operations",
    params(("name" = String, Path, description = "Job name, e.g. `sla-check`")),
    responses((status = 200, description = "The run", body = JobRunDto)))]
pub async fn run_job(
    State(state): State<AppState>,
    p: Principal,
    ApiPath(name): ApiPath<String>,
) -> ApiResult<Json<JobRunDto>> {
    p.require("settings.manage")?;
    let slot = format!("manual:{}", uuid::Uuid::now_v7());
    super::run(&state, &name, slot)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::Conflict("The job is already running.".into()))
}
