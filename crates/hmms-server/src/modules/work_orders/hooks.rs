//! Reactions to a work order's life, registered rather than called: preventive maintenance,
//! assets (and stock, later) implement [`WorkOrderHooks`], `app::registry` lists them, and the
//! work-order front door ([`super::record`]) runs them inside the write transaction of the step
//! — so an error in a reaction rolls the whole step back, and a reader of this module sees every
//! place a step reaches.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use hmms_store::entities::work_order;

use crate::auth::principal::Principal;
use crate::error::ApiResult;
use crate::state::WriteTx;

/// The step a hook is told about: the transaction it runs in, who took the step and when.
pub struct Step<'a> {
    pub tx: &'a WriteTx,
    pub by: &'a Principal,
    pub now: DateTime<Utc>,
}

/// What another module does when a work order moves. Each method gets the work order as it was
/// before the step; the defaults do nothing.
#[async_trait]
pub trait WorkOrderHooks: Send + Sync {
    /// Before a work order is completed; an error refuses the completion (e.g. a checklist
    /// with required items still open).
    async fn before_complete(&self, _tx: &WriteTx, _w: &work_order::Model) -> ApiResult<()> {
        Ok(())
    }

    /// The work order was completed with `resolution` (e.g. `repaired`, `failed_acceptance`).
    async fn on_completed(
        &self,
        _step: &Step<'_>,
        _w: &work_order::Model,
        _resolution: &str,
    ) -> ApiResult<()> {
        Ok(())
    }

    /// The work order was cancelled, with the reason given if any.
    async fn on_cancelled(
        &self,
        _step: &Step<'_>,
        _w: &work_order::Model,
        _reason: Option<&str>,
    ) -> ApiResult<()> {
        Ok(())
    }

    /// Completed work was sent back: it is in progress again.
    async fn on_reopened(&self, _step: &Step<'_>, _w: &work_order::Model) -> ApiResult<()> {
        Ok(())
    }
}

/// The hooks in the order they run, as `app::registry` lists them.
#[derive(Clone, Default)]
pub struct Hooks(Vec<Arc<dyn WorkOrderHooks>>);

impl Hooks {
    pub fn new(hooks: Vec<Arc<dyn WorkOrderHooks>>) -> Self {
        Hooks(hooks)
    }

    pub(super) fn iter(&self) -> impl Iterator<Item = &Arc<dyn WorkOrderHooks>> {
        self.0.iter()
    }
}
