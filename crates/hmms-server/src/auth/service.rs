//! Sign-in flows: password, second factor, refresh rotation with reuse detection, sign-out,
//! second-factor enrolment, and password change.

use chrono::Duration;
use hmms_domain::validate;
use hmms_store::entities::{organization, recovery_code, refresh_token, totp_secret, user};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder,
};
use serde_json::json;
use uuid::Uuid;

use super::account::to_dto;
use super::dto::*;
use super::principal::{self, Meta, Principal};
use super::{throttle, tokens, totp};
use crate::audit::{self, Change, Who};
use crate::error::{ApiError, ApiResult};
use crate::state::{AppState, WriteTx};

const CHALLENGE_TTL_SECS: i64 = 300;

fn bad_credentials() -> ApiError {
    ApiError::Unauthenticated("The e-mail address or password is not correct.".into())
}

fn ip(meta: &Meta) -> String {
    meta.ip.clone().unwrap_or_else(|| "unknown".into())
}

fn who<'a>(u: &user::Model, meta: &'a Meta) -> Who<'a> {
    Who {
        organization_id: Some(u.organization_id),
        actor_id: Some(u.id),
        meta,
    }
}

async fn log(
    tx: &WriteTx,
    state: &AppState,
    who: &Who<'_>,
    action: &str,
    user_id: Option<Uuid>,
    after: serde_json::Value,
) -> ApiResult<()> {
    let change = Change {
        action,
        entity_type: "user",
        entity_id: user_id.map(|u| u.to_string()),
        before: None,
        after: Some(after),
    };
    audit::record(tx, state.clock.now(), who, change).await
}

/// A sign-in: its refresh-token family and when it began.
#[derive(Clone, Copy)]
struct Session {
    family: Uuid,
    started: chrono::DateTime<chrono::Utc>,
}

/// Starts a session (a new refresh-token family unless one is given) and returns its tokens.
/// A refresh token never outlives its session's absolute lifetime, however often it is renewed.
async fn issue(
    tx: &WriteTx,
    state: &AppState,
    u: &user::Model,
    meta: &Meta,
    session: Option<Session>,
) -> ApiResult<TokenPair> {
    let now = state.clock.now();
    let session = session.unwrap_or(Session {
        family: Uuid::now_v7(),
        started: now,
    });
    let ends = session.started + Duration::seconds(state.config.session_max_age_secs);
    let refresh = tokens::new_refresh_token();
    refresh_token::ActiveModel {
        id: Set(Uuid::now_v7()),
        organization_id: Set(u.organization_id),
        user_id: Set(u.id),
        family_id: Set(session.family),
        token_hash: Set(tokens::hash_secret(&refresh)),
        enrolment_only: Set(false),
        created_at: Set(now),
        expires_at: Set((now + Duration::seconds(state.config.refresh_token_ttl_secs)).min(ends)),
        used_at: Set(None),
        revoked_at: Set(None),
        ip: Set(meta.ip.clone()),
        user_agent: Set(meta.user_agent.clone()),
    }
    .insert(&**tx)
    .await?;
    let ttl = state.config.access_token_ttl_secs;
    Ok(TokenPair {
        access_token: tokens::issue(
            &state.keys,
            tokens::ACCESS,
            u.id,
            u.organization_id,
            Some(session.family),
            now,
            ttl,
        )?,
        refresh_token: refresh,
        token_type: "Bearer".into(),
        expires_in: ttl,
    })
}

async fn touch_login(
    tx: &WriteTx,
    u: &user::Model,
    now: chrono::DateTime<chrono::Utc>,
) -> ApiResult<()> {
    user::Entity::update_many()
        .col_expr(user::Column::LastLoginAt, Expr::value(now))
        .filter(user::Column::Id.eq(u.id))
        .exec(&**tx)
        .await?;
    Ok(())
}

async fn confirmed_totp(
    db: &impl ConnectionTrait,
    user_id: Uuid,
) -> ApiResult<Option<totp_secret::Model>> {
    Ok(totp_secret::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .filter(|t| t.confirmed_at.is_some()))
}

