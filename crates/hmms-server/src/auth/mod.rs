//! Sign-in: passwords, access and refresh tokens, the second factor, and throttling.

pub mod account;
pub mod dto;
pub mod password;
pub mod principal;
pub mod routes;
pub mod service;
pub mod throttle;
pub mod tokens;
pub mod totp;
