//! Stand-in users for work HMMS raises itself: requests by QR code, preventive maintenance.
//! Each is an inactive user of the organization (nobody signs in as it), so work orders always
//! have a requester and the audit trail names who raised them.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use hmms_domain::{BuiltinRole, Scope};
use hmms_store::entities::{role, user};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::auth::principal::{Meta, Principal};
use crate::bootstrap::{NewUser, insert_user};
use crate::error::{ApiError, ApiResult};
use crate::state::WriteTx;

/// The organization's stand-in user `key` (e.g. `public-requests`), made on first use.
pub async fn stand_in(
    tx: &WriteTx,
    org: Uuid,
    key: &str,
    name: &str,
    now: DateTime<Utc>,
) -> ApiResult<user::Model> {
    let email = format!("{key}@{org}.invalid");
    if let Some(u) = user::Entity::find()
        .filter(user::Column::Email.eq(email.as_str()))
        .one(&**tx)
        .await?
    {
        return Ok(u);
    }
    let nobody = NewUser {
        organization_id: org,
        email: &email,
        name,
        role: BuiltinRole::Staff,
        // Not a password hash: nothing verifies against it, so nobody signs in as this user.
        password_hash: "!".into(),
        site_id: None,
        department_id: None,
        section_id: None,
        must_change_password: false,
    };
    let u = insert_user(&**tx, nobody, now)
        .await
        .map_err(ApiError::Internal)?;
    let mut m: user::ActiveModel = u.into();
    m.status = Set(hmms_domain::users::UserStatus::Inactive);
    Ok(m.update(&**tx).await?)
}

/// A principal for a stand-in user acting for HMMS with exactly `permissions` across the
/// organization (the generator raising and assigning preventive work, say).
pub async fn principal(
    tx: &WriteTx,
    org: Uuid,
    key: &str,
    name: &str,
    permissions: &[&str],
    agent: &str,
    now: DateTime<Utc>,
) -> ApiResult<Principal> {
    let user = stand_in(tx, org, key, name, now).await?;
    let role = role::Entity::find()
        .filter(role::Column::OrganizationId.eq(org))
        .filter(role::Column::Key.eq(BuiltinRole::Staff.key()))
        .one(&**tx)
        .await?
        .ok_or_else(|| {
            ApiError::Internal(anyhow::anyhow!("organization {org} has no staff role"))
        })?;
    Ok(Principal {
        user,
        role,
        scope: Scope::Organization,
        permissions: permissions
            .iter()
            .map(|p| p.to_string())
            .collect::<BTreeSet<_>>(),
        totp_enabled: false,
        totp_required: false,
        meta: Meta {
            ip: None,
            user_agent: Some(agent.into()),
            request_id: None,
        },
        session: None,
    })
}
