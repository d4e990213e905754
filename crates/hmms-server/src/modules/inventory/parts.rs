//! The parts catalogue: one list per organization, part numbers unique within it. Reading needs
//! `inventory.read`; maintaining the catalogue needs `inventory.adjust`. Stock figures on a part
//! count only the stores the caller reaches.

use std::collections::{HashMap, HashSet};

use hmms_domain::stock::format_quantity;
use hmms_domain::validate::{self, Errors};
use hmms_store::entities::{part, stock_balance, stock_entry, stock_level};
use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait,
    IntoActiveModel, PaginatorTrait, QueryFilter,
};
use uuid::Uuid;

use super::dto::*;
use super::ledger::decimals;
use super::stores::reachable_ids;
use crate::auth::principal::Principal;
use crate::error::{ApiError, ApiResult, parsed};
use crate::modules::org::{audit, page_by_name};
use crate::pagination::{self, check_version};
use crate::state::AppState;

/// A part of the caller's organization, or 404.
pub async fn find(db: &impl ConnectionTrait, p: &Principal, id: Uuid) -> ApiResult<part::Model> {
    p.require("inventory.read")?;
    by_id(db, p, id)
        .await?
        .ok_or_else(|| ApiError::not_found("part"))
}

async fn by_id(
    db: &impl ConnectionTrait,
    p: &Principal,
    id: Uuid,
) -> ApiResult<Option<part::Model>> {
    Ok(part::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|m| m.organization_id == p.org()))
}

/// A part named in a request body: a field error when there is none the caller may see.
pub async fn find_in_body(
    db: &impl ConnectionTrait,
    p: &Principal,
    id: Uuid,
    field: &str,
) -> ApiResult<part::Model> {
    by_id(db, p, id)
        .await?
        .ok_or_else(|| ApiError::validation(field, "names no part in your catalogue"))
}

/// Stock figures of these parts in the stores the caller reaches: on hand, value, low.
pub(super) async fn totals(
    db: &impl ConnectionTrait,
    p: &Principal,
    parts: &[Uuid],
) -> ApiResult<(HashMap<Uuid, (i64, i64)>, HashSet<Uuid>)> {
    let stores = reachable_ids(db, p).await?;
    let mut sums: HashMap<Uuid, (i64, i64)> = HashMap::new();
    for b in stock_balance::Entity::find()
        .filter(stock_balance::Column::PartId.is_in(parts.to_vec()))
        .filter(stock_balance::Column::StoreId.is_in(stores.clone()))
        .all(db)
        .await?
    {
        let s = sums.entry(b.part_id).or_default();
        s.0 += b.on_hand;
        s.1 += b.value_minor;
    }
    let low = stock_level::Entity::find()
        .filter(stock_level::Column::PartId.is_in(parts.to_vec()))
        .filter(stock_level::Column::StoreId.is_in(stores))
        .filter(stock_level::Column::Low.eq(true))
        .all(db)
        .await?
        .into_iter()
        .map(|l| l.part_id)
        .collect();
    Ok((sums, low))
}

fn dto(m: part::Model, sums: &HashMap<Uuid, (i64, i64)>, low: &HashSet<Uuid>) -> SparePartDto {
    let (on_hand, value) = sums.get(&m.id).copied().unwrap_or_default();
    SparePartDto {
        on_hand: format_quantity(on_hand, decimals(&m)),
        value_minor: value,
        low: low.contains(&m.id),
        id: m.id,
        part_number: m.part_number,
        name: m.name,
        category: m.category,
        unit: m.unit,
        decimals: m.decimals,
        manufacturer: m.manufacturer,
        manufacturer_part_number: m.manufacturer_part_number,
        description: m.description,
        critical: m.critical,
        active: m.active,
        created_at: m.created_at,
        updated_at: m.updated_at,
        version: m.version,
    }
}

async fn one(db: &impl ConnectionTrait, p: &Principal, m: part::Model) -> ApiResult<SparePartDto> {
    let (sums, low) = totals(db, p, &[m.id]).await?;
    Ok(dto(m, &sums, &low))
}

