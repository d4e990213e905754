//! Rules for roles: the catalogue is closed, the administrator role cannot be weakened, and a
//! role in use cannot be removed.

use std::collections::{BTreeSet, HashMap};

use hmms_domain::roles::{PERMISSIONS, SENSITIVE_PERMISSIONS, is_known_permission, requires_totp};
use hmms_domain::validate::{self, Errors};
use hmms_domain::{BuiltinRole, Scope};
use hmms_store::entities::{role, role_permission, user_role_grant};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    ModelTrait, PaginatorTrait, QueryFilter, QueryOrder,
};
use uuid::Uuid;

use super::dto::*;
use crate::audit::{self, Change};
use crate::auth::principal::Principal;
use crate::error::{ApiError, ApiResult, parsed};
use crate::pagination::check_version;
use crate::state::{AppState, WriteTx};

async fn dtos(db: &impl ConnectionTrait, roles: Vec<role::Model>) -> ApiResult<Vec<RoleDto>> {
    let ids: Vec<Uuid> = roles.iter().map(|r| r.id).collect();
    let mut perms: HashMap<Uuid, Vec<String>> = HashMap::new();
    for rp in role_permission::Entity::find()
        .filter(role_permission::Column::RoleId.is_in(ids.clone()))
        .all(db)
        .await?
    {
        perms.entry(rp.role_id).or_default().push(rp.permission);
    }
    let mut counts: HashMap<Uuid, u64> = HashMap::new();
    for g in user_role_grant::Entity::find()
        .filter(user_role_grant::Column::RoleId.is_in(ids))
        .all(db)
        .await?
    {
        *counts.entry(g.role_id).or_default() += 1;
    }
    Ok(roles
        .into_iter()
        .map(|r| {
            let mut p = perms.remove(&r.id).unwrap_or_default();
            // Catalogue order reads better than alphabetical in the matrix.
            p.sort_by_key(|k| {
                PERMISSIONS
                    .iter()
                    .position(|x| x.key == k)
                    .unwrap_or(usize::MAX)
            });
            RoleDto {
                id: r.id,
                two_factor_required: requires_totp(&r.key, p.iter().map(String::as_str)),
                key: r.key,
                name: r.name,
                description: r.description,
                builtin: r.builtin,
                default_scope: r.default_scope.into(),
                permissions: p,
                user_count: counts.get(&r.id).copied().unwrap_or(0),
                version: r.version,
            }
        })
        .collect())
}

async fn org_roles(db: &impl ConnectionTrait, org: Uuid) -> ApiResult<Vec<role::Model>> {
    Ok(role::Entity::find()
        .filter(role::Column::OrganizationId.eq(org))
        .order_by_desc(role::Column::Builtin)
        .order_by_asc(role::Column::Name)
        .all(db)
        .await?)
}

pub async fn list(state: &AppState, p: &Principal) -> ApiResult<Vec<RoleDto>> {
    p.require("role.read")?;
    dtos(&state.db, org_roles(&state.db, p.org()).await?).await
}

pub async fn matrix(state: &AppState, p: &Principal) -> ApiResult<PermissionMatrix> {
    p.require("role.read")?;
    Ok(PermissionMatrix {
        permissions: PERMISSIONS
            .iter()
            .map(|x| PermissionDto {
                key: x.key.into(),
                module: x.module.into(),
                description: x.description.into(),
                sensitive: SENSITIVE_PERMISSIONS.contains(&x.key),
            })
            .collect(),
        roles: dtos(&state.db, org_roles(&state.db, p.org()).await?).await?,
    })
}

async fn find(db: &impl ConnectionTrait, p: &Principal, id: Uuid) -> ApiResult<role::Model> {
    role::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|r| r.organization_id == p.org())
        .ok_or_else(|| ApiError::not_found("role"))
}

pub async fn get(state: &AppState, p: &Principal, id: Uuid) -> ApiResult<RoleDto> {
    p.require("role.read")?;
    let r = find(&state.db, p, id).await?;
    Ok(dtos(&state.db, vec![r]).await?.remove(0))
}

fn check_permissions(list: &[String], errors: &mut Errors) -> BTreeSet<String> {
    let mut set = BTreeSet::new();
    for (i, k) in list.iter().enumerate() {
        if is_known_permission(k) {
            set.insert(k.clone());
        } else {
            errors.add(
                &format!("permissions[{i}]"),
                format!("`{k}` is not a permission; see GET /roles/permissions"),
            );
        }
    }
    set
}

async fn set_permissions(tx: &WriteTx, r: &role::Model, perms: &BTreeSet<String>) -> ApiResult<()> {
    role_permission::Entity::delete_many()
        .filter(role_permission::Column::RoleId.eq(r.id))
        .exec(&**tx)
        .await?;
    if perms.is_empty() {
        return Ok(());
    }
    role_permission::Entity::insert_many(perms.iter().map(|k| role_permission::ActiveModel {
        role_id: Set(r.id),
        permission: Set(k.clone()),
        organization_id: Set(r.organization_id),
    }))
    .exec_without_returning(&**tx)
    .await?;
    Ok(())
}