/// Records a failed attempt (and its audit entry) in its own committed transaction, so the
/// failure counts even though the request ends in an error.
async fn fail(
    state: &AppState,
    meta: &Meta,
    email: &str,
    u: Option<&user::Model>,
    reason: &str,
) -> ApiResult<ApiError> {
    let now = state.clock.now();
    let tx = state.begin_write().await?;
    throttle::note(&*tx, email, &ip(meta), false, now).await?;
    let w = Who {
        organization_id: u.map(|u| u.organization_id),
        actor_id: u.map(|u| u.id),
        meta,
    };
    log(
        &tx,
        state,
        &w,
        "auth.login_failed",
        u.map(|u| u.id),
        json!({ "email": email, "reason": reason }),
    )
    .await?;
    tx.commit().await?;
    state.metrics.login_failed();
    Ok(bad_credentials())
}

pub async fn login(state: &AppState, meta: &Meta, req: LoginRequest) -> ApiResult<LoginResponse> {
    let email = validate::email(&req.email).map_err(|m| ApiError::validation("email", m))?;
    if req.password.is_empty() || req.password.len() > 1024 {
        return Err(ApiError::validation(
            "password",
            "must be given (at most 1024 characters)",
        ));
    }
    throttle::check(&state.db, &email, &ip(meta), state.clock.now()).await?;
    let found = user::Entity::find()
        .filter(user::Column::Email.eq(email.as_str()))
        .one(&state.db)
        .await?;
    let ok = state
        .passwords
        .verify(
            req.password,
            found.as_ref().map(|u| u.password_hash.clone()),
        )
        .await;
    let u = match found {
        Some(u) if ok && u.status == hmms_domain::users::UserStatus::Active => u,
        Some(u) if ok => return Err(fail(state, meta, &email, Some(&u), "inactive").await?),
        Some(u) => return Err(fail(state, meta, &email, Some(&u), "wrong_password").await?),
        None => return Err(fail(state, meta, &email, None, "unknown_email").await?),
    };
    let now = state.clock.now();
    let tx = state.begin_write().await?;
    throttle::note(&*tx, &email, &ip(meta), true, now).await?;
    if confirmed_totp(&*tx, u.id).await?.is_some() {
        log(
            &tx,
            state,
            &who(&u, meta),
            "auth.password_accepted",
            Some(u.id),
            json!({ "next": "otp" }),
        )
        .await?;
        tx.commit().await?;
        return Ok(LoginResponse {
            status: LoginStatus::OtpRequired,
            tokens: None,
            challenge_token: Some(tokens::issue(
                &state.keys,
                tokens::OTP_CHALLENGE,
                u.id,
                u.organization_id,
                None,
                now,
                CHALLENGE_TTL_SECS,
            )?),
            two_factor_enrolment_required: false,
            must_change_password: u.must_change_password,
        });
    }
    let p = principal::load(&*tx, u.id, meta.clone())
        .await?
        .ok_or_else(bad_credentials)?;
    let pair = issue(&tx, state, &u, meta, None).await?;
    touch_login(&tx, &u, now).await?;
    log(
        &tx,
        state,
        &who(&u, meta),
        "auth.login",
        Some(u.id),
        json!({ "secondFactor": false }),
    )
    .await?;
    tx.commit().await?;
    Ok(LoginResponse {
        status: LoginStatus::Ok,
        tokens: Some(pair),
        challenge_token: None,
        two_factor_enrolment_required: p.totp_required,
        must_change_password: u.must_change_password,
    })
}