pub async fn list(state: &AppState, p: &Principal, q: SparePartQuery) -> ApiResult<SparePartPage> {
    use part::Column as C;
    p.require("inventory.read")?;
    let mut cond = Condition::all().add(C::OrganizationId.eq(p.org()));
    if let Some(text) = q.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        cond = cond.add(
            Condition::any()
                .add(pagination::contains(C::Name, text))
                .add(pagination::contains(C::PartNumber, text)),
        );
    }
    if let Some(c) = q
        .category
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        cond = cond.add(C::Category.eq(c));
    }
    if let Some(v) = q.critical {
        cond = cond.add(C::Critical.eq(v));
    }
    if let Some(v) = q.active {
        cond = cond.add(C::Active.eq(v));
    }
    if let Some(low) = q.low {
        let stores = reachable_ids(&state.db, p).await?;
        let sub = Query::select()
            .column(stock_level::Column::PartId)
            .from(stock_level::Entity)
            .and_where(stock_level::Column::Low.eq(true))
            .and_where(stock_level::Column::StoreId.is_in(stores))
            .to_owned();
        cond = cond.add(if low {
            C::Id.in_subquery(sub)
        } else {
            C::Id.not_in_subquery(sub)
        });
    }
    let (rows, next_cursor) = page_by_name(
        &state.db,
        part::Entity::find().filter(cond),
        C::Name,
        C::Id,
        q.limit,
        q.cursor.as_deref(),
        |m| (m.name.clone(), m.id),
    )
    .await?;
    let ids: Vec<Uuid> = rows.iter().map(|m| m.id).collect();
    let (sums, low) = totals(&state.db, p, &ids).await?;
    Ok(SparePartPage {
        items: rows.into_iter().map(|m| dto(m, &sums, &low)).collect(),
        next_cursor,
    })
}

pub async fn get(state: &AppState, p: &Principal, id: Uuid) -> ApiResult<SparePartDto> {
    let m = find(&state.db, p, id).await?;
    one(&state.db, p, m).await
}

pub(super) fn part_number(raw: &str) -> Result<String, String> {
    let v = raw.trim();
    if v.is_empty() || v.chars().count() > 64 {
        return Err("must be 1 to 64 characters".into());
    }
    if v.chars()
        .any(|c| c.is_control() || c.is_whitespace() && c != ' ')
    {
        return Err("must not contain control characters or line breaks".into());
    }
    Ok(v.to_string())
}

pub(super) fn unit(raw: &str) -> Result<String, String> {
    let v = raw.trim().to_lowercase();
    if v.is_empty()
        || v.chars().count() > 16
        || !v
            .chars()
            .all(|c| c.is_alphanumeric() || " ./-²³".contains(c))
    {
        return Err("must be a unit such as each, m, l, box or pack (up to 16 characters)".into());
    }
    Ok(v)
}

pub(super) fn places(v: i16) -> Result<i16, String> {
    if (0..=3).contains(&v) {
        Ok(v)
    } else {
        Err("must be 0, 1, 2 or 3".into())
    }
}

fn optional(
    errors: &mut Errors,
    field: &str,
    raw: Option<&str>,
    check: impl Fn(&str) -> Result<String, String>,
) -> Option<String> {
    let v = raw.map(str::trim).filter(|v| !v.is_empty())?;
    errors.check(field, check(v))
}

pub(super) fn long_text(v: &str) -> Result<String, String> {
    if v.chars().count() > 4000 {
        Err("must be at most 4000 characters".into())
    } else {
        Ok(v.to_string())
    }
}

async fn number_taken(
    db: &impl ConnectionTrait,
    org: Uuid,
    number: &str,
    except: Option<Uuid>,
) -> ApiResult<bool> {
    let mut q = part::Entity::find()
        .filter(part::Column::OrganizationId.eq(org))
        .filter(part::Column::PartNumber.eq(number));
    if let Some(id) = except {
        q = q.filter(part::Column::Id.ne(id));
    }
    Ok(q.count(db).await? > 0)
}

fn taken(number: &str) -> ApiError {
    ApiError::Conflict(format!(
        "A part numbered {number} is already in the catalogue."
    ))
}

