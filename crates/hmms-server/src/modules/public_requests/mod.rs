//! Reporting a fault without signing in: a QR code on a room (or, later, a device) opens a page
//! that sends the request here. Only sites that enabled it accept them, and each address may
//! send a few per hour.

pub mod routes;
mod service;
