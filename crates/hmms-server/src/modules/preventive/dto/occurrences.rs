//! Occurrences, generator runs, the calendar and its feeds, and compliance.

use chrono::{DateTime, Utc};
use hmms_domain::preventive::checklist::{Answer, Outcome};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::checklists::ItemDto;

/// Where an occurrence stands.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum InstanceStatusDto {
    /// Not generated yet (calendar projections only).
    Scheduled,
    /// Its work order exists and is not completed.
    Generated,
    CompletedOnTime,
    CompletedLate,
    Missed,
}

/// One occurrence of a plan on an asset.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InstanceDto {
    pub id: Uuid,
    pub plan_id: Uuid,
    pub plan_name: String,
    pub asset_id: Uuid,
    pub asset_tag: String,
    pub asset_name: String,
    pub site_id: Uuid,
    pub due_at: DateTime<Utc>,
    /// Due date plus the grace window: completed by then is on time.
    pub window_end_at: DateTime<Utc>,
    /// `calendar` or `meter`.
    pub trigger: String,
    pub meter_value: Option<i64>,
    pub status: InstanceStatusDto,
    pub work_order_id: Option<Uuid>,
    pub work_order_code: Option<String>,
    pub generated_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    pub miss_reason: Option<String>,
    pub version: i32,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InstancePage {
    pub items: Vec<InstanceDto>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
pub struct InstanceQuery {
    pub plan_id: Option<Uuid>,
    pub asset_id: Option<Uuid>,
    pub status: Option<InstanceStatusDto>,
    /// Due from (inclusive) / before.
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// Why an occurrence was missed, for the surveyor.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateInstance {
    #[schema(
        example = "Ventilator in continuous use on a patient; PM moved to discharge",
        max_length = 2000
    )]
    pub miss_reason: Option<String>,
    pub version: Option<i32>,
}

/// What a generator run did.
#[derive(Debug, Default, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GeneratorReport {
    /// Occurrences (and work orders) created.
    pub generated: i64,
    /// Of which triggered by a meter.
    pub by_meter: i64,
    /// Assets newly covered by class or model plans.
    pub targets_added: i64,
    /// Open occurrences marked missed because the next one fell due before work started.
    pub missed: i64,
    /// Occurrences another generator had already made (nothing done twice).
    pub already_there: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
pub struct CalendarQuery {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub site_id: Option<Uuid>,
    pub department_id: Option<Uuid>,
    /// Only work assigned to this person (or their vendor company).
    pub assignee_id: Option<Uuid>,
}

/// One entry of the maintenance calendar: a generated occurrence, or one projected from the
/// schedule that has no work order yet.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CalendarEntry {
    /// The occurrence, when generated.
    pub instance_id: Option<Uuid>,
    pub plan_id: Uuid,
    pub plan_name: String,
    pub asset_id: Uuid,
    pub asset_tag: String,
    pub asset_name: String,
    pub due_at: DateTime<Utc>,
    pub status: InstanceStatusDto,
    pub projected: bool,
    pub work_order_id: Option<Uuid>,
    pub estimated_minutes: Option<i32>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CalendarPage {
    pub entries: Vec<CalendarEntry>,
    /// Projections were cut off at this many entries.
    pub truncated: bool,
}

/// Whose work a calendar feed lists.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum FeedScopeDto {
    /// Work assigned to the feed's owner (or their vendor company).
    Mine,
    /// A department's equipment (`scopeId`).
    Department,
    /// A site (`scopeId`).
    Site,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateFeed {
    pub scope: FeedScopeDto,
    pub scope_id: Option<Uuid>,
    #[schema(example = "Biomedical team PM", max_length = 120)]
    pub name: Option<String>,
}

/// A calendar feed; `url` holds its secret and is shown only when it is made.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FeedDto {
    pub id: Uuid,
    pub name: String,
    pub scope: FeedScopeDto,
    pub scope_id: Option<Uuid>,
    /// The address to subscribe to in a calendar app (only in the answer that creates it).
    pub url: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
