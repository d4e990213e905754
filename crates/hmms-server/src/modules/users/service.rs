//! Rules for accounts: who may see and change whom, placement checks, the last-admin rule.

use hmms_domain::roles::may_grant;
use hmms_domain::validate::{self, Errors};
use hmms_domain::{BuiltinRole, RecordScope, Scope, ScopeFilter};
use hmms_store::entities::{
    refresh_token, role, role_permission, user, user_role_grant, vendor_company,
};
use sea_orm::sea_query::{Expr, Func, LikeExpr};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait,
    ExprTrait, IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::dto::*;
use crate::audit::{self, Change};
pub use crate::auth::account::{to_dto, to_dtos};
use crate::auth::password::generate_password;
use crate::auth::principal::Principal;
use crate::error::{ApiError, ApiResult, parsed};
use crate::modules::org::{Placement, resolve_placement};
use crate::pagination::{self, Cursor};
use crate::scope::{self, Placed};
use crate::state::AppState;

pub fn record_scope(u: &user::Model) -> RecordScope {
    RecordScope {
        organization_id: u.organization_id,
        site_id: u.site_id,
        department_id: u.department_id,
        people: vec![u.id],
        company_id: None,
    }
}

/// The accounts the caller may see: their site or department, and their own ([`crate::scope`]).
fn scope_condition(f: &ScopeFilter) -> Condition {
    use user::Column as C;
    let placed = Placed {
        organization: C::OrganizationId,
        site: Some(C::SiteId),
        department: Some(C::DepartmentId),
    };
    scope::condition(f, &placed, |user_id, _| {
        Condition::all().add(C::Id.eq(user_id))
    })
}

/// Builds the public view of users, with their role and second-factor state, in two queries.
pub async fn list(state: &AppState, p: &Principal, q: UserQuery) -> ApiResult<UserPage> {
    p.require("user.read")?;
    let limit = pagination::limit(q.limit)?;
    let cursor = Cursor::decode(q.cursor.as_deref())?;
    let mut cond = scope_condition(&p.filter());
    if let Some(text) = q.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        let pattern = format!(
            "%{}%",
            text.to_lowercase().replace('%', "\\%").replace('_', "\\_")
        );
        cond = cond.add(
            Condition::any()
                .add(
                    Expr::expr(Func::lower(Expr::col(user::Column::Name)))
                        .like(LikeExpr::new(pattern.clone()).escape('\\')),
                )
                .add(Expr::col(user::Column::Email).like(LikeExpr::new(pattern).escape('\\'))),
        );
    }
    if let Some(site) = q.site_id {
        cond = cond.add(user::Column::SiteId.eq(site));
    }
    if let Some(dept) = q.department_id {
        cond = cond.add(user::Column::DepartmentId.eq(dept));
    }
    if let Some(status) = q.status {
        cond = cond.add(user::Column::Status.eq(status.key()));
    }
    if let Some(role_key) = q.role.as_deref() {
        let ids = holders_of(&state.db, p.org(), role_key).await?;
        cond = cond.add(user::Column::Id.is_in(ids));
    }
    let sort = q.sort.as_deref().unwrap_or("name");
    let (by_name, desc) = match sort {
        "name" => (true, false),
        "-name" => (true, true),
        "createdAt" => (false, false),
        "-createdAt" => (false, true),
        _ => {
            return Err(ApiError::validation(
                "sort",
                "must be name, -name, createdAt or -createdAt",
            ));
        }
    };
    if let Some(c) = &cursor {
        let after = |col: user::Column, key: sea_orm::Value| {
            let (gt, eq) = if desc {
                (col.lt(key.clone()), col.eq(key))
            } else {
                (col.gt(key.clone()), col.eq(key))
            };
            let id = if desc {
                user::Column::Id.lt(c.id)
            } else {
                user::Column::Id.gt(c.id)
            };
            Condition::any()
                .add(gt)
                .add(Condition::all().add(eq).add(id))
        };
        cond = cond.add(if by_name {
            after(user::Column::Name, c.key.clone().into())
        } else if desc {
            user::Column::Id.lt(c.id).into()
        } else {
            user::Column::Id.gt(c.id).into()
        });
    }
    let mut query = user::Entity::find().filter(cond);
    let order = if desc {
        sea_orm::Order::Desc
    } else {
        sea_orm::Order::Asc
    };
    if by_name {
        query = query.order_by(user::Column::Name, order.clone());
    }
    let rows = query
        .order_by(user::Column::Id, order)
        .limit(limit + 1)
        .all(&state.db)
        .await?;
    let (rows, next_cursor) = pagination::finish(rows, limit, |u| Cursor {
        key: if by_name {
            u.name.clone()
        } else {
            String::new()
        },
        id: u.id,
    });
    Ok(UserPage {
        items: to_dtos(&state.db, rows).await?,
        next_cursor,
    })
}

