//! Entity for the `stock_entries` table: the stock ledger. Entries are never changed or
//! deleted (the database refuses it); a mistake is reversed by a new entry.

use hmms_domain::stock::MovementKind;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "stock_entries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    /// The movement the entry belongs to: a transfer's two legs share it.
    pub movement_id: Uuid,
    pub part_id: Uuid,
    pub store_id: Uuid,
    pub bin_id: Uuid,
    pub kind: MovementKind,
    /// Signed thousandths of the part's unit: negative when stock leaves the bin.
    pub quantity: i64,
    /// Signed value in minor units.
    pub value_minor: i64,
    pub unit_cost_minor: Option<i64>,
    pub on_hand_after: i64,
    pub value_after: i64,
    pub work_order_id: Option<Uuid>,
    pub reverses_id: Option<Uuid>,
    pub reason: Option<String>,
    pub reference: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub note: Option<String>,
    pub actor_id: Uuid,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
