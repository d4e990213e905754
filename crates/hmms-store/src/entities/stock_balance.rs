//! Entity for the `stock_balances` table: what one bin holds of one part, kept by the ledger.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "stock_balances")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    pub part_id: Uuid,
    pub store_id: Uuid,
    pub bin_id: Uuid,
    /// Thousandths of the part's unit.
    pub on_hand: i64,
    pub value_minor: i64,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
