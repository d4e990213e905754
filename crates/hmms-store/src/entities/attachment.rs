//! Entity for the `attachments` table.

use hmms_domain::files::AttachmentKind;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "attachments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    pub entity_type: String,
    pub entity_id: Uuid,
    pub kind: AttachmentKind,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub file_name: String,
    pub storage_key: String,
    pub thumbnail_key: Option<String>,
    pub uploaded_by: Uuid,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
