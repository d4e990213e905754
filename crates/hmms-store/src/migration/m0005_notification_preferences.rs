//! Per-person choices of which notifications to receive.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("notification_preferences")
                .col(uuid("user_id"))
                .col(string("kind"))
                .col(uuid("organization_id"))
                .col(boolean("in_app"))
                .col(timestamp_with_time_zone("updated_at"))
                .primary_key(Index::create().col("user_id").col("kind"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_notification_preferences_user_id")
                        .from("notification_preferences", "user_id")
                        .to("users", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .take(),
        )
        .await
    }
}
