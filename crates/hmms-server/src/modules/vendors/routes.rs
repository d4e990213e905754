//! `/vendor-companies`: contractors. Reading needs `org.read` (a vendor reads its own company);
//! changes need `supplier.manage`.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::dto::*;
use super::service;
use crate::auth::principal::Principal;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::pagination::if_match;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_vendor_companies, create_vendor_company))
        .routes(routes!(get_vendor_company, update_vendor_company))
}

/// Vendor companies, by name.
#[utoipa::path(get, path = "/vendor-companies", tag = "vendors", params(VendorCompanyQuery),
    responses((status = 200, description = "A page of vendor companies", body = VendorCompanyPage)))]
pub async fn list_vendor_companies(
    State(state): State<AppState>,
    p: Principal,
    ApiQuery(q): ApiQuery<VendorCompanyQuery>,
) -> ApiResult<Json<VendorCompanyPage>> {
    Ok(Json(service::list(&state, &p, q).await?))
}

/// Add a vendor company.
#[utoipa::path(post, path = "/vendor-companies", tag = "vendors", request_body = CreateVendorCompany,
    responses((status = 201, description = "Created", body = VendorCompanyDto),
        (status = 409, description = "A company of that name exists")))]
pub async fn create_vendor_company(
    State(state): State<AppState>,
    p: Principal,
    ApiJson(body): ApiJson<CreateVendorCompany>,
) -> ApiResult<impl IntoResponse> {
    let dto = service::create(&state, &p, body).await?;
    let location = format!("/api/v1/vendor-companies/{}", dto.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(dto),
    ))
}

/// One vendor company.
#[utoipa::path(get, path = "/vendor-companies/{id}", tag = "vendors",
    params(("id" = Uuid, Path, description = "Vendor company id")),
    responses((status = 200, description = "The company", body = VendorCompanyDto)))]
pub async fn get_vendor_company(
    State(state): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<VendorCompanyDto>> {
    Ok(Json(service::get(&state, &p, id).await?))
}

/// Change a vendor company's details, or deactivate it.
#[utoipa::path(patch, path = "/vendor-companies/{id}", tag = "vendors", request_body = UpdateVendorCompany,
    params(("id" = Uuid, Path, description = "Vendor company id"),
        ("If-Match" = Option<String>, Header, description = "The version you edited")),
    responses((status = 200, description = "The updated company", body = VendorCompanyDto),
        (status = 412, description = "Someone changed it since you read it")))]
pub async fn update_vendor_company(
    State(state): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<Uuid>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<UpdateVendorCompany>,
) -> ApiResult<Json<VendorCompanyDto>> {
    Ok(Json(
        service::update(&state, &p, id, body, if_match(&headers)?).await?,
    ))
}
