//! Vendor companies: outside contractors that take work orders. Their people sign in with the
//! vendor role and see exactly the work assigned to them or to their company.

mod dto;
pub mod routes;
mod service;