/// A user the principal may see, or 404 (not 403: another department's staff list is not ours
/// to confirm).
pub async fn find_visible(
    db: &impl ConnectionTrait,
    p: &Principal,
    id: Uuid,
) -> ApiResult<user::Model> {
    user::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|u| p.sees(&record_scope(u)))
        .ok_or_else(|| ApiError::not_found("user"))
}

pub async fn get(state: &AppState, p: &Principal, id: Uuid) -> ApiResult<UserDto> {
    p.require("user.read")?;
    let u = find_visible(&state.db, p, id).await?;
    to_dto(&state.db, u).await
}

async fn role_by_key(
    db: &impl ConnectionTrait,
    org: Uuid,
    key: &str,
) -> ApiResult<Option<(role::Model, Vec<String>)>> {
    let Some(r) = role::Entity::find()
        .filter(role::Column::OrganizationId.eq(org))
        .filter(role::Column::Key.eq(key))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let perms = role_permission::Entity::find()
        .filter(role_permission::Column::RoleId.eq(r.id))
        .all(db)
        .await?
        .into_iter()
        .map(|p| p.permission)
        .collect();
    Ok(Some((r, perms)))
}

/// Checks a role assignment: the role exists, the assigner holds everything it grants, and the
/// user's placement suits its scope.
async fn check_role(
    db: &impl ConnectionTrait,
    p: &Principal,
    key: &str,
    placement: &Placement,
    errors: &mut Errors,
) -> ApiResult<Option<role::Model>> {
    let Some((r, perms)) = role_by_key(db, p.org(), key).await? else {
        errors.add(
            "role",
            format!("`{key}` is not a role of this organization"),
        );
        return Ok(None);
    };
    let own: Vec<&str> = p.permissions.iter().map(String::as_str).collect();
    if !may_grant(&own, perms.iter().map(String::as_str)) {
        return Err(ApiError::Forbidden(format!(
            "The role `{key}` grants permissions you do not hold yourself, so you cannot assign it."
        )));
    }
    match r.default_scope {
        Scope::Department if placement.department_id.is_none() => errors.add(
            "departmentId",
            format!("is required for the role `{key}`, which works within a department"),
        ),
        Scope::Site if placement.site_id.is_none() => errors.add(
            "siteId",
            format!("is required for the role `{key}`, which works within a site"),
        ),
        _ => {}
    }
    Ok(Some(r))
}

/// Someone managing accounts of one site or department places people only there: an account
/// placed elsewhere would be one they could no longer read.
fn check_reach(p: &Principal, placement: &Placement, errors: &mut Errors) {
    let place = RecordScope {
        organization_id: p.org(),
        site_id: placement.site_id,
        department_id: placement.department_id,
        people: vec![],
        company_id: None,
    };
    if !p.sees(&place) {
        let field = if placement.department_id.is_some() {
            "departmentId"
        } else {
            "siteId"
        };
        errors.add(field, "is outside the places whose accounts you manage");
    }
}

