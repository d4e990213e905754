//! Preventive maintenance: checklist templates, plans and their per-asset schedules, the
//! generator that turns them into work ahead of time, what happens when that work is done or
//! not, the calendar with its feeds, and compliance.

pub mod calendar;
pub mod checklists;
pub mod compliance;
pub mod dto;
pub mod generator;
pub mod instances;
pub mod plans;
pub mod routes;
pub mod templates;
