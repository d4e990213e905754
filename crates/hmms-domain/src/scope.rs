//! Data scope: which records a signed-in user may see at all (ARCHITECTURE.md §5).
//!
//! A grant's scope narrows every permission of its role. The server turns an [`Actor`] into a
//! [`ScopeFilter`] to build queries, and checks single records with [`ScopeFilter::admits`]; the
//! property tests below keep the two views of the rule identical.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// How far a role grant reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[cfg_attr(feature = "sea-orm", derive(sea_orm::DeriveValueType))]
#[cfg_attr(feature = "sea-orm", sea_orm(value_type = "String"))]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Only records assigned to the user or raised by them.
    Assigned,
    /// The user's department, plus anything assigned to or raised by them.
    Department,
    /// Every department of the user's site (hospital), plus anything assigned to or raised by them.
    Site,
    /// The whole organization.
    Organization,
}

impl Scope {
    pub const ALL: [Scope; 4] = [
        Scope::Assigned,
        Scope::Department,
        Scope::Site,
        Scope::Organization,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Scope::Assigned => "assigned",
            Scope::Department => "department",
            Scope::Site => "site",
            Scope::Organization => "organization",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.key() == key)
    }
}

crate::stored_key!(Scope);

/// The signed-in user as the rules see them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Uuid,
    pub organization_id: Uuid,
    pub site_id: Option<Uuid>,
    pub department_id: Option<Uuid>,
    /// The vendor company the user works for: its work counts as their own.
    pub company_id: Option<Uuid>,
    pub scope: Scope,
}

/// Where a record sits, for scope checks.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RecordScope {
    pub organization_id: Uuid,
    pub site_id: Option<Uuid>,
    pub department_id: Option<Uuid>,
    /// Users the record belongs to: its requester, its assignee, or the user record itself.
    pub people: Vec<Uuid>,
    /// The vendor company the record is assigned to, if any.
    pub company_id: Option<Uuid>,
}

/// A scope resolved against one actor: what a list query must filter on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScopeFilter {
    Organization {
        organization_id: Uuid,
    },
    Site {
        organization_id: Uuid,
        site_id: Uuid,
        user_id: Uuid,
        company_id: Option<Uuid>,
    },
    Department {
        organization_id: Uuid,
        department_id: Uuid,
        user_id: Uuid,
        company_id: Option<Uuid>,
    },
    Assigned {
        organization_id: Uuid,
        user_id: Uuid,
        company_id: Option<Uuid>,
    },
}

impl ScopeFilter {
    /// The filter for an actor. A site or department scope without a site or department on the
    /// user narrows to the next scope it can apply: a misconfigured account sees less, never more.
    pub fn for_actor(actor: &Actor) -> Self {
        let organization_id = actor.organization_id;
        let user_id = actor.user_id;
        let company_id = actor.company_id;
        let department = || match actor.department_id {
            Some(department_id) => ScopeFilter::Department {
                organization_id,
                department_id,
                user_id,
                company_id,
            },
            None => ScopeFilter::Assigned {
                organization_id,
                user_id,
                company_id,
            },
        };
        match actor.scope {
            Scope::Organization => ScopeFilter::Organization { organization_id },
            Scope::Site => match actor.site_id {
                Some(site_id) => ScopeFilter::Site {
                    organization_id,
                    site_id,
                    user_id,
                    company_id,
                },
                None => department(),
            },
            Scope::Department => department(),
            Scope::Assigned => ScopeFilter::Assigned {
                organization_id,
                user_id,
                company_id,
            },
        }
    }

    pub fn organization_id(&self) -> Uuid {
        match self {
            ScopeFilter::Organization { organization_id }
            | ScopeFilter::Site {
                organization_id, ..
            }
            | ScopeFilter::Department {
                organization_id, ..
            }
            | ScopeFilter::Assigned {
                organization_id, ..
            } => *organization_id,
        }
    }

    /// Whether a single record falls inside the filter.
    pub fn admits(&self, record: &RecordScope) -> bool {
        if record.organization_id != self.organization_id() {
            return false;
        }
        let involved = |user_id: &Uuid, company_id: &Option<Uuid>| {
            record.people.contains(user_id)
                || company_id.is_some_and(|c| record.company_id == Some(c))
        };
        match self {
            ScopeFilter::Organization { .. } => true,
            ScopeFilter::Site {
                site_id,
                user_id,
                company_id,
                ..
            } => record.site_id == Some(*site_id) || involved(user_id, company_id),
            ScopeFilter::Department {
                department_id,
                user_id,
                company_id,
                ..
            } => record.department_id == Some(*department_id) || involved(user_id, company_id),
            ScopeFilter::Assigned {
                user_id,
                company_id,
                ..
            } => involved(user_id, company_id),
        }
    }
}

