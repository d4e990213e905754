//! Pure rules of HMMS. Nothing here performs I/O or awaits: roles and permissions, data scope,
//! validation of user input, sign-in throttling and the audit hash chain are plain functions over
//! plain types, so they can be tested exhaustively without a database.

/// An enum stored as its key (`in_progress`): `Display` writes the key, `FromStr` reads it and
/// refuses anything else, and with the `sea-orm` feature the enum is a typed column, so an
/// unknown stored value is an error when the row is read — never a silent default.
#[macro_export]
macro_rules! stored_key {
    ($name:ident) => {
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.key())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::UnknownKey;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::from_key(s).ok_or_else(|| $crate::UnknownKey {
                    kind: stringify!($name),
                    key: s.chars().take(40).collect(),
                })
            }
        }
    };
}

/// A stored key that names no value of its kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{key:?} is not a known {kind}")]
pub struct UnknownKey {
    pub kind: &'static str,
    pub key: String,
}

/// An enum stored and sent as snake_case keys, with `ALL`, `key`, `from_key` and [`stored_key!`].
#[macro_export]
macro_rules! keyed_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $key:literal),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "sea-orm", derive(sea_orm::DeriveValueType))]
        #[cfg_attr(feature = "sea-orm", sea_orm(value_type = "String"))]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),* }

        $crate::stored_key!($name);

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            pub fn key(self) -> &'static str {
                match self { $($name::$variant => $key),* }
            }

            pub fn from_key(key: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.key() == key)
            }
        }
    };
}

pub mod assets;
pub mod audit;
pub mod files;
pub mod holds;
pub mod money;
pub mod org;
pub mod preventive;
pub mod reports;
pub mod roles;
pub mod scope;
pub mod stock;
pub mod throttle;
pub mod users;
pub mod validate;
pub mod work_orders;

pub use roles::{BuiltinRole, PERMISSIONS, Permission};
pub use scope::{Actor, RecordScope, Scope, ScopeFilter};

#[cfg(test)]
mod tests {
    use crate::assets::{AssetStatus, DepreciationMethod, MaintenanceStrategy, RiskClass};
    use crate::files::AttachmentKind;
    use crate::org::LocationKind;
    use crate::preventive::compliance::InstanceStatus;
    use crate::users::UserStatus;
    use crate::work_orders::{Priority, Status, WorkOrderType};
    use crate::{Scope, UnknownKey};

    #[test]
    fn stored_keys_read_back_and_unknown_ones_are_refused() {
        for s in Status::ALL {
            assert_eq!(s.to_string().parse::<Status>(), Ok(*s));
        }
        for p in Priority::ALL {
            assert_eq!(p.to_string().parse::<Priority>(), Ok(*p));
        }
        for t in WorkOrderType::ALL {
            assert_eq!(t.to_string().parse::<WorkOrderType>(), Ok(*t));
        }
        for a in AssetStatus::ALL {
            assert_eq!(a.to_string().parse::<AssetStatus>(), Ok(a));
        }
        for i in InstanceStatus::ALL {
            assert_eq!(i.to_string().parse::<InstanceStatus>(), Ok(i));
        }
        for s in Scope::ALL {
            assert_eq!(s.to_string().parse::<Scope>(), Ok(s));
        }
        for r in RiskClass::ALL {
            assert_eq!(r.to_string().parse::<RiskClass>(), Ok(*r));
        }
        for m in MaintenanceStrategy::ALL {
            assert_eq!(m.to_string().parse::<MaintenanceStrategy>(), Ok(*m));
        }
        for k in AttachmentKind::ALL {
            assert_eq!(k.to_string().parse::<AttachmentKind>(), Ok(*k));
        }
        for k in LocationKind::ALL {
            assert_eq!(k.to_string().parse::<LocationKind>(), Ok(*k));
        }
        for u in UserStatus::ALL {
            assert_eq!(u.to_string().parse::<UserStatus>(), Ok(*u));
        }
        assert_eq!(
            "declining_balance".parse::<DepreciationMethod>(),
            Ok(DepreciationMethod::DecliningBalance)
        );
        assert!(
            "basement".parse::<LocationKind>().is_err(),
            "no silent `area`"
        );
        assert_eq!(Status::InProgress.to_string(), "in_progress");
        assert_eq!(
            "half_done".parse::<Status>(),
            Err(UnknownKey {
                kind: "Status",
                key: "half_done".into()
            })
        );
        assert!("Pending".parse::<Status>().is_err(), "keys are exact");
        assert!("".parse::<Scope>().is_err());
    }
}
