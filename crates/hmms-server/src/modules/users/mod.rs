//! People who use HMMS: accounts, their role and where they work.

pub mod dto;
pub mod routes;
pub mod service;