pub async fn create(
    state: &AppState,
    p: &Principal,
    body: CreateSparePart,
) -> ApiResult<SparePartDto> {
    p.require("inventory.adjust")?;
    let mut errors = Errors::default();
    let number = errors.check("partNumber", part_number(&body.part_number));
    let name = errors.check("name", validate::name(&body.name, 160));
    let category = optional(&mut errors, "category", body.category.as_deref(), |v| {
        validate::name(v, 80)
    });
    let unit = errors.check("unit", unit(body.unit.as_deref().unwrap_or("each")));
    let decimals = errors.check("decimals", places(body.decimals.unwrap_or(0)));
    let manufacturer = optional(
        &mut errors,
        "manufacturer",
        body.manufacturer.as_deref(),
        |v| validate::name(v, 120),
    );
    let mpn = optional(
        &mut errors,
        "manufacturerPartNumber",
        body.manufacturer_part_number.as_deref(),
        part_number,
    );
    let description = optional(
        &mut errors,
        "description",
        body.description.as_deref(),
        long_text,
    );
    errors.into_result()?;
    let (number, name, unit, decimals) = (
        parsed(number, "partNumber")?,
        parsed(name, "name")?,
        parsed(unit, "unit")?,
        parsed(decimals, "decimals")?,
    );
    let tx = state.begin_write().await?;
    if number_taken(&*tx, p.org(), &number, None).await? {
        return Err(taken(&number));
    }
    let now = state.clock.now();
    let m = part::ActiveModel {
        id: Set(Uuid::now_v7()),
        organization_id: Set(p.org()),
        part_number: Set(number),
        name: Set(name),
        category: Set(category),
        unit: Set(unit),
        decimals: Set(decimals),
        manufacturer: Set(manufacturer),
        manufacturer_part_number: Set(mpn),
        description: Set(description),
        critical: Set(body.critical),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    }
    .insert(&*tx)
    .await?;
    let dto = one(&*tx, p, m).await?;
    audit(&tx, now, p, "part.created", dto.id, None, Some(&dto)).await?;
    tx.commit().await?;
    Ok(dto)
}

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
    body: UpdateSparePart,
    if_match: Option<i32>,
) -> ApiResult<SparePartDto> {
    p.require("inventory.adjust")?;
    let mut errors = Errors::default();
    let number = body
        .part_number
        .as_deref()
        .and_then(|v| errors.check("partNumber", part_number(v)));
    let name = body
        .name
        .as_deref()
        .and_then(|v| errors.check("name", validate::name(v, 160)));
    let category = patch_optional(&mut errors, "category", &body.category, |v| {
        validate::name(v, 80)
    });
    let unit = body
        .unit
        .as_deref()
        .and_then(|v| errors.check("unit", unit(v)));
    let decimals = body
        .decimals
        .and_then(|v| errors.check("decimals", places(v)));
    let manufacturer = patch_optional(&mut errors, "manufacturer", &body.manufacturer, |v| {
        validate::name(v, 120)
    });
    let mpn = patch_optional(
        &mut errors,
        "manufacturerPartNumber",
        &body.manufacturer_part_number,
        part_number,
    );
    let description = patch_optional(&mut errors, "description", &body.description, long_text);
    errors.into_result()?;
    let tx = state.begin_write().await?;
    let current = find(&*tx, p, id).await?;
    check_version(if_match.or(body.version), current.version)?;
    if let Some(n) = &number
        && number_taken(&*tx, p.org(), n, Some(id)).await?
    {
        return Err(taken(n));
    }
    // Stored quantities are in the unit they were posted in: changing it would change them all.
    let unit_changes = unit.as_ref().is_some_and(|u| *u != current.unit)
        || decimals.is_some_and(|d| d != current.decimals);
    if unit_changes
        && stock_entry::Entity::find()
            .filter(stock_entry::Column::PartId.eq(id))
            .count(&*tx)
            .await?
            > 0
    {
        return Err(ApiError::Conflict(
            "This part has stock movements, so its unit cannot change. Create a new part for the new unit and make the old one obsolete.".into(),
        ));
    }
    let before = one(&*tx, p, current.clone()).await?;
    let now = state.clock.now();
    let mut m = current.clone().into_active_model();
    if let Some(v) = number {
        m.part_number = Set(v);
    }
    if let Some(v) = name {
        m.name = Set(v);
    }
    if let Some(v) = category {
        m.category = Set(v);
    }
    if let Some(v) = unit {
        m.unit = Set(v);
    }
    if let Some(v) = decimals {
        m.decimals = Set(v);
    }
    if let Some(v) = manufacturer {
        m.manufacturer = Set(v);
    }
    if let Some(v) = mpn {
        m.manufacturer_part_number = Set(v);
    }
    if let Some(v) = description {
        m.description = Set(v);
    }
    if let Some(v) = body.critical {
        m.critical = Set(v);
    }
    if let Some(v) = body.active {
        m.active = Set(v);
    }
    m.updated_at = Set(now);
    m.version = Set(current.version + 1);
    let dto = one(&*tx, p, m.update(&*tx).await?).await?;
    audit(&tx, now, p, "part.updated", id, Some(&before), Some(&dto)).await?;
    tx.commit().await?;
    Ok(dto)
}
