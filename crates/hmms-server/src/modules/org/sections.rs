//! Sections of a department.

use hmms_domain::validate::{self, Errors};
use hmms_store::entities::{section, user};
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

pub async fn find(db: &impl ConnectionTrait, p: &Principal, id: Uuid) -> ApiResult<section::Model> {
    section::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|s| s.organization_id == p.org())
        .ok_or_else(|| ApiError::not_found("section"))
}

pub async fn list(state: &AppState, p: &Principal, q: SectionQuery) -> ApiResult<SectionPage> {
    p.require("org.read")?;
    let mut select = section::Entity::find().filter(section::Column::OrganizationId.eq(p.org()));
    if let Some(d) = q.department_id {
        select = select.filter(section::Column::DepartmentId.eq(d));
    }
    let (rows, next_cursor) = page_by_name(
        &state.db,
        select,
        section::Column::Name,
        section::Column::Id,
        q.limit,
        q.cursor.as_deref(),
        |m| (m.name.clone(), m.id),
    )
    .await?;
    Ok(SectionPage {
        items: rows.into_iter().map(Into::into).collect(),
        next_cursor,
    })
}

pub async fn get(state: &AppState, p: &Principal, id: Uuid) -> ApiResult<SectionDto> {
    p.require("org.read")?;
    Ok(find(&state.db, p, id).await?.into())
}

async fn code_taken(
    db: &impl ConnectionTrait,
    dept: Uuid,
    code: &str,
    except: Option<Uuid>,
) -> ApiResult<bool> {
    let mut q = section::Entity::find()
        .filter(section::Column::DepartmentId.eq(dept))
        .filter(section::Column::Code.eq(code));
    if let Some(id) = except {
        q = q.filter(section::Column::Id.ne(id));
    }
    Ok(q.count(db).await? > 0)
}

pub async fn create(state: &AppState, p: &Principal, body: CreateSection) -> ApiResult<SectionDto> {
    p.require("department.manage")?;
    let mut errors = Errors::default();
    let name = errors.check("name", validate::name(&body.name, 160));
    let code = errors.check("code", validate::code(&body.code));
    errors.into_result()?;
    let (name, code) = (parsed(name, "name")?, parsed(code, "code")?);
    let tx = state.begin_write().await?;
    let dept = super::departments::find(&*tx, p, body.department_id)
        .await
        .map_err(|_| ApiError::validation("departmentId", "no such department"))?;
    require_site_write(p, "department.manage", dept.site_id)?;
    if code_taken(&*tx, dept.id, &code, None).await? {
        return Err(duplicate("section", &code, "department"));
    }
    let now = state.clock.now();
    let m = section::ActiveModel {
        id: Set(Uuid::now_v7()),
        organization_id: Set(p.org()),
        department_id: Set(dept.id),
        name: Set(name),
        code: Set(code),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    }
    .insert(&*tx)
    .await?;
    let dto: SectionDto = m.into();
    audit(&tx, now, p, "section.created", dto.id, None, Some(&dto)).await?;
    tx.commit().await?;
    Ok(dto)
}

pub async fn update(
    state: &AppState,
    p: &Principal,
    id: Uuid,
    body: UpdateSection,
    if_match: Option<i32>,
) -> ApiResult<SectionDto> {
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
    let dept = super::departments::find(&*tx, p, current.department_id).await?;
    require_site_write(p, "department.manage", dept.site_id)?;
    check_version(if_match.or(body.version), current.version)?;
    if let Some(c) = &code
        && code_taken(&*tx, current.department_id, c, Some(id)).await?
    {
        return Err(duplicate("section", c, "department"));
    }
    let now = state.clock.now();
    let mut m = current.clone().into_active_model();
    if let Some(v) = name {
        m.name = Set(v);
    }
    if let Some(v) = code {
        m.code = Set(v);
    }
    m.updated_at = Set(now);
    m.version = Set(current.version + 1);
    let after: SectionDto = m.update(&*tx).await?.into();
    let before: SectionDto = current.into();
    audit(
        &tx,
        now,
        p,
        "section.updated",
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
    let dept = super::departments::find(&*tx, p, current.department_id).await?;
    require_site_write(p, "department.manage", dept.site_id)?;
    if user::Entity::find()
        .filter(user::Column::SectionId.eq(id))
        .count(&*tx)
        .await?
        > 0
    {
        return Err(in_use("section", "users"));
    }
    let before: SectionDto = current.clone().into();
    current.delete(&*tx).await?;
    audit(
        &tx,
        state.clock.now(),
        p,
        "section.deleted",
        id,
        Some(&before),
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
