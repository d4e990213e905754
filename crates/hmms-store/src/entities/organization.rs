//! Entity for the `organizations` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "organizations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    pub currency: String,
    /// Cost of an hour of in-house labour, in the currency's minor unit.
    pub labour_rate_minor: i64,
    /// Repairs costing more than this share (%) of a replacement flag an asset for replacing.
    pub repair_replace_percent: i32,
    /// Why work may wait: a JSON list of `{code, name, active}` (`hmms_domain::holds`).
    pub hold_reasons: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
