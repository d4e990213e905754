//! Entity for the `pm_plans` table: preventive maintenance plans.

use hmms_domain::work_orders::Priority;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "pm_plans")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    pub site_id: Uuid,
    pub name: String,
    #[sea_orm(column_type = "Text")]
    pub task: String,
    /// `asset`, `class` or `model`.
    pub target_kind: String,
    pub asset_id: Option<Uuid>,
    pub class_id: Option<Uuid>,
    pub make: Option<String>,
    pub model: Option<String>,
    pub checklist_template_id: Option<Uuid>,
    /// JSON `hmms_domain::preventive::schedule::Recurrence`.
    #[sea_orm(column_type = "Text", nullable)]
    pub recurrence: Option<String>,
    /// Local start in the site's zone, `YYYY-MM-DDTHH:MM:SS`.
    pub start_local: Option<String>,
    pub meter_name: Option<String>,
    pub meter_every: Option<i64>,
    /// `fixed` or `floating`.
    pub mode: String,
    pub lead_days: i32,
    pub grace_days: i32,
    pub assignee_id: Option<Uuid>,
    pub vendor_company_id: Option<Uuid>,
    pub priority: Priority,
    pub estimated_minutes: Option<i32>,
    /// JSON array of `{description, quantity}`.
    #[sea_orm(column_type = "Text")]
    pub required_parts: String,
    pub signature_required: bool,
    pub corrective_on_failure: bool,
    pub active: bool,
    #[sea_orm(column_type = "Text", nullable)]
    pub paused_reason: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
