//! Work orders: requests, assignment, the status machine, notes, time, completion and
//! approval, history, and the SLA policies that set their deadlines.
//!
//! Other modules use only what this file publishes: the front door ([`record`]: raise a work
//! order, take a status step, read one in scope), the hooks they implement ([`hooks`]) and a few
//! read helpers. The submodules are private; the compiler holds the boundary.

mod assignment;
mod dto;
mod escalation;
mod group_commit;
mod hooks;
mod lifecycle;
mod parts;
mod past;
mod query;
mod record;
pub mod routes;
mod service;
mod sla;
mod summary;

use std::sync::Arc;

pub use assignment::{Assignment, workers};
pub use dto::{PriorityDto, WorkOrderDto};
pub use escalation::chain as escalation_chain;
pub use hooks::{Hooks, Step, WorkOrderHooks};
pub use parts::{CostSource as PartsCostSource, cost_sources as parts_cost_sources};
pub use past::{PastStep, PastTime, PastWorkOrder, import_past};
pub use query::{scope_condition as visible_condition, to_dtos};
pub use record::{
    Move, NewWorkOrder, Notice, Raise, Raised, Raiser, find_visible, history, raise, raise_many,
    record_scope, reserve_codes, rights, status_of, transition,
};
pub use sla::policy as sla_policy;

/// Events about a work order reach those who may read it.
pub struct WorkOrderEvents;

#[async_trait::async_trait]
impl crate::events::visibility::RecordVisibility for WorkOrderEvents {
    async fn may_see(
        &self,
        db: &sea_orm::DatabaseConnection,
        p: &crate::auth::principal::Principal,
        _event_type: &str,
        id: uuid::Uuid,
    ) -> bool {
        use sea_orm::EntityTrait;
        p.can("work_order.read")
            && hmms_store::entities::work_order::Entity::find_by_id(id)
                .one(db)
                .await
                .ok()
                .flatten()
                .is_some_and(|w| p.sees(&record_scope(&w)))
    }
}

/// What the work-order module keeps for the running application: the hooks other modules
/// registered, and the queue that writes new work orders together (group commit).
pub struct Wiring {
    hooks: Hooks,
    creates: group_commit::CreateQueue,
}

impl Wiring {
    /// The work-order module with these hooks, run in this order on every step.
    pub fn new(hooks: Vec<Arc<dyn WorkOrderHooks>>) -> Self {
        Wiring {
            hooks: Hooks::new(hooks),
            creates: Default::default(),
        }
    }
}
