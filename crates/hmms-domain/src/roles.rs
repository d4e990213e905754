//! The permission catalogue and the seven built-in roles of ARCHITECTURE.md §5.
//!
//! Permissions are named strings so the web app can read the same names the server enforces.
//! Roles live in the database (an admin may edit them); this module only says what the built-in
//! roles ship with.

use serde::{Deserialize, Serialize};

use crate::scope::Scope;

/// A permission: a stable name and a sentence an administrator can read in the matrix editor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Permission {
    pub key: &'static str,
    pub module: &'static str,
    pub description: &'static str,
}

macro_rules! perms {
    ($($key:literal, $module:literal, $desc:literal;)*) => {
        /// Every permission HMMS knows, in the order the matrix shows them.
        pub const PERMISSIONS: &[Permission] = &[$(Permission { key: $key, module: $module, description: $desc }),*];
    };
}

perms! {
    "organization.manage", "org", "Edit the organization's name, currency and settings";
    "site.manage", "org", "Create, edit and remove hospitals (sites)";
    "department.manage", "org", "Create, edit and remove departments and sections";
    "location.manage", "org", "Create, edit and remove buildings, floors, rooms and areas";
    "org.read", "org", "See sites, departments, sections and locations";
    "user.read", "users", "See users within the role's scope";
    "user.manage", "users", "Create users, change their role or department, deactivate them";
    "role.read", "users", "See roles and the permission matrix";
    "role.manage", "users", "Create custom roles and change what roles may do";
    "audit.read", "audit", "Read the audit trail";
    "settings.manage", "settings", "Change security policy and system settings";
    "work_order.read", "work_orders", "See work orders within the role's scope";
    "work_order.request", "work_orders", "Raise maintenance requests";
    "work_order.create", "work_orders", "Create work orders directly";
    "work_order.assign", "work_orders", "Assign and re-assign work orders";
    "work_order.execute", "work_orders", "Start, hold and complete assigned work; add notes, time and photos";
    "work_order.approve_close", "work_orders", "Approve or reject the closure of completed work";
    "work_order.escalate", "work_orders", "Escalate work orders";
    "sla.manage", "work_orders", "Edit SLA policies and escalation chains";
    "asset.read", "assets", "See the equipment registry";
    "asset.manage", "assets", "Register, edit, move and retire assets";
    "preventive.read", "preventive", "See preventive maintenance plans and compliance";
    "preventive.manage", "preventive", "Create and change preventive maintenance plans";
    "inventory.read", "inventory", "See spare parts and stock levels";
    "inventory.adjust", "inventory", "Receive, issue and adjust stock";
    "supplier.manage", "inventory", "Maintain the supplier catalogue";
    "consumable.manage", "consumables", "Maintain department consumables and log collections";
    "oxygen.manage", "oxygen", "Record oxygen cylinder movements";
    "requisition.create", "requisitions", "Raise requisitions";
    "requisition.process", "requisitions", "Receive, review and execute requisitions";
    "requisition.approve", "requisitions", "Approve or reject requisitions";
    "utility.record", "utilities", "Record utility meter readings";
    "report.read", "reports", "See dashboards and export reports";
    "integration.manage", "integrations", "Manage integrations and API keys";
}

/// The roles HMMS ships with. Their keys are what the API and the database use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BuiltinRole {
    Admin,
    FacilityManager,
    Technician,
    Staff,
    Procurement,
    Vendor,
    It,
}

impl BuiltinRole {
    pub const ALL: [BuiltinRole; 7] = [
        BuiltinRole::Admin,
        BuiltinRole::FacilityManager,
        BuiltinRole::Technician,
        BuiltinRole::Staff,
        BuiltinRole::Procurement,
        BuiltinRole::Vendor,
        BuiltinRole::It,
    ];

