//! Entity for the `pm_targets` table: where a plan's schedule stands for one asset it covers.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "pm_targets")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    pub plan_id: Uuid,
    pub asset_id: Uuid,
    pub next_due_at: Option<DateTimeUtc>,
    pub generate_at: Option<DateTimeUtc>,
    pub meter_baseline: Option<i64>,
    pub last_completed_at: Option<DateTimeUtc>,
    pub open_instance_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
