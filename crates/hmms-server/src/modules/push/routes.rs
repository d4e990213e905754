//! `/push`: Web Push subscriptions of the signed-in user.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::service::{self, CreateSubscription, SubscriptionDto, VapidKey};
use crate::auth::principal::Principal;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(vapid_public_key))
        .routes(routes!(list_push_subscriptions, create_push_subscription))
        .routes(routes!(delete_push_subscription))
}

/// The server's VAPID public key, for `pushManager.subscribe({ applicationServerKey })`.
#[utoipa::path(get, path = "/push/vapid-public-key", tag = "notifications",
    responses((status = 200, description = "The key", body = VapidKey)))]
pub async fn vapid_public_key(
    State(state): State<AppState>,
    _p: Principal,
) -> ApiResult<Json<VapidKey>> {
    Ok(Json(service::vapid_key(&state)))
}

/// Your devices that receive pushes.
#[utoipa::path(get, path = "/push/subscriptions", tag = "notifications",
    responses((status = 200, description = "Your subscriptions", body = Vec<SubscriptionDto>)))]
pub async fn list_push_subscriptions(
    State(state): State<AppState>,
    p: Principal,
) -> ApiResult<Json<Vec<SubscriptionDto>>> {
    Ok(Json(service::list(&state, &p).await?))
}

/// Subscribe this device to pushes (new assignments, SLA breaches and escalations).
#[utoipa::path(post, path = "/push/subscriptions", tag = "notifications",
    request_body = CreateSubscription,
    responses((status = 201, description = "Subscribed", body = SubscriptionDto)))]
pub async fn create_push_subscription(
    State(state): State<AppState>,
    p: Principal,
    ApiJson(body): ApiJson<CreateSubscription>,
) -> ApiResult<impl IntoResponse> {
    Ok((
        StatusCode::CREATED,
        Json(service::subscribe(&state, &p, body).await?),
    ))
}

/// Stop pushes to one of your devices.
#[utoipa::path(delete, path = "/push/subscriptions/{id}", tag = "notifications",
    params(("id" = Uuid, Path, description = "Subscription id")),
    responses((status = 204, description = "Unsubscribed")))]
pub async fn delete_push_subscription(
    State(state): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<StatusCode> {
    service::unsubscribe(&state, &p, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