pub async fn verify_otp(
    state: &AppState,
    meta: &Meta,
    req: VerifyOtpRequest,
) -> ApiResult<LoginResponse> {
    let now = state.clock.now();
    let claims = tokens::verify(
        &state.keys,
        &req.challenge_token,
        tokens::OTP_CHALLENGE,
        now,
    )
    .ok_or_else(|| {
        ApiError::Unauthenticated(
            "The sign-in challenge is invalid or has expired. Sign in again.".into(),
        )
    })?;
    let u = user::Entity::find_by_id(claims.sub)
        .one(&state.db)
        .await?
        .filter(|u| u.status == hmms_domain::users::UserStatus::Active)
        .ok_or_else(bad_credentials)?;
    throttle::check(&state.db, &u.email, &ip(meta), now).await?;
    let secret_row = confirmed_totp(&state.db, u.id)
        .await?
        .ok_or_else(bad_credentials)?;
    let tx = state.begin_write().await?;
    let accepted = match (&req.code, &req.recovery_code) {
        (Some(code), None) => {
            let secret = totp::decrypt(&state.keys.data, &secret_row.secret_ciphertext)?;
            match totp::check(&secret, code, now) {
                // A code is good once: a step at or before the last one used is a replay.
                Some(step) if secret_row.last_used_step.is_none_or(|last| step > last) => {
                    let mut m = secret_row.clone().into_active_model();
                    m.last_used_step = Set(Some(step));
                    m.update(&*tx).await?;
                    Some("totp")
                }
                _ => None,
            }
        }
        (None, Some(rc)) => {
            let hash = tokens::hash_secret(&totp::normalize_recovery_code(rc));
            let found = recovery_code::Entity::find()
                .filter(recovery_code::Column::UserId.eq(u.id))
                .filter(recovery_code::Column::CodeHash.eq(hash))
                .filter(recovery_code::Column::UsedAt.is_null())
                .one(&*tx)
                .await?;
            match found {
                Some(c) => {
                    let mut m = c.into_active_model();
                    m.used_at = Set(Some(now));
                    m.update(&*tx).await?;
                    Some("recovery_code")
                }
                None => None,
            }
        }
        _ => {
            return Err(ApiError::validation(
                "code",
                "give either `code` or `recoveryCode`",
            ));
        }
    };
    let Some(method) = accepted else {
        drop(tx);
        let _ = fail(state, meta, &u.email, Some(&u), "wrong_second_factor").await?;
        return Err(ApiError::Unauthenticated(
            "The code is not correct, or it was already used. Wait for the next code.".into(),
        ));
    };
    throttle::note(&*tx, &u.email, &ip(meta), true, now).await?;
    let pair = issue(&tx, state, &u, meta, None).await?;
    touch_login(&tx, &u, now).await?;
    log(
        &tx,
        state,
        &who(&u, meta),
        "auth.login",
        Some(u.id),
        json!({ "secondFactor": method }),
    )
    .await?;
    tx.commit().await?;
    Ok(LoginResponse {
        status: LoginStatus::Ok,
        tokens: Some(pair),
        challenge_token: None,
        two_factor_enrolment_required: false,
        must_change_password: u.must_change_password,
    })
}

fn refresh_rejected() -> ApiError {
    ApiError::Unauthenticated("The refresh token is not valid. Sign in again.".into())
}

async fn revoke_family(
    tx: &WriteTx,
    family: Uuid,
    now: chrono::DateTime<chrono::Utc>,
) -> ApiResult<()> {
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(now))
        .filter(refresh_token::Column::FamilyId.eq(family))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(&**tx)
        .await?;
    Ok(())
}

pub async fn refresh(state: &AppState, meta: &Meta, req: RefreshRequest) -> ApiResult<TokenPair> {
    let now = state.clock.now();
    let tx = state.begin_write().await?;
    let row = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(tokens::hash_secret(req.refresh_token.trim())))
        .one(&*tx)
        .await?
        .ok_or_else(refresh_rejected)?;
    let u = user::Entity::find_by_id(row.user_id)
        .one(&*tx)
        .await?
        .ok_or_else(refresh_rejected)?;
    if row.used_at.is_some() || row.revoked_at.is_some() {
        // A token presented twice was stolen from one of its two holders: end the whole session.
        if row.used_at.is_some() {
            revoke_family(&tx, row.family_id, now).await?;
            log(
                &tx,
                state,
                &who(&u, meta),
                "auth.refresh_reuse_detected",
                Some(u.id),
                json!({ "family": row.family_id }),
            )
            .await?;
            tx.commit().await?;
        }
        return Err(ApiError::Unauthenticated(
            "This refresh token was already used or the session has ended. Sign in again.".into(),
        ));
    }
    if row.expires_at <= now || u.status != hmms_domain::users::UserStatus::Active {
        return Err(refresh_rejected());
    }
    // The session began with the family's first token; rows of a family are never deleted.
    let started = refresh_token::Entity::find()
        .filter(refresh_token::Column::FamilyId.eq(row.family_id))
        .order_by_asc(refresh_token::Column::CreatedAt)
        .one(&*tx)
        .await?
        .map_or(row.created_at, |first| first.created_at);
    if now >= started + Duration::seconds(state.config.session_max_age_secs) {
        return Err(ApiError::Unauthenticated(
            "This sign-in has reached its maximum age. Sign in again.".into(),
        ));
    }
    let mut m = row.clone().into_active_model();
    m.used_at = Set(Some(now));
    m.update(&*tx).await?;
    let session = Session {
        family: row.family_id,
        started,
    };
    let pair = issue(&tx, state, &u, meta, Some(session)).await?;
    log(
        &tx,
        state,
        &who(&u, meta),
        "auth.refreshed",
        Some(u.id),
        json!({ "family": row.family_id }),
    )
    .await?;
    tx.commit().await?;
    Ok(pair)
}

