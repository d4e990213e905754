//! Plans: what is maintained, how often, and the schedule preview.

use chrono::{DateTime, NaiveDateTime, Utc};
use hmms_domain::preventive::schedule::{Frequency, Mode, Recurrence};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::modules::work_orders::PriorityDto;

/// How often: one of the simple frequencies, or an RFC 5545 rule.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RecurrenceDto {
    /// `daily`, `weekly`, `monthly` or `yearly` with `interval`; or absent with `rule`.
    pub frequency: Option<FrequencyDto>,
    /// Every `interval` days, weeks, months or years (1–1000).
    pub interval: Option<u32>,
    /// An RFC 5545 RRULE instead, e.g. `FREQ=MONTHLY;INTERVAL=6;BYDAY=1MO` (no COUNT/UNTIL).
    #[schema(example = "FREQ=MONTHLY;INTERVAL=6;BYDAY=1MO")]
    pub rule: Option<String>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FrequencyDto {
    Daily,
    Weekly,
    Monthly,
    Yearly,
}

impl From<FrequencyDto> for Frequency {
    fn from(f: FrequencyDto) -> Self {
        match f {
            FrequencyDto::Daily => Frequency::Daily,
            FrequencyDto::Weekly => Frequency::Weekly,
            FrequencyDto::Monthly => Frequency::Monthly,
            FrequencyDto::Yearly => Frequency::Yearly,
        }
    }
}

impl From<Frequency> for FrequencyDto {
    fn from(f: Frequency) -> Self {
        match f {
            Frequency::Daily => FrequencyDto::Daily,
            Frequency::Weekly => FrequencyDto::Weekly,
            Frequency::Monthly => FrequencyDto::Monthly,
            Frequency::Yearly => FrequencyDto::Yearly,
        }
    }
}

impl From<Recurrence> for RecurrenceDto {
    fn from(r: Recurrence) -> Self {
        match r {
            Recurrence::Simple {
                frequency,
                interval,
            } => RecurrenceDto {
                frequency: Some(frequency.into()),
                interval: Some(interval),
                rule: None,
            },
            Recurrence::Rule { rule } => RecurrenceDto {
                frequency: None,
                interval: None,
                rule: Some(rule),
            },
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ModeDto {
    /// Due on the calendar's dates whatever happened before.
    Fixed,
    /// The next one counts from when the last was completed.
    Floating,
}

impl From<ModeDto> for Mode {
    fn from(m: ModeDto) -> Self {
        match m {
            ModeDto::Fixed => Mode::Fixed,
            ModeDto::Floating => Mode::Floating,
        }
    }
}

/// What a plan covers.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum TargetKindDto {
    /// One asset (`assetId`).
    Asset,
    /// Every asset of an equipment class and its subclasses (`classId`), also ones added later.
    Class,
    /// Every asset of a make and model (`make`, `model`), also ones added later.
    Model,
}

/// A spare part the work usually needs.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RequiredPart {
    #[schema(example = "Oxygen cell OM-25", max_length = 200)]
    pub description: String,
    #[schema(minimum = 1)]
    pub quantity: i64,
}

/// A preventive maintenance plan.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PlanDto {
    pub id: Uuid,
    pub site_id: Uuid,
    pub name: String,
    /// What to do (the work order's description).
    pub task: String,
    pub target_kind: TargetKindDto,
    pub asset_id: Option<Uuid>,
    pub class_id: Option<Uuid>,
    pub make: Option<String>,
    pub model: Option<String>,
    pub checklist_template_id: Option<Uuid>,
    pub recurrence: Option<RecurrenceDto>,
    /// The RRULE the recurrence means (for a simple frequency, derived from the start).
    pub rule: Option<String>,
    /// The first occurrence, in the site's time zone (a local date and time, no offset).
    #[schema(value_type = Option<String>, pattern = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$", example = "2027-01-04T09:00:00")]
    pub start_local: Option<NaiveDateTime>,
    /// Meter trigger: the asset meter's name, and work every `meterEvery` of its unit.
    pub meter_name: Option<String>,
    pub meter_every: Option<i64>,
    pub mode: ModeDto,
    /// Work orders are generated this many days before the due date.
    pub lead_days: i32,
    /// Completed within this many days after the due date counts as on time.
    pub grace_days: i32,
    pub assignee_id: Option<Uuid>,
    pub vendor_company_id: Option<Uuid>,
    pub priority: PriorityDto,
    pub estimated_minutes: Option<i32>,
    pub required_parts: Vec<RequiredPart>,
    pub signature_required: bool,
    /// A failed checklist item opens a corrective work order on completion.
    pub corrective_on_failure: bool,
    pub active: bool,
    pub paused_reason: Option<String>,
    /// The site's time zone, in which due dates are computed.
    pub time_zone: String,
    /// How many assets the plan covers now.
    pub asset_count: i64,
    /// The soonest upcoming due date among them, if any.
    pub next_due_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PlanPage {
    pub items: Vec<PlanDto>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
pub struct PlanQuery {
    pub site_id: Option<Uuid>,
    /// Plans covering this asset (directly, by class or by model).
    pub asset_id: Option<Uuid>,
    pub active: Option<bool>,
    /// Text in the name or task.
    pub q: Option<String>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// A new plan. Give a `recurrence` with `startLocal`, a meter trigger, or both (whichever comes
/// first; the calendar then counts from the last completion).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreatePlan {
    pub site_id: Uuid,
    #[schema(
        example = "Ventilator six-monthly PM",
        min_length = 1,
        max_length = 160
    )]
    pub name: String,
    #[schema(max_length = 10000)]
    pub task: Option<String>,
    pub target_kind: TargetKindDto,
    pub asset_id: Option<Uuid>,
    pub class_id: Option<Uuid>,
    pub make: Option<String>,
    pub model: Option<String>,
    pub checklist_template_id: Option<Uuid>,
    pub recurrence: Option<RecurrenceDto>,
    /// Local date and time of the first occurrence in the site's zone, e.g. `2027-01-04T09:00:00`.
    #[schema(value_type = Option<String>, pattern = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$", example = "2027-01-04T09:00:00")]
    pub start_local: Option<NaiveDateTime>,
    pub meter_name: Option<String>,
    #[schema(minimum = 1)]
    pub meter_every: Option<i64>,
    pub mode: Option<ModeDto>,
    #[schema(minimum = 0, maximum = 365)]
    pub lead_days: Option<i32>,
    #[schema(minimum = 0, maximum = 365)]
    pub grace_days: Option<i32>,
    pub assignee_id: Option<Uuid>,
    pub vendor_company_id: Option<Uuid>,
    pub priority: Option<PriorityDto>,
    #[schema(minimum = 1, maximum = 100000)]
    pub estimated_minutes: Option<i32>,
    pub required_parts: Option<Vec<RequiredPart>>,
    pub signature_required: Option<bool>,
    pub corrective_on_failure: Option<bool>,
}

