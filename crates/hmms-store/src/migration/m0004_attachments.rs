//! Files attached to records: photos, documents and signatures, kept in object storage.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("attachments")
                .col(pk_uuid("id"))
                .col(uuid("organization_id"))
                .col(string("entity_type"))
                .col(uuid("entity_id"))
                .col(string("kind"))
                .col(string("content_type"))
                .col(big_integer("size_bytes"))
                .col(string("sha256"))
                .col(string("file_name"))
                .col(string("storage_key"))
                .col(string_null("thumbnail_key"))
                .col(uuid("uploaded_by"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_attachments_uploaded_by")
                        .from("attachments", "uploaded_by")
                        .to("users", "id")
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .take(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_attachments_entity")
                .table("attachments")
                .col("entity_type")
                .col("entity_id")
                .take(),
        )
        .await
    }
}
