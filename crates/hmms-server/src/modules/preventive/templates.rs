//! Checklist templates: named lists of items, versioned so that editing never changes a
//! checklist already done (each work order keeps the version it was given).

use hmms_domain::preventive::checklist::{self, Item};
use hmms_domain::validate::{self, Errors};
use hmms_store::entities::{checklist_template as tpl, checklist_template_version as ver};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, QueryOrder,
};
use uuid::Uuid;

use super::dto::*;
use crate::audit::{self, Change};
use crate::auth::principal::Principal;
use crate::error::{ApiError, ApiResult, parsed};
use crate::pagination::check_version;
use crate::state::{AppState, WriteTx};

pub fn parse_items(json: &str) -> Vec<Item> {
    serde_json::from_str(json).unwrap_or_default()
}

/// Checks items from the API, with problems named by their place in the request.
fn checked_items(raw: Vec<ItemDto>) -> ApiResult<Vec<Item>> {
    let items: Vec<Item> = raw.into_iter().map(Into::into).collect();
    let problems = checklist::check_items(&items);
    if problems.is_empty() {
        return Ok(items);
    }
    let mut errors = Errors::default();
    for p in problems {
        errors.add(&p.field, p.message);
    }
    errors.into_result()?;
    Ok(items)
}

pub async fn find(db: &impl ConnectionTrait, p: &Principal, id: Uuid) -> ApiResult<tpl::Model> {
    tpl::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|t| t.organization_id == p.org())
        .ok_or_else(|| ApiError::not_found("checklist template"))
}

/// The current version of a template (its items for new work).
pub async fn current(db: &impl ConnectionTrait, t: &tpl::Model) -> ApiResult<ver::Model> {
    ver::Entity::find()
        .filter(ver::Column::TemplateId.eq(t.id))
        .filter(ver::Column::Number.eq(t.current_version))
        .one(db)
        .await?
        .ok_or_else(|| {
            ApiError::Internal(anyhow::anyhow!("template {} has no current version", t.id))
        })
}

async fn view(db: &impl ConnectionTrait, t: tpl::Model) -> ApiResult<TemplateDto> {
    let versions = ver::Entity::find()
        .filter(ver::Column::TemplateId.eq(t.id))
        .order_by_desc(ver::Column::Number)
        .all(db)
        .await?;
    let items = versions
        .iter()
        .find(|v| v.number == t.current_version)
        .map(|v| parse_items(&v.items))
        .unwrap_or_default();
    Ok(TemplateDto {
        id: t.id,
        name: t.name,
        description: t.description,
        current_version: t.current_version,
        items: items.into_iter().map(Into::into).collect(),
        versions: versions
            .into_iter()
            .map(|v| TemplateVersionDto {
                id: v.id,
                number: v.number,
                item_count: parse_items(&v.items).len(),
                created_at: v.created_at,
            })
            .collect(),
        active: t.active,
        created_at: t.created_at,
        updated_at: t.updated_at,
        version: t.version,
    })
}

pub async fn list(state: &AppState, p: &Principal) -> ApiResult<Vec<TemplateSummary>> {
    p.require("preventive.read")?;
    let rows = tpl::Entity::find()
        .filter(tpl::Column::OrganizationId.eq(p.org()))
        .order_by_asc(tpl::Column::Name)
        .all(&state.db)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for t in rows {
        let count = current(&state.db, &t)
            .await
            .map(|v| parse_items(&v.items).len())
            .unwrap_or(0);
        out.push(TemplateSummary {
            id: t.id,
            name: t.name,
            description: t.description,
            current_version: t.current_version,
            item_count: count,
            active: t.active,
            updated_at: t.updated_at,
        });
    }
    Ok(out)
}

pub async fn get(state: &AppState, p: &Principal, id: Uuid) -> ApiResult<TemplateDto> {
    p.require("preventive.read")?;
    view(&state.db, find(&state.db, p, id).await?).await
}

pub async fn version_items(
    state: &AppState,
    p: &Principal,
    id: Uuid,
    number: i32,
) -> ApiResult<TemplateVersionItems> {
    p.require("preventive.read")?;
    let t = find(&state.db, p, id).await?;
    let v = ver::Entity::find()
        .filter(ver::Column::TemplateId.eq(t.id))
        .filter(ver::Column::Number.eq(number))
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::not_found("checklist version"))?;
    Ok(TemplateVersionItems {
        template_id: t.id,
        number: v.number,
        items: parse_items(&v.items).into_iter().map(Into::into).collect(),
        created_at: v.created_at,
    })
}

