//! Entity for the `recall_assets` table: an asset a recall affects, and its work order.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "recall_assets")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub recall_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub asset_id: Uuid,
    pub work_order_id: Uuid,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
