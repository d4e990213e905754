//! Equipment classes: a tree of kinds of equipment (e.g. Life support › Ventilators), with an
//! optional GMDN/UMDNS code. Read with `asset.read`, changed with `asset.manage` (organization
//! wide, since every hospital of the organization shares the tree).

use hmms_domain::Scope;
use hmms_domain::validate::{self, Errors};
use hmms_store::entities::equipment_class;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, QueryOrder,
};
use uuid::Uuid;

use super::custom_fields::check_defs;
use super::dto::*;
use crate::auth::principal::Principal;
use crate::error::{ApiError, ApiResult, parsed};
use crate::modules::org::audit;
use crate::pagination::check_version;
use crate::state::AppState;

fn dto(m: equipment_class::Model) -> EquipmentClassDto {
    EquipmentClassDto {
        id: m.id,
        parent_id: m.parent_id,
        code: m.code,
        name: m.name,
        nomenclature_code: m.nomenclature_code,
        custom_fields: serde_json::from_str(&m.custom_fields).unwrap_or_default(),
        version: m.version,
    }
}

fn require_manage(p: &Principal) -> ApiResult<()> {
    p.require("asset.manage")?;
    if p.scope != Scope::Organization {
        return Err(ApiError::Forbidden(
            "Equipment classes are shared by every hospital; only organization-wide roles change them."
                .into(),
        ));
    }
    Ok(())
}

/// Every class of the organization, by code (a few hundred at most).
pub async fn list(state: &AppState, p: &Principal) -> ApiResult<Vec<EquipmentClassDto>> {
    p.require("asset.read")?;
    Ok(equipment_class::Entity::find()
        .filter(equipment_class::Column::OrganizationId.eq(p.org()))
        .order_by_asc(equipment_class::Column::Code)
        .all(&state.db)
        .await?
        .into_iter()
        .map(dto)
        .collect())
}

async fn find(
    db: &impl ConnectionTrait,
    p: &Principal,
    id: Uuid,
) -> ApiResult<equipment_class::Model> {
    equipment_class::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|c| c.organization_id == p.org())
        .ok_or_else(|| ApiError::not_found("equipment class"))
}

/// A parent must exist, and never be the class itself or one of its descendants.
async fn check_parent(
    db: &impl ConnectionTrait,
    p: &Principal,
    id: Uuid,
    parent: Option<Uuid>,
    errors: &mut Errors,
) -> ApiResult<()> {
    let mut next = parent;
    while let Some(pid) = next {
        if pid == id {
            errors.add("parentId", "would put the class inside itself");
            return Ok(());
        }
        match find(db, p, pid).await {
            Ok(c) => next = c.parent_id,
            Err(_) => {
                errors.add("parentId", "no such equipment class");
                return Ok(());
            }
        }
    }
    Ok(())
}

fn nomenclature(errors: &mut Errors, raw: Option<&str>) -> Option<String> {
    let v = raw.map(str::trim).filter(|v| !v.is_empty())?;
    errors.check("nomenclatureCode", validate::name(v, 40))
}

async fn code_taken(
    db: &impl ConnectionTrait,
    org: Uuid,
    code: &str,
    except: Uuid,
) -> ApiResult<bool> {
    Ok(equipment_class::Entity::find()
        .filter(equipment_class::Column::OrganizationId.eq(org))
        .filter(equipment_class::Column::Code.eq(code))
        .filter(equipment_class::Column::Id.ne(except))
        .count(db)
        .await?
        > 0)
}

pub async fn create(
    state: &AppState,
    p: &Principal,
    body: CreateEquipmentClass,
) -> ApiResult<EquipmentClassDto> {
    require_manage(p)?;
    let id = Uuid::now_v7();
    let mut errors = Errors::default();
    let code = errors.check("code", validate::code(&body.code));
    let name = errors.check("name", validate::name(&body.name, 160));
    let nomenclature_code = nomenclature(&mut errors, body.nomenclature_code.as_deref());
    let fields = body.custom_fields.unwrap_or_default();
    for (f, m) in check_defs(&fields) {
        errors.add(&f, m);
    }
    let tx = state.begin_write().await?;
    check_parent(&*tx, p, id, body.parent_id, &mut errors).await?;
    errors.into_result()?;
    let code = parsed(code, "code")?;
    if code_taken(&*tx, p.org(), &code, id).await? {
        return Err(ApiError::Conflict(format!(
            "An equipment class with the code {code} already exists."
        )));
    }
    let now = state.clock.now();
    let m = equipment_class::ActiveModel {
        id: Set(id),
        organization_id: Set(p.org()),
        parent_id: Set(body.parent_id),
        code: Set(code),
        name: Set(parsed(name, "name")?),
        nomenclature_code: Set(nomenclature_code),
        custom_fields: Set(serde_json::to_string(&fields)?),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    }
    .insert(&*tx)
    .await?;
    let out = dto(m);
    audit(
        &tx,
        now,
        p,
        "equipment_class.created",
        out.id,
        None,
        Some(&out),
    )
    .await?;
    tx.commit().await?;
    Ok(out)
}

pub async fn update(
    state: &AppState,
    p: &Principal,
    id: Uuid,
    body: UpdateEquipmentClass,
    if_match: Option<i32>,
) -> ApiResult<EquipmentClassDto> {
    require_manage(p)?;
    let mut errors = Errors::default();
    let code = body
        .code
        .as_deref()
        .and_then(|c| errors.check("code", validate::code(c)));
    let name = body
        .name
        .as_deref()
        .and_then(|n| errors.check("name", validate::name(n, 160)));
    let nomenclature_code = body
        .nomenclature_code
        .as_ref()
        .map(|v| nomenclature(&mut errors, v.as_deref()));
    for (f, m) in body
        .custom_fields
        .as_deref()
        .map(check_defs)
        .unwrap_or_default()
    {
        errors.add(&f, m);
    }
    let tx = state.begin_write().await?;
    let current = find(&*tx, p, id).await?;
    check_version(if_match.or(body.version), current.version)?;
    if let Some(parent) = body.parent_id {
        check_parent(&*tx, p, id, parent, &mut errors).await?;
    }
    errors.into_result()?;
    if let Some(c) = &code
        && code_taken(&*tx, p.org(), c, id).await?
    {
        return Err(ApiError::Conflict(format!(
            "An equipment class with the code {c} already exists."
        )));
    }
    let now = state.clock.now();
    let before = dto(current.clone());
    let mut m = current.clone().into_active_model();
    if let Some(v) = code {
        m.code = Set(v);
    }
    if let Some(v) = name {
        m.name = Set(v);
    }
    if let Some(v) = body.parent_id {
        m.parent_id = Set(v);
    }
    if let Some(v) = nomenclature_code {
        m.nomenclature_code = Set(v);
    }
    if let Some(f) = &body.custom_fields {
        m.custom_fields = Set(serde_json::to_string(f)?);
    }
    m.updated_at = Set(now);
    m.version = Set(current.version + 1);
    let out = dto(m.update(&*tx).await?);
    audit(
        &tx,
        now,
        p,
        "equipment_class.updated",
        id,
        Some(&before),
        Some(&out),
    )
    .await?;
    tx.commit().await?;
    Ok(out)
}
