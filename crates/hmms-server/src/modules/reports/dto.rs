//! What the reports API takes and answers.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// The period and place the figures cover.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
pub struct KpiQuery {
    /// Start of the period (inclusive).
    pub from: DateTime<Utc>,
    /// End of the period (exclusive); at most three years after `from`.
    pub to: DateTime<Utc>,
    /// Only this hospital (one you may see).
    pub site_id: Option<Uuid>,
    /// Only this department (one you may see).
    pub department_id: Option<Uuid>,
    /// Only work on equipment of this class or its subclasses.
    pub class_id: Option<Uuid>,
    /// Only work on equipment of this risk class: `high`, `medium` or `low`.
    pub risk_class: Option<String>,
}

/// One key figure with its published definition.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FigureDto {
    pub key: String,
    pub name: String,
    /// `hours`, `percent`, `count` or `money` (minor units of the organization's currency).
    pub unit: String,
    pub formula: String,
    /// Which records of the period it takes.
    pub period_rule: String,
    /// Absent when there was nothing to count (no repairs, nothing due, …).
    pub value: Option<f64>,
    /// How many records the figure is computed over.
    pub counted: i64,
}

/// SLA attainment of one priority, over the work completed in the period.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SlaByPriorityDto {
    pub priority: String,
    pub completed: i64,
    pub response_met: i64,
    pub resolution_met: i64,
    pub response_percent: Option<f64>,
    pub resolution_percent: Option<f64>,
}

/// Open work of one department by age (none: work without a department).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BacklogDto {
    pub department_id: Option<Uuid>,
    pub department_name: Option<String>,
    pub open: i64,
    /// Counts per age bucket, in the order of `Kpis.ageBuckets`.
    pub by_age: Vec<i64>,
}

/// What the work completed in the period cost, in minor units.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CostDto {
    pub labour_minor: i64,
    pub parts_minor: i64,
    pub vendor_minor: i64,
    pub total_minor: i64,
}

/// The key figures of a period over the records the reader may see.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Kpis {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub site_id: Option<Uuid>,
    pub department_id: Option<Uuid>,
    pub class_id: Option<Uuid>,
    pub risk_class: Option<String>,
    pub currency: String,
    /// Every figure in the order of the published definitions.
    pub figures: Vec<FigureDto>,
    pub sla_by_priority: Vec<SlaByPriorityDto>,
    /// Labels of the backlog's age buckets, days since reported.
    pub age_buckets: Vec<String>,
    /// Open work now, by department, most first.
    pub backlog: Vec<BacklogDto>,
    pub cost: CostDto,
    /// Why the work completed in the period waited: time on hold per the reason it last waited
    /// for, longest first (only work that was on hold).
    pub delays: Vec<DelayDto>,
}

/// Time on hold of completed work for one reason.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DelayDto {
    /// The hold reason's code; none for work held before reasons were recorded.
    pub reason: Option<String>,
    /// The reason as the organization names it.
    pub name: String,
    /// Completed work orders whose last wait was for this reason.
    pub work_orders: i64,
    /// Their time on hold, all holds included.
    pub minutes: i64,
    /// The same in hours, one decimal.
    pub hours: f64,
}

/// What a breakdown groups by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    Site,
    Department,
    /// The equipment's own class (work without equipment, or equipment without a class, is
    /// one group).
    Class,
    /// One row per piece of equipment: the 100 that cost most.
    Asset,
}

impl GroupBy {
    /// As the API spells it.
    pub fn key(self) -> &'static str {
        match self {
            GroupBy::Site => "site",
            GroupBy::Department => "department",
            GroupBy::Class => "class",
            GroupBy::Asset => "asset",
        }
    }
}

/// The period, place and grouping of a breakdown.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
pub struct BreakdownQuery {
    pub by: GroupBy,
    /// Start of the period (inclusive).
    pub from: DateTime<Utc>,
    /// End of the period (exclusive); at most three years after `from`.
    pub to: DateTime<Utc>,
    pub site_id: Option<Uuid>,
    pub department_id: Option<Uuid>,
    pub class_id: Option<Uuid>,
    pub risk_class: Option<String>,
}

impl BreakdownQuery {
    /// The same period and place, as the key figures take them.
    pub fn place(&self) -> KpiQuery {
        KpiQuery {
            from: self.from,
            to: self.to,
            site_id: self.site_id,
            department_id: self.department_id,
            class_id: self.class_id,
            risk_class: self.risk_class.clone(),
        }
    }
}

/// Repairs, reliability and cost of one group, as the key figures define them.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BreakdownRow {
    /// The site, department, class or asset; absent for work without one.
    pub id: Option<Uuid>,
    pub name: Option<String>,
    /// Work completed in the period.
    pub completed: i64,
    /// Corrective work completed in the period.
    pub repairs: i64,
    pub mttr_hours: Option<f64>,
    /// Corrective work on equipment reported in the period.
    pub failures: i64,
    pub mtbf_hours: Option<f64>,
    pub downtime_hours: f64,
    /// Equipment in use in the group now.
    pub assets: i64,
    pub availability_percent: Option<f64>,
    pub labour_minor: i64,
    pub parts_minor: i64,
    pub vendor_minor: i64,
    pub cost_minor: i64,
}

/// The key figures of a period per site, department, equipment class or asset, most costly
/// first.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Breakdown {
    pub by: GroupBy,
    pub currency: String,
    pub rows: Vec<BreakdownRow>,
}
