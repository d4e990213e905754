//! Wire types of the roles module.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// How far a role's grant reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ScopeDto {
    Organization,
    Site,
    Department,
    Assigned,
}

impl From<hmms_domain::Scope> for ScopeDto {
    fn from(s: hmms_domain::Scope) -> Self {
        match s {
            hmms_domain::Scope::Organization => ScopeDto::Organization,
            hmms_domain::Scope::Site => ScopeDto::Site,
            hmms_domain::Scope::Department => ScopeDto::Department,
            hmms_domain::Scope::Assigned => ScopeDto::Assigned,
        }
    }
}

impl From<ScopeDto> for hmms_domain::Scope {
    fn from(s: ScopeDto) -> Self {
        match s {
            ScopeDto::Organization => hmms_domain::Scope::Organization,
            ScopeDto::Site => hmms_domain::Scope::Site,
            ScopeDto::Department => hmms_domain::Scope::Department,
            ScopeDto::Assigned => hmms_domain::Scope::Assigned,
        }
    }
}

/// A role: a named set of permissions with a default scope.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RoleDto {
    pub id: Uuid,
    /// Stable key, e.g. `facility_manager`.
    pub key: String,
    pub name: String,
    pub description: Option<String>,
    /// Built-in roles cannot be removed.
    pub builtin: bool,
    pub default_scope: ScopeDto,
    pub permissions: Vec<String>,
    /// Whether holders must sign in with a second factor.
    pub two_factor_required: bool,
    pub user_count: u64,
    pub version: i32,
}

/// One permission of the catalogue.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PermissionDto {
    pub key: String,
    /// The part of HMMS it belongs to, e.g. `work_orders`.
    pub module: String,
    pub description: String,
    /// Holders of a role with this permission must use a second factor.
    pub sensitive: bool,
}

/// The permission matrix: every permission, and every role with what it grants.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PermissionMatrix {
    pub permissions: Vec<PermissionDto>,
    pub roles: Vec<RoleDto>,
}

/// A custom role.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateRole {
    /// Lower-case letters, digits and `_`, e.g. `biomedical_engineer`.
    #[schema(pattern = "^[a-z][a-z0-9_]{1,39}$", example = "biomedical_engineer")]
    pub key: String,
    #[schema(min_length = 1, max_length = 80, example = "Biomedical engineer")]
    pub name: String,
    pub description: Option<String>,
    pub default_scope: ScopeDto,
    pub permissions: Vec<String>,
}

/// Changes to a role. `permissions`, when given, replaces the whole set.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateRole {
    pub name: Option<String>,
    pub description: Option<String>,
    pub default_scope: Option<ScopeDto>,
    pub permissions: Option<Vec<String>>,
    pub version: Option<i32>,
}
