//! In-app notifications: what each person is told (assignments, SLA warnings, escalations,
//! approvals), with an unread count and marking as read.

mod preferences;
pub mod routes;
mod service;

pub use service::{Message, holders_at_site, send};
