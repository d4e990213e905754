//! Background job runs, in-app notifications, and per-site escalation chains.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // `slot` makes a scheduled run unique: the first server to claim a minute runs it.
        m.create_table(
            Table::create()
                .table("job_runs")
                .col(pk_uuid("id"))
                .col(string("job"))
                .col(string("slot"))
                .col(string("status"))
                .col(text("detail"))
                .col(string("instance"))
                .col(timestamp_with_time_zone("started_at"))
                .col(timestamp_with_time_zone_null("finished_at"))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_job_runs_job_slot")
                .table("job_runs")
                .col("job")
                .col("slot")
                .unique()
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_job_runs_started_at")
                .table("job_runs")
                .col("started_at")
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("notifications")
                .col(pk_uuid("id"))
                .col(uuid("organization_id"))
                .col(uuid("user_id"))
                .col(string("kind"))
                .col(string("title"))
                .col(text("body"))
                .col(string_null("entity_type"))
                .col(string_null("entity_id"))
                .col(timestamp_with_time_zone_null("read_at"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_notifications_user_id")
                        .from("notifications", "user_id")
                        .to("users", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_notifications_user_id_id")
                .table("notifications")
                .col("user_id")
                .col("id")
                .take(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("escalation_steps")
                .col(uuid("site_id"))
                .col(integer("level"))
                .col(uuid("organization_id"))
                .col(string("notify"))
                .col(integer("delay_minutes"))
                .primary_key(Index::create().col("site_id").col("level"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_escalation_steps_site_id")
                        .from("escalation_steps", "site_id")
                        .to("sites", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .take(),
        )
        .await?;
        Ok(())
    }
}
