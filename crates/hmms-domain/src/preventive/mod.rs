//! Preventive maintenance rules: schedules (recurrence in the site's zone, meters, fixed or
//! floating), checklists and their answers, and how occurrences end and add up to compliance.

pub mod checklist;
pub mod compliance;
pub mod schedule;
