//! Entity for the `pm_instances` table: occurrences of a plan on an asset, and how each ended.

use hmms_domain::preventive::compliance::InstanceStatus;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "pm_instances")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    pub site_id: Uuid,
    pub plan_id: Uuid,
    pub asset_id: Uuid,
    pub due_at: DateTimeUtc,
    pub window_end_at: DateTimeUtc,
    /// `calendar` or `meter`.
    pub trigger: String,
    pub meter_value: Option<i64>,
    /// `generated`, `completed_on_time`, `completed_late` or `missed`.
    pub status: InstanceStatus,
    pub work_order_id: Option<Uuid>,
    pub generated_at: DateTimeUtc,
    pub completed_at: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text", nullable)]
    pub miss_reason: Option<String>,
    pub overdue_notified_at: Option<DateTimeUtc>,
    pub escalated_at: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
