//! Locations: the tree of buildings, wings, floors, rooms and areas of a site.

use std::collections::HashMap;

use hmms_domain::validate::{self, Errors};
use hmms_store::entities::{asset, department, location, work_order};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    ModelTrait, PaginatorTrait, QueryFilter, QueryOrder,
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
) -> ApiResult<location::Model> {
    location::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|l| l.organization_id == p.org())
        .ok_or_else(|| ApiError::not_found("location"))
}

pub async fn list(state: &AppState, p: &Principal, q: LocationQuery) -> ApiResult<LocationPage> {
    p.require("org.read")?;
    let mut select = location::Entity::find().filter(location::Column::OrganizationId.eq(p.org()));
    if let Some(v) = q.site_id {
        select = select.filter(location::Column::SiteId.eq(v));
    }
    if let Some(v) = q.parent_id {
        select = select.filter(location::Column::ParentId.eq(v));
    }
    if let Some(v) = q.kind {
        select = select.filter(location::Column::Kind.eq(v.key()));
    }
    if let Some(v) = q.department_id {
        select = select.filter(location::Column::DepartmentId.eq(v));
    }
    let (rows, next_cursor) = page_by_name(
        &state.db,
        select,
        location::Column::Name,
        location::Column::Id,
        q.limit,
        q.cursor.as_deref(),
        |m| (m.name.clone(), m.id),
    )
    .await?;
    Ok(LocationPage {
        items: rows.into_iter().map(Into::into).collect(),
        next_cursor,
    })
}

pub async fn get(state: &AppState, p: &Principal, id: Uuid) -> ApiResult<LocationDto> {
    p.require("org.read")?;
    Ok(find(&state.db, p, id).await?.into())
}

