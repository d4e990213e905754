//! Wire types of the work-orders module.

use chrono::{DateTime, Utc};
use hmms_domain::work_orders::{Priority, Status, WorkOrderType};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::modules::double_option;

/// Where a work order is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StatusDto {
    Pending,
    Assigned,
    InProgress,
    OnHold,
    Completed,
    Closed,
    Cancelled,
}

/// How urgent the work is; sets the SLA.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PriorityDto {
    Low,
    Medium,
    High,
    Critical,
}

/// What kind of work it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TypeDto {
    Corrective,
    Preventive,
    Inspection,
    Calibration,
    SafetyTest,
    Installation,
}

macro_rules! mirror {
    ($dto:ident, $domain:ident, [$($v:ident),*]) => {
        impl From<$domain> for $dto {
            fn from(v: $domain) -> Self {
                match v { $($domain::$v => $dto::$v),* }
            }
        }
        impl From<$dto> for $domain {
            fn from(v: $dto) -> Self {
                match v { $($dto::$v => $domain::$v),* }
            }
        }
    };
}

mirror!(
    StatusDto,
    Status,
    [
        Pending, Assigned, InProgress, OnHold, Completed, Closed, Cancelled
    ]
);
mirror!(PriorityDto, Priority, [Low, Medium, High, Critical]);
mirror!(
    TypeDto,
    WorkOrderType,
    [
        Corrective,
        Preventive,
        Inspection,
        Calibration,
        SafetyTest,
        Installation
    ]
);

/// What a work order's ids are called, so that whoever may read the work order can tell who
/// and what it is about without reading the user or asset registry.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkOrderNames {
    pub requester: Option<String>,
    pub assignee: Option<String>,
    pub vendor_company: Option<String>,
    pub department: Option<String>,
    pub location: Option<String>,
    /// e.g. `Infusion pump SMGH-ICU-INFPUMP-003`.
    pub asset: Option<String>,
    pub closed_by: Option<String>,
    /// The hold reason's name (`Awaiting parts`).
    pub hold_reason: Option<String>,
}

/// The resolution clock: running (on track or at risk), breached, or met.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SlaStatusDto {
    OnTrack,
    /// 75% or more of the resolution time is used.
    AtRisk,
    Breached,
    /// Completed within the resolution time.
    Met,
}

/// A work order as its reader sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkOrderDto {
    pub id: Uuid,
    /// Per site and year, e.g. `WO-2026-000123`.
    pub code: String,
    pub site_id: Uuid,
    pub title: String,
    pub description: String,
    #[serde(rename = "type")]
    pub wo_type: TypeDto,
    pub priority: PriorityDto,
    pub status: StatusDto,
    pub asset_id: Option<Uuid>,
    pub department_id: Option<Uuid>,
    pub location_id: Option<Uuid>,
    pub requester_id: Uuid,
    /// The technician or vendor user doing the work.
    pub assignee_id: Option<Uuid>,
    /// The vendor company responsible for the work; any of its vendor users may do it.
    pub vendor_company_id: Option<Uuid>,
    pub sla_response_due_at: DateTime<Utc>,
    pub sla_resolution_due_at: DateTime<Utc>,
    pub sla_status: SlaStatusDto,
    pub first_response_at: Option<DateTime<Utc>>,
    pub started_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub closed_by: Option<Uuid>,
    pub downtime_minutes: Option<i32>,
    pub resolution_category: Option<String>,
    pub failure_problem: Option<String>,
    pub failure_cause: Option<String>,
    pub failure_remedy: Option<String>,
    /// Why the last completion was sent back, if it was.
    pub rejection_reason: Option<String>,
    /// Why the request was declined or the work cancelled.
    pub cancellation_reason: Option<String>,
    pub escalation_level: i32,
    /// Why the work last went on hold: a hold reason's code (kept after it resumes).
    pub hold_reason: Option<String>,
    /// When the work went on hold, while it is on hold.
    pub on_hold_since: Option<DateTime<Utc>>,
    /// Minutes on hold so far, the current hold included.
    pub hold_minutes: i64,
    /// Minutes of logged work (finished time logs).
    pub labour_minutes: i64,
    /// Vendor invoice, in the organization currency's minor unit.
    pub vendor_cost_minor: i64,
    /// Labour minutes at the organization's hourly rate, minor units.
    pub labour_cost_minor: i64,
    /// Spare parts used (quantity × unit cost of each part line), minor units.
    pub parts_cost_minor: i64,
    /// Labour + parts + vendor, minor units.
    pub total_cost_minor: i64,
    /// Completion needs a signature attachment.
    pub signature_required: bool,
    /// The preventive-maintenance occurrence this work does (`/preventive/instances`).
    pub pm_instance_id: Option<Uuid>,
    /// The work order whose failed checks this corrective work follows up.
    pub follow_up_of: Option<Uuid>,
    /// The status changes you may make now.
    pub allowed_transitions: Vec<StatusDto>,
    /// Names of the people, places and equipment the ids above refer to, for display (absent
    /// in live events).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub names: Option<WorkOrderNames>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkOrderPage {
    pub items: Vec<WorkOrderDto>,
    pub next_cursor: Option<String>,
}

