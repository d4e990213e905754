//! `/organization`, `/sites`, `/departments`, `/sections`, `/locations`: the structure of the
//! organization. Reading needs `org.read`; changes need the matching `*.manage` permission.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::dto::*;
use super::{departments, locations, organization, sections, sites};
use crate::auth::principal::Principal;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::pagination::if_match;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_organization, update_organization))
        .routes(routes!(list_sites, create_site))
        .routes(routes!(get_site, update_site, delete_site))
        .routes(routes!(list_departments, create_department))
        .routes(routes!(
            get_department,
            update_department,
            delete_department
        ))
        .routes(routes!(list_sections, create_section))
        .routes(routes!(get_section, update_section, delete_section))
        .routes(routes!(list_locations, create_location))
        .routes(routes!(get_location, update_location, delete_location))
        .routes(routes!(location_tree))
}

/// Your organization.
#[utoipa::path(get, path = "/organization", tag = "organization",
    responses((status = 200, description = "The organization", body = OrganizationDto)))]
pub async fn get_organization(
    State(state): State<AppState>,
    p: Principal,
) -> ApiResult<Json<OrganizationDto>> {
    Ok(Json(organization::get(&state, &p).await?))
}

/// Rename the organization or change its currency.
#[utoipa::path(patch, path = "/organization", tag = "organization", request_body = UpdateOrganization,
    params(("If-Match" = Option<String>, Header, description = "The version you edited")),
    responses((status = 200, description = "The updated organization", body = OrganizationDto)))]
pub async fn update_organization(
    State(state): State<AppState>,
    p: Principal,
    headers: HeaderMap,
    ApiJson(body): ApiJson<UpdateOrganization>,
) -> ApiResult<Json<OrganizationDto>> {
    Ok(Json(
        organization::update(&state, &p, body, if_match(&headers)?).await?,
    ))
}

/// The location tree of one site.
#[utoipa::path(get, path = "/locations/tree", tag = "organization", params(TreeQuery),
    responses((status = 200, description = "Top-level locations with their children", body = Vec<LocationNode>)))]
pub async fn location_tree(
    State(state): State<AppState>,
    p: Principal,
    ApiQuery(q): ApiQuery<TreeQuery>,
) -> ApiResult<Json<Vec<LocationNode>>> {
    Ok(Json(locations::tree(&state, &p, q.site_id).await?))
}

/// Hospitals (sites) of the organization.
#[utoipa::path(get, path = "/sites", tag = "organization", params(PageQuery),
    responses((status = 200, description = "A page of sites", body = SitePage)))]
pub async fn list_sites(
    State(state): State<AppState>,
    p: Principal,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<SitePage>> {
    Ok(Json(sites::list(&state, &p, q).await?))
}

/// Add a site.
#[utoipa::path(post, path = "/sites", tag = "organization", request_body = CreateSite,
    responses((status = 201, description = "Created", body = SiteDto)))]
pub async fn create_site(
    State(state): State<AppState>,
    p: Principal,
    ApiJson(body): ApiJson<CreateSite>,
) -> ApiResult<impl IntoResponse> {
    let dto = sites::create(&state, &p, body).await?;
    let location = format!("/api/v1/sites/{}", dto.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(dto),
    ))
}

/// One site.
#[utoipa::path(get, path = "/sites/{id}", tag = "organization", params(("id" = Uuid, Path, description = "Id")),
    responses((status = 200, description = "The site", body = SiteDto)))]
pub async fn get_site(
    State(state): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<SiteDto>> {
    Ok(Json(sites::get(&state, &p, id).await?))
}

/// Change a site.
#[utoipa::path(patch, path = "/sites/{id}", tag = "organization", request_body = UpdateSite,
    params(("id" = Uuid, Path, description = "Id"),
           ("If-Match" = Option<String>, Header, description = "The version you edited")),
    responses((status = 200, description = "The updated site", body = SiteDto)))]
pub async fn update_site(
    State(state): State<AppState>,
    p: Principal,
    headers: HeaderMap,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<UpdateSite>,
) -> ApiResult<Json<SiteDto>> {
    Ok(Json(
        sites::update(&state, &p, id, body, if_match(&headers)?).await?,
    ))
}

/// Remove a site that nothing refers to any more.
#[utoipa::path(delete, path = "/sites/{id}", tag = "organization", params(("id" = Uuid, Path, description = "Id")),
    responses((status = 204, description = "Removed")))]
pub async fn delete_site(
    State(state): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<StatusCode> {
    sites::delete(&state, &p, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Departments, optionally of one site.
#[utoipa::path(get, path = "/departments", tag = "organization", params(DepartmentQuery),
    responses((status = 200, description = "A page of departments", body = DepartmentPage)))]
pub async fn list_departments(
    State(state): State<AppState>,
    p: Principal,
    ApiQuery(q): ApiQuery<DepartmentQuery>,
) -> ApiResult<Json<DepartmentPage>> {
    Ok(Json(departments::list(&state, &p, q).await?))
}

/// Add a department.
#[utoipa::path(post, path = "/departments", tag = "organization", request_body = CreateDepartment,
    responses((status = 201, description = "Created", body = DepartmentDto)))]
pub async fn create_department(
    State(state): State<AppState>,
    p: Principal,
    ApiJson(body): ApiJson<CreateDepartment>,
) -> ApiResult<impl IntoResponse> {
    let dto = departments::create(&state, &p, body).await?;
    let location = format!("/api/v1/departments/{}", dto.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(dto),
    ))
}

/// One department.
#[utoipa::path(get, path = "/departments/{id}", tag = "organization", params(("id" = Uuid, Path, description = "Id")),
    responses((status = 200, description = "The department", body = DepartmentDto)))]
