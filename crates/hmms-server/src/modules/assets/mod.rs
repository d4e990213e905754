//! The equipment registry: equipment classes, assets with their place, money, risk and
//! maintenance strategy, status history, QR codes, and resolving scanned codes.

mod acceptance;
mod classes;
mod csv_import;
mod csv_io;
mod custom_fields;
mod documents;
mod dto;
mod incidents;
mod input;
mod labels;
mod meters;
mod qr;
mod recalls;
mod reliability;
pub mod routes;
mod scan;
mod service;
pub use acceptance::AcceptanceHooks;
pub use qr::base_url;
pub use service::{find_visible, scope_condition as visible_condition};
