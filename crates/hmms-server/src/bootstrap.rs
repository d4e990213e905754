//! Bringing a database into service: built-in roles for an organization, the first
//! administrator of an empty database, and adding users from the command line.

use chrono::{DateTime, Utc};
use hmms_domain::{BuiltinRole, validate};
use hmms_store::entities::{organization, role, role_permission, user, user_role_grant};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter,
};
use uuid::Uuid;

use crate::audit::{self, Change, Who};
use crate::auth::password::generate_password;
use crate::auth::principal::Meta;
use crate::state::{AppState, WriteTx};

/// Creates the seven built-in roles of an organization with their shipped permissions.
pub async fn seed_roles(
    db: &impl ConnectionTrait,
    org: Uuid,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    for r in BuiltinRole::ALL {
        let m = role::ActiveModel {
            id: Set(Uuid::now_v7()),
            organization_id: Set(org),
            key: Set(r.key().into()),
            name: Set(r.display_name().into()),
            description: Set(None),
            builtin: Set(true),
            default_scope: Set(r.default_scope()),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
        }
        .insert(db)
        .await?;
        role_permission::Entity::insert_many(r.permissions().into_iter().map(|p| {
            role_permission::ActiveModel {
                role_id: Set(m.id),
                permission: Set(p.into()),
                organization_id: Set(org),
            }
        }))
        .exec_without_returning(db)
        .await?;
    }
    Ok(())
}

pub async fn create_organization(
    db: &impl ConnectionTrait,
    name: &str,
    currency: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<Uuid> {
    let id = Uuid::now_v7();
    organization::ActiveModel {
        id: Set(id),
        name: Set(name.into()),
        currency: Set(currency.into()),
        labour_rate_minor: Set(0),
        repair_replace_percent: Set(50),
        hold_reasons: Set(hmms_domain::holds::to_stored(
            &hmms_domain::holds::defaults(),
        )),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    }
    .insert(db)
    .await?;
    seed_roles(db, id, now).await?;
    Ok(id)
}

/// What a new account needs.
pub struct NewUser<'a> {
    pub organization_id: Uuid,
    pub email: &'a str,
    pub name: &'a str,
    pub role: BuiltinRole,
    pub password_hash: String,
    pub site_id: Option<Uuid>,
    pub department_id: Option<Uuid>,
    pub section_id: Option<Uuid>,
    pub must_change_password: bool,
}

/// Inserts a user with a grant of a built-in role (at the role's default scope).
pub async fn insert_user(
    db: &impl ConnectionTrait,
    u: NewUser<'_>,
    now: DateTime<Utc>,
) -> anyhow::Result<user::Model> {
    let r = role::Entity::find()
        .filter(role::Column::OrganizationId.eq(u.organization_id))
        .filter(role::Column::Key.eq(u.role.key()))
        .one(db)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the organization has no `{}` role", u.role.key()))?;
    let m = user::ActiveModel {
        id: Set(Uuid::now_v7()),
        organization_id: Set(u.organization_id),
        email: Set(u.email.into()),
        name: Set(u.name.into()),
        phone: Set(None),
        password_hash: Set(u.password_hash),
        site_id: Set(u.site_id),
        department_id: Set(u.department_id),
        section_id: Set(u.section_id),
        vendor_company_id: Set(None),
        status: Set(hmms_domain::users::UserStatus::Active),
        must_change_password: Set(u.must_change_password),
        last_login_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    }
    .insert(db)
    .await?;
    user_role_grant::ActiveModel {
        id: Set(Uuid::now_v7()),
        organization_id: Set(u.organization_id),
        user_id: Set(m.id),
        role_id: Set(r.id),
        scope: Set(r.default_scope),
        site_id: Set(m.site_id),
        department_id: Set(m.department_id),
        created_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(m)
}

pub async fn is_empty(db: &impl ConnectionTrait) -> anyhow::Result<bool> {
    Ok(organization::Entity::find().count(db).await? == 0
        && user::Entity::find().count(db).await? == 0)
}

async fn system_audit(
    tx: &WriteTx,
    now: DateTime<Utc>,
    org: Uuid,
    action: &str,
    entity: &str,
    id: Uuid,
    after: serde_json::Value,
) -> anyhow::Result<()> {
    let meta = Meta {
        ip: None,
        user_agent: Some("hmms cli".into()),
        request_id: None,
    };
    let who = Who {
        organization_id: Some(org),
        actor_id: None,
        meta: &meta,
    };
    let change = Change {
        action,
        entity_type: entity,
        entity_id: Some(id.to_string()),
        before: None,
        after: Some(after),
    };
    audit::record(tx, now, &who, change)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))
}

/// On an empty database: an organization and its first administrator with a one-time
/// password, returned so the caller can show it once.
pub async fn first_admin(state: &AppState) -> anyhow::Result<Option<(String, String)>> {
    if !is_empty(&state.db).await? {
        return Ok(None);
    }
    let now = state.clock.now();
    let password = generate_password();
    let hash = state.passwords.hash(password.clone()).await?;
    let tx = state
        .begin_write()
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let org = create_organization(&*tx, "My Hospital", "USD", now).await?;
    let email = "admin@hmms.local";
    let u = insert_user(
        &*tx,
        NewUser {
            organization_id: org,
            email,
            name: "Administrator",
            role: BuiltinRole::Admin,
            password_hash: hash,
            site_id: None,
            department_id: None,
            section_id: None,
            must_change_password: true,
        },
        now,
    )
    .await?;
    system_audit(
        &tx,
        now,
        org,
        "user.created",
        "user",
        u.id,
        serde_json::json!({ "email": email, "role": "admin", "by": "first start" }),
    )
    .await?;
    tx.commit().await.map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(Some((email.into(), password)))
}

/// `hmms user create`: adds a user to the (first) organization with a generated password.
pub async fn create_user_cli(
    state: &AppState,
    email: &str,
    name: &str,
    role: BuiltinRole,
) -> anyhow::Result<String> {
    let email = validate::email(email).map_err(|m| anyhow::anyhow!("email {m}"))?;
    let now = state.clock.now();
    if user::Entity::find()
        .filter(user::Column::Email.eq(email.as_str()))
        .count(&state.db)
        .await?
        > 0
    {
        anyhow::bail!("a user with the e-mail address {email} already exists");
    }
    let password = generate_password();
    let hash = state.passwords.hash(password.clone()).await?;
    let tx = state
        .begin_write()
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let org = match organization::Entity::find().one(&*tx).await? {
        Some(o) => o.id,
        None => create_organization(&*tx, "My Hospital", "USD", now).await?,
    };
    let u = insert_user(
        &*tx,
        NewUser {
            organization_id: org,
            email: &email,
            name,
            role,
            password_hash: hash,
            site_id: None,
            department_id: None,
            section_id: None,
            must_change_password: true,
        },
        now,
    )
    .await?;
    system_audit(
        &tx,
        now,
        org,
        "user.created",
        "user",
        u.id,
        serde_json::json!({ "email": email, "role": role.key(), "by": "cli" }),
    )
    .await?;
    tx.commit().await.map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(password)
}
