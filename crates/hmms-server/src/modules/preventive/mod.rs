//! Preventive maintenance: checklist templates, plans and their per-asset schedules, the
//! generator that turns them into work ahead of time, what happens when that work is done or
//! not, the calendar with its feeds, and compliance.

mod calendar;
mod checklists;
mod compliance;
mod dto;
mod generator;
mod instances;
mod overdue;
mod plan_input;
mod plans;
mod reactions;
pub mod routes;
mod targets;
mod templates;
pub use generator::{run as run_generator, run_for_asset};
pub use overdue::overdue_check;
pub use reactions::PreventiveHooks;
// For the demo, which makes a year of history with the plans' own schedule rules.
pub use targets::{OUT_OF_USE, Schedule, covered_assets, generate_at};