/// Filters, sort and paging for `GET /work-orders`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
pub struct WorkOrderQuery {
    pub status: Option<StatusDto>,
    pub priority: Option<PriorityDto>,
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub wo_type: Option<TypeDto>,
    pub site_id: Option<Uuid>,
    pub department_id: Option<Uuid>,
    /// Assignee user id.
    pub assigned_to: Option<Uuid>,
    pub vendor_company_id: Option<Uuid>,
    pub asset_id: Option<Uuid>,
    pub location_id: Option<Uuid>,
    /// Only open work (not completed, closed or cancelled).
    pub open: Option<bool>,
    /// Only work whose resolution clock reads this now (as `slaStatus` on each work order:
    /// `at_risk` — open with 75 % or more of its time used; `breached` — open past its deadline
    /// or completed after it; `on_track`; `met`).
    pub sla_status: Option<SlaStatusDto>,
    /// Only work that has been on hold (`true`), or never was (`false`).
    pub held: Option<bool>,
    /// Only work that last waited for this hold reason (its code).
    #[param(max_length = 40)]
    pub hold_reason: Option<String>,
    /// Text in the code, title or description.
    pub q: Option<String>,
    pub created_from: Option<DateTime<Utc>>,
    pub created_to: Option<DateTime<Utc>>,
    /// Completed from / before (what a report's repair and SLA figures count).
    pub completed_from: Option<DateTime<Utc>>,
    pub completed_to: Option<DateTime<Utc>>,
    /// Resolution deadline from / before.
    pub due_from: Option<DateTime<Utc>>,
    pub due_to: Option<DateTime<Utc>>,
    /// `-createdAt` (default), `createdAt`, `dueAt` or `-dueAt`.
    pub sort: Option<String>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// A request for maintenance, or (with `work_order.create`) a work order ready to assign.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateWorkOrder {
    #[schema(
        min_length = 1,
        max_length = 200,
        example = "Infusion pump alarms continuously"
    )]
    pub title: String,
    #[schema(max_length = 10000)]
    pub description: Option<String>,
    #[serde(rename = "type")]
    pub wo_type: Option<TypeDto>,
    pub priority: Option<PriorityDto>,
    /// Defaults to the department's or location's site, then to yours.
    pub site_id: Option<Uuid>,
    /// Defaults to your department.
    pub department_id: Option<Uuid>,
    pub location_id: Option<Uuid>,
    pub asset_id: Option<Uuid>,
    /// Assign at once (needs `work_order.assign`).
    pub assignee_id: Option<Uuid>,
    /// Assign at once to a vendor company (needs `work_order.assign`); with `assigneeId`, that
    /// person must work for the company.
    pub vendor_company_id: Option<Uuid>,
    /// Completion will need a signature (needs `work_order.create`).
    pub signature_required: Option<bool>,
}

/// Changes to a work order: fields, assignment, or a status step.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateWorkOrder {
    #[schema(min_length = 1, max_length = 200)]
    pub title: Option<String>,
    #[schema(max_length = 10000)]
    pub description: Option<String>,
    #[serde(rename = "type")]
    pub wo_type: Option<TypeDto>,
    /// Changing the priority recomputes the SLA deadlines from when the work was raised.
    pub priority: Option<PriorityDto>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Uuid>)]
    pub department_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Uuid>)]
    pub location_id: Option<Option<Uuid>>,
    /// Assign or re-assign to a person (a pending work order becomes assigned). A vendor user
    /// brings their company along.
    pub assignee_id: Option<Uuid>,
    /// Assign or re-assign to a vendor company, whose vendor users then share the work.
    pub vendor_company_id: Option<Uuid>,
    /// A status step: `in_progress`, `on_hold`, `cancelled`… (see `allowedTransitions`).
    pub status: Option<StatusDto>,
    /// Why: required when declining (cancelling) someone else's request; the requester is told.
    #[schema(max_length = 2000)]
    pub reason: Option<String>,
    /// Required with `status: on_hold`: the code of one of the organization's active hold
    /// reasons (`GET /organization`, `holdReasons`), e.g. `awaiting_parts`.
    #[schema(max_length = 40, example = "awaiting_parts")]
    pub hold_reason: Option<String>,
    #[schema(minimum = 0)]
    pub vendor_cost_minor: Option<i64>,
    /// Whether completion needs a signature attachment.
    pub signature_required: Option<bool>,
    pub version: Option<i32>,
}

