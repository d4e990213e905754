//! Pure rules of HMMS. Nothing here performs I/O or awaits: roles and permissions, data scope,
//! validation of user input, sign-in throttling and the audit hash chain are plain functions over
//! plain types, so they can be tested exhaustively without a database.

pub mod assets;
pub mod audit;
pub mod files;
pub mod preventive;
pub mod roles;
pub mod scope;
pub mod throttle;
pub mod validate;
pub mod work_orders;

pub use roles::{BuiltinRole, PERMISSIONS, Permission};
pub use scope::{Actor, RecordScope, Scope, ScopeFilter};
