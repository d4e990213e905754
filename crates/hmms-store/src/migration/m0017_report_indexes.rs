//! Indexes for reports: the figures of a period read the work completed or reported in it, and
//! the hours logged in it, within an organization or a site. Without them every report read the
//! whole work-order table (a million rows in a large hospital group).
//! Also: the few status changes that sent work back from completed.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (table, cols) in [
            (
                "work_orders",
                ["organization_id", "completed_at"].as_slice(),
            ),
            ("work_orders", &["site_id", "completed_at"]),
            ("work_orders", &["organization_id", "created_at"]),
            ("work_orders", &["site_id", "created_at"]),
            ("work_order_time_logs", &["started_at"]),
        ] {
            let mut i = Index::create();
            i.name(format!("ix_{table}_{}", cols.join("_")))
                .table(table);
            for c in cols {
                i.col(*c);
            }
            m.create_index(i.take()).await?;
        }
        // Work sent back from completed (not fixed the first time) is rare: a partial index holds
        // just those history rows, so a report reads them without scanning every status change.
        m.get_connection()
            .execute_unprepared(
                "CREATE INDEX ix_work_order_history_sent_back ON work_order_history (work_order_id) \
                 WHERE from_status = 'completed' AND to_status <> 'closed'",
            )
            .await?;
        Ok(())
    }
}
