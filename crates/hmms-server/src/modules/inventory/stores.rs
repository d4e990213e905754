//! Stores and their bins. A store belongs to a site: organization-wide roles (procurement)
//! reach every store; anyone else the stores of their own hospital. Reading needs
//! `inventory.read`; setting stores up and moving stock needs `inventory.adjust`.

use std::collections::HashMap;

use hmms_domain::Scope;
use hmms_domain::validate::{self, Errors};
use hmms_store::entities::{stock_balance, stock_bin, store};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait,
    IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder,
};
use uuid::Uuid;

use super::dto::*;
use crate::auth::principal::Principal;
use crate::error::{ApiError, ApiResult, parsed};
use crate::modules::org::{audit, find_site};
use crate::pagination::check_version;
use crate::state::AppState;

/// The name of the bin every new store starts with.
pub const FIRST_BIN: &str = "GENERAL";

/// Which stores a person reaches: all of the organization's, or those of one site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    All,
    Site(Uuid),
    None,
}

impl Reach {
    pub fn of(p: &Principal) -> Reach {
        match (p.scope, p.user.site_id) {
            (Scope::Organization, _) => Reach::All,
            (Scope::Site | Scope::Department, Some(site)) => Reach::Site(site),
            _ => Reach::None,
        }
    }

    pub fn admits(self, site: Uuid) -> bool {
        match self {
            Reach::All => true,
            Reach::Site(s) => s == site,
            Reach::None => false,
        }
    }

    /// The stores condition for a query on a table with a `site_id`-bearing store.
    pub fn condition(self, org: Uuid) -> Condition {
        let c = Condition::all().add(store::Column::OrganizationId.eq(org));
        match self {
            Reach::All => c,
            Reach::Site(s) => c.add(store::Column::SiteId.eq(s)),
            Reach::None => c.add(store::Column::Id.is_null()),
        }
    }
}

/// The ids of the stores a person reaches.
pub async fn reachable_ids(db: &impl ConnectionTrait, p: &Principal) -> ApiResult<Vec<Uuid>> {
    Ok(store::Entity::find()
        .filter(Reach::of(p).condition(p.org()))
        .all(db)
        .await?
        .into_iter()
        .map(|s| s.id)
        .collect())
}

/// A store the caller may read, or 404.
pub async fn find(db: &impl ConnectionTrait, p: &Principal, id: Uuid) -> ApiResult<store::Model> {
    p.require("inventory.read")?;
    store::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|s| s.organization_id == p.org() && Reach::of(p).admits(s.site_id))
        .ok_or_else(|| ApiError::not_found("store"))
}

/// A bin the caller may read, with its store, or 404 naming `field` (a bin named in a body is
/// a field error, like every other id the caller cannot see).
pub async fn find_bin(
    db: &impl ConnectionTrait,
    p: &Principal,
    id: Uuid,
    field: &str,
) -> ApiResult<(stock_bin::Model, store::Model)> {
    let missing = || ApiError::validation(field, "names no bin you may use");
    let bin = stock_bin::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|b| b.organization_id == p.org())
        .ok_or_else(missing)?;
    let store = store::Entity::find_by_id(bin.store_id)
        .one(db)
        .await?
        .filter(|s| Reach::of(p).admits(s.site_id))
        .ok_or_else(missing)?;
    Ok((bin, store))
}

async fn bins_of(
    db: &impl ConnectionTrait,
    stores: Vec<Uuid>,
) -> ApiResult<HashMap<Uuid, Vec<BinDto>>> {
    let mut out: HashMap<Uuid, Vec<BinDto>> = HashMap::new();
    for b in stock_bin::Entity::find()
        .filter(stock_bin::Column::StoreId.is_in(stores))
        .order_by_asc(stock_bin::Column::Code)
        .all(db)
        .await?
    {
        out.entry(b.store_id).or_default().push(BinDto {
            id: b.id,
            store_id: b.store_id,
            code: b.code,
            active: b.active,
        });
    }
    Ok(out)
}

async fn values_of(db: &impl ConnectionTrait, stores: Vec<Uuid>) -> ApiResult<HashMap<Uuid, i64>> {
    let mut out: HashMap<Uuid, i64> = HashMap::new();
    for b in stock_balance::Entity::find()
        .filter(stock_balance::Column::StoreId.is_in(stores))
        .all(db)
        .await?
    {
        *out.entry(b.store_id).or_default() += b.value_minor;
    }
    Ok(out)
}

async fn dtos(db: &impl ConnectionTrait, rows: Vec<store::Model>) -> ApiResult<Vec<StoreDto>> {
    let ids: Vec<Uuid> = rows.iter().map(|s| s.id).collect();
    let mut bins = bins_of(db, ids.clone()).await?;
    let values = values_of(db, ids).await?;
    Ok(rows
        .into_iter()
        .map(|s| StoreDto {
            bins: bins.remove(&s.id).unwrap_or_default(),
            value_minor: values.get(&s.id).copied().unwrap_or(0),
            id: s.id,
            site_id: s.site_id,
            code: s.code,
            name: s.name,
            kind: s.kind,
            active: s.active,
            version: s.version,
        })
        .collect())
}

