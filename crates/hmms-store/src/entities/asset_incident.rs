//! Entity for the `asset_incidents` table: equipment-related incidents.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "asset_incidents")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    pub asset_id: Uuid,
    pub occurred_at: DateTimeUtc,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub patient_harm: bool,
    pub staff_harm: bool,
    pub reported_externally: bool,
    pub external_reference: Option<String>,
    pub work_order_id: Option<Uuid>,
    pub reported_by: Uuid,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
