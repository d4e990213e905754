//! `/auth`: sign-in, tokens, second factor, password.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::dto::*;
use super::principal::{Enrolling, Meta, Principal};
use super::service;
use crate::error::ApiResult;
use crate::extract::ApiJson;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(verify_otp))
        .routes(routes!(refresh))
        .routes(routes!(logout))
        .routes(routes!(me))
        .routes(routes!(totp_setup))
        .routes(routes!(totp_confirm))
        .routes(routes!(totp_disable))
        .routes(routes!(change_password))
}

/// Sign in with e-mail and password. Users with a second factor get an `otp_required`
/// challenge instead of tokens. Five failures lock the address for a while (429).
#[utoipa::path(post, path = "/auth/login", tag = "auth", request_body = LoginRequest, security(()),
    responses((status = 200, description = "Signed in, or a second factor is needed", body = LoginResponse)))]
pub async fn login(
    State(state): State<AppState>,
    meta: Meta,
    ApiJson(req): ApiJson<LoginRequest>,
) -> ApiResult<Json<LoginResponse>> {
    Ok(Json(service::login(&state, &meta, req).await?))
}

/// Complete sign-in with an authenticator code or a recovery code. Each code works once.
#[utoipa::path(post, path = "/auth/verify-otp", tag = "auth", request_body = VerifyOtpRequest, security(()),
    responses((status = 200, description = "Signed in", body = LoginResponse)))]
pub async fn verify_otp(
    State(state): State<AppState>,
    meta: Meta,
    ApiJson(req): ApiJson<VerifyOtpRequest>,
) -> ApiResult<Json<LoginResponse>> {
    Ok(Json(service::verify_otp(&state, &meta, req).await?))
}

/// Exchange a refresh token for a new pair. Presenting a used refresh token again ends the whole
/// session (every token descended from the same sign-in) and answers 401. A sign-in lasts at most
/// `session_max_age_secs` (30 days by default) however often it is refreshed.
#[utoipa::path(post, path = "/auth/refresh", tag = "auth", request_body = RefreshRequest, security(()),
    responses((status = 200, description = "A new token pair", body = TokenPair)))]
pub async fn refresh(
    State(state): State<AppState>,
    meta: Meta,
    ApiJson(req): ApiJson<RefreshRequest>,
) -> ApiResult<Json<TokenPair>> {
    Ok(Json(service::refresh(&state, &meta, req).await?))
}

/// Sign out: the session's refresh tokens stop working, and its access tokens on their next use.
#[utoipa::path(post, path = "/auth/logout", tag = "auth", request_body = RefreshRequest, security(()),
    responses((status = 204, description = "Signed out")))]
pub async fn logout(
    State(state): State<AppState>,
    meta: Meta,
    ApiJson(req): ApiJson<RefreshRequest>,
) -> ApiResult<StatusCode> {
    service::logout(&state, &meta, req).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in user and what they may do. Answers during mandatory enrolment too.
#[utoipa::path(get, path = "/auth/me", tag = "auth", responses((status = 200, description = "You", body = Me)))]
pub async fn me(State(state): State<AppState>, Enrolling(p): Enrolling) -> ApiResult<Json<Me>> {
    Ok(Json(service::me(&state, &p).await?))
}

/// Start two-factor enrolment: a new secret as text, `otpauth://` URI and QR code.
#[utoipa::path(post, path = "/auth/totp/setup", tag = "auth",
    responses((status = 200, description = "Add this to an authenticator app", body = TotpSetup)))]
pub async fn totp_setup(
    State(state): State<AppState>,
    Enrolling(p): Enrolling,
) -> ApiResult<Json<TotpSetup>> {
    Ok(Json(service::totp_setup(&state, &p).await?))
}

/// Finish enrolment with the app's current code. Returns ten recovery codes, shown once.
#[utoipa::path(post, path = "/auth/totp/confirm", tag = "auth", request_body = TotpCode,
    responses((status = 200, description = "Enabled", body = TotpEnabled)))]
pub async fn totp_confirm(
    State(state): State<AppState>,
    Enrolling(p): Enrolling,
    ApiJson(req): ApiJson<TotpCode>,
) -> ApiResult<Json<TotpEnabled>> {
    Ok(Json(service::totp_confirm(&state, &p, req).await?))
}

/// Turn two-factor sign-in off (not allowed for roles that require it).
#[utoipa::path(post, path = "/auth/totp/disable", tag = "auth", request_body = TotpDisable,
    responses((status = 204, description = "Disabled")))]
pub async fn totp_disable(
    State(state): State<AppState>,
    p: Principal,
    ApiJson(req): ApiJson<TotpDisable>,
) -> ApiResult<StatusCode> {
    service::totp_disable(&state, &p, req).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Change your password. Other sessions end; this one continues with the returned tokens.
#[utoipa::path(post, path = "/auth/password", tag = "auth", request_body = ChangePassword,
    responses((status = 200, description = "Changed", body = TokenPair)))]
pub async fn change_password(
    State(state): State<AppState>,
    Enrolling(p): Enrolling,
    ApiJson(req): ApiJson<ChangePassword>,
) -> ApiResult<Json<TokenPair>> {
    Ok(Json(service::change_password(&state, &p, req).await?))
}
