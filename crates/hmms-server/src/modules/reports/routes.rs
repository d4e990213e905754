//! `/reports/…`: key figures for a period, on screen and as PDF, XLSX or CSV files.

use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::dto::*;
use super::export::Format;
use super::{breakdown, export, kpis};
use crate::auth::principal::Principal;
use crate::error::ApiResult;
use crate::extract::ApiQuery;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_kpis))
        .routes(routes!(get_breakdown))
        .routes(routes!(get_kpis_xlsx))
        .routes(routes!(get_kpis_pdf))
        .routes(routes!(get_breakdown_xlsx))
        .routes(routes!(get_breakdown_csv))
        .routes(routes!(get_breakdown_pdf))
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const PDF: &str = "application/pdf";

/// A download named `filename` (the hospital's day the period starts, e.g.
/// `key-figures-2026-11-01.xlsx`).
fn download(content_type: &str, filename: String, body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// The key figures of a period as an XLSX workbook: the figures with their definitions, SLA by
/// priority, the backlog and the cost, each on its own sheet with typed cells, headed by the
/// organization, period, filters and who made it when.
#[utoipa::path(get, path = "/reports/kpis.xlsx", tag = "reports", params(KpiQuery),
    responses(
        (status = 200, description = "The workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
        (status = 422, description = "A reversed or too long period, or a filter you may not see"),
    ))]
pub async fn get_kpis_xlsx(
    State(state): State<AppState>,
    p: Principal,
    ApiQuery(q): ApiQuery<KpiQuery>,
) -> ApiResult<Response> {
    let file = export::kpis_file(&state, &p, q, Format::Xlsx).await?;
    Ok(download(XLSX, file.name, file.bytes))
}

/// The key figures of a period as a PDF to read or print: the figures with their definitions,
/// SLA by priority, the backlog and the cost, headed by the organization, period, filters and
/// who made it when, with "Page X of Y" on every page.
#[utoipa::path(get, path = "/reports/kpis.pdf", tag = "reports", params(KpiQuery),
    responses(
        (status = 200, description = "The document", content_type = "application/pdf", body = Vec<u8>),
        (status = 422, description = "A reversed or too long period, or a filter you may not see"),
    ))]
pub async fn get_kpis_pdf(
    State(state): State<AppState>,
    p: Principal,
    ApiQuery(q): ApiQuery<KpiQuery>,
) -> ApiResult<Response> {
    let file = export::kpis_file(&state, &p, q, Format::Pdf).await?;
    Ok(download(PDF, file.name, file.bytes))
}

/// A breakdown (as `GET /reports/breakdown`) as a PDF, landscape, its header repeated on every
/// page.
#[utoipa::path(get, path = "/reports/breakdown.pdf", tag = "reports", params(BreakdownQuery),
    responses(
        (status = 200, description = "The document", content_type = "application/pdf", body = Vec<u8>),
        (status = 422, description = "A reversed or too long period, or a filter you may not see"),
    ))]
pub async fn get_breakdown_pdf(
    State(state): State<AppState>,
    p: Principal,
    ApiQuery(q): ApiQuery<BreakdownQuery>,
) -> ApiResult<Response> {
    let file = export::breakdown_file(&state, &p, q, Format::Pdf).await?;
    Ok(download(PDF, file.name, file.bytes))
}

/// A breakdown (as `GET /reports/breakdown`) as an XLSX workbook.
#[utoipa::path(get, path = "/reports/breakdown.xlsx", tag = "reports", params(BreakdownQuery),
    responses(
        (status = 200, description = "The workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
        (status = 422, description = "A reversed or too long period, or a filter you may not see"),
    ))]
pub async fn get_breakdown_xlsx(
    State(state): State<AppState>,
    p: Principal,
    ApiQuery(q): ApiQuery<BreakdownQuery>,
) -> ApiResult<Response> {
    let file = export::breakdown_file(&state, &p, q, Format::Xlsx).await?;
    Ok(download(XLSX, file.name, file.bytes))
}

/// A breakdown (as `GET /reports/breakdown`) as CSV: money in major units, hours and
/// percentages as plain numbers.
#[utoipa::path(get, path = "/reports/breakdown.csv", tag = "reports", params(BreakdownQuery),
    responses(
        (status = 200, description = "The table", content_type = "text/csv", body = String),
        (status = 422, description = "A reversed or too long period, or a filter you may not see"),
    ))]
pub async fn get_breakdown_csv(
    State(state): State<AppState>,
    p: Principal,
    ApiQuery(q): ApiQuery<BreakdownQuery>,
) -> ApiResult<Response> {
    let file = export::breakdown_csv(&state, &p, q).await?;
    Ok(download("text/csv; charset=utf-8", file.name, file.bytes))
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