/// The whole tree of a site, children ordered by name.
pub async fn tree(state: &AppState, p: &Principal, site_id: Uuid) -> ApiResult<Vec<LocationNode>> {
    p.require("org.read")?;
    super::sites::find(&state.db, p, site_id).await?;
    let all = location::Entity::find()
        .filter(location::Column::SiteId.eq(site_id))
        .order_by_asc(location::Column::Name)
        .all(&state.db)
        .await?;
    let mut children: HashMap<Option<Uuid>, Vec<&location::Model>> = HashMap::new();
    for l in &all {
        children.entry(l.parent_id).or_default().push(l);
    }
    fn build(
        parent: Option<Uuid>,
        children: &HashMap<Option<Uuid>, Vec<&location::Model>>,
        depth: usize,
    ) -> Vec<LocationNode> {
        if depth > 64 {
            return vec![];
        }
        children
            .get(&parent)
            .map(|v| {
                v.iter()
                    .map(|l| LocationNode {
                        id: l.id,
                        kind: l.kind.into(),
                        name: l.name.clone(),
                        code: l.code.clone(),
                        department_id: l.department_id,
                        children: build(Some(l.id), children, depth + 1),
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
    Ok(build(None, &children, 0))
}

async fn code_taken(
    db: &impl ConnectionTrait,
    site: Uuid,
    code: &str,
    except: Option<Uuid>,
) -> ApiResult<bool> {
    let mut q = location::Entity::find()
        .filter(location::Column::SiteId.eq(site))
        .filter(location::Column::Code.eq(code));
    if let Some(id) = except {
        q = q.filter(location::Column::Id.ne(id));
    }
    Ok(q.count(db).await? > 0)
}

/// Checks a parent and a department for a location of `site`; `moving` is the location being
/// moved, which may not end up under itself.
pub(super) async fn check_links(
    db: &impl ConnectionTrait,
    p: &Principal,
    site: Uuid,
    parent: Option<Uuid>,
    dept: Option<Uuid>,
    moving: Option<Uuid>,
    errors: &mut Errors,
) -> ApiResult<()> {
    if let Some(pid) = parent {
        match location::Entity::find_by_id(pid)
            .one(db)
            .await?
            .filter(|l| l.organization_id == p.org())
        {
            None => errors.add("parentId", "no such location"),
            Some(l) if l.site_id != site => errors.add("parentId", "is at another site"),
            Some(mut l) => {
                // Walk up from the new parent: meeting the moved location would make a cycle.
                let mut hops = 0;
                loop {
                    if Some(l.id) == moving {
                        errors.add("parentId", "would put the location inside itself");
                        break;
                    }
                    let Some(up) = l.parent_id else { break };
                    hops += 1;
                    if hops > 64 {
                        break;
                    }
                    match location::Entity::find_by_id(up).one(db).await? {
                        Some(next) => l = next,
                        None => break,
                    }
                }
            }
        }
    }
    if let Some(did) = dept {
        match department::Entity::find_by_id(did)
            .one(db)
            .await?
            .filter(|d| d.organization_id == p.org())
        {
            None => errors.add("departmentId", "no such department"),
            Some(d) if d.site_id != site => errors.add("departmentId", "belongs to another site"),
            Some(_) => {}
        }
    }
    Ok(())
}

pub async fn create(
    state: &AppState,
    p: &Principal,
    body: CreateLocation,
) -> ApiResult<LocationDto> {
    require_site_write(p, "location.manage", body.site_id)?;
    let mut errors = Errors::default();
    let name = errors.check("name", validate::name(&body.name, 160));
    let code = errors.check("code", validate::code(&body.code));
    let tx = state.begin_write().await?;
    if super::sites::find(&*tx, p, body.site_id).await.is_err() {
        errors.add("siteId", "no such site");
    } else {
        check_links(
            &*tx,
            p,
            body.site_id,
            body.parent_id,
            body.department_id,
            None,
            &mut errors,
        )
        .await?;
    }
    errors.into_result()?;
    let (name, code) = (parsed(name, "name")?, parsed(code, "code")?);
    if code_taken(&*tx, body.site_id, &code, None).await? {
        return Err(duplicate("location", &code, "site"));
    }
    let now = state.clock.now();
    let m = location::ActiveModel {
        id: Set(Uuid::now_v7()),
        organization_id: Set(p.org()),
        site_id: Set(body.site_id),
        parent_id: Set(body.parent_id),
        department_id: Set(body.department_id),
        kind: Set(body.kind.into()),
        name: Set(name),
        code: Set(code),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    }
    .insert(&*tx)
    .await?;
    let dto: LocationDto = m.into();
    audit(&tx, now, p, "location.created", dto.id, None, Some(&dto)).await?;
    tx.commit().await?;
    Ok(dto)
}

pub async fn update(
    state: &AppState,
    p: &Principal,
    id: Uuid,
    body: UpdateLocation,
    if_match: Option<i32>,
) -> ApiResult<LocationDto> {
    p.require("location.manage")?;
    let mut errors = Errors::default();
    let name = body
        .name
        .as_deref()
        .and_then(|n| errors.check("name", validate::name(n, 160)));
    let code = body
        .code
        .as_deref()
        .and_then(|c| errors.check("code", validate::code(c)));
    let tx = state.begin_write().await?;
    let current = find(&*tx, p, id).await?;
    require_site_write(p, "location.manage", current.site_id)?;
    check_version(if_match.or(body.version), current.version)?;
    let parent = body.parent_id.unwrap_or(current.parent_id);
    let dept = body.department_id.unwrap_or(current.department_id);
    check_links(
        &*tx,
        p,
        current.site_id,
        body.parent_id.flatten(),
        body.department_id.flatten(),
        Some(id),
        &mut errors,
    )
    .await?;
    errors.into_result()?;
    if let Some(c) = &code
        && code_taken(&*tx, current.site_id, c, Some(id)).await?
    {
        return Err(duplicate("location", c, "site"));
    }
    let now = state.clock.now();
    let mut m = current.clone().into_active_model();
    m.parent_id = Set(parent);
    m.department_id = Set(dept);
    if let Some(v) = body.kind {
        m.kind = Set(v.into());
    }
    if let Some(v) = name {
        m.name = Set(v);
    }
    if let Some(v) = code {
        m.code = Set(v);
    }
    m.updated_at = Set(now);
    m.version = Set(current.version + 1);
    let after: LocationDto = m.update(&*tx).await?.into();
    let before: LocationDto = current.into();
    audit(
        &tx,
        now,
        p,
        "location.updated",
        id,
        Some(&before),
        Some(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

pub async fn delete(state: &AppState, p: &Principal, id: Uuid) -> ApiResult<()> {
    p.require("location.manage")?;
    let tx = state.begin_write().await?;
    let current = find(&*tx, p, id).await?;
    require_site_write(p, "location.manage", current.site_id)?;
    if location::Entity::find()
        .filter(location::Column::ParentId.eq(id))
        .count(&*tx)
        .await?
        > 0
    {
        return Err(in_use("location", "locations inside it"));
    }
    if work_order::Entity::find()
        .filter(work_order::Column::LocationId.eq(id))
        .count(&*tx)
        .await?
        > 0
    {
        return Err(in_use("location", "work orders"));
    }
    if asset::Entity::find()
        .filter(asset::Column::LocationId.eq(id))
        .count(&*tx)
        .await?
        > 0
    {
        return Err(in_use("location", "equipment"));
    }
    let before: LocationDto = current.clone().into();
    current.delete(&*tx).await?;
    audit(
        &tx,
        state.clock.now(),
        p,
        "location.deleted",
        id,
        Some(&before),
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
