//! In-app notifications: what each person is told (assignments, SLA warnings, escalations,
//! approvals), with an unread count and marking as read.

pub mod preferences;
pub mod routes;
pub mod service;