/// Completion report by the person who did the work.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CompleteWorkOrder {
    /// e.g. `repaired`, `replaced_part`, `no_fault_found`, `referred_to_vendor`.
    #[schema(min_length = 1, max_length = 80, example = "repaired")]
    pub resolution_category: String,
    #[schema(max_length = 2000)]
    pub failure_problem: Option<String>,
    #[schema(max_length = 2000)]
    pub failure_cause: Option<String>,
    #[schema(max_length = 2000)]
    pub failure_remedy: Option<String>,
    /// Minutes the equipment was out of use.
    #[schema(minimum = 0)]
    pub downtime_minutes: Option<i32>,
    pub version: Option<i32>,
}

/// Approval of a completed work order, closing it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ApproveClose {
    pub version: Option<i32>,
}

/// Sending a completed work order back to work.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RejectCompletion {
    /// What is still wrong; the assignee sees it.
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
    pub version: Option<i32>,
}

/// A spare part used on a work order.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PartDto {
    pub id: Uuid,
    pub description: String,
    pub part_number: Option<String>,
    pub quantity: i32,
    /// Cost of one, in the organization currency's minor unit.
    pub unit_cost_minor: i64,
    /// Quantity × unit cost.
    pub total_cost_minor: i64,
    pub added_by: Uuid,
    pub created_at: DateTime<Utc>,
}

/// The parts used on a work order, with their total cost.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PartList {
    pub items: Vec<PartDto>,
    pub total_cost_minor: i64,
}

/// Recording a part used.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreatePart {
    #[schema(
        min_length = 1,
        max_length = 200,
        example = "Occlusion sensor, infusion pump"
    )]
    pub description: String,
    #[schema(max_length = 80, example = "BD-8015-OS")]
    pub part_number: Option<String>,
    #[schema(minimum = 1, maximum = 100000)]
    pub quantity: i32,
    /// Cost of one, in the organization currency's minor unit.
    #[schema(minimum = 0, maximum = 1000000000000_i64)]
    pub unit_cost_minor: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NoteDto {
    pub id: Uuid,
    pub author_id: Uuid,
    pub author_name: Option<String>,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateNote {
    #[schema(min_length = 1, max_length = 10000)]
    pub body: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TimeLogDto {
    pub id: Uuid,
    pub user_id: Uuid,
    pub user_name: Option<String>,
    pub started_at: DateTime<Utc>,
    /// Absent while the timer runs.
    pub ended_at: Option<DateTime<Utc>>,
    pub minutes: Option<i32>,
    pub note: Option<String>,
}

/// A manual time entry: either `startedAt` and `endedAt`, or `minutes` ending now.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateTimeLog {
    pub started_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    #[schema(minimum = 1, maximum = 1440)]
    pub minutes: Option<i32>,
    #[schema(max_length = 2000)]
    pub note: Option<String>,
}

/// Time logged on a work order.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TimeLogList {
    pub items: Vec<TimeLogDto>,
    /// Finished entries only.
    pub total_minutes: i64,
}

/// One line of a work order's history.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HistoryEntryDto {
    pub id: Uuid,
    /// `created`, `status`, `assigned`, `updated`, `note`, `time_log`.
    pub kind: String,
    pub actor_id: Option<Uuid>,
    /// Absent for what HMMS did itself (the SLA checker, a QR-code report).
    pub actor_name: Option<String>,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub detail: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

/// Response and resolution times for one priority at one site.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SlaPolicyDto {
    pub priority: PriorityDto,
    #[schema(minimum = 1)]
    pub response_minutes: i64,
    #[schema(minimum = 1)]
    pub resolution_minutes: i64,
}
