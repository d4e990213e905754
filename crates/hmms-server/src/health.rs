//! Liveness, readiness and metrics for operators and load balancers.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use sea_orm::ConnectionTrait;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ApiResult, Problem};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(live))
        .routes(routes!(ready))
        .routes(routes!(metrics))
}

#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `live` or `ready`.
    pub status: String,
    /// `sqlite` or `postgres`.
    pub database: Option<String>,
    pub version: String,
}

/// The process is up.
#[utoipa::path(get, path = "/health/live", tag = "operations", security(()),
    responses((status = 200, description = "Alive", body = Health)))]
pub async fn live() -> Json<Health> {
    Json(Health {
        status: "live".into(),
        database: None,
        version: env!("CARGO_PKG_VERSION").into(),
    })
}

/// The server can reach its database and take traffic.
#[utoipa::path(get, path = "/health/ready", tag = "operations", security(()),
    responses((status = 200, description = "Ready", body = Health),
              (status = 503, description = "The database is unreachable", body = crate::error::Problem,
               content_type = "application/problem+json")))]
pub async fn ready(State(state): State<AppState>) -> ApiResult<Json<Health>> {
    let backend = state.db.get_database_backend();
    state.db.execute_unprepared("SELECT 1").await.map_err(|e| {
        tracing::warn!(error = %e, "readiness check failed");
        ApiError::Unavailable("The database cannot be reached.".into())
    })?;
    let name = match backend {
        sea_orm::DbBackend::Postgres => "postgres",
        sea_orm::DbBackend::Sqlite => "sqlite",
        _ => "other",
    };
    Ok(Json(Health {
        status: "ready".into(),
        database: Some(name.into()),
        version: env!("CARGO_PKG_VERSION").into(),
    }))
}

/// Prometheus metrics (text exposition format).
///
/// With `metrics_token` configured, send it as `Authorization: Bearer <token>`; without, metrics
/// answer only to this machine (loopback).
#[utoipa::path(get, path = "/metrics", tag = "operations", security(()),
    responses((status = 200, description = "Metrics", body = String, content_type = "text/plain"),
        (status = 401, description = "No or wrong metrics token, or asked from another machine without one", body = Problem, content_type = "application/problem+json")))]
pub async fn metrics(
    State(state): State<AppState>,
    peer: Option<axum::Extension<axum::extract::ConnectInfo<std::net::SocketAddr>>>,
    headers: axum::http::HeaderMap,
) -> ApiResult<impl IntoResponse> {
    let allowed = match &state.config.metrics_token {
        Some(token) => headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .is_some_and(|given| {
                use subtle::ConstantTimeEq;
                bool::from(given.as_bytes().ct_eq(token.as_bytes()))
            }),
        None => peer.is_some_and(|p| p.0.0.ip().is_loopback()),
    };
    if !allowed {
        return Err(ApiError::Unauthenticated(
            "Metrics need the metrics token (Authorization: Bearer …), or a request from this machine when none is set."
                .into(),
        ));
    }
    Ok((
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(),
    ))
}
