//! Entity for the `recalls` table: recalls and field safety notices.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "recalls")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    pub reference: String,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub make: String,
    pub model: String,
    pub serial_from: Option<String>,
    pub serial_to: Option<String>,
    pub issued_on: Date,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
