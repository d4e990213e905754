//! Web Push subscriptions: where each person's browsers and phones receive pushes.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("push_subscriptions")
                .col(pk_uuid("id"))
                .col(uuid("organization_id"))
                .col(uuid("user_id"))
                .col(text("endpoint"))
                // SHA-256 of the endpoint: unique, and short enough to index anywhere.
                .col(string("endpoint_hash").unique_key())
                .col(string("p256dh"))
                .col(string("auth"))
                .col(string_null("user_agent"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("last_success_at"))
                .col(integer("failures").default(0))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_push_subscriptions_user")
                        .from("push_subscriptions", "user_id")
                        .to("users", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_push_subscriptions_user")
                .table("push_subscriptions")
                .col("user_id")
                .take(),
        )
        .await
    }
}
