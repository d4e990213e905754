//! Who is calling: the bearer token resolved to a user, their role, scope and permissions.
//! Everything is re-read from the database on each request, so deactivating a user or changing
//! a role takes effect at once, not when a token expires.

use std::collections::BTreeSet;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header;
use axum::http::request::Parts;
use hmms_domain::roles::requires_totp;
use hmms_domain::{Actor, RecordScope, Scope, ScopeFilter};
use hmms_store::entities::{role, role_permission, totp_secret, user, user_role_grant};
use sea_orm::sea_query::{Asterisk, Expr, ExprTrait, Order, Query};
use sea_orm::{ConnectionTrait, EntityTrait, FromQueryResult};
use uuid::Uuid;

use super::tokens;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// A signed-in user with everything the rules need.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user: user::Model,
    pub role: role::Model,
    pub scope: Scope,
    pub permissions: BTreeSet<String>,
    pub totp_enabled: bool,
    pub totp_required: bool,
    pub meta: Meta,
    /// The sign-in the request came with (its refresh-token family); `None` for the server's
    /// own system users.
    pub session: Option<Uuid>,
}

impl Principal {
    pub fn id(&self) -> Uuid {
        self.user.id
    }

    pub fn org(&self) -> Uuid {
        self.user.organization_id
    }

    pub fn can(&self, permission: &str) -> bool {
        self.permissions.contains(permission)
    }

    /// Fails with 403 unless the user's role grants `permission`.
    pub fn require(&self, permission: &str) -> ApiResult<()> {
        if self.can(permission) {
            Ok(())
        } else {
            Err(ApiError::missing_permission(permission))
        }
    }

    pub fn actor(&self) -> Actor {
        Actor {
            user_id: self.user.id,
            organization_id: self.user.organization_id,
            site_id: self.user.site_id,
            department_id: self.user.department_id,
            company_id: self.user.vendor_company_id,
            scope: self.scope,
        }
    }

    pub fn filter(&self) -> ScopeFilter {
        ScopeFilter::for_actor(&self.actor())
    }

    pub fn sees(&self, record: &RecordScope) -> bool {
        self.filter().admits(record)
    }

    /// Whether a record placed at `site` (and `department`) is inside the caller's write scope:
    /// their organization, site or department by the place alone — being its requester or
    /// assignee does not count, so nobody can put a record where they could not otherwise read
    /// it (ARCHITECTURE.md §3).
    pub fn may_place(&self, site: Uuid, department: Option<Uuid>) -> bool {
        self.filter().admits(&RecordScope {
            organization_id: self.org(),
            site_id: Some(site),
            department_id: department,
            people: vec![],
            company_id: None,
        })
    }

    /// Whether the caller may raise a request for work at `site` (and `department`): their write
    /// scope, and for someone scoped to a department any place of their own hospital — a nurse
    /// reports the broken door in the corridor too — but never another hospital.
    pub fn may_request_at(&self, site: Uuid, department: Option<Uuid>) -> bool {
        self.may_place(site, department)
            || (matches!(self.scope, Scope::Department) && self.user.site_id == Some(site))
    }
}

pub use crate::audit::Meta;

impl<S: Send + Sync> FromRequestParts<S> for Meta {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(meta_of(parts))
    }
}

pub fn meta_of(parts: &Parts) -> Meta {
    let text = |name: &str| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(|s| s.chars().take(512).collect::<String>())
    };
    Meta {
        ip: parts
            .extensions
            .get::<crate::http::ClientAddr>()
            .map(|c| c.0.to_string())
            .or_else(|| {
                parts
                    .extensions
                    .get::<ConnectInfo<SocketAddr>>()
                    .map(|c| c.0.ip().to_string())
            }),
        user_agent: text(header::USER_AGENT.as_str()),
        request_id: text("x-request-id"),
    }
}

