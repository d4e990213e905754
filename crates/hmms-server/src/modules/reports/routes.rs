//! `/reports/…`: key figures for a period.

use axum::Json;
use axum::extract::State;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::dto::*;
use super::{breakdown, kpis};
use crate::auth::principal::Principal;
use crate::error::ApiResult;
use crate::extract::ApiQuery;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_kpis))
        .routes(routes!(get_breakdown))
}

/// The key figures of a period over the records you may see, optionally for one hospital or
/// department: each with its definition, formula and how many records it counts, plus SLA
/// attainment by priority, the backlog by department and age, and the cost of the work done.
#[utoipa::path(get, path = "/reports/kpis", tag = "reports", params(KpiQuery),
    responses(
        (status = 200, description = "The figures", body = Kpis),
        (status = 422, description = "A reversed or too long period, or a site or department you may not see"),
    ))]
pub async fn get_kpis(
    State(state): State<AppState>,
    p: Principal,
    ApiQuery(q): ApiQuery<KpiQuery>,
) -> ApiResult<Json<Kpis>> {
    Ok(Json(kpis::kpis(&state, &p, q).await?))
}

/// Repairs, MTTR, failures, MTBF, downtime, availability and cost of the period per site,
/// department, equipment class or asset (`by`), over the records you may see and narrowed as
/// the key figures are; most costly first (an asset breakdown: the 100 that cost most).
#[utoipa::path(get, path = "/reports/breakdown", tag = "reports", params(BreakdownQuery),
    responses(
        (status = 200, description = "One row per group", body = Breakdown),
        (status = 422, description = "A reversed or too long period, or a filter you may not see"),
    ))]
pub async fn get_breakdown(
    State(state): State<AppState>,
    p: Principal,
    ApiQuery(q): ApiQuery<BreakdownQuery>,
) -> ApiResult<Json<Breakdown>> {
    Ok(Json(breakdown::breakdown(&state, &p, q).await?))
}
