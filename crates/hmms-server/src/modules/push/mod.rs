//! Web Push: people subscribe their browsers and phones; new assignments and SLA breaches and
//! escalations reach them even when HMMS is closed. The notification list stays the record;
//! a push is a best-effort nudge.

mod address;
mod crypto;
mod dispatch;
pub mod routes;
mod service;

pub use dispatch::start as start_dispatch;
