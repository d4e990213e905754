//! What the stock is worth: value on hand by store and by category over the stores the caller
//! reaches, summed by the database from the balance rows (which are the ledger's sums), so the
//! figure is the ledger's and costs the same at any size.

use std::collections::HashMap;

use hmms_store::entities::{part, stock_balance, store};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, Query, SelectStatement};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::dto::{CategoryValueDto, StockValue, StoreValueDto};
use super::stores::Reach;
use crate::auth::principal::Principal;
use crate::error::ApiResult;
use crate::state::AppState;

/// Balances holding stock in these stores, joined to their parts, summed per `by`.
fn summed(stores: &[Uuid], by: SelectStatement) -> SelectStatement {
    let mut q = by;
    q.expr_as(
        Func::cast_as(
            Expr::col((stock_balance::Entity, stock_balance::Column::ValueMinor)).sum(),
            Alias::new("BIGINT"),
        ),
        Alias::new("value"),
    )
    .expr_as(
        Expr::col((stock_balance::Entity, stock_balance::Column::PartId)).count_distinct(),
        Alias::new("parts"),
    )
    .from(stock_balance::Entity)
    .inner_join(
        part::Entity,
        Expr::col((part::Entity, part::Column::Id))
            .equals((stock_balance::Entity, stock_balance::Column::PartId)),
    )
    .and_where(
        Expr::col((stock_balance::Entity, stock_balance::Column::StoreId))
            .is_in(stores.iter().copied()),
    )
    .and_where(Expr::col((stock_balance::Entity, stock_balance::Column::OnHand)).gt(0));
    q
}

pub async fn value(state: &AppState, p: &Principal) -> ApiResult<StockValue> {
    p.require("inventory.read")?;
    let db = &state.db;
    let stores = store::Entity::find()
        .filter(Reach::of(p).condition(p.org()))
        .filter(store::Column::Active.eq(true))
        .all(db)
        .await?;
    let ids: Vec<Uuid> = stores.iter().map(|s| s.id).collect();

    let mut by_store: HashMap<Uuid, (i64, i64)> = HashMap::new();
    let q = summed(
        &ids,
        Query::select()
            .column((stock_balance::Entity, stock_balance::Column::StoreId))
            .group_by_col((stock_balance::Entity, stock_balance::Column::StoreId))
            .to_owned(),
    );
    for row in db.query_all(&q).await? {
        by_store.insert(
            row.try_get("", "store_id")?,
            (row.try_get("", "value")?, row.try_get("", "parts")?),
        );
    }
    let mut categories = vec![];
    let q = summed(
        &ids,
        Query::select()
            .column((part::Entity, part::Column::Category))
            .group_by_col((part::Entity, part::Column::Category))
            .to_owned(),
    );
    for row in db.query_all(&q).await? {
        categories.push(CategoryValueDto {
            category: row.try_get("", "category")?,
            value_minor: row.try_get("", "value")?,
            parts: row.try_get("", "parts")?,
        });
    }
    categories.sort_by(|a, b| {
        b.value_minor
            .cmp(&a.value_minor)
            .then(a.category.cmp(&b.category))
    });
    let mut stores: Vec<StoreValueDto> = stores
        .into_iter()
        .map(|s| {
            let (value_minor, parts) = by_store.get(&s.id).copied().unwrap_or_default();
            StoreValueDto {
                store_id: s.id,
                store_code: s.code,
                store_name: s.name,
                site_id: s.site_id,
                value_minor,
                parts,
            }
        })
        .collect();
    stores.sort_by(|a, b| {
        b.value_minor
            .cmp(&a.value_minor)
            .then(a.store_code.cmp(&b.store_code))
    });
    Ok(StockValue {
        total_minor: stores.iter().map(|s| s.value_minor).sum(),
        stores,
        categories,
    })
}
