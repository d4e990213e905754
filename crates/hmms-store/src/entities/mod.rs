//! SeaORM entities, one per table. Plain models: joins are written where they are needed.

pub mod audit_entry;
pub mod code_counter;
pub mod department;
pub mod domain_event;
pub mod escalation_step;
pub mod idempotency_key;
pub mod job_run;
pub mod location;
pub mod login_attempt;
pub mod notification;
pub mod organization;
pub mod recovery_code;
pub mod refresh_token;
pub mod role;
pub mod role_permission;
pub mod section;
pub mod setting;
pub mod site;
pub mod sla_policy;
pub mod totp_secret;
pub mod user;
pub mod user_role_grant;
pub mod work_order;
pub mod work_order_history;
pub mod work_order_note;
pub mod work_order_time_log;
