//! The key figures of maintenance, as plain functions over what the database counted. Their
//! definitions (SMRP Best Practice metrics where one exists) are published here once: the API
//! sends them with every figure, the app shows them beside it, and `docs/reports.md` repeats
//! them (a test holds the two equal).

use serde::Serialize;

/// How a key figure is defined: what it counts, its formula, and which records of a period it
/// takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Definition {
    pub key: &'static str,
    pub name: &'static str,
    pub unit: Unit,
    pub formula: &'static str,
    /// Which records the period selects.
    pub period_rule: &'static str,
}

/// What a figure measures in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Hours,
    Percent,
    Count,
    Money,
}

macro_rules! definitions {
    ($($key:literal, $name:literal, $unit:ident, $formula:literal, $rule:literal;)*) => {
        /// Every key figure, in the order reports show them.
        pub const DEFINITIONS: &[Definition] = &[$(Definition {
            key: $key, name: $name, unit: Unit::$unit, formula: $formula, period_rule: $rule,
        }),*];
    };
}

definitions! {
    "mttr", "Mean time to repair", Hours,
        "sum of (completed − reported) over repairs ÷ number of repairs",
        "corrective work orders completed in the period";
    "mean_time_to_respond", "Mean time to respond", Hours,
        "sum of (first response − reported) ÷ work orders responded to",
        "work orders reported in the period that have a first response";
    "mtbf", "Mean time between failures", Hours,
        "(assets in use × hours in the period − downtime hours) ÷ failures",
        "failures: corrective work orders on an asset reported in the period";
    "downtime", "Downtime", Hours,
        "sum of recorded downtime ÷ 60",
        "work orders completed in the period";
    "time_on_hold", "Time on hold", Hours,
        "sum of the time each work order spent on hold (all its holds) ÷ 60; by reason: the reason it last waited for",
        "work orders completed in the period; counted: those that were on hold";
    "availability", "Availability", Percent,
        "(assets in use × hours in the period − downtime hours) ÷ (assets in use × hours in the period) × 100",
        "assets in use now (in service, under maintenance or out of service); downtime of work orders completed in the period";
    "pm_compliance", "PM compliance", Percent,
        "PMs completed within the grace window ÷ PMs due (on time, late, missed or overdue) × 100",
        "occurrences due in the period; those still inside their window are not counted yet";
    "pm_compliance_high_risk", "PM compliance, high-risk and life-support", Percent,
        "as PM compliance, over equipment of high risk or flagged life-support (must be 100%)",
        "occurrences due in the period";
    "planned_work", "Planned maintenance", Percent,
        "hours logged on preventive, inspection and calibration work ÷ all hours logged × 100",
        "time logged with a start in the period";
    "sla_response", "SLA response met", Percent,
        "work orders first responded to by the response deadline ÷ work orders completed × 100",
        "work orders completed in the period";
    "sla_resolution", "SLA resolution met", Percent,
        "work orders completed by the resolution deadline ÷ work orders completed × 100",
        "work orders completed in the period";
    "first_time_fix", "First-time fix", Percent,
        "repairs with no follow-up work order and never sent back from completed ÷ repairs × 100",
        "corrective work orders completed in the period";
    "repeat_failures", "Repeat failures", Count,
        "failures of an asset that had another failure reported in the 30 days before",
        "corrective work orders on an asset reported in the period";
    "backlog", "Backlog", Count,
        "work orders not completed, closed or cancelled, by age since reported",
        "open now (the period does not apply)";
    "maintenance_cost", "Maintenance cost", Money,
        "labour (hours × the organization's rate) + parts issued (ledger cost) + vendor cost",
        "work orders completed in the period";
    "stock_outs", "Stock-out rate", Percent,
        "issues refused for want of stock ÷ (issues made + issues refused) × 100",
        "issues to work orders in the period, in the stores within reach";
}

/// The definition of a figure by its key.
pub fn definition(key: &str) -> Option<&'static Definition> {
    DEFINITIONS.iter().find(|d| d.key == key)
}

/// `part ÷ whole` in percent with one decimal; none when the whole is empty.
pub fn percent(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| round1(part as f64 * 100.0 / whole as f64))
}

/// A sum of minutes over a count, in hours with one decimal; none when nothing was counted.
pub fn mean_hours(total_minutes: i64, count: i64) -> Option<f64> {
    (count > 0).then(|| round1(total_minutes as f64 / 60.0 / count as f64))
}

