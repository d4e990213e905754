//! What the work completed in a period adds up to — repairs and their hours, downtime, SLA met,
//! vendor cost, labour, parts, repairs not fixed the first time — summed by the database per
//! group (priority and type for the key figures; a site, department, class or asset for a
//! breakdown).

use std::collections::HashMap;

use hmms_domain::work_orders::{Status, WorkOrderType};
use hmms_store::entities::{asset, work_order};
use sea_orm::sea_query::{Expr, JoinType, Query, SelectStatement};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, QueryResult};

use super::sql;
use crate::error::ApiResult;
use crate::modules::work_orders;

/// The sums of one group of completed work.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct DoneSums {
    pub completed: i64,
    pub repairs: i64,
    /// Report to completion, summed over the repairs.
    pub repair_minutes: i64,
    pub downtime_minutes: i64,
    pub vendor_minor: i64,
    pub response_met: i64,
    pub resolution_met: i64,
}

/// What a group is keyed by: an expression over `work_orders` (and `assets`, joined on the
/// work's equipment when the key needs it), and the columns it is read back as.
pub(super) struct Key {
    pub columns: Vec<&'static str>,
    pub needs_asset: bool,
}

impl Key {
    /// Per priority and type of work.
    pub fn priority_and_type() -> Self {
        Self {
            columns: vec!["work_orders.priority", "work_orders.wo_type"],
            needs_asset: false,
        }
    }

    /// Per one column, e.g. `work_orders.site_id` or `assets.class_id`.
    pub fn one(column: &'static str) -> Self {
        Self {
            needs_asset: column.starts_with("assets."),
            columns: vec![column],
        }
    }

    /// A statement from the work, or from `table` joined to the work on its `column`, with the
    /// work's equipment joined when the key needs it,
    /// selecting the key columns as `k0`, `k1`, … and grouped by them.
    pub fn select(&self, join: Option<(&'static str, &'static str)>) -> SelectStatement {
        let mut q = Query::select();
        match join {
            Some((table, column)) => {
                q.from(sea_orm::sea_query::Alias::new(table)).join(
                    JoinType::InnerJoin,
                    work_order::Entity,
                    Expr::cust(format!("work_orders.id = {table}.{column}")),
                );
            }
            None => {
                q.from(work_order::Entity);
            }
        }
        if self.needs_asset {
            q.join(
                JoinType::LeftJoin,
                asset::Entity,
                Expr::cust("assets.id = work_orders.asset_id"),
            );
        }
        for (i, c) in self.columns.iter().enumerate() {
            q.expr_as(Expr::cust(*c), format!("k{i}"));
            q.add_group_by([Expr::cust(*c)]);
        }
        q
    }

    /// The key of a row the statement answered.
    pub fn read<K: sea_orm::TryGetableMany>(&self, row: &QueryResult) -> ApiResult<K> {
        let cols: Vec<String> = (0..self.columns.len()).map(|i| format!("k{i}")).collect();
        Ok(K::try_get_many(row, "", &cols).map_err(sea_orm::DbErr::from)?)
    }
}

/// Completed-work sums per group, keyed by the key's values in order.
pub(super) async fn sums<K: sea_orm::TryGetableMany + Eq + std::hash::Hash>(
    db: &impl ConnectionTrait,
    key: &Key,
    done: Condition,
) -> ApiResult<HashMap<K, DoneSums>> {
    let backend = db.get_database_backend();
    let repair = format!(
        "work_orders.wo_type = '{}'",
        WorkOrderType::Corrective.key()
    );
    let minutes = sql::minutes_between(
        backend,
        "work_orders.created_at",
        "work_orders.completed_at",
    );
    let mut q = key.select(None);
    q.expr_as(Expr::cust("COUNT(*)"), "completed")
        .expr_as(
            Expr::cust(sql::sum(&format!("CASE WHEN {repair} THEN 1 ELSE 0 END"))),
            "repairs",
        )
        .expr_as(
            Expr::cust(sql::sum(&format!("CASE WHEN {repair} THEN {minutes} ELSE 0 END"))),
            "repair_minutes",
        )
        .expr_as(
            Expr::cust(sql::sum(
                "CASE WHEN work_orders.downtime_minutes > 0 THEN work_orders.downtime_minutes ELSE 0 END",
            )),
            "downtime",
        )
        .expr_as(Expr::cust(sql::sum("work_orders.vendor_cost_minor")), "vendor")
        // Completing the work answers it, when nobody responded before.
        .expr_as(
            Expr::cust(sql::sum(
                "CASE WHEN COALESCE(work_orders.first_response_at, work_orders.completed_at) \
                 <= work_orders.sla_response_due_at THEN 1 ELSE 0 END",
            )),
            "response_met",
        )
        .expr_as(
            Expr::cust(sql::sum(
                "CASE WHEN work_orders.completed_at <= work_orders.sla_resolution_due_at \
                 THEN 1 ELSE 0 END",
            )),
            "resolution_met",
        )
        .cond_where(done);
    let mut out = HashMap::new();
    for row in db.query_all(&q).await? {
        let sums = DoneSums {
            completed: row.try_get("", "completed")?,
            repairs: row.try_get("", "repairs")?,
            repair_minutes: row.try_get("", "repair_minutes")?,
            downtime_minutes: row.try_get("", "downtime")?,
            vendor_minor: row.try_get("", "vendor")?,
            response_met: row.try_get("", "response_met")?,
            resolution_met: row.try_get("", "resolution_met")?,
        };
        out.insert(key.read(&row)?, sums);
    }
    Ok(out)
}

