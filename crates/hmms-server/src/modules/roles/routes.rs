//! `/roles`: roles and the permission matrix.

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
use crate::extract::{ApiJson, ApiPath};
use crate::pagination::if_match;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_roles, create_role))
        .routes(routes!(permission_matrix))
        .routes(routes!(get_role, update_role, delete_role))
}

/// All roles of the organization with what they grant.
#[utoipa::path(get, path = "/roles", tag = "roles", responses((status = 200, description = "Roles", body = Vec<RoleDto>)))]
pub async fn list_roles(
    State(state): State<AppState>,
    p: Principal,
) -> ApiResult<Json<Vec<RoleDto>>> {
    Ok(Json(service::list(&state, &p).await?))
}

/// The permission matrix: every permission and which roles hold it.
#[utoipa::path(get, path = "/roles/permissions", tag = "roles",
    responses((status = 200, description = "The matrix", body = PermissionMatrix)))]
pub async fn permission_matrix(
    State(state): State<AppState>,
    p: Principal,
) -> ApiResult<Json<PermissionMatrix>> {
    Ok(Json(service::matrix(&state, &p).await?))
}

/// Add a custom role.
#[utoipa::path(post, path = "/roles", tag = "roles", request_body = CreateRole,
    responses((status = 201, description = "Created", body = RoleDto)))]
pub async fn create_role(
    State(state): State<AppState>,
    p: Principal,
    ApiJson(body): ApiJson<CreateRole>,
) -> ApiResult<impl IntoResponse> {
    let dto = service::create(&state, &p, body).await?;
    let location = format!("/api/v1/roles/{}", dto.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(dto),
    ))
}

/// One role.
#[utoipa::path(get, path = "/roles/{id}", tag = "roles", params(("id" = Uuid, Path, description = "Role id")),
    responses((status = 200, description = "The role", body = RoleDto)))]
pub async fn get_role(
    State(state): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<RoleDto>> {
    Ok(Json(service::get(&state, &p, id).await?))
}

/// Rename a role, change its scope, or replace its permissions.
#[utoipa::path(patch, path = "/roles/{id}", tag = "roles", request_body = UpdateRole,
    params(("id" = Uuid, Path, description = "Role id"),
           ("If-Match" = Option<String>, Header, description = "The version you edited")),
    responses((status = 200, description = "The updated role", body = RoleDto)))]
pub async fn update_role(
    State(state): State<AppState>,
    p: Principal,
    headers: HeaderMap,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<UpdateRole>,
) -> ApiResult<Json<RoleDto>> {
    Ok(Json(
        service::update(&state, &p, id, body, if_match(&headers)?).await?,
    ))
}

/// Remove a custom role nobody holds.
#[utoipa::path(delete, path = "/roles/{id}", tag = "roles", params(("id" = Uuid, Path, description = "Role id")),
    responses((status = 204, description = "Removed")))]
pub async fn delete_role(
    State(state): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<StatusCode> {
    service::delete(&state, &p, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
