//! Sites: the hospitals of the organization.

use hmms_domain::Scope;
use hmms_domain::validate::{self, Errors};
use hmms_store::entities::{
    asset, code_counter, department, location, site, sla_policy, user, work_order,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    ModelTrait, PaginatorTrait, QueryFilter,
};
use uuid::Uuid;

use super::dto::*;
use super::shared::{audit, duplicate, in_use, page_by_name};
use crate::auth::principal::Principal;
use crate::error::{ApiError, ApiResult, parsed};
use crate::pagination::check_version;
use crate::state::AppState;

pub async fn find(db: &impl ConnectionTrait, p: &Principal, id: Uuid) -> ApiResult<site::Model> {
    site::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|s| s.organization_id == p.org())
        .ok_or_else(|| ApiError::not_found("site"))
}

pub async fn list(state: &AppState, p: &Principal, q: PageQuery) -> ApiResult<SitePage> {
    p.require("org.read")?;
    let select = site::Entity::find().filter(site::Column::OrganizationId.eq(p.org()));
    let (rows, next_cursor) = page_by_name(
        &state.db,
        select,
        site::Column::Name,
        site::Column::Id,
        q.limit,
        q.cursor.as_deref(),
        |m| (m.name.clone(), m.id),
    )
    .await?;
    Ok(SitePage {
        items: rows.into_iter().map(Into::into).collect(),
        next_cursor,
    })
}

pub async fn get(state: &AppState, p: &Principal, id: Uuid) -> ApiResult<SiteDto> {
    p.require("org.read")?;
    Ok(find(&state.db, p, id).await?.into())
}

async fn code_taken(
    db: &impl ConnectionTrait,
    org: Uuid,
    code: &str,
    except: Option<Uuid>,
) -> ApiResult<bool> {
    let mut q = site::Entity::find()
        .filter(site::Column::OrganizationId.eq(org))
        .filter(site::Column::Code.eq(code));
    if let Some(id) = except {
        q = q.filter(site::Column::Id.ne(id));
    }
    Ok(q.count(db).await? > 0)
}

pub async fn create(state: &AppState, p: &Principal, body: CreateSite) -> ApiResult<SiteDto> {
    p.require("site.manage")?;
    if p.scope != Scope::Organization {
        return Err(ApiError::Forbidden(
            "Only organization-wide roles may add sites.".into(),
        ));
    }
    let mut errors = Errors::default();
    let name = errors.check("name", validate::name(&body.name, 160));
    let code = errors.check("code", validate::code(&body.code));
    let tz = errors.check("timeZone", validate::time_zone(&body.time_zone));
    let address = body
        .address
        .as_deref()
        .filter(|a| !a.trim().is_empty())
        .and_then(|a| errors.check("address", validate::name(a, 400)));
    errors.into_result()?;
    let (name, code, tz) = (
        parsed(name, "name")?,
        parsed(code, "code")?,
        parsed(tz, "timeZone")?,
    );
    let tx = state.begin_write().await?;
    if code_taken(&*tx, p.org(), &code, None).await? {
        return Err(duplicate("site", &code, "organization"));
    }
    let now = state.clock.now();
    let m = site::ActiveModel {
        id: Set(Uuid::now_v7()),
        organization_id: Set(p.org()),
        name: Set(name),
        code: Set(code),
        time_zone: Set(tz),
        address: Set(address),
        public_requests_enabled: Set(body.public_requests_enabled.unwrap_or(false)),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    }
    .insert(&*tx)
    .await?;
    let dto: SiteDto = m.into();
    audit(&tx, now, p, "site.created", dto.id, None, Some(&dto)).await?;
    tx.commit().await?;
    Ok(dto)
}

pub async fn update(
    state: &AppState,
    p: &Principal,
    id: Uuid,
    body: UpdateSite,
    if_match: Option<i32>,
) -> ApiResult<SiteDto> {
    super::shared::require_site_write(p, "site.manage", id)?;
    let mut errors = Errors::default();
    let name = body
        .name
        .as_deref()
        .and_then(|n| errors.check("name", validate::name(n, 160)));
    let code = body
        .code
        .as_deref()
        .and_then(|c| errors.check("code", validate::code(c)));
    let tz = body
        .time_zone
        .as_deref()
        .and_then(|t| errors.check("timeZone", validate::time_zone(t)));
    let address = match &body.address {
        Some(Some(a)) if !a.trim().is_empty() => {
            errors.check("address", validate::name(a, 400)).map(Some)
        }
        Some(_) => Some(None),
        None => None,
    };
    errors.into_result()?;
    let tx = state.begin_write().await?;
    let current = find(&*tx, p, id).await?;
    check_version(if_match.or(body.version), current.version)?;
    if let Some(c) = &code
        && code_taken(&*tx, p.org(), c, Some(id)).await?
    {
        return Err(duplicate("site", c, "organization"));
    }
    let now = state.clock.now();
    let mut m = current.clone().into_active_model();
    if let Some(v) = name {
        m.name = Set(v);
    }
    if let Some(v) = code {
        m.code = Set(v);
    }
    if let Some(v) = tz {
        m.time_zone = Set(v);
    }
    if let Some(v) = address {
        m.address = Set(v);
    }
    if let Some(v) = body.public_requests_enabled {
        m.public_requests_enabled = Set(v);
    }
    m.updated_at = Set(now);
    m.version = Set(current.version + 1);
    let after: SiteDto = m.update(&*tx).await?.into();
    let before: SiteDto = current.into();
    audit(&tx, now, p, "site.updated", id, Some(&before), Some(&after)).await?;
    tx.commit().await?;
    Ok(after)
}

pub async fn delete(state: &AppState, p: &Principal, id: Uuid) -> ApiResult<()> {
    p.require("site.manage")?;
    if p.scope != Scope::Organization {
        return Err(ApiError::Forbidden(
            "Only organization-wide roles may remove sites.".into(),
        ));
    }
    let tx = state.begin_write().await?;
    let current = find(&*tx, p, id).await?;
    if department::Entity::find()
        .filter(department::Column::SiteId.eq(id))
        .count(&*tx)
        .await?
        > 0
    {
        return Err(in_use("site", "departments"));
    }
    if location::Entity::find()
        .filter(location::Column::SiteId.eq(id))
        .count(&*tx)
        .await?
        > 0
    {
        return Err(in_use("site", "locations"));
    }
    if user::Entity::find()
        .filter(user::Column::SiteId.eq(id))
        .count(&*tx)
        .await?
        > 0
    {
        return Err(in_use("site", "users"));
    }
    if work_order::Entity::find()
        .filter(work_order::Column::SiteId.eq(id))
        .count(&*tx)
        .await?
        > 0
    {
        return Err(in_use("site", "work orders"));
    }
    if asset::Entity::find()
        .filter(asset::Column::SiteId.eq(id))
        .count(&*tx)
        .await?
        > 0
    {
        return Err(in_use("site", "equipment"));
    }
    // Settings that belong to the site alone go with it.
    sla_policy::Entity::delete_many()
        .filter(sla_policy::Column::SiteId.eq(id))
        .exec(&*tx)
        .await?;
    code_counter::Entity::delete_many()
        .filter(code_counter::Column::SiteId.eq(id))
        .exec(&*tx)
        .await?;
    let before: SiteDto = current.clone().into();
    current.delete(&*tx).await?;
    audit(
        &tx,
        state.clock.now(),
        p,
        "site.deleted",
        id,
        Some(&before),
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