/// Changes to a plan. Schedule changes take effect from the next occurrence not yet generated.
/// `active: false` pauses it (give `pausedReason`); `true` resumes it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdatePlan {
    pub name: Option<String>,
    pub task: Option<String>,
    pub checklist_template_id: Option<Uuid>,
    pub recurrence: Option<RecurrenceDto>,
    /// Local date and time of the first occurrence in the site's zone (no offset).
    #[schema(value_type = Option<String>, pattern = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$", example = "2027-01-04T09:00:00")]
    pub start_local: Option<NaiveDateTime>,
    pub meter_name: Option<String>,
    pub meter_every: Option<i64>,
    pub mode: Option<ModeDto>,
    pub lead_days: Option<i32>,
    pub grace_days: Option<i32>,
    pub assignee_id: Option<Uuid>,
    pub vendor_company_id: Option<Uuid>,
    pub priority: Option<PriorityDto>,
    pub estimated_minutes: Option<i32>,
    pub required_parts: Option<Vec<RequiredPart>>,
    pub signature_required: Option<bool>,
    pub corrective_on_failure: Option<bool>,
    pub active: Option<bool>,
    pub paused_reason: Option<String>,
    pub version: Option<i32>,
}

/// The next occurrences a schedule would give (the plan editor's preview).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SchedulePreviewRequest {
    pub recurrence: RecurrenceDto,
    /// Local date and time of the first occurrence in the site's zone (no offset).
    #[schema(value_type = String, pattern = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$", example = "2027-01-04T09:00:00")]
    pub start_local: NaiveDateTime,
    /// The site whose time zone applies.
    pub site_id: Uuid,
    #[schema(minimum = 1, maximum = 50)]
    pub count: Option<usize>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SchedulePreview {
    /// The RRULE used.
    pub rule: String,
    pub time_zone: String,
    pub occurrences: Vec<Occurrence>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Occurrence {
    pub at: DateTime<Utc>,
    /// The same moment on the site's clock (a local date and time, no offset).
    #[schema(value_type = String, example = "2027-01-04T09:00:00")]
    pub local: NaiveDateTime,
}
