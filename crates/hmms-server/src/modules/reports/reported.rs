//! What the work reported in a period adds up to: how soon it was answered, and the failures
//! of equipment — with those that came back within the repeat window — summed by the database.

use chrono::{DateTime, Duration, Utc};
use hmms_domain::reports as rules;
use hmms_domain::work_orders::WorkOrderType;
use hmms_store::entities::work_order;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait};

use super::done::Key;
use super::sql;
use crate::error::ApiResult;

/// Response to the work reported in the period.
pub(super) struct Responded {
    /// Report to first response, summed over the work answered.
    pub minutes: i64,
    pub answered: i64,
}

pub(super) async fn responded(
    db: &impl ConnectionTrait,
    work: Condition,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> ApiResult<Responded> {
    let minutes = sql::minutes_between(
        db.get_database_backend(),
        "work_orders.created_at",
        "work_orders.first_response_at",
    );
    let q = Query::select()
        .expr_as(Expr::cust(sql::sum(&minutes)), "minutes")
        .expr_as(
            Expr::cust("COUNT(work_orders.first_response_at)"),
            "answered",
        )
        .from(work_order::Entity)
        .cond_where(work)
        .and_where(work_order::Column::CreatedAt.gte(from))
        .and_where(work_order::Column::CreatedAt.lt(to))
        .to_owned();
    let row = db.query_one(&q).await?;
    Ok(match row {
        Some(r) => Responded {
            minutes: r.try_get("", "minutes")?,
            answered: r.try_get("", "answered")?,
        },
        None => Responded {
            minutes: 0,
            answered: 0,
        },
    })
}

/// Repairs of equipment reported in the period, and how many of them came within the repeat
/// window of the equipment's previous one (which may fall before the period).
pub(super) async fn failures(
    db: &impl ConnectionTrait,
    work: Condition,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> ApiResult<(i64, i64)> {
    let lookback = from - Duration::days(rules::REPEAT_WINDOW_DAYS);
    let within = sql::within_days(
        db.get_database_backend(),
        "f.previous",
        "f.created_at",
        rules::REPEAT_WINDOW_DAYS,
    );
    let each = Query::select()
        .column(work_order::Column::CreatedAt)
        .expr_as(
            Expr::cust(
                "LAG(work_orders.created_at) OVER \
                 (PARTITION BY work_orders.asset_id ORDER BY work_orders.created_at)",
            ),
            "previous",
        )
        .from(work_order::Entity)
        .cond_where(work)
        .and_where(work_order::Column::WoType.eq(WorkOrderType::Corrective))
        .and_where(work_order::Column::AssetId.is_not_null())
        .and_where(work_order::Column::CreatedAt.gte(lookback))
        .and_where(work_order::Column::CreatedAt.lt(to))
        .to_owned();
    let q = Query::select()
        .expr_as(Expr::cust("COUNT(*)"), "failures")
        .expr_as(
            Expr::cust(sql::sum(&format!(
                "CASE WHEN f.previous IS NOT NULL AND {within} THEN 1 ELSE 0 END"
            ))),
            "repeats",
        )
        .from_subquery(each, Alias::new("f"))
        .and_where(Expr::col((Alias::new("f"), work_order::Column::CreatedAt)).gte(from))
        .to_owned();
    let row = db.query_one(&q).await?;
    Ok(match row {
        Some(r) => (r.try_get("", "failures")?, r.try_get("", "repeats")?),
        None => (0, 0),
    })
}

/// Repairs of equipment reported in the period, counted per group.
pub(super) async fn failures_by<K: sea_orm::TryGetableMany + Eq + std::hash::Hash>(
    db: &impl ConnectionTrait,
    key: &Key,
    work: Condition,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> ApiResult<std::collections::HashMap<K, i64>> {
    let mut q = key.select(None);
    q.expr_as(Expr::cust("COUNT(*)"), "n")
        .cond_where(work)
        .and_where(work_order::Column::WoType.eq(WorkOrderType::Corrective))
        .and_where(work_order::Column::AssetId.is_not_null())
        .and_where(work_order::Column::CreatedAt.gte(from))
        .and_where(work_order::Column::CreatedAt.lt(to));
    let mut out = std::collections::HashMap::new();
    for row in db.query_all(&q).await? {
        out.insert(key.read(&row)?, row.try_get("", "n")?);
    }
    Ok(out)
}