pub async fn get_department(
    State(state): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<DepartmentDto>> {
    Ok(Json(departments::get(&state, &p, id).await?))
}

/// Change a department.
#[utoipa::path(patch, path = "/departments/{id}", tag = "organization", request_body = UpdateDepartment,
    params(("id" = Uuid, Path, description = "Id"),
           ("If-Match" = Option<String>, Header, description = "The version you edited")),
    responses((status = 200, description = "The updated department", body = DepartmentDto)))]
pub async fn update_department(
    State(state): State<AppState>,
    p: Principal,
    headers: HeaderMap,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<UpdateDepartment>,
) -> ApiResult<Json<DepartmentDto>> {
    Ok(Json(
        departments::update(&state, &p, id, body, if_match(&headers)?).await?,
    ))
}

/// Remove a department that nothing refers to any more.
#[utoipa::path(delete, path = "/departments/{id}", tag = "organization", params(("id" = Uuid, Path, description = "Id")),
    responses((status = 204, description = "Removed")))]
pub async fn delete_department(
    State(state): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<StatusCode> {
    departments::delete(&state, &p, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Sections, optionally of one department.
#[utoipa::path(get, path = "/sections", tag = "organization", params(SectionQuery),
    responses((status = 200, description = "A page of sections", body = SectionPage)))]
pub async fn list_sections(
    State(state): State<AppState>,
    p: Principal,
    ApiQuery(q): ApiQuery<SectionQuery>,
) -> ApiResult<Json<SectionPage>> {
    Ok(Json(sections::list(&state, &p, q).await?))
}

/// Add a section.
#[utoipa::path(post, path = "/sections", tag = "organization", request_body = CreateSection,
    responses((status = 201, description = "Created", body = SectionDto)))]
pub async fn create_section(
    State(state): State<AppState>,
    p: Principal,
    ApiJson(body): ApiJson<CreateSection>,
) -> ApiResult<impl IntoResponse> {
    let dto = sections::create(&state, &p, body).await?;
    let location = format!("/api/v1/sections/{}", dto.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(dto),
    ))
}

/// One section.
#[utoipa::path(get, path = "/sections/{id}", tag = "organization", params(("id" = Uuid, Path, description = "Id")),
    responses((status = 200, description = "The section", body = SectionDto)))]
pub async fn get_section(
    State(state): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<SectionDto>> {
    Ok(Json(sections::get(&state, &p, id).await?))
}

/// Change a section.
#[utoipa::path(patch, path = "/sections/{id}", tag = "organization", request_body = UpdateSection,
    params(("id" = Uuid, Path, description = "Id"),
           ("If-Match" = Option<String>, Header, description = "The version you edited")),
    responses((status = 200, description = "The updated section", body = SectionDto)))]
pub async fn update_section(
    State(state): State<AppState>,
    p: Principal,
    headers: HeaderMap,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<UpdateSection>,
) -> ApiResult<Json<SectionDto>> {
    Ok(Json(
        sections::update(&state, &p, id, body, if_match(&headers)?).await?,
    ))
}

/// Remove a section that nothing refers to any more.
#[utoipa::path(delete, path = "/sections/{id}", tag = "organization", params(("id" = Uuid, Path, description = "Id")),
    responses((status = 204, description = "Removed")))]
pub async fn delete_section(
    State(state): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<StatusCode> {
    sections::delete(&state, &p, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Locations (buildings, floors, rooms, areas), filtered.
#[utoipa::path(get, path = "/locations", tag = "organization", params(LocationQuery),
    responses((status = 200, description = "A page of locations", body = LocationPage)))]
pub async fn list_locations(
    State(state): State<AppState>,
    p: Principal,
    ApiQuery(q): ApiQuery<LocationQuery>,
) -> ApiResult<Json<LocationPage>> {
    Ok(Json(locations::list(&state, &p, q).await?))
}

/// Add a location.
#[utoipa::path(post, path = "/locations", tag = "organization", request_body = CreateLocation,
    responses((status = 201, description = "Created", body = LocationDto)))]
pub async fn create_location(
    State(state): State<AppState>,
    p: Principal,
    ApiJson(body): ApiJson<CreateLocation>,
) -> ApiResult<impl IntoResponse> {
    let dto = locations::create(&state, &p, body).await?;
    let location = format!("/api/v1/locations/{}", dto.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(dto),
    ))
}

/// One location.
#[utoipa::path(get, path = "/locations/{id}", tag = "organization", params(("id" = Uuid, Path, description = "Id")),
    responses((status = 200, description = "The location", body = LocationDto)))]
pub async fn get_location(
    State(state): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<LocationDto>> {
    Ok(Json(locations::get(&state, &p, id).await?))
}

/// Change a location.
#[utoipa::path(patch, path = "/locations/{id}", tag = "organization", request_body = UpdateLocation,
    params(("id" = Uuid, Path, description = "Id"),
           ("If-Match" = Option<String>, Header, description = "The version you edited")),
    responses((status = 200, description = "The updated location", body = LocationDto)))]
pub async fn update_location(
    State(state): State<AppState>,
    p: Principal,
    headers: HeaderMap,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<UpdateLocation>,
) -> ApiResult<Json<LocationDto>> {
    Ok(Json(
        locations::update(&state, &p, id, body, if_match(&headers)?).await?,
    ))
}

/// Remove a location that nothing refers to any more.
#[utoipa::path(delete, path = "/locations/{id}", tag = "organization", params(("id" = Uuid, Path, description = "Id")),
    responses((status = 204, description = "Removed")))]
pub async fn delete_location(
    State(state): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<StatusCode> {
    locations::delete(&state, &p, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