pub struct ComplianceQuery {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub site_id: Option<Uuid>,
    pub department_id: Option<Uuid>,
    /// `high`, `medium` or `low`.
    pub risk_class: Option<String>,
}

/// Occurrences due in the period and how they stand (see `hmms_domain::preventive::compliance`).
#[derive(Debug, Default, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TallyDto {
    pub scheduled: i64,
    pub completed_on_time: i64,
    pub completed_late: i64,
    pub missed: i64,
    /// Not done and past the grace window.
    pub overdue: i64,
    /// Not done, still inside the window (not counted yet).
    pub open: i64,
    /// On time ÷ (on time + late + missed + overdue), percent; absent when nothing was due.
    pub compliance_percent: Option<f64>,
    /// (On time + late) ÷ the same.
    pub completion_percent: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GroupTally {
    /// The risk class or maintenance strategy.
    pub key: String,
    #[serde(flatten)]
    pub tally: TallyDto,
}

/// An occurrence that was missed, late or is overdue, with its reason.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Exception {
    pub instance_id: Uuid,
    pub plan_name: String,
    pub asset_tag: String,
    pub asset_name: String,
    pub risk_class: String,
    pub life_support: bool,
    pub maintenance_strategy: String,
    pub due_at: DateTime<Utc>,
    pub window_end_at: DateTime<Utc>,
    /// `missed`, `completed_late` or `overdue`.
    pub outcome: String,
    pub completed_at: Option<DateTime<Utc>>,
    pub reason: Option<String>,
    pub work_order_id: Option<Uuid>,
    pub work_order_code: Option<String>,
}

/// Compliance for a period: overall, by risk class and by maintenance strategy, and every
/// exception with its reason (a surveyor's view).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ComplianceReport {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub overall: TallyDto,
    /// High-risk and life-support equipment must be 100%.
    pub high_risk_and_life_support: TallyDto,
    pub by_risk_class: Vec<GroupTally>,
    pub by_strategy: Vec<GroupTally>,
    pub exceptions: Vec<Exception>,
}

/// The checklist of a work order: the version it is done against, the answers so far and what
/// they mean.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChecklistDto {
    pub work_order_id: Uuid,
    pub template_id: Uuid,
    pub template_name: String,
    pub version_number: i32,
    pub items: Vec<ItemDto>,
    pub answers: Vec<AnswerDto>,
    /// Outcome per answered item key: `pass`, `fail`, `not_applicable` or `recorded`.
    pub outcomes: std::collections::BTreeMap<String, String>,
    /// Required items still to answer.
    pub missing: Vec<String>,
    /// Items that failed.
    pub failed: Vec<String>,
    /// `pending`, `passed` or `failed`.
    pub result: String,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

/// An answer to one item.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AnswerDto {
    pub key: String,
    /// `pass`, `fail` or `na`.
    pub result: Option<String>,
    pub value: Option<f64>,
    pub text: Option<String>,
    /// For photo and signature items: an attachment of this work order.
    pub attachment_id: Option<Uuid>,
}

impl From<AnswerDto> for Answer {
    fn from(a: AnswerDto) -> Self {
        Answer {
            key: a.key,
            result: a.result,
            value: a.value,
            text: a.text,
            attachment_id: a.attachment_id,
        }
    }
}

impl From<Answer> for AnswerDto {
    fn from(a: Answer) -> Self {
        AnswerDto {
            key: a.key,
            result: a.result,
            value: a.value,
            text: a.text,
            attachment_id: a.attachment_id,
        }
    }
}

/// The answers so far (they replace the previous ones).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SaveChecklist {
    pub answers: Vec<AnswerDto>,
    pub version: Option<i32>,
}

pub fn outcome_key(o: Outcome) -> &'static str {
    match o {
        Outcome::Pass => "pass",
        Outcome::Fail => "fail",
        Outcome::NotApplicable => "not_applicable",
        Outcome::Recorded => "recorded",
    }
}