/// Minutes logged on the work `work` selects (its conditions may name the time logs too), per
/// group.
pub(super) async fn logged_minutes<K: sea_orm::TryGetableMany + Eq + std::hash::Hash>(
    db: &impl ConnectionTrait,
    key: &Key,
    work: Condition,
) -> ApiResult<HashMap<K, i64>> {
    let mut q = key.select(Some(("work_order_time_logs", "work_order_id")));
    q.expr_as(
        Expr::cust(sql::sum("work_order_time_logs.minutes")),
        "minutes",
    )
    .cond_where(work);
    let mut out = HashMap::new();
    for row in db.query_all(&q).await? {
        out.insert(key.read(&row)?, row.try_get("", "minutes")?);
    }
    Ok(out)
}

/// The parts cost of the work `work` selects, per group, priced as every work order prices its
/// parts ([`work_orders::parts_cost_sources`]).
pub(super) async fn parts_cost<K: sea_orm::TryGetableMany + Eq + std::hash::Hash>(
    db: &impl ConnectionTrait,
    key: &Key,
    work: Condition,
) -> ApiResult<HashMap<K, i64>> {
    let mut out: HashMap<K, i64> = HashMap::new();
    for source in work_orders::parts_cost_sources() {
        let mut q = key.select(Some((source.table, "work_order_id")));
        q.expr_as(Expr::cust(sql::sum(source.cost)), "cost")
            .cond_where(work.clone());
        for row in db.query_all(&q).await? {
            let cost: i64 = row.try_get("", "cost")?;
            let sum = out.entry(key.read(&row)?).or_default();
            *sum = hmms_domain::money::total([*sum, cost]);
        }
    }
    Ok(out)
}

/// How many of the repairs `repaired` selects were not fixed the first time: a follow-up work
/// order was raised for them, or they were sent back from completed.
pub(super) async fn not_first_time(
    db: &impl ConnectionTrait,
    repaired: Condition,
) -> ApiResult<i64> {
    let q = Query::select()
        .expr_as(Expr::cust("COUNT(*)"), "n")
        .from(work_order::Entity)
        .cond_where(repaired)
        // Both sets are small (follow-ups and send-backs are rare; the history's partial index
        // holds only send-backs), so the database reads each once rather than probing per repair.
        .and_where(Expr::cust(format!(
            "(work_orders.id IN (SELECT h.work_order_id FROM work_order_history h \
             WHERE h.from_status = '{}' AND h.to_status <> '{}') \
             OR work_orders.id IN (SELECT f.follow_up_of FROM work_orders f \
             WHERE f.follow_up_of IS NOT NULL))",
            Status::Completed.key(),
            Status::Closed.key()
        )))
        .to_owned();
    let row = db.query_one(&q).await?;
    Ok(match row {
        Some(r) => r.try_get("", "n")?,
        None => 0,
    })
}

/// Time on hold of the work `done` selects that waited at all, per the reason it last waited
/// for: `(reason code, work orders, minutes)`, longest first.
pub(super) async fn held(
    db: &impl ConnectionTrait,
    done: Condition,
) -> ApiResult<Vec<(Option<String>, i64, i64)>> {
    let key = Key::one("work_orders.hold_reason");
    let mut q = key.select(None);
    q.expr_as(Expr::cust("COUNT(*)"), "held")
        .expr_as(Expr::cust(sql::sum("work_orders.hold_minutes")), "minutes")
        .cond_where(done.add(work_order::Column::HoldMinutes.gt(0)));
    let mut out = Vec::new();
    for row in db.query_all(&q).await? {
        let reason: Option<String> = key.read(&row)?;
        let held: i64 = row.try_get("", "held")?;
        let minutes: i64 = row.try_get("", "minutes")?;
        out.push((reason, held, minutes));
    }
    out.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
    Ok(out)
}
