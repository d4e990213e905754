//! `/users`: list, read, create and change accounts.

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
        .routes(routes!(list_users, create_user))
        .routes(routes!(get_user, update_user))
}

/// List users you may see (your whole organization, site or department, per your role's scope).
#[utoipa::path(get, path = "/users", tag = "users", params(UserQuery),
    responses((status = 200, description = "A page of users", body = UserPage)))]
pub async fn list_users(
    State(state): State<AppState>,
    p: Principal,
    ApiQuery(q): ApiQuery<UserQuery>,
) -> ApiResult<Json<UserPage>> {
    Ok(Json(service::list(&state, &p, q).await?))
}

/// Create an account. Without a password, a one-time password is generated and returned once.
#[utoipa::path(post, path = "/users", tag = "users", request_body = CreateUser,
    responses((status = 201, description = "Created", body = CreatedUser)))]
pub async fn create_user(
    State(state): State<AppState>,
    p: Principal,
    ApiJson(body): ApiJson<CreateUser>,
) -> ApiResult<impl IntoResponse> {
    let created = service::create(&state, &p, body).await?;
    let location = format!("/api/v1/users/{}", created.user.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(created),
    ))
}

/// One user.
#[utoipa::path(get, path = "/users/{id}", tag = "users", params(("id" = Uuid, Path, description = "User id")),
    responses((status = 200, description = "The user", body = UserDto)))]
pub async fn get_user(
    State(state): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<UserDto>> {
    Ok(Json(service::get(&state, &p, id).await?))
}

/// Change an account: name, phone, role, placement, or deactivate it. The last active
/// administrator cannot be deactivated or demoted.
#[utoipa::path(patch, path = "/users/{id}", tag = "users", request_body = UpdateUser,
    params(("id" = Uuid, Path, description = "User id"),
           ("If-Match" = Option<String>, Header, description = "The version you edited")),
    responses((status = 200, description = "The updated user", body = UserDto)))]
pub async fn update_user(
    State(state): State<AppState>,
    p: Principal,
    headers: HeaderMap,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<UpdateUser>,
) -> ApiResult<Json<UserDto>> {
    let expected = if_match(&headers)?;
    Ok(Json(service::update(&state, &p, id, body, expected).await?))
}
