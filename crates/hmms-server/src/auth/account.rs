//! The account view of a user: what sign-in answers with and the user registry lists. It lives
//! with sign-in (the base) so that the users module builds on it, not the other way round.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use hmms_store::entities::{role, totp_secret, user, user_role_grant};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};

/// Whether an account may sign in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UserStatus {
    Active,
    Inactive,
}

impl UserStatus {
    pub fn key(self) -> &'static str {
        match self {
            UserStatus::Active => "active",
            UserStatus::Inactive => "inactive",
        }
    }
}

same_variants!(
    UserStatus,
    hmms_domain::users::UserStatus,
    [Active, Inactive]
);

/// A user as other users see them. Never carries secrets.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserDto {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub phone: Option<String>,
    /// The role's key, e.g. `technician`.
    pub role: String,
    pub role_name: String,
    /// How far the role reaches: `organization`, `site`, `department` or `assigned`.
    pub scope: String,
    pub site_id: Option<Uuid>,
    pub department_id: Option<Uuid>,
    pub section_id: Option<Uuid>,
    /// The vendor company a vendor user works for.
    pub vendor_company_id: Option<Uuid>,
    pub status: UserStatus,
    pub two_factor_enabled: bool,
    pub must_change_password: bool,
    pub last_login_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Send back as `version` (or `If-Match`) when editing, to avoid overwriting someone else's change.
    pub version: i32,
}

pub async fn to_dtos(
    db: &impl ConnectionTrait,
    users: Vec<user::Model>,
) -> ApiResult<Vec<UserDto>> {
    let ids: Vec<Uuid> = users.iter().map(|u| u.id).collect();
    let grants: HashMap<Uuid, user_role_grant::Model> = user_role_grant::Entity::find()
        .filter(user_role_grant::Column::UserId.is_in(ids.clone()))
        .all(db)
        .await?
        .into_iter()
        .map(|g| (g.user_id, g))
        .collect();
    let role_ids: Vec<Uuid> = grants.values().map(|g| g.role_id).collect();
    let roles: HashMap<Uuid, role::Model> = role::Entity::find()
        .filter(role::Column::Id.is_in(role_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    let totp: HashMap<Uuid, bool> = totp_secret::Entity::find()
        .filter(totp_secret::Column::UserId.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.user_id, t.confirmed_at.is_some()))
        .collect();
    Ok(users
        .into_iter()
        .map(|u| {
            let grant = grants.get(&u.id);
            let role = grant.and_then(|g| roles.get(&g.role_id));
            UserDto {
                id: u.id,
                email: u.email,
                name: u.name,
                phone: u.phone,
                role: role.map(|r| r.key.clone()).unwrap_or_default(),
                role_name: role.map(|r| r.name.clone()).unwrap_or_default(),
                scope: grant
                    .map_or(hmms_domain::Scope::Assigned, |g| g.scope)
                    .key()
                    .into(),
                site_id: u.site_id,
                department_id: u.department_id,
                section_id: u.section_id,
                vendor_company_id: u.vendor_company_id,
                status: u.status.into(),
                two_factor_enabled: totp.get(&u.id).copied().unwrap_or(false),
                must_change_password: u.must_change_password,
                last_login_at: u.last_login_at,
                created_at: u.created_at,
                updated_at: u.updated_at,
                version: u.version,
            }
        })
        .collect())
}

pub async fn to_dto(db: &impl ConnectionTrait, u: user::Model) -> ApiResult<UserDto> {
    to_dtos(db, vec![u])
        .await?
        .pop()
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("no view of the user")))
}
