//! Vendor companies: who may read and change them, validation, audit.

use hmms_domain::validate::{self, Errors};
use hmms_store::entities::vendor_company;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait,
    IntoActiveModel, PaginatorTrait, QueryFilter,
};
use uuid::Uuid;

use super::dto::*;
use crate::auth::principal::Principal;
use crate::error::{ApiError, ApiResult, parsed};
use crate::modules::org::{audit, page_by_name};
use crate::pagination::{self, check_version};
use crate::state::AppState;

/// Managers and staff read the directory; a vendor user reads their own company only.
fn may_read_all(p: &Principal) -> bool {
    p.can("org.read") || p.can("supplier.manage")
}

/// A company of the caller's organization they may see, or 404.
pub async fn find(
    db: &impl ConnectionTrait,
    p: &Principal,
    id: Uuid,
) -> ApiResult<vendor_company::Model> {
    vendor_company::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|c| c.organization_id == p.org())
        .filter(|c| may_read_all(p) || p.user.vendor_company_id == Some(c.id))
        .ok_or_else(|| ApiError::not_found("vendor company"))
}

pub async fn list(
    state: &AppState,
    p: &Principal,
    q: VendorCompanyQuery,
) -> ApiResult<VendorCompanyPage> {
    use vendor_company::Column as C;
    if !may_read_all(p) {
        return Err(ApiError::missing_permission("org.read"));
    }
    let mut cond = Condition::all().add(C::OrganizationId.eq(p.org()));
    if let Some(text) = q.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        cond = cond.add(pagination::contains(C::Name, text));
    }
    if let Some(active) = q.active {
        cond = cond.add(C::Active.eq(active));
    }
    let (rows, next_cursor) = page_by_name(
        &state.db,
        vendor_company::Entity::find().filter(cond),
        C::Name,
        C::Id,
        q.limit,
        q.cursor.as_deref(),
        |m| (m.name.clone(), m.id),
    )
    .await?;
    Ok(VendorCompanyPage {
        items: rows.into_iter().map(Into::into).collect(),
        next_cursor,
    })
}

pub async fn get(state: &AppState, p: &Principal, id: Uuid) -> ApiResult<VendorCompanyDto> {
    Ok(find(&state.db, p, id).await?.into())
}

async fn name_taken(
    db: &impl ConnectionTrait,
    org: Uuid,
    name: &str,
    except: Option<Uuid>,
) -> ApiResult<bool> {
    let mut q = vendor_company::Entity::find()
        .filter(vendor_company::Column::OrganizationId.eq(org))
        .filter(vendor_company::Column::Name.eq(name));
    if let Some(id) = except {
        q = q.filter(vendor_company::Column::Id.ne(id));
    }
    Ok(q.count(db).await? > 0)
}

fn taken(name: &str) -> ApiError {
    ApiError::Conflict(format!("A vendor company named {name} already exists."))
}

/// An optional text field: blank means none.
fn optional(
    errors: &mut Errors,
    field: &str,
    raw: Option<&str>,
    check: impl Fn(&str) -> Result<String, String>,
) -> Option<String> {
    let v = raw.map(str::trim).filter(|v| !v.is_empty())?;
    errors.check(field, check(v))
}

fn notes(v: &str) -> Result<String, String> {
    if v.chars().count() > 4000 {
        Err("must be at most 4000 characters".into())
    } else {
        Ok(v.to_string())
    }
}

pub async fn create(
    state: &AppState,
    p: &Principal,
    body: CreateVendorCompany,
) -> ApiResult<VendorCompanyDto> {
    p.require("supplier.manage")?;
    let mut errors = Errors::default();
    let name = errors.check("name", validate::name(&body.name, 160));
    let contact_name = optional(
        &mut errors,
        "contactName",
        body.contact_name.as_deref(),
        |v| validate::name(v, 120),
    );
    let phone = optional(&mut errors, "phone", body.phone.as_deref(), validate::phone);
    let email = optional(&mut errors, "email", body.email.as_deref(), validate::email);
    let notes = optional(&mut errors, "notes", body.notes.as_deref(), notes);
    errors.into_result()?;
    let name = parsed(name, "name")?;
    let tx = state.begin_write().await?;
    if name_taken(&*tx, p.org(), &name, None).await? {
        return Err(taken(&name));
    }
    let now = state.clock.now();
    let m = vendor_company::ActiveModel {
        id: Set(Uuid::now_v7()),
        organization_id: Set(p.org()),
        name: Set(name),
        contact_name: Set(contact_name),
        phone: Set(phone),
        email: Set(email),
        notes: Set(notes),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    }
    .insert(&*tx)
    .await?;
    let dto = VendorCompanyDto::from(m);
    audit(
        &tx,
        now,
        p,
        "vendor_company.created",
        dto.id,
        None,
        Some(&dto),
    )
    .await?;
    tx.commit().await?;
    Ok(dto)
}

/// A PATCH value for an optional text field: `Some(None)` clears it.
fn patch_optional(
    errors: &mut Errors,
    field: &str,
    raw: &Option<Option<String>>,
    check: impl Fn(&str) -> Result<String, String>,
) -> Option<Option<String>> {
    raw.as_ref()
        .map(|v| optional(errors, field, v.as_deref(), check))
}

pub async fn update(
    state: &AppState,
    p: &Principal,
    id: Uuid,
    body: UpdateVendorCompany,
    if_match: Option<i32>,
) -> ApiResult<VendorCompanyDto> {
    p.require("supplier.manage")?;
    let mut errors = Errors::default();
    let name = body
        .name
        .as_deref()
        .and_then(|n| errors.check("name", validate::name(n, 160)));
    let contact_name = patch_optional(&mut errors, "contactName", &body.contact_name, |v| {
        validate::name(v, 120)
    });
    let phone = patch_optional(&mut errors, "phone", &body.phone, validate::phone);
    let email = patch_optional(&mut errors, "email", &body.email, validate::email);
    let notes = patch_optional(&mut errors, "notes", &body.notes, notes);
    errors.into_result()?;
    let tx = state.begin_write().await?;
    let current = find(&*tx, p, id).await?;
    check_version(if_match.or(body.version), current.version)?;
    if let Some(n) = &name
        && name_taken(&*tx, p.org(), n, Some(id)).await?
    {
        return Err(taken(n));
    }
    let now = state.clock.now();
    let before = VendorCompanyDto::from(current.clone());
    let mut m = current.clone().into_active_model();
    if let Some(v) = name {
        m.name = Set(v);
    }
    if let Some(v) = contact_name {
        m.contact_name = Set(v);
    }
    if let Some(v) = phone {
        m.phone = Set(v);
    }
    if let Some(v) = email {
        m.email = Set(v);
    }
    if let Some(v) = notes {
        m.notes = Set(v);
    }
    if let Some(v) = body.active {
        m.active = Set(v);
    }
    m.updated_at = Set(now);
    m.version = Set(current.version + 1);
    let dto = VendorCompanyDto::from(m.update(&*tx).await?);
    audit(
        &tx,
        now,
        p,
        "vendor_company.updated",
        dto.id,
        Some(&before),
        Some(&dto),
    )
    .await?;
    tx.commit().await?;
    Ok(dto)
}
