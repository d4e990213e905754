//! Entity for the `stock_outs` table: a part asked for that the bin could not give.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "stock_outs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    pub part_id: Uuid,
    pub store_id: Uuid,
    pub bin_id: Uuid,
    pub work_order_id: Option<Uuid>,
    /// Thousandths of the part's unit asked for.
    pub requested: i64,
    /// Thousandths of the part's unit the bin held when it was refused.
    pub on_hand: i64,
    pub actor_id: Uuid,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
