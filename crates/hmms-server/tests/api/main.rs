//! Black-box tests of the HMMS server over HTTP. Each test runs twice: on SQLite and on
//! PostgreSQL (see `both!`).

// A test states what it expects by unwrapping: a failure there is the test failing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod helpers;

mod assets;
mod attachments;
mod audit;
mod auth;
mod dashboard;
mod errors;
mod events;
mod inventory;
mod openapi;
mod org;
mod preventive;
mod public_requests;
mod push;
mod rbac;
mod reports;
mod s3;
mod scope;
mod security;
mod sla_jobs;
mod users;
mod vendors;
mod work_orders;