pub async fn logout(state: &AppState, meta: &Meta, req: RefreshRequest) -> ApiResult<()> {
    let now = state.clock.now();
    let tx = state.begin_write().await?;
    let row = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(tokens::hash_secret(req.refresh_token.trim())))
        .one(&*tx)
        .await?;
    // Signing out with an unknown token still answers 204: there is nothing left to end.
    if let Some(row) = row {
        revoke_family(&tx, row.family_id, now).await?;
        let w = Who {
            organization_id: Some(row.organization_id),
            actor_id: Some(row.user_id),
            meta,
        };
        log(
            &tx,
            state,
            &w,
            "auth.logout",
            Some(row.user_id),
            json!({ "family": row.family_id }),
        )
        .await?;
        tx.commit().await?;
    }
    Ok(())
}

pub async fn me(state: &AppState, p: &Principal) -> ApiResult<Me> {
    let org = organization::Entity::find_by_id(p.org())
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::not_found("organization"))?;
    Ok(Me {
        user: to_dto(&state.db, p.user.clone()).await?,
        organization_id: org.id,
        organization_name: org.name,
        currency: org.currency,
        permissions: p.permissions.iter().cloned().collect(),
        two_factor_required: p.totp_required,
        two_factor_enabled: p.totp_enabled,
    })
}

pub async fn totp_setup(state: &AppState, p: &Principal) -> ApiResult<TotpSetup> {
    if p.totp_enabled {
        return Err(ApiError::Conflict(
            "Two-factor sign-in is already enabled. Disable it first to change devices.".into(),
        ));
    }
    let secret = totp::new_secret();
    let now = state.clock.now();
    let tx = state.begin_write().await?;
    totp_secret::Entity::delete_by_id(p.id()).exec(&*tx).await?;
    totp_secret::ActiveModel {
        user_id: Set(p.id()),
        organization_id: Set(p.org()),
        secret_ciphertext: Set(
            totp::encrypt(&state.keys.data, &secret).map_err(ApiError::Internal)?
        ),
        confirmed_at: Set(None),
        last_used_step: Set(None),
        created_at: Set(now),
    }
    .insert(&*tx)
    .await?;
    log(
        &tx,
        state,
        &p.who(),
        "auth.totp_setup_started",
        Some(p.id()),
        json!({}),
    )
    .await?;
    tx.commit().await?;
    let uri = totp::otpauth_uri(&secret, &p.user.email);
    Ok(TotpSetup {
        secret: totp::base32(&secret),
        qr_svg: totp::qr_svg(&uri),
        otpauth_uri: uri,
    })
}

/// Stores fresh recovery codes for a user, replacing any old ones; returns them in clear once.
async fn new_recovery_codes(
    tx: &WriteTx,
    p: &Principal,
    now: chrono::DateTime<chrono::Utc>,
) -> ApiResult<Vec<String>> {
    recovery_code::Entity::delete_many()
        .filter(recovery_code::Column::UserId.eq(p.id()))
        .exec(&**tx)
        .await?;
    let codes = totp::new_recovery_codes();
    recovery_code::Entity::insert_many(codes.iter().map(|c| recovery_code::ActiveModel {
        id: Set(Uuid::now_v7()),
        organization_id: Set(p.org()),
        user_id: Set(p.id()),
        code_hash: Set(tokens::hash_secret(c)),
        used_at: Set(None),
        created_at: Set(now),
    }))
    .exec_without_returning(&**tx)
    .await?;
    Ok(codes)
}

