//! What `/preventive/…` and `/work-orders/{id}/checklist` take and answer.

use chrono::{DateTime, NaiveDateTime, Utc};
use hmms_domain::preventive::checklist::{Answer, Item, ItemKind, Outcome};
use hmms_domain::preventive::schedule::{Frequency, Mode, Recurrence};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::modules::work_orders::PriorityDto;

/// What a checklist item asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ItemKindDto {
    /// Pass or fail (or not applicable where allowed).
    PassFail,
    /// A measured value with a unit; outside `min`..`max` it fails.
    Number,
    Text,
    /// A photo must be attached.
    Photo,
    /// A signature must be captured.
    Signature,
}

impl From<ItemKindDto> for ItemKind {
    fn from(k: ItemKindDto) -> Self {
        match k {
            ItemKindDto::PassFail => ItemKind::PassFail,
            ItemKindDto::Number => ItemKind::Number,
            ItemKindDto::Text => ItemKind::Text,
            ItemKindDto::Photo => ItemKind::Photo,
            ItemKindDto::Signature => ItemKind::Signature,
        }
    }
}

impl From<ItemKind> for ItemKindDto {
    fn from(k: ItemKind) -> Self {
        match k {
            ItemKind::PassFail => ItemKindDto::PassFail,
            ItemKind::Number => ItemKindDto::Number,
            ItemKind::Text => ItemKindDto::Text,
            ItemKind::Photo => ItemKindDto::Photo,
            ItemKind::Signature => ItemKindDto::Signature,
        }
    }
}

/// One item of a checklist.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ItemDto {
    /// Stable across versions; ties answers to the item. Letters, digits, `-` and `_`.
    #[schema(example = "earth-resistance", max_length = 64)]
    pub key: String,
    #[schema(example = "Protective earth resistance", max_length = 300)]
    pub label: String,
    pub kind: ItemKindDto,
    /// Must be answered before the work can be completed (default true).
    #[serde(default = "yes")]
    pub required: bool,
    /// Pass/fail items: "not applicable" may be answered.
    #[serde(default)]
    pub allow_na: bool,
    /// Number items: e.g. `Ω`.
    #[serde(default)]
    pub unit: Option<String>,
    /// Number items: lowest acceptable value (inclusive).
    #[serde(default)]
    pub min: Option<f64>,
    /// Number items: highest acceptable value (inclusive).
    #[serde(default)]
    pub max: Option<f64>,
    #[serde(default)]
    pub guidance: Option<String>,
}

fn yes() -> bool {
    true
}

impl From<ItemDto> for Item {
    fn from(i: ItemDto) -> Self {
        Item {
            key: i.key.trim().to_string(),
            label: i.label.trim().to_string(),
            kind: i.kind.into(),
            required: i.required,
            allow_na: i.allow_na,
            unit: i
                .unit
                .map(|u| u.trim().to_string())
                .filter(|u| !u.is_empty()),
            min: i.min,
            max: i.max,
            guidance: i
                .guidance
                .map(|g| g.trim().to_string())
                .filter(|g| !g.is_empty()),
        }
    }
}

impl From<Item> for ItemDto {
    fn from(i: Item) -> Self {
        ItemDto {
            key: i.key,
            label: i.label,
            kind: i.kind.into(),
            required: i.required,
            allow_na: i.allow_na,
            unit: i.unit,
            min: i.min,
            max: i.max,
            guidance: i.guidance,
        }
    }
}

/// A checklist template and its current items.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TemplateDto {
    pub id: Uuid,
    pub name: String,
    pub description: Option<String>,
    /// The version new work gets; editing the items makes a new one.
    pub current_version: i32,
    pub items: Vec<ItemDto>,
    /// Every version, newest first.
    pub versions: Vec<TemplateVersionDto>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TemplateVersionDto {
    pub id: Uuid,
    pub number: i32,
    pub item_count: usize,
    pub created_at: DateTime<Utc>,
}

/// A template in a list.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TemplateSummary {
    pub id: Uuid,
    pub name: String,
    pub description: Option<String>,
    pub current_version: i32,
    pub item_count: usize,
    pub active: bool,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateTemplate {
    #[schema(
        example = "Electrical safety test (IEC 62353)",
        min_length = 1,
        max_length = 160
    )]
    pub name: String,
    pub description: Option<String>,
    pub items: Vec<ItemDto>,
}

/// Changes to a template: new `items` make a new version; name, description and `active`
/// change in place.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateTemplate {
    pub name: Option<String>,
    pub description: Option<String>,
    pub items: Option<Vec<ItemDto>>,
    pub active: Option<bool>,
    pub version: Option<i32>,
}

/// The items of one version of a template.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TemplateVersionItems {
    pub template_id: Uuid,
    pub number: i32,
    pub items: Vec<ItemDto>,
    pub created_at: DateTime<Utc>,
}

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