/// Loads the principal for a user id, or `None` if the user is missing or inactive.
pub async fn load(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    meta: Meta,
) -> ApiResult<Option<Principal>> {
    let Some(user) = user::Entity::find_by_id(user_id).one(db).await? else {
        return Ok(None);
    };
    if user.status != hmms_domain::users::UserStatus::Active {
        return Ok(None);
    }
    // The grant, its role, the role's permissions (one row each) and whether two-factor
    // sign-in is on, in one statement: this runs on every request.
    let q = Query::select()
        .expr_as(
            Expr::col((user_role_grant::Entity, user_role_grant::Column::Scope)),
            "grant_scope",
        )
        .column((role::Entity, Asterisk))
        .expr_as(
            Expr::col((role_permission::Entity, role_permission::Column::Permission)),
            "permission",
        )
        .expr_as(
            Expr::col((totp_secret::Entity, totp_secret::Column::ConfirmedAt)),
            "totp_confirmed_at",
        )
        .from(user_role_grant::Entity)
        .inner_join(
            role::Entity,
            Expr::col((role::Entity, role::Column::Id))
                .equals((user_role_grant::Entity, user_role_grant::Column::RoleId)),
        )
        .left_join(
            role_permission::Entity,
            Expr::col((role_permission::Entity, role_permission::Column::RoleId))
                .equals((role::Entity, role::Column::Id)),
        )
        .left_join(
            totp_secret::Entity,
            Expr::col((totp_secret::Entity, totp_secret::Column::UserId))
                .equals((user_role_grant::Entity, user_role_grant::Column::UserId)),
        )
        .and_where(
            Expr::col((user_role_grant::Entity, user_role_grant::Column::UserId)).eq(user.id),
        )
        .order_by(
            (user_role_grant::Entity, user_role_grant::Column::CreatedAt),
            Order::Asc,
        )
        .order_by(
            (user_role_grant::Entity, user_role_grant::Column::Id),
            Order::Asc,
        )
        .to_owned();
    let rows = db.query_all(&q).await?;
    let first = rows.first().ok_or_else(|| {
        ApiError::Forbidden("Your account has no role. Ask an administrator to assign one.".into())
    })?;
    let role = role::Model::from_query_result(first, "")?;
    // A typed column: an unknown stored scope fails the sign-in rather than guessing one.
    let scope: Scope = first.try_get("", "grant_scope")?;
    let totp_enabled = first
        .try_get::<Option<chrono::DateTime<chrono::Utc>>>("", "totp_confirmed_at")?
        .is_some();
    let mut permissions = BTreeSet::new();
    // A user holds one grant; should there ever be more, the oldest counts, as a whole.
    for row in &rows {
        if row.try_get::<Uuid>("", "id")? != role.id {
            continue;
        }
        if let Some(p) = row.try_get::<Option<String>>("", "permission")? {
            permissions.insert(p);
        }
    }
    let totp_required = requires_totp(&role.key, permissions.iter().map(String::as_str));
    Ok(Some(Principal {
        user,
        role,
        scope,
        permissions,
        totp_enabled,
        totp_required,
        meta,
        session: None,
    }))
}

async fn from_bearer(parts: &Parts, state: &AppState) -> ApiResult<Principal> {
    let auth = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            ApiError::Unauthenticated("Send `Authorization: Bearer <access token>`.".into())
        })?;
    let token = auth.strip_prefix("Bearer ").ok_or_else(|| {
        ApiError::Unauthenticated("The Authorization header must use the Bearer scheme.".into())
    })?;
    let claims = tokens::verify(&state.keys, token.trim(), tokens::ACCESS, state.clock.now())
        .ok_or_else(|| {
            ApiError::Unauthenticated(
                "The access token is invalid or expired. Refresh it or sign in again.".into(),
            )
        })?;
    let ended = || {
        ApiError::Unauthenticated(
            "This sign-in has ended (signed out, password changed, or expired). Sign in again."
                .into(),
        )
    };
    let session = claims.sid.ok_or_else(ended)?;
    if !session_alive(&state.db, session, claims.sub, state.clock.now()).await? {
        return Err(ended());
    }
    let mut p = load(&state.db, claims.sub, meta_of(parts))
        .await?
        .ok_or_else(|| ApiError::Unauthenticated("This account is no longer active.".into()))?;
    p.session = Some(session);
    Ok(p)
}

/// Whether a sign-in still holds: its family has a current refresh token (not used, not revoked,
/// not expired). Signing out, changing the password and a detected refresh reuse revoke the
/// family, so access tokens of that sign-in stop on their next request.
pub async fn session_alive(
    db: &impl ConnectionTrait,
    session: Uuid,
    user: Uuid,
    now: chrono::DateTime<chrono::Utc>,
) -> ApiResult<bool> {
    use hmms_store::entities::refresh_token::{Column, Entity};
    use sea_orm::{ColumnTrait, PaginatorTrait, QueryFilter};
    Ok(Entity::find()
        .filter(Column::FamilyId.eq(session))
        .filter(Column::UserId.eq(user))
        .filter(Column::UsedAt.is_null())
        .filter(Column::RevokedAt.is_null())
        .filter(Column::ExpiresAt.gt(now))
        .count(db)
        .await?
        > 0)
}

impl FromRequestParts<AppState> for Principal {
    type Rejection = ApiError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let p = from_bearer(parts, state).await?;
        if p.totp_required && !p.totp_enabled {
            return Err(ApiError::EnrolmentRequired);
        }
        Ok(p)
    }
}

/// A signed-in user who may still be completing mandatory two-factor enrolment. Only the
/// enrolment endpoints (and "who am I") accept this.
pub struct Enrolling(pub Principal);

impl FromRequestParts<AppState> for Enrolling {
    type Rejection = ApiError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Enrolling(from_bearer(parts, state).await?))
    }
}

impl Principal {
    /// The principal as the audit trail records them.
    pub fn who(&self) -> crate::audit::Who<'_> {
        crate::audit::Who {
            organization_id: Some(self.org()),
            actor_id: Some(self.id()),
            meta: &self.meta,
        }
    }
}
