//! Which events a user may receive: the same rule as reading the record itself. Modules that
//! stream events about their records register how to judge them ([`RecordVisibility`], listed
//! in `app::registry`); events about sessions, second factors, notifications and settings, or
//! about records nobody registered, are never streamed.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use super::LiveEvent;
use crate::auth::principal::Principal;

/// Whether a person may see events about one record of a kind.
#[async_trait]
pub trait RecordVisibility: Send + Sync {
    async fn may_see(
        &self,
        db: &DatabaseConnection,
        p: &Principal,
        event_type: &str,
        id: Uuid,
    ) -> bool;
}

/// The judges of each entity type (`work_order`, `user`, …).
#[derive(Default)]
pub struct Visibility(HashMap<&'static str, Arc<dyn RecordVisibility>>);

impl Visibility {
    pub fn with(mut self, entity_type: &'static str, judge: Arc<dyn RecordVisibility>) -> Self {
        self.0.insert(entity_type, judge);
        self
    }

    /// Whether `p` may see the record the event is about.
    pub async fn may_see(&self, db: &DatabaseConnection, p: &Principal, e: &LiveEvent) -> bool {
        if e.organization_id != Some(p.org()) {
            return false;
        }
        let id = e.entity_id.as_deref().and_then(|s| s.parse::<Uuid>().ok());
        match (e.entity_type.as_str(), id) {
            ("site" | "department" | "section" | "location" | "organization", _) => {
                p.can("org.read")
                    && !e.event_type.starts_with("SLA_")
                    && !e.event_type.starts_with("ESCALATION_")
            }
            ("role", _) => p.can("role.read"),
            (kind, Some(id)) => match self.0.get(kind) {
                Some(judge) => judge.may_see(db, p, &e.event_type, id).await,
                None => false,
            },
            _ => false,
        }
    }
}