pub async fn list(state: &AppState, p: &Principal, q: StoreQuery) -> ApiResult<StoreList> {
    p.require("inventory.read")?;
    let mut cond = Reach::of(p).condition(p.org());
    if let Some(site) = q.site_id {
        cond = cond.add(store::Column::SiteId.eq(site));
    }
    if let Some(active) = q.active {
        cond = cond.add(store::Column::Active.eq(active));
    }
    let rows = store::Entity::find()
        .filter(cond)
        .order_by_asc(store::Column::Name)
        .order_by_asc(store::Column::Id)
        .all(&state.db)
        .await?;
    Ok(StoreList {
        items: dtos(&state.db, rows).await?,
    })
}

pub async fn get(state: &AppState, p: &Principal, id: Uuid) -> ApiResult<StoreDto> {
    let s = find(&state.db, p, id).await?;
    one(&state.db, s).await
}

async fn one(db: &impl ConnectionTrait, s: store::Model) -> ApiResult<StoreDto> {
    dtos(db, vec![s])
        .await?
        .pop()
        .ok_or_else(|| ApiError::not_found("store"))
}

async fn code_taken(db: &impl ConnectionTrait, org: Uuid, code: &str) -> ApiResult<bool> {
    Ok(store::Entity::find()
        .filter(store::Column::OrganizationId.eq(org))
        .filter(store::Column::Code.eq(code))
        .count(db)
        .await?
        > 0)
}

pub async fn create(state: &AppState, p: &Principal, body: CreateStore) -> ApiResult<StoreDto> {
    p.require("inventory.adjust")?;
    let mut errors = Errors::default();
    let code = errors.check("code", validate::code(&body.code));
    let name = errors.check("name", validate::name(&body.name, 120));
    let tx = state.begin_write().await?;
    // The site is named by the caller: it must be one they reach, like any other id.
    let site = match find_site(&*tx, p, body.site_id).await {
        Ok(s) if Reach::of(p).admits(s.id) => Some(s),
        _ => {
            errors.add("siteId", "names no hospital you may keep stores at");
            None
        }
    };
    errors.into_result()?;
    let (code, name, site) = (
        parsed(code, "code")?,
        parsed(name, "name")?,
        parsed(site, "siteId")?,
    );
    if code_taken(&*tx, p.org(), &code).await? {
        return Err(ApiError::Conflict(format!(
            "A store with the code {code} already exists."
        )));
    }
    let now = state.clock.now();
    let s = store::ActiveModel {
        id: Set(Uuid::now_v7()),
        organization_id: Set(p.org()),
        site_id: Set(site.id),
        code: Set(code),
        name: Set(name),
        kind: Set(body.kind),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    }
    .insert(&*tx)
    .await?;
    stock_bin::ActiveModel {
        id: Set(Uuid::now_v7()),
        organization_id: Set(p.org()),
        store_id: Set(s.id),
        code: Set(FIRST_BIN.into()),
        active: Set(true),
        created_at: Set(now),
    }
    .insert(&*tx)
    .await?;
    let dto = one(&*tx, s).await?;
    audit(&tx, now, p, "store.created", dto.id, None, Some(&dto)).await?;
    tx.commit().await?;
    Ok(dto)
}

pub async fn update(
    state: &AppState,
    p: &Principal,
    id: Uuid,
    body: UpdateStore,
    if_match: Option<i32>,
) -> ApiResult<StoreDto> {
    p.require("inventory.adjust")?;
    let mut errors = Errors::default();
    let name = body
        .name
        .as_deref()
        .and_then(|n| errors.check("name", validate::name(n, 120)));
    errors.into_result()?;
    let tx = state.begin_write().await?;
    let current = find(&*tx, p, id).await?;
    check_version(if_match.or(body.version), current.version)?;
    let before = one(&*tx, current.clone()).await?;
    let now = state.clock.now();
    let mut m = current.clone().into_active_model();
    if let Some(v) = name {
        m.name = Set(v);
    }
    if let Some(v) = body.kind {
        m.kind = Set(v);
    }
    if let Some(v) = body.active {
        m.active = Set(v);
    }
    m.updated_at = Set(now);
    m.version = Set(current.version + 1);
    let dto = one(&*tx, m.update(&*tx).await?).await?;
    audit(&tx, now, p, "store.updated", id, Some(&before), Some(&dto)).await?;
    tx.commit().await?;
    Ok(dto)
}

pub async fn add_bin(
    state: &AppState,
    p: &Principal,
    store_id: Uuid,
    body: CreateBin,
) -> ApiResult<BinDto> {
    p.require("inventory.adjust")?;
    let code = validate::code(&body.code).map_err(|m| ApiError::validation("code", m))?;
    let tx = state.begin_write().await?;
    let s = find(&*tx, p, store_id).await?;
    let taken = stock_bin::Entity::find()
        .filter(stock_bin::Column::StoreId.eq(s.id))
        .filter(stock_bin::Column::Code.eq(code.clone()))
        .count(&*tx)
        .await?
        > 0;
    if taken {
        return Err(ApiError::Conflict(format!(
            "{} already has a bin {code}.",
            s.name
        )));
    }
    let now = state.clock.now();
    let b = stock_bin::ActiveModel {
        id: Set(Uuid::now_v7()),
        organization_id: Set(p.org()),
        store_id: Set(s.id),
        code: Set(code),
        active: Set(true),
        created_at: Set(now),
    }
    .insert(&*tx)
    .await?;
    let dto = BinDto {
        id: b.id,
        store_id: b.store_id,
        code: b.code,
        active: b.active,
    };
    audit(&tx, now, p, "stock_bin.created", dto.id, None, Some(&dto)).await?;
    tx.commit().await?;
    Ok(dto)
}
