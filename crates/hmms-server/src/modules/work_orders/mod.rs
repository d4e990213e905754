//! Work orders: requests, assignment, the status machine, notes, time, completion and
//! approval, history, and the SLA policies that set their deadlines.

pub mod assignment;
pub mod dto;
pub mod escalation;
pub mod group_commit;
pub mod lifecycle;
pub mod parts;
pub mod query;
pub mod routes;
pub mod service;
pub mod sla;
pub mod summary;