fn key_ok(k: &str) -> Result<String, String> {
    let ok = (2..=40).contains(&k.len())
        && k.starts_with(|c: char| c.is_ascii_lowercase())
        && k.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(k.to_string())
    } else {
        Err("must be 2 to 40 lower-case letters, digits or `_`, starting with a letter".into())
    }
}

pub async fn create(state: &AppState, p: &Principal, body: CreateRole) -> ApiResult<RoleDto> {
    p.require("role.manage")?;
    let mut errors = Errors::default();
    let key = errors.check("key", key_ok(&body.key));
    let name = errors.check("name", validate::name(&body.name, 80));
    let perms = check_permissions(&body.permissions, &mut errors);
    errors.into_result()?;
    let tx = state.begin_write().await?;
    let key = parsed(key, "key")?;
    if role::Entity::find()
        .filter(role::Column::OrganizationId.eq(p.org()))
        .filter(role::Column::Key.eq(key.as_str()))
        .count(&*tx)
        .await?
        > 0
    {
        return Err(ApiError::Conflict(format!(
            "A role with the key `{key}` already exists."
        )));
    }
    let now = state.clock.now();
    let r = role::ActiveModel {
        id: Set(Uuid::now_v7()),
        organization_id: Set(p.org()),
        key: Set(key),
        name: Set(parsed(name, "name")?),
        description: Set(body.description.filter(|d| !d.trim().is_empty())),
        builtin: Set(false),
        default_scope: Set(Scope::from(body.default_scope)),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    }
    .insert(&*tx)
    .await?;
    set_permissions(&tx, &r, &perms).await?;
    let dto = dtos(&*tx, vec![r]).await?.remove(0);
    let change = Change {
        action: "role.created",
        entity_type: "role",
        entity_id: Some(dto.id.to_string()),
        before: None,
        after: Some(serde_json::to_value(&dto)?),
    };
    audit::record(&tx, now, &p.who(), change).await?;
    tx.commit().await?;
    Ok(dto)
}

pub async fn update(
    state: &AppState,
    p: &Principal,
    id: Uuid,
    body: UpdateRole,
    if_match: Option<i32>,
) -> ApiResult<RoleDto> {
    p.require("role.manage")?;
    let mut errors = Errors::default();
    let name = body
        .name
        .as_deref()
        .and_then(|n| errors.check("name", validate::name(n, 80)));
    let perms = body
        .permissions
        .as_ref()
        .map(|l| check_permissions(l, &mut errors));
    errors.into_result()?;
    let tx = state.begin_write().await?;
    let current = find(&*tx, p, id).await?;
    check_version(if_match.or(body.version), current.version)?;
    if current.key == BuiltinRole::Admin.key() && (perms.is_some() || body.default_scope.is_some())
    {
        return Err(ApiError::Conflict(
            "The administrator role always holds every permission across the organization; it cannot be narrowed.".into(),
        ));
    }
    let before = dtos(&*tx, vec![current.clone()]).await?.remove(0);
    let now = state.clock.now();
    let mut m = current.clone().into_active_model();
    if let Some(v) = name {
        m.name = Set(v);
    }
    if let Some(d) = body.description {
        m.description = Set(Some(d).filter(|d| !d.trim().is_empty()));
    }
    if let Some(s) = body.default_scope {
        m.default_scope = Set(Scope::from(s));
        // Existing grants follow the role's scope.
        user_role_grant::Entity::update_many()
            .col_expr(
                user_role_grant::Column::Scope,
                sea_orm::sea_query::Expr::value(Scope::from(s).key()),
            )
            .filter(user_role_grant::Column::RoleId.eq(id))
            .exec(&*tx)
            .await?;
    }
    m.updated_at = Set(now);
    m.version = Set(current.version + 1);
    let r = m.update(&*tx).await?;
    if let Some(perms) = &perms {
        set_permissions(&tx, &r, perms).await?;
    }
    let after = dtos(&*tx, vec![r]).await?.remove(0);
    let change = Change {
        action: "role.updated",
        entity_type: "role",
        entity_id: Some(id.to_string()),
        before: Some(serde_json::to_value(&before)?),
        after: Some(serde_json::to_value(&after)?),
    };
    audit::record(&tx, now, &p.who(), change).await?;
    tx.commit().await?;
    Ok(after)
}

pub async fn delete(state: &AppState, p: &Principal, id: Uuid) -> ApiResult<()> {
    p.require("role.manage")?;
    let tx = state.begin_write().await?;
    let current = find(&*tx, p, id).await?;
    if current.builtin {
        return Err(ApiError::Conflict(
            "Built-in roles cannot be removed; change their permissions instead.".into(),
        ));
    }
    if user_role_grant::Entity::find()
        .filter(user_role_grant::Column::RoleId.eq(id))
        .count(&*tx)
        .await?
        > 0
    {
        return Err(ApiError::Conflict(
            "Users still hold this role. Give them another role first.".into(),
        ));
    }
    let before = dtos(&*tx, vec![current.clone()]).await?.remove(0);
    current.delete(&*tx).await?;
    let change = Change {
        action: "role.deleted",
        entity_type: "role",
        entity_id: Some(id.to_string()),
        before: Some(serde_json::to_value(&before)?),
        after: None,
    };
    audit::record(&tx, state.clock.now(), &p.who(), change).await?;
    tx.commit().await?;
    Ok(())
}
