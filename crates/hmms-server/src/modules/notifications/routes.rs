//! `/notifications`: your in-app notifications.

use axum::Json;
use axum::extract::State;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::preferences::{self, PreferenceChange, PreferenceDto};
use super::service::{self, MarkedRead, NotificationPage, NotificationQuery};
use crate::auth::principal::Principal;
use crate::error::ApiResult;
use crate::extract::ApiJson;
use crate::extract::{ApiPath, ApiQuery};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_notifications))
        .routes(routes!(mark_notification_read))
        .routes(routes!(mark_all_notifications_read))
        .routes(routes!(get_preferences, put_preferences))
}

/// Your notifications, newest first, with the unread count.
#[utoipa::path(get, path = "/notifications", tag = "notifications", params(NotificationQuery),
    responses((status = 200, description = "A page of notifications", body = NotificationPage)))]
pub async fn list_notifications(
    State(state): State<AppState>,
    p: Principal,
    ApiQuery(q): ApiQuery<NotificationQuery>,
) -> ApiResult<Json<NotificationPage>> {
    Ok(Json(service::list(&state, &p, q).await?))
}

/// Mark one notification read.
#[utoipa::path(post, path = "/notifications/{id}/read", tag = "notifications", params(("id" = Uuid, Path, description = "Notification id")),
    responses((status = 200, description = "Marked", body = MarkedRead)))]
pub async fn mark_notification_read(
    State(state): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<MarkedRead>> {
    Ok(Json(service::mark_read(&state, &p, id).await?))
}

/// Mark all your notifications read.
#[utoipa::path(post, path = "/notifications/read-all", tag = "notifications",
    responses((status = 200, description = "Marked", body = MarkedRead)))]
pub async fn mark_all_notifications_read(
    State(state): State<AppState>,
    p: Principal,
) -> ApiResult<Json<MarkedRead>> {
    Ok(Json(service::mark_all_read(&state, &p).await?))
}

/// Which notifications you receive.
#[utoipa::path(get, path = "/notifications/preferences", tag = "notifications",
    responses((status = 200, description = "Your choices", body = Vec<PreferenceDto>)))]
pub async fn get_preferences(
    State(state): State<AppState>,
    p: Principal,
) -> ApiResult<Json<Vec<PreferenceDto>>> {
    Ok(Json(preferences::get(&state, &p).await?))
}

/// Turn kinds of notification on or off (SLA breaches and escalations stay on).
#[utoipa::path(put, path = "/notifications/preferences", tag = "notifications", request_body = Vec<PreferenceChange>,
    responses((status = 200, description = "Your choices", body = Vec<PreferenceDto>)))]
pub async fn put_preferences(
    State(state): State<AppState>,
    p: Principal,
    ApiJson(body): ApiJson<Vec<PreferenceChange>>,
) -> ApiResult<Json<Vec<PreferenceDto>>> {
    Ok(Json(preferences::put(&state, &p, body).await?))
}