async fn grant(
    db: &impl ConnectionTrait,
    u: &user::Model,
    r: &role::Model,
    now: chrono::DateTime<chrono::Utc>,
) -> ApiResult<()> {
    user_role_grant::Entity::delete_many()
        .filter(user_role_grant::Column::UserId.eq(u.id))
        .exec(db)
        .await?;
    user_role_grant::ActiveModel {
        id: Set(Uuid::now_v7()),
        organization_id: Set(u.organization_id),
        user_id: Set(u.id),
        role_id: Set(r.id),
        scope: Set(r.default_scope),
        site_id: Set(u.site_id),
        department_id: Set(u.department_id),
        created_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(())
}

pub async fn create(state: &AppState, p: &Principal, body: CreateUser) -> ApiResult<CreatedUser> {
    p.require("user.manage")?;
    let mut errors = Errors::default();
    let email = errors.check("email", validate::email(&body.email));
    let name = errors.check("name", validate::name(&body.name, 120));
    let phone = match body.phone.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(ph) => errors.check("phone", validate::phone(ph)),
        None => None,
    };
    if let Some(pw) = &body.password {
        errors.check("password", validate::password(pw));
    }
    let tx = state.begin_write().await?;
    let placement = resolve_placement(
        &*tx,
        p.org(),
        body.site_id,
        body.department_id,
        body.section_id,
        &mut errors,
    )
    .await?;
    check_reach(p, &placement, &mut errors);
    let role = check_role(&*tx, p, &body.role, &placement, &mut errors).await?;
    check_company(&*tx, p, body.vendor_company_id, &body.role, &mut errors).await?;
    if let Some(e) = &email
        && user::Entity::find()
            .filter(user::Column::Email.eq(e.as_str()))
            .count(&*tx)
            .await?
            > 0
    {
        return Err(ApiError::Conflict(format!(
            "An account with the e-mail address {e} already exists."
        )));
    }
    errors.into_result()?;
    let (email, name, role) = (
        parsed(email, "email")?,
        parsed(name, "name")?,
        parsed(role, "role")?,
    );

    let (password, temporary) = match body.password {
        Some(pw) => (pw, None),
        None => {
            let pw = generate_password();
            (pw.clone(), Some(pw))
        }
    };
    let hash = state.passwords.hash(password).await?;
    let now = state.clock.now();
    let u = user::ActiveModel {
        id: Set(Uuid::now_v7()),
        organization_id: Set(p.org()),
        email: Set(email),
        name: Set(name),
        phone: Set(phone),
        password_hash: Set(hash),
        site_id: Set(placement.site_id),
        department_id: Set(placement.department_id),
        section_id: Set(placement.section_id),
        vendor_company_id: Set(body.vendor_company_id),
        status: Set(hmms_domain::users::UserStatus::Active),
        must_change_password: Set(temporary.is_some()),
        last_login_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    }
    .insert(&*tx)
    .await?;
    grant(&*tx, &u, &role, now).await?;
    let dto = to_dto(&*tx, u).await?;
    audit::record(
        &tx,
        now,
        &p.who(),
        Change {
            action: "user.created",
            entity_type: "user",
            entity_id: Some(dto.id.to_string()),
            before: None,
            after: Some(serde_json::to_value(&dto)?),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(CreatedUser {
        user: dto,
        temporary_password: temporary,
    })
}

/// A vendor company may be named only for vendor users, and must be an active company of the
/// organization.
async fn check_company(
    db: &impl ConnectionTrait,
    p: &Principal,
    company: Option<Uuid>,
    role_key: &str,
    errors: &mut Errors,
) -> ApiResult<()> {
    let Some(c) = company else { return Ok(()) };
    if role_key != BuiltinRole::Vendor.key() {
        errors.add(
            "vendorCompanyId",
            "only users with the vendor role belong to a vendor company",
        );
        return Ok(());
    }
    match vendor_company::Entity::find_by_id(c)
        .one(db)
        .await?
        .filter(|v| v.organization_id == p.org())
    {
        Some(v) if v.active => {}
        Some(_) => errors.add("vendorCompanyId", "this vendor company is inactive"),
        None => errors.add("vendorCompanyId", "no such vendor company"),
    }
    Ok(())
}

/// Ids of users holding the role `key` in the organization.
async fn holders_of(db: &impl ConnectionTrait, org: Uuid, key: &str) -> ApiResult<Vec<Uuid>> {
    let role_ids: Vec<Uuid> = role::Entity::find()
        .filter(role::Column::OrganizationId.eq(org))
        .filter(role::Column::Key.eq(key))
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.id)
        .collect();
    Ok(user_role_grant::Entity::find()
        .filter(user_role_grant::Column::RoleId.is_in(role_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|g| g.user_id)
        .collect())
}

/// Active administrators of the organization other than `except`.
async fn other_active_admins(db: &impl ConnectionTrait, org: Uuid, except: Uuid) -> ApiResult<u64> {
    let admin_ids: Vec<Uuid> = holders_of(db, org, BuiltinRole::Admin.key())
        .await?
        .into_iter()
        .filter(|id| *id != except)
        .collect();
    Ok(user::Entity::find()
        .filter(user::Column::Id.is_in(admin_ids))
        .filter(user::Column::Status.eq("active"))
        .count(db)
        .await?)
}

pub async fn update(
    state: &AppState,
    p: &Principal,
    id: Uuid,
    body: UpdateUser,
    if_match: Option<i32>,
) -> ApiResult<UserDto> {
    p.require("user.manage")?;
    let tx = state.begin_write().await?;
    let current = find_visible(&*tx, p, id).await?;
    pagination::check_version(if_match.or(body.version), current.version)?;
    let before = to_dto(&*tx, current.clone()).await?;
    let mut errors = Errors::default();
    let name = body
        .name
        .as_deref()
        .and_then(|n| errors.check("name", validate::name(n, 120)));
    let phone = match &body.phone {
        Some(Some(ph)) if !ph.trim().is_empty() => {
            errors.check("phone", validate::phone(ph)).map(Some)
        }
        Some(_) => Some(None),
        None => None,
    };
    let placement_changed =
        body.site_id.is_some() || body.department_id.is_some() || body.section_id.is_some();
    let placement = if placement_changed {
        resolve_placement(
            &*tx,
            p.org(),
            body.site_id.unwrap_or(current.site_id),
            body.department_id.unwrap_or(current.department_id),
            body.section_id.unwrap_or(current.section_id),
            &mut errors,
        )
        .await?
    } else {
        Placement {
            site_id: current.site_id,
            department_id: current.department_id,
            section_id: current.section_id,
        }
    };
    if placement_changed {
        check_reach(p, &placement, &mut errors);
    }
    let role_key = body.role.clone().unwrap_or_else(|| before.role.clone());
    let role_changed = role_key != before.role;
    let role = if role_changed || placement_changed {
        check_role(&*tx, p, &role_key, &placement, &mut errors).await?
    } else {
        None
    };
    let company = body.vendor_company_id.unwrap_or(current.vendor_company_id);
    if body.vendor_company_id.is_some() || role_changed {
        check_company(&*tx, p, company, &role_key, &mut errors).await?;
    }
    errors.into_result()?;

    let deactivating = body.status == Some(UserStatus::Inactive)
        && current.status == hmms_domain::users::UserStatus::Active;
    let was_admin = before.role == BuiltinRole::Admin.key()
        && current.status == hmms_domain::users::UserStatus::Active;
    let stays_admin = role_key == BuiltinRole::Admin.key() && !deactivating;
    if was_admin && !stays_admin && other_active_admins(&*tx, p.org(), id).await? == 0 {
        return Err(ApiError::Conflict(
            "This is the last active administrator. Make another user an administrator first."
                .into(),
        ));
    }

    let now = state.clock.now();
    let mut m = current.clone().into_active_model();
    if let Some(n) = name {
        m.name = Set(n);
    }
    if let Some(ph) = phone {
        m.phone = Set(ph);
    }
    m.site_id = Set(placement.site_id);
    m.department_id = Set(placement.department_id);
    m.section_id = Set(placement.section_id);
    m.vendor_company_id = Set(company);
    if let Some(s) = body.status {
        m.status = Set(s.into());
    }
    m.updated_at = Set(now);
    m.version = Set(current.version + 1);
    let updated = m.update(&*tx).await?;
    if let Some(r) = &role {
        grant(&*tx, &updated, r, now).await?;
    }
    if deactivating || role_changed {
        // Sessions end with the change: refresh tokens stop working at once.
        refresh_token::Entity::update_many()
            .col_expr(refresh_token::Column::RevokedAt, Expr::value(now))
            .filter(refresh_token::Column::UserId.eq(id))
            .filter(refresh_token::Column::RevokedAt.is_null())
            .exec(&*tx)
            .await?;
    }
    let after = to_dto(&*tx, updated).await?;
    let action = if deactivating {
        "user.deactivated"
    } else if role_changed {
        "user.role_changed"
    } else {
        "user.updated"
    };
    audit::record(
        &tx,
        now,
        &p.who(),
        Change {
            action,
            entity_type: "user",
            entity_id: Some(id.to_string()),
            before: Some(serde_json::to_value(&before)?),
            after: Some(serde_json::to_value(&after)?),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}
