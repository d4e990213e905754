//! How each scheduled piece of preventive maintenance ends, and the compliance figures a
//! surveyor reads.
//!
//! An occurrence is **on time** when its work is completed by its due date plus the plan's
//! grace window, **late** when completed after that, and **missed** when it ends without being
//! done: its work order was cancelled, or the next occurrence fell due while the work had not
//! even started. Until then it is **open**, and past its grace window **overdue**.
//! Compliance is on time ÷ everything whose outcome is due in the period (on time, late,
//! missed and overdue); occurrences still inside their window do not count yet.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// Where an occurrence of a plan stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "sea-orm", derive(sea_orm::DeriveValueType))]
#[cfg_attr(feature = "sea-orm", sea_orm(value_type = "String"))]
#[serde(rename_all = "snake_case")]
pub enum InstanceStatus {
    /// Its work order exists and is not completed yet.
    Generated,
    CompletedOnTime,
    CompletedLate,
    Missed,
}

impl InstanceStatus {
    pub const ALL: [InstanceStatus; 4] = [
        Self::Generated,
        Self::CompletedOnTime,
        Self::CompletedLate,
        Self::Missed,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Self::Generated => "generated",
            Self::CompletedOnTime => "completed_on_time",
            Self::CompletedLate => "completed_late",
            Self::Missed => "missed",
        }
    }

    pub fn from_key(k: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.key() == k)
    }

    pub fn is_final(self) -> bool {
        self != Self::Generated
    }
}

crate::stored_key!(InstanceStatus);

/// The end of an occurrence's window: its due date plus the grace days.
pub fn window_end(due: DateTime<Utc>, grace_days: i32) -> DateTime<Utc> {
    due + Duration::days(i64::from(grace_days.max(0)))
}

/// How work completed at `done` ends an occurrence due at `due` with `grace_days`.
pub fn on_completion(due: DateTime<Utc>, grace_days: i32, done: DateTime<Utc>) -> InstanceStatus {
    if done <= window_end(due, grace_days) {
        InstanceStatus::CompletedOnTime
    } else {
        InstanceStatus::CompletedLate
    }
}

/// Whether an open occurrence is missed because the next one fell due: only when its work has
/// not started (work in progress finishes late instead of being thrown away).
pub fn superseded(work_started: bool) -> bool {
    !work_started
}

/// Counts of occurrences due in a period, by how they stand at `now`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tally {
    /// Every occurrence due in the period.
    pub scheduled: i64,
    pub completed_on_time: i64,
    pub completed_late: i64,
    pub missed: i64,
    /// Not done and past its window.
    pub overdue: i64,
    /// Not done and still inside its window (not counted in the percentage yet).
    pub open: i64,
}

impl Tally {
    /// Adds one occurrence.
    pub fn add(&mut self, status: InstanceStatus, window_end: DateTime<Utc>, now: DateTime<Utc>) {
        self.add_many(status, now > window_end, 1);
    }

    /// Adds `n` occurrences of one status, whose window has closed or not.
    pub fn add_many(&mut self, status: InstanceStatus, window_closed: bool, n: i64) {
        self.scheduled += n;
        match status {
            InstanceStatus::CompletedOnTime => self.completed_on_time += n,
            InstanceStatus::CompletedLate => self.completed_late += n,
            InstanceStatus::Missed => self.missed += n,
            InstanceStatus::Generated if window_closed => self.overdue += n,
            InstanceStatus::Generated => self.open += n,
        }
    }

    /// Occurrences whose outcome is known or overdue.
    pub fn decided(&self) -> i64 {
        self.completed_on_time + self.completed_late + self.missed + self.overdue
    }

    /// On time as a share of the decided ones, in percent with one decimal; none when nothing
    /// was due yet.
    pub fn compliance_percent(&self) -> Option<f64> {
        let d = self.decided();
        (d > 0).then(|| (self.completed_on_time as f64 * 1000.0 / d as f64).round() / 10.0)
    }

    /// Completed at all (on time or late) as a share of the decided ones.
    pub fn completion_percent(&self) -> Option<f64> {
        let d = self.decided();
        (d > 0).then(|| {
            ((self.completed_on_time + self.completed_late) as f64 * 1000.0 / d as f64).round()
                / 10.0
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2027, 3, d, h, 0, 0).unwrap()
    }

    #[test]
    fn the_grace_window_decides_on_time_or_late() {
        let due = t(10, 9);
        assert_eq!(
            on_completion(due, 0, t(10, 9)),
            InstanceStatus::CompletedOnTime
        );
        assert_eq!(
            on_completion(due, 0, t(10, 10)),
            InstanceStatus::CompletedLate
        );
        assert_eq!(
            on_completion(due, 3, t(13, 9)),
            InstanceStatus::CompletedOnTime
        );
        assert_eq!(
            on_completion(due, 3, t(13, 10)),
            InstanceStatus::CompletedLate
        );
        assert_eq!(
            on_completion(due, 3, t(1, 9)),
            InstanceStatus::CompletedOnTime,
            "early counts"
        );
        assert!(superseded(false) && !superseded(true));
    }

    /// A hand-computed month: 10 occurrences due in March, seen on 20 March.
    #[test]
    fn compliance_counts_what_is_decided() {
        let now = t(20, 12);
        let mut tally = Tally::default();
        for _ in 0..6 {
            tally.add(InstanceStatus::CompletedOnTime, t(5, 0), now);
        }
        tally.add(InstanceStatus::CompletedLate, t(5, 0), now);
        tally.add(InstanceStatus::Missed, t(5, 0), now);
        tally.add(InstanceStatus::Generated, t(15, 0), now); // overdue
        tally.add(InstanceStatus::Generated, t(25, 0), now); // still in its window
        assert_eq!(
            tally,
            Tally {
                scheduled: 10,
                completed_on_time: 6,
                completed_late: 1,
                missed: 1,
                overdue: 1,
                open: 1
            }
        );
        assert_eq!(tally.decided(), 9);
        assert_eq!(tally.compliance_percent(), Some(66.7)); // 6 / 9
        assert_eq!(tally.completion_percent(), Some(77.8)); // 7 / 9
        assert_eq!(Tally::default().compliance_percent(), None);
    }

    #[test]
    fn statuses_have_stable_keys() {
        for s in InstanceStatus::ALL {
            assert_eq!(InstanceStatus::from_key(s.key()), Some(s));
        }
        assert!(!InstanceStatus::Generated.is_final());
        assert!(InstanceStatus::Missed.is_final());
    }
}
