//! Spare parts and stores: the catalogue, stores and bins at each site, and the stock ledger —
//! every movement an immutable entry, balances kept with it in the same transaction, never
//! negative. [`ledger::post`] is the one writer other modules (consumables, oxygen stores,
//! purchasing) will post through.

mod dto;
mod import;
mod ledger;
mod movements;
mod parts;
pub mod routes;
mod sheet;
mod stock;
mod stock_outs;
mod stores;
mod value;
mod work;

pub use ledger::{Leg, LegFlow, Posting, post};
pub use stock_outs::{Shortfall, record_in as record_stock_out};
pub use stores::reachable_ids as reachable_store_ids;

/// Events about a part (its stock movements, low stock) reach those who may read stock.
pub struct PartEvents;

#[async_trait::async_trait]
impl crate::events::visibility::RecordVisibility for PartEvents {
    async fn may_see(
        &self,
        _db: &sea_orm::DatabaseConnection,
        p: &crate::auth::principal::Principal,
        _event_type: &str,
        _id: uuid::Uuid,
    ) -> bool {
        p.can("inventory.read")
    }
}
