//! Which events a user may receive: the same rule as reading the record itself.

use hmms_store::entities::{user, work_order};
use sea_orm::{ConnectionTrait, EntityTrait};
use uuid::Uuid;

use super::LiveEvent;
use crate::auth::principal::Principal;
use crate::modules::{users, work_orders};

/// Whether `p` may see the record the event is about. Events about sessions, second factors,
/// notifications and settings are never streamed.
pub async fn may_see(db: &impl ConnectionTrait, p: &Principal, e: &LiveEvent) -> bool {
    if e.organization_id != Some(p.org()) {
        return false;
    }
    let id = e.entity_id.as_deref().and_then(|s| s.parse::<Uuid>().ok());
    match (e.entity_type.as_str(), id) {
        ("work_order", Some(id)) => {
            p.can("work_order.read")
                && work_order::Entity::find_by_id(id)
                    .one(db)
                    .await
                    .ok()
                    .flatten()
                    .is_some_and(|w| p.sees(&work_orders::service::record_scope(&w)))
        }
        ("user", Some(id)) if e.event_type.starts_with("USER_") => {
            p.can("user.read")
                && user::Entity::find_by_id(id)
                    .one(db)
                    .await
                    .ok()
                    .flatten()
                    .is_some_and(|u| p.sees(&users::service::record_scope(&u)))
        }
        ("site" | "department" | "section" | "location" | "organization", _) => {
            p.can("org.read")
                && !e.event_type.starts_with("SLA_")
                && !e.event_type.starts_with("ESCALATION_")
        }
        ("role", _) => p.can("role.read"),
        _ => false,
    }
}