pub async fn totp_confirm(
    state: &AppState,
    p: &Principal,
    req: TotpCode,
) -> ApiResult<TotpEnabled> {
    if p.totp_enabled {
        return Err(ApiError::Conflict(
            "Two-factor sign-in is already enabled.".into(),
        ));
    }
    let now = state.clock.now();
    let tx = state.begin_write().await?;
    let row = totp_secret::Entity::find_by_id(p.id())
        .one(&*tx)
        .await?
        .ok_or_else(|| {
            ApiError::Conflict("Start with POST /auth/totp/setup to get a secret first.".into())
        })?;
    let secret = totp::decrypt(&state.keys.data, &row.secret_ciphertext)?;
    let step = totp::check(&secret, &req.code, now).ok_or_else(|| {
        ApiError::validation(
            "code",
            "does not match; check the authenticator app's clock and enter the current code",
        )
    })?;
    let mut m = row.into_active_model();
    m.confirmed_at = Set(Some(now));
    m.last_used_step = Set(Some(step));
    m.update(&*tx).await?;
    let codes = new_recovery_codes(&tx, p, now).await?;
    let pair = issue(&tx, state, &p.user, &p.meta, None).await?;
    log(
        &tx,
        state,
        &p.who(),
        "auth.totp_enabled",
        Some(p.id()),
        json!({ "recoveryCodes": codes.len() }),
    )
    .await?;
    tx.commit().await?;
    Ok(TotpEnabled {
        recovery_codes: codes,
        tokens: pair,
    })
}

pub async fn totp_disable(state: &AppState, p: &Principal, req: TotpDisable) -> ApiResult<()> {
    if p.totp_required {
        return Err(ApiError::Conflict(
            "Your role requires two-factor sign-in; it cannot be turned off.".into(),
        ));
    }
    if !p.totp_enabled {
        return Err(ApiError::Conflict(
            "Two-factor sign-in is not enabled.".into(),
        ));
    }
    let now = state.clock.now();
    if !state
        .passwords
        .verify(req.password, Some(p.user.password_hash.clone()))
        .await
    {
        return Err(ApiError::validation("password", "is not correct"));
    }
    let row = confirmed_totp(&state.db, p.id())
        .await?
        .ok_or_else(|| ApiError::Conflict("Two-factor sign-in is not enabled.".into()))?;
    let secret = totp::decrypt(&state.keys.data, &row.secret_ciphertext)?;
    if totp::check(&secret, &req.code, now)
        .is_none_or(|s| row.last_used_step.is_some_and(|l| s <= l))
    {
        return Err(ApiError::validation(
            "code",
            "is not correct or was already used",
        ));
    }
    let tx = state.begin_write().await?;
    totp_secret::Entity::delete_by_id(p.id()).exec(&*tx).await?;
    recovery_code::Entity::delete_many()
        .filter(recovery_code::Column::UserId.eq(p.id()))
        .exec(&*tx)
        .await?;
    log(
        &tx,
        state,
        &p.who(),
        "auth.totp_disabled",
        Some(p.id()),
        json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn change_password(
    state: &AppState,
    p: &Principal,
    req: ChangePassword,
) -> ApiResult<TokenPair> {
    validate::password(&req.new_password).map_err(|m| ApiError::validation("newPassword", m))?;
    if !state
        .passwords
        .verify(req.current_password, Some(p.user.password_hash.clone()))
        .await
    {
        return Err(ApiError::validation("currentPassword", "is not correct"));
    }
    let hash = state.passwords.hash(req.new_password).await?;
    let now = state.clock.now();
    let tx = state.begin_write().await?;
    let mut m = p.user.clone().into_active_model();
    m.password_hash = Set(hash);
    m.must_change_password = Set(false);
    m.updated_at = Set(now);
    m.version = Set(p.user.version + 1);
    let u = m.update(&*tx).await?;
    // Every other session ends; this one continues with fresh tokens.
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(now))
        .filter(refresh_token::Column::UserId.eq(u.id))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(&*tx)
        .await?;
    let pair = issue(&tx, state, &u, &p.meta, None).await?;
    log(
        &tx,
        state,
        &p.who(),
        "auth.password_changed",
        Some(u.id),
        json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(pair)
}