/// Hours of operation per failure over a fleet: `assets` in service for `period_minutes` each,
/// less the downtime; none without failures.
pub fn mtbf_hours(
    assets: i64,
    period_minutes: i64,
    downtime_minutes: i64,
    failures: i64,
) -> Option<f64> {
    (failures > 0).then(|| {
        let up = (assets * period_minutes - downtime_minutes).max(0);
        round1(up as f64 / 60.0 / failures as f64)
    })
}

/// The fleet's share of the period it was available, percent; none without assets.
pub fn availability_percent(
    assets: i64,
    period_minutes: i64,
    downtime_minutes: i64,
) -> Option<f64> {
    let total = assets * period_minutes;
    (total > 0).then(|| round1((total - downtime_minutes.min(total)) as f64 * 100.0 / total as f64))
}

/// Backlog age buckets, days since reported: up to a week, a month, a quarter, older.
pub const AGE_BUCKETS: [&str; 4] = ["0-7", "8-30", "31-90", "90+"];

/// The bucket (index into [`AGE_BUCKETS`]) of work open for `days`.
pub fn age_bucket(days: i64) -> usize {
    match days {
        ..=7 => 0,
        8..=30 => 1,
        31..=90 => 2,
        _ => 3,
    }
}

/// A failure repeats when the same asset had another failure reported within this many days
/// before it.
pub const REPEAT_WINDOW_DAYS: i64 = 30;

/// How many of `failures` (report times, sorted, of one asset) repeat an earlier one within
/// [`REPEAT_WINDOW_DAYS`], counting only those reported at or after `from`.
pub fn repeats(
    failures: &[chrono::DateTime<chrono::Utc>],
    from: chrono::DateTime<chrono::Utc>,
) -> i64 {
    failures
        .windows(2)
        .filter(|w| w[1] >= from && w[1] - w[0] <= chrono::Duration::days(REPEAT_WINDOW_DAYS))
        .count() as i64
}

/// `x` to one decimal.
pub fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    #[test]
    fn every_figure_has_one_definition() {
        let mut keys: Vec<_> = DEFINITIONS.iter().map(|d| d.key).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), DEFINITIONS.len());
        assert_eq!(definition("mttr").map(|d| d.unit), Some(Unit::Hours));
    }

    #[test]
    fn the_published_page_repeats_every_definition() {
        let page = include_str!("../../../docs/reports.md");
        for d in DEFINITIONS {
            let row = format!(
                "| `{}` | {} | {} | {} | {} |",
                d.key,
                d.name,
                format!("{:?}", d.unit).to_lowercase(),
                d.formula,
                d.period_rule
            );
            assert!(
                page.contains(&row),
                "docs/reports.md lacks or differs on:\n{row}"
            );
        }
    }

    #[test]
    fn ratios_are_none_without_a_denominator() {
        assert_eq!(percent(1, 3), Some(33.3));
        assert_eq!(percent(0, 0), None);
        assert_eq!(mean_hours(150, 2), Some(1.3));
        assert_eq!(mean_hours(0, 0), None);
        assert_eq!(mtbf_hours(2, 600, 120, 0), None);
    }

    #[test]
    fn a_fleet_runs_its_hours_less_downtime() {
        // Two assets for 10 hours, 2 hours down, 2 failures: 18 h up, 9 h between failures.
        assert_eq!(mtbf_hours(2, 600, 120, 2), Some(9.0));
        assert_eq!(availability_percent(2, 600, 120), Some(90.0));
        // More downtime than time (recorded generously) is all of it, never below zero.
        assert_eq!(availability_percent(1, 60, 600), Some(0.0));
        assert_eq!(availability_percent(0, 600, 0), None);
    }

    #[test]
    fn backlog_ages_fall_in_their_bucket() {
        assert_eq!(
            [0, 7, 8, 30, 31, 90, 91].map(age_bucket),
            [0, 0, 1, 1, 2, 2, 3]
        );
    }

    #[test]
    fn a_failure_within_thirty_days_of_the_last_repeats_it() {
        let d = |day: u32| Utc.with_ymd_and_hms(2027, 3, day, 9, 0, 0).unwrap();
        let from = d(10);
        // 1 → 5 is before the period; 5 → 12 repeats; 12 → 13 repeats.
        assert_eq!(repeats(&[d(1), d(5), d(12), d(13)], from), 2);
        assert_eq!(repeats(&[d(12)], from), 0);
    }
}
