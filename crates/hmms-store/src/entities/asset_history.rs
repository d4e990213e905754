//! Entity for the `asset_history` table: registration, status steps, moves and edits.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "asset_history")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    pub asset_id: Uuid,
    /// `registered`, `status`, `moved` or `updated`.
    pub kind: String,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    /// JSON.
    #[sea_orm(column_type = "Text")]
    pub detail: String,
    pub actor_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
