//! Entity for the `work_orders` table.

use hmms_domain::work_orders::{Priority, Status, WorkOrderType};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "work_orders")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    pub site_id: Uuid,
    pub code: String,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub wo_type: WorkOrderType,
    pub priority: Priority,
    pub status: Status,
    pub asset_id: Option<Uuid>,
    pub department_id: Option<Uuid>,
    pub location_id: Option<Uuid>,
    pub requester_id: Uuid,
    pub assignee_id: Option<Uuid>,
    /// The vendor company responsible for the work; its vendor users share it.
    pub vendor_company_id: Option<Uuid>,
    pub sla_response_due_at: DateTimeUtc,
    pub sla_resolution_due_at: DateTimeUtc,
    pub first_response_at: Option<DateTimeUtc>,
    pub started_at: Option<DateTimeUtc>,
    pub completed_at: Option<DateTimeUtc>,
    pub closed_at: Option<DateTimeUtc>,
    pub closed_by: Option<Uuid>,
    pub downtime_minutes: Option<i32>,
    pub resolution_category: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub failure_problem: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub failure_cause: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub failure_remedy: Option<String>,
    pub vendor_cost_minor: i64,
    /// Completion needs a signature attachment.
    pub signature_required: bool,
    #[sea_orm(column_type = "Text", nullable)]
    pub rejection_reason: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub cancellation_reason: Option<String>,
    pub escalation_level: i32,
    /// When the 75% warning went out (once).
    pub sla_warned_at: Option<DateTimeUtc>,
    /// When the breach was detected (once); escalation delays count from here.
    pub sla_breached_at: Option<DateTimeUtc>,
    /// The code of the reason the work last went on hold (kept after it resumes).
    pub hold_reason: Option<String>,
    /// When the work went on hold, while it is on hold.
    pub on_hold_since: Option<DateTimeUtc>,
    /// Minutes spent on hold in holds that have ended.
    pub hold_minutes: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
    /// The preventive-maintenance occurrence this work does.
    pub pm_instance_id: Option<Uuid>,
    /// The work order whose findings (a failed checklist item) this one follows up.
    pub follow_up_of: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