/// Whether `actor` may see `record` at all.
pub fn can_see(actor: &Actor, record: &RecordScope) -> bool {
    ScopeFilter::for_actor(actor).admits(record)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    // A small pool of ids makes collisions (same site, same department) frequent.
    fn id() -> impl Strategy<Value = Uuid> {
        (0u8..3).prop_map(|n| Uuid::from_u128(n as u128 + 1))
    }

    fn scope() -> impl Strategy<Value = Scope> {
        prop::sample::select(Scope::ALL.to_vec())
    }

    prop_compose! {
        fn actor()(user_id in id(), organization_id in id(), site_id in prop::option::of(id()),
                   department_id in prop::option::of(id()), company_id in prop::option::of(id()),
                   scope in scope()) -> Actor {
            Actor { user_id, organization_id, site_id, department_id, company_id, scope }
        }
    }

    prop_compose! {
        fn record()(organization_id in id(), site_id in prop::option::of(id()),
                    department_id in prop::option::of(id()),
                    people in prop::collection::vec(id(), 0..3),
                    company_id in prop::option::of(id())) -> RecordScope {
            RecordScope { organization_id, site_id, department_id, people, company_id }
        }
    }

    proptest! {
        #[test]
        fn never_across_organizations(a in actor(), r in record()) {
            if a.organization_id != r.organization_id {
                prop_assert!(!can_see(&a, &r));
            }
        }

        #[test]
        fn scopes_are_nested(a in actor(), r in record()) {
            // In consistent data a record of the actor's department is at the actor's site.
            prop_assume!(r.department_id != a.department_id || r.site_id == a.site_id);
            let with = |scope| Actor { scope, ..a.clone() };
            for pair in Scope::ALL.windows(2) {
                if can_see(&with(pair[0]), &r) {
                    prop_assert!(can_see(&with(pair[1]), &r), "{:?} saw more than {:?}", pair[0], pair[1]);
                }
            }
        }

        #[test]
        fn own_records_are_always_visible(a in actor(), mut r in record()) {
            r.organization_id = a.organization_id;
            r.people.push(a.user_id);
            prop_assert!(can_see(&a, &r));
        }

        #[test]
        fn assigned_scope_sees_only_own_records(a in actor(), r in record()) {
            let mut a = a;
            a.scope = Scope::Assigned;
            let company_work = a.company_id.is_some() && r.company_id == a.company_id;
            prop_assert_eq!(
                can_see(&a, &r),
                r.organization_id == a.organization_id && (r.people.contains(&a.user_id) || company_work)
            );
        }

        #[test]
        fn company_work_is_visible_to_every_user_of_the_company(a in actor(), mut r in record()) {
            r.organization_id = a.organization_id;
            r.company_id = a.company_id;
            if a.company_id.is_some() {
                prop_assert!(can_see(&a, &r));
            }
        }

        #[test]
        fn no_company_sees_no_company_work(a in actor(), r in record()) {
            // Unassigned-to-company records must not match a user without a company.
            let mut a = a;
            a.scope = Scope::Assigned;
            a.company_id = None;
            if !r.people.contains(&a.user_id) {
                prop_assert!(!can_see(&a, &r));
            }
        }

        #[test]
        fn department_scope_sees_nothing_of_other_departments_unless_involved(a in actor(), r in record()) {
            let mut a = a;
            a.scope = Scope::Department;
            let company_work = a.company_id.is_some() && r.company_id == a.company_id;
            if a.department_id.is_some() && r.department_id != a.department_id && !r.people.contains(&a.user_id) && !company_work {
                prop_assert!(!can_see(&a, &r));
            }
        }

        #[test]
        fn missing_site_or_department_falls_back_to_assigned(a in actor(), r in record()) {
            let mut a = a;
            a.site_id = None;
            a.department_id = None;
            if a.scope != Scope::Organization {
                let mut assigned = a.clone();
                assigned.scope = Scope::Assigned;
                prop_assert_eq!(can_see(&a, &r), can_see(&assigned, &r));
            }
        }
    }
}