    pub fn key(self) -> &'static str {
        match self {
            BuiltinRole::Admin => "admin",
            BuiltinRole::FacilityManager => "facility_manager",
            BuiltinRole::Technician => "technician",
            BuiltinRole::Staff => "staff",
            BuiltinRole::Procurement => "procurement",
            BuiltinRole::Vendor => "vendor",
            BuiltinRole::It => "it",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.key() == key)
    }

    pub fn display_name(self) -> &'static str {
        match self {
            BuiltinRole::Admin => "Administrator",
            BuiltinRole::FacilityManager => "Facility manager",
            BuiltinRole::Technician => "Technician",
            BuiltinRole::Staff => "Department staff",
            BuiltinRole::Procurement => "Procurement officer",
            BuiltinRole::Vendor => "Vendor / contractor",
            BuiltinRole::It => "IT",
        }
    }

    /// What a grant of this role covers unless an administrator says otherwise.
    pub fn default_scope(self) -> Scope {
        match self {
            BuiltinRole::Admin | BuiltinRole::Procurement | BuiltinRole::It => Scope::Organization,
            BuiltinRole::FacilityManager => Scope::Site,
            BuiltinRole::Technician | BuiltinRole::Staff => Scope::Department,
            BuiltinRole::Vendor => Scope::Assigned,
        }
    }

    /// Roles whose holders must use a second factor (ARCHITECTURE.md §4).
    pub fn requires_totp(self) -> bool {
        matches!(
            self,
            BuiltinRole::Admin | BuiltinRole::FacilityManager | BuiltinRole::It
        )
    }

    /// The permissions the role ships with.
    pub fn permissions(self) -> Vec<&'static str> {
        let all = || PERMISSIONS.iter().map(|p| p.key).collect::<Vec<_>>();
        let list: &[&str] = match self {
            BuiltinRole::Admin => return all(),
            BuiltinRole::FacilityManager => &[
                "org.read",
                "location.manage",
                "user.read",
                "role.read",
                "work_order.read",
                "work_order.request",
                "work_order.create",
                "work_order.assign",
                "work_order.execute",
                "work_order.approve_close",
                "work_order.escalate",
                "asset.read",
                "asset.manage",
                "preventive.read",
                "preventive.manage",
                "inventory.read",
                "requisition.create",
                "requisition.process",
                "requisition.approve",
                "utility.record",
                "oxygen.manage",
                "report.read",
            ],
            BuiltinRole::Technician => &[
                "org.read",
                "user.read",
                "work_order.read",
                "work_order.request",
                "work_order.execute",
                "asset.read",
                "preventive.read",
                "inventory.read",
                "requisition.create",
                "utility.record",
                "oxygen.manage",
            ],
            BuiltinRole::Staff => &[
                "org.read",
                "user.read",
                "work_order.read",
                "work_order.request",
                "asset.read",
                "requisition.create",
            ],
            BuiltinRole::Procurement => &[
                "org.read",
                "user.read",
                "inventory.read",
                "inventory.adjust",
                "supplier.manage",
                "consumable.manage",
                "oxygen.manage",
                "requisition.create",
                "requisition.process",
                "asset.read",
                "report.read",
            ],
            // A vendor reads equipment too, but its assigned scope limits that to the
            // equipment of its own jobs.
            BuiltinRole::Vendor => &["work_order.read", "work_order.execute", "asset.read"],
            BuiltinRole::It => &[
                "org.read",
                "user.read",
                "role.read",
                "audit.read",
                "settings.manage",
                "integration.manage",
                "work_order.read",
                "asset.read",
                "preventive.read",
                "inventory.read",
                "report.read",
            ],
        };
        list.to_vec()
    }
}

/// Permissions whose holders must sign in with a second factor, whatever their role is called.
pub const SENSITIVE_PERMISSIONS: &[&str] = &[
    "user.manage",
    "role.manage",
    "settings.manage",
    "audit.read",
    "work_order.approve_close",
    "integration.manage",
];

/// Whether holders of a role must use a second factor: the built-in admin, facility manager and
/// IT roles, and any role (built-in or custom) that grants a sensitive permission.
pub fn requires_totp<'a>(role_key: &str, permissions: impl IntoIterator<Item = &'a str>) -> bool {
    BuiltinRole::from_key(role_key).is_some_and(|r| r.requires_totp())
        || permissions
            .into_iter()
            .any(|p| SENSITIVE_PERMISSIONS.contains(&p))
}

/// Whether someone holding `own` may hand out a role granting `granted`: never more than they
/// hold themselves, so a user manager cannot make anyone (themselves included) an administrator.
pub fn may_grant<'a>(own: &[&'a str], granted: impl IntoIterator<Item = &'a str>) -> bool {
    granted.into_iter().all(|p| own.contains(&p))
}

/// Whether `key` names a permission in the catalogue.
pub fn is_known_permission(key: &str) -> bool {
    PERMISSIONS.iter().any(|p| p.key == key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_permission_is_in_the_catalogue() {
        for role in BuiltinRole::ALL {
            for p in role.permissions() {
                assert!(is_known_permission(p), "{} grants unknown {p}", role.key());
            }
        }
    }

    #[test]
    fn only_admin_manages_users_and_roles() {
        for role in BuiltinRole::ALL {
            let perms = role.permissions();
            let manages = perms.contains(&"user.manage") || perms.contains(&"role.manage");
            assert_eq!(manages, role == BuiltinRole::Admin, "{}", role.key());
        }
    }

    #[test]
    fn vendor_sees_only_its_work() {
        assert_eq!(
            BuiltinRole::Vendor.permissions(),
            vec!["work_order.read", "work_order.execute", "asset.read"]
        );
        assert_eq!(BuiltinRole::Vendor.default_scope(), Scope::Assigned);
    }

    #[test]
    fn second_factor_is_required_exactly_for_admin_manager_and_it() {
        for role in BuiltinRole::ALL {
            let expected = matches!(
                role,
                BuiltinRole::Admin | BuiltinRole::FacilityManager | BuiltinRole::It
            );
            assert_eq!(
                requires_totp(role.key(), role.permissions()),
                expected,
                "{}",
                role.key()
            );
        }
        assert!(requires_totp("auditor", ["audit.read"]));
        assert!(!requires_totp("porter", ["work_order.read"]));
    }

    #[test]
    fn nobody_grants_more_than_they_hold() {
        let admin = BuiltinRole::Admin.permissions();
        let manager = BuiltinRole::FacilityManager.permissions();
        assert!(may_grant(&admin, manager.iter().copied()));
        assert!(!may_grant(&manager, admin.iter().copied()));
        assert!(may_grant(&manager, []));
    }

    #[test]
    fn keys_round_trip() {
        for role in BuiltinRole::ALL {
            assert_eq!(BuiltinRole::from_key(role.key()), Some(role));
        }
        assert_eq!(BuiltinRole::from_key("superuser"), None);
    }
}
