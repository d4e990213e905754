//! Entity for the `stock_levels` table: reorder point and maximum of a part in a store.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "stock_levels")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    pub part_id: Uuid,
    pub store_id: Uuid,
    /// Thousandths of the part's unit.
    pub reorder_point: i64,
    pub maximum: i64,
    pub lead_time_days: Option<i32>,
    /// At or below the reorder point since the last crossing.
    pub low: bool,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
