//! Web Push: people subscribe their browsers and phones; new assignments and SLA breaches and
//! escalations reach them even when HMMS is closed. The notification list stays the record;
//! a push is a best-effort nudge.

pub mod crypto;
pub mod dispatch;
pub mod routes;
pub mod service;
