//! Requests made without signing in (from a QR code on a wall or a device): who sent how many,
//! for rate limiting.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("public_submissions")
                .col(pk_uuid("id"))
                .col(uuid("organization_id"))
                .col(uuid("site_id"))
                .col(string("ip"))
                .col(uuid_null("work_order_id"))
                .col(timestamp_with_time_zone("created_at"))
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_public_submissions_ip_created_at")
                .table("public_submissions")
                .col("ip")
                .col("created_at")
                .take(),
        )
        .await
    }
}