async fn name_taken(
    db: &impl ConnectionTrait,
    org: Uuid,
    name: &str,
    except: Option<Uuid>,
) -> ApiResult<bool> {
    let mut q = tpl::Entity::find()
        .filter(tpl::Column::OrganizationId.eq(org))
        .filter(tpl::Column::Name.eq(name));
    if let Some(id) = except {
        q = q.filter(tpl::Column::Id.ne(id));
    }
    Ok(q.count(db).await? > 0)
}

async fn insert_version(
    tx: &WriteTx,
    p: &Principal,
    template: Uuid,
    number: i32,
    items: &[Item],
    now: chrono::DateTime<chrono::Utc>,
) -> ApiResult<()> {
    ver::ActiveModel {
        id: Set(Uuid::now_v7()),
        organization_id: Set(p.org()),
        template_id: Set(template),
        number: Set(number),
        items: Set(serde_json::to_string(items)?),
        created_by: Set(Some(p.id())),
        created_at: Set(now),
    }
    .insert(&**tx)
    .await?;
    Ok(())
}

fn description(errors: &mut Errors, raw: Option<&str>) -> Option<String> {
    let d = raw?.trim();
    if d.chars().count() > 2000 {
        errors.add("description", "must be at most 2000 characters");
        return None;
    }
    (!d.is_empty()).then(|| d.to_string())
}

pub async fn create(
    state: &AppState,
    p: &Principal,
    body: CreateTemplate,
) -> ApiResult<TemplateDto> {
    p.require("preventive.manage")?;
    let mut errors = Errors::default();
    let name = errors.check("name", validate::name(&body.name, 160));
    let desc = description(&mut errors, body.description.as_deref());
    errors.into_result()?;
    let items = checked_items(body.items)?;
    let name = parsed(name, "name")?;
    let tx = state.begin_write().await?;
    if name_taken(&*tx, p.org(), &name, None).await? {
        return Err(ApiError::Conflict(format!(
            "A checklist named \"{name}\" already exists."
        )));
    }
    let now = state.clock.now();
    let t = tpl::ActiveModel {
        id: Set(Uuid::now_v7()),
        organization_id: Set(p.org()),
        name: Set(name),
        description: Set(desc),
        current_version: Set(1),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    }
    .insert(&*tx)
    .await?;
    insert_version(&tx, p, t.id, 1, &items, now).await?;
    let dto = view(&*tx, t).await?;
    audit::record(
        &tx,
        now,
        &p.who(),
        Change {
            action: "checklist_template.created",
            entity_type: "checklist_template",
            entity_id: Some(dto.id.to_string()),
            before: None,
            after: Some(serde_json::to_value(&dto)?),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(dto)
}

pub async fn update(
    state: &AppState,
    p: &Principal,
    id: Uuid,
    body: UpdateTemplate,
    if_match: Option<i32>,
) -> ApiResult<TemplateDto> {
    p.require("preventive.manage")?;
    let mut errors = Errors::default();
    let name = body
        .name
        .as_deref()
        .and_then(|n| errors.check("name", validate::name(n, 160)));
    let desc = description(&mut errors, body.description.as_deref());
    errors.into_result()?;
    let items = body.items.map(checked_items).transpose()?;
    let tx = state.begin_write().await?;
    let current_row = find(&*tx, p, id).await?;
    check_version(if_match.or(body.version), current_row.version)?;
    if let Some(n) = &name
        && name_taken(&*tx, p.org(), n, Some(id)).await?
    {
        return Err(ApiError::Conflict(format!(
            "A checklist named \"{n}\" already exists."
        )));
    }
    let before = view(&*tx, current_row.clone()).await?;
    let now = state.clock.now();
    let mut m = current_row.clone().into_active_model();
    if let Some(n) = name {
        m.name = Set(n);
    }
    if body.description.is_some() {
        m.description = Set(desc);
    }
    if let Some(a) = body.active {
        m.active = Set(a);
    }
    if let Some(items) = items {
        let old = parse_items(&current(&*tx, &current_row).await?.items);
        // Only a real change of items makes a version; renaming does not.
        if old != items {
            let next = current_row.current_version + 1;
            insert_version(&tx, p, id, next, &items, now).await?;
            m.current_version = Set(next);
        }
    }
    m.updated_at = Set(now);
    m.version = Set(current_row.version + 1);
    let after = view(&*tx, m.update(&*tx).await?).await?;
    audit::record(
        &tx,
        now,
        &p.who(),
        Change {
            action: "checklist_template.updated",
            entity_type: "checklist_template",
            entity_id: Some(id.to_string()),
            before: Some(serde_json::to_value(&before)?),
            after: Some(serde_json::to_value(&after)?),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}
