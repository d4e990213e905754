//! The equipment registry: equipment classes, assets with their place, money, risk and
//! maintenance strategy, status history, QR codes, and resolving scanned codes.

pub mod acceptance;
pub mod classes;
pub mod csv_io;
pub mod custom_fields;
pub mod documents;
pub mod dto;
pub mod incidents;
pub mod labels;
pub mod meters;
pub mod qr;
pub mod recalls;
pub mod reliability;
pub mod routes;
pub mod scan;
pub mod service;
