//! Why work waits: each organization keeps its list of hold reasons (awaiting parts, vendor,
//! access, funds… as JSON on the organization, edited by its administrators), a work order put on
//! hold names one, and the time it spends on hold is added up as it leaves hold, so reports can
//! give the reasons for delay and how long each held the work.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The list every organization starts with (and existing ones get).
const DEFAULT_HOLD_REASONS: &str = r#"[{"code":"awaiting_parts","name":"Awaiting parts","active":true},{"code":"awaiting_vendor","name":"Awaiting vendor","active":true},{"code":"awaiting_access","name":"Awaiting access","active":true},{"code":"awaiting_funds","name":"Awaiting funds","active":true}]"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one thing at a time.
        m.alter_table(
            Table::alter()
                .table("organizations")
                .add_column(text("hold_reasons").default(DEFAULT_HOLD_REASONS))
                .take(),
        )
        .await?;
        for mut column in [
            string_len_null("hold_reason", 40),
            timestamp_with_time_zone_null("on_hold_since"),
            big_integer("hold_minutes").default(0).take(),
        ] {
            m.alter_table(
                Table::alter()
                    .table("work_orders")
                    .add_column(&mut column)
                    .take(),
            )
            .await?;
        }
        backfill(m.get_connection()).await
    }
}

/// Sets each work order's time on hold from its history: work on hold now has been since its last
/// step onto hold, and each step onto hold that ended lasted until the work order's next step.
/// Public so a test can check it against the times the server counts as work moves.
pub async fn backfill(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    let minutes = match db.get_database_backend() {
        sea_orm::DatabaseBackend::Postgres => {
            "FLOOR(EXTRACT(EPOCH FROM (next_at - created_at)) / 60)::BIGINT"
        }
        // Rounded to the millisecond first: julianday is a float, 1974 minutes can read 1973.99.
        _ => {
            "CAST(ROUND((julianday(next_at) - julianday(created_at)) * 86400000) / 60000 AS INTEGER)"
        }
    };
    db.execute_unprepared(
        "UPDATE work_orders SET on_hold_since = (SELECT MAX(h.created_at) FROM work_order_history h \
         WHERE h.work_order_id = work_orders.id AND h.to_status = 'on_hold') \
         WHERE status = 'on_hold'",
    )
    .await?;
    db.execute_unprepared(&format!(
        "WITH steps AS (SELECT work_order_id, to_status, created_at, \
           LEAD(created_at) OVER (PARTITION BY work_order_id ORDER BY created_at, id) AS next_at \
           FROM work_order_history WHERE to_status IS NOT NULL), \
         held AS (SELECT work_order_id, SUM({minutes}) AS minutes FROM steps \
           WHERE to_status = 'on_hold' AND next_at IS NOT NULL GROUP BY work_order_id) \
         UPDATE work_orders SET hold_minutes = held.minutes FROM held \
         WHERE held.work_order_id = work_orders.id"
    ))
    .await?;
    Ok(())
}
