//! Entity for the `domain_events` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "domain_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Equal to the audit entry's `seq`: events are read in this order.
    pub seq: i64,
    pub organization_id: Option<Uuid>,
    pub event_type: String,
    pub entity_type: String,
    pub entity_id: Option<String>,
    pub actor_id: Option<Uuid>,
    #[sea_orm(column_type = "Text")]
    pub payload: String,
    pub request_id: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
