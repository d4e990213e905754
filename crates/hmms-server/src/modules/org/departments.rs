//! Departments of a site.

use hmms_domain::validate::{self, Errors};
use hmms_store::entities::{asset, department, location, section, user, work_order};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    ModelTrait, PaginatorTrait, QueryFilter,
};
use uuid::Uuid;

use super::dto::*;
use super::shared::{audit, duplicate, in_use, page_by_name, require_site_write};
use crate::auth::principal::Principal;
use crate::error::{ApiError, ApiResult, parsed};
use crate::pagination::check_version;
use crate::state::AppState;

pub async fn find(
    db: &impl ConnectionTrait,
    p: &Principal,
    id: Uuid,
) -> ApiResult<department::Model> {
    department::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|d| d.organization_id == p.org())
        .ok_or_else(|| ApiError::not_found("department"))
}

pub async fn list(
    state: &AppState,
    p: &Principal,
    q: DepartmentQuery,
) -> ApiResult<DepartmentPage> {
    p.require("org.read")?;
    let mut select =
        department::Entity::find().filter(department::Column::OrganizationId.eq(p.org()));
    if let Some(site) = q.site_id {
        select = select.filter(department::Column::SiteId.eq(site));
    }
    let (rows, next_cursor) = page_by_name(
        &state.db,
        select,
        department::Column::Name,
        department::Column::Id,
        q.limit,
        q.cursor.as_deref(),
        |m| (m.name.clone(), m.id),
    )
    .await?;
    Ok(DepartmentPage {
        items: rows.into_iter().map(Into::into).collect(),
        next_cursor,
    })
}

pub async fn get(state: &AppState, p: &Principal, id: Uuid) -> ApiResult<DepartmentDto> {
    p.require("org.read")?;
    Ok(find(&state.db, p, id).await?.into())
}

/// A department head is an active person of the organization.
async fn check_head(db: &impl ConnectionTrait, p: &Principal, id: Uuid) -> ApiResult<()> {
    let ok = user::Entity::find_by_id(id)
        .one(db)
        .await?
        .is_some_and(|u| {
            u.organization_id == p.org()
                && u.status == hmms_domain::users::UserStatus::Active
                && p.sees(&crate::modules::users::record_scope(&u))
        });
    if ok {
        Ok(())
    } else {
        Err(ApiError::validation(
            "headUserId",
            "must be an active user you can see",
        ))
    }
}

async fn code_taken(
    db: &impl ConnectionTrait,
    site: Uuid,
    code: &str,
    except: Option<Uuid>,
) -> ApiResult<bool> {
    let mut q = department::Entity::find()
        .filter(department::Column::SiteId.eq(site))
        .filter(department::Column::Code.eq(code));
    if let Some(id) = except {
        q = q.filter(department::Column::Id.ne(id));
    }
    Ok(q.count(db).await? > 0)
}

pub async fn create(
    state: &AppState,
    p: &Principal,
    body: CreateDepartment,
) -> ApiResult<DepartmentDto> {
    require_site_write(p, "department.manage", body.site_id)?;
    let mut errors = Errors::default();
    let name = errors.check("name", validate::name(&body.name, 160));
    let code = errors.check("code", validate::code(&body.code));
    errors.into_result()?;
    let (name, code) = (parsed(name, "name")?, parsed(code, "code")?);
    let tx = state.begin_write().await?;
    if super::sites::find(&*tx, p, body.site_id).await.is_err() {
        return Err(ApiError::validation("siteId", "no such site"));
    }
    if let Some(head) = body.head_user_id {
        check_head(&*tx, p, head).await?;
    }
    if code_taken(&*tx, body.site_id, &code, None).await? {
        return Err(duplicate("department", &code, "site"));
    }
    let now = state.clock.now();
    let m = department::ActiveModel {
        id: Set(Uuid::now_v7()),
        organization_id: Set(p.org()),
        site_id: Set(body.site_id),
        name: Set(name),
        code: Set(code),
        head_user_id: Set(body.head_user_id),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    }
    .insert(&*tx)
    .await?;
    let dto: DepartmentDto = m.into();
    audit(&tx, now, p, "department.created", dto.id, None, Some(&dto)).await?;
    tx.commit().await?;
    Ok(dto)
}

pub async fn update(
    state: &AppState,
    p: &Principal,
    id: Uuid,
    body: UpdateDepartment,
    if_match: Option<i32>,
) -> ApiResult<DepartmentDto> {
    p.require("department.manage")?;
    let mut errors = Errors::default();
    let name = body
        .name
        .as_deref()
        .and_then(|n| errors.check("name", validate::name(n, 160)));
    let code = body
        .code
        .as_deref()
        .and_then(|c| errors.check("code", validate::code(c)));
    errors.into_result()?;
    let tx = state.begin_write().await?;
    let current = find(&*tx, p, id).await?;
    require_site_write(p, "department.manage", current.site_id)?;
    check_version(if_match.or(body.version), current.version)?;
    if let Some(Some(head)) = body.head_user_id {
        check_head(&*tx, p, head).await?;
    }
    if let Some(c) = &code
        && code_taken(&*tx, current.site_id, c, Some(id)).await?
    {
        return Err(duplicate("department", c, "site"));
    }
    let now = state.clock.now();
    let mut m = current.clone().into_active_model();
    if let Some(v) = name {
        m.name = Set(v);
    }
    if let Some(v) = code {
        m.code = Set(v);
    }
    if let Some(v) = body.head_user_id {
        m.head_user_id = Set(v);
    }
    m.updated_at = Set(now);
    m.version = Set(current.version + 1);
    let after: DepartmentDto = m.update(&*tx).await?.into();
    let before: DepartmentDto = current.into();
    audit(
        &tx,
        now,
        p,
        "department.updated",
        id,
        Some(&before),
        Some(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

pub async fn delete(state: &AppState, p: &Principal, id: Uuid) -> ApiResult<()> {
    p.require("department.manage")?;
    let tx = state.begin_write().await?;
    let current = find(&*tx, p, id).await?;
    require_site_write(p, "department.manage", current.site_id)?;
    if section::Entity::find()
        .filter(section::Column::DepartmentId.eq(id))
        .count(&*tx)
        .await?
        > 0
    {
        return Err(in_use("department", "sections"));
    }
    if user::Entity::find()
        .filter(user::Column::DepartmentId.eq(id))
        .count(&*tx)
        .await?
        > 0
    {
        return Err(in_use("department", "users"));
    }
    if location::Entity::find()
        .filter(location::Column::DepartmentId.eq(id))
        .count(&*tx)
        .await?
        > 0
    {
        return Err(in_use("department", "locations assigned to it"));
    }
    if work_order::Entity::find()
        .filter(work_order::Column::DepartmentId.eq(id))
        .count(&*tx)
        .await?
        > 0
    {
        return Err(in_use("department", "work orders"));
    }
    if asset::Entity::find()
        .filter(asset::Column::DepartmentId.eq(id))
        .count(&*tx)
        .await?
        > 0
    {
        return Err(in_use("department", "equipment"));
    }
    let before: DepartmentDto = current.clone().into();
    current.delete(&*tx).await?;
    audit(
        &tx,
        state.clock.now(),
        p,
        "department.deleted",
        id,
        Some(&before),
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
