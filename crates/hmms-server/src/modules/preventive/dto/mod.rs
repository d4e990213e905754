//! What `/preventive/…` and `/work-orders/{id}/checklist` take and answer, by area.

mod checklists;
mod occurrences;
mod plans;

pub use checklists::*;
pub use occurrences::*;
pub use plans::*;
