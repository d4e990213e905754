//! `/reports/…`: key figures for a period.

use axum::Json;
use axum::extract::State;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::dto::*;
use super::kpis;
use crate::auth::principal::Principal;
use crate::error::ApiResult;
use crate::extract::ApiQuery;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_kpis))
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
