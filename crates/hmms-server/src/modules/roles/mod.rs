//! Roles and the permission matrix. Seven built-in roles ship; an administrator may change what
//! they grant (except the administrator role itself) and add custom roles.

mod dto;
pub mod routes;
mod service;
