//! Reliability and cost of one asset: downtime from its status history, MTTR and MTBF from its
//! corrective work, total cost of ownership, and whether repairs now argue for replacing it.

use hmms_domain::assets::{self as rules, AssetStatus};
use hmms_domain::money;
use hmms_domain::work_orders::WorkOrderType;
use hmms_store::entities::{asset_history, organization, work_order};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::service::find_visible;
use crate::auth::principal::Principal;
use crate::error::ApiResult;
use crate::modules::work_orders::to_dtos;
use crate::state::AppState;

/// How an asset has fared since it entered service.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Reliability {
    /// When the figures start: commissioning, else registration.
    pub since: chrono::DateTime<chrono::Utc>,
    /// Minutes spent under maintenance or out of service.
    pub downtime_minutes: i64,
    /// Share of the time it was available, percent (one decimal).
    pub availability_percent: f64,
    /// Corrective work orders (failures) raised on it.
    pub failures: usize,
    /// Mean time to repair, minutes, over completed corrective work.
    pub mttr_minutes: Option<i64>,
    /// Mean time between failures, hours of operation.
    pub mtbf_hours: Option<f64>,
    pub labour_cost_minor: i64,
    pub parts_cost_minor: i64,
    pub vendor_cost_minor: i64,
    /// Everything spent on maintaining it (all work orders).
    pub maintenance_cost_minor: i64,
    /// Spent on repairs (corrective work orders) only.
    pub repair_cost_minor: i64,
    pub purchase_cost_minor: i64,
    /// Purchase plus maintenance.
    pub total_cost_of_ownership_minor: i64,
    /// Replacement cost, else purchase cost.
    pub replacement_cost_minor: Option<i64>,
    /// The organization's threshold (percent of replacement cost).
    pub repair_replace_percent: i32,
    /// Repairs have cost more than the threshold: consider replacing it.
    pub replacement_advised: bool,
}

pub async fn of(state: &AppState, p: &Principal, id: Uuid) -> ApiResult<Reliability> {
    let a = find_visible(&state.db, p, id).await?;
    let now = state.clock.now();
    let entered: Vec<(chrono::DateTime<chrono::Utc>, AssetStatus)> = asset_history::Entity::find()
        .filter(asset_history::Column::AssetId.eq(a.id))
        .filter(asset_history::Column::ToStatus.is_not_null())
        .order_by_asc(asset_history::Column::CreatedAt)
        .order_by_asc(asset_history::Column::Id)
        .all(&state.db)
        .await?
        .into_iter()
        .filter_map(|h| {
            Some((
                h.created_at,
                AssetStatus::from_key(h.to_status.as_deref()?)?,
            ))
        })
        .collect();
    let since = a
        .commissioned_on
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc())
        .into_iter()
        .chain(entered.first().map(|(t, _)| *t))
        .min()
        .unwrap_or(a.created_at)
        .min(now);
    let downtime = rules::downtime_minutes(&entered, now);
    let period = (now - since).num_minutes().max(1);

    let orders = work_order::Entity::find()
        .filter(work_order::Column::AssetId.eq(a.id))
        .filter(work_order::Column::OrganizationId.eq(a.organization_id))
        .all(&state.db)
        .await?;
    // Costs as every work order shows them (labour at the organization's rate, parts, vendor).
    let costed = to_dtos(&state.db, p, orders.clone(), now).await?;
    let corrective = |w: &work_order::Model| w.wo_type == WorkOrderType::Corrective;
    let failures = orders.iter().filter(|w| corrective(w)).count();
    let repairs: Vec<_> = orders
        .iter()
        .filter(|w| corrective(w))
        .filter_map(|w| Some((w.created_at, w.completed_at?)))
        .collect();
    let labour = money::total(costed.iter().map(|d| d.labour_cost_minor));
    let parts = money::total(costed.iter().map(|d| d.parts_cost_minor));
    let vendor = money::total(costed.iter().map(|d| d.vendor_cost_minor));
    let repair = money::total(
        orders
            .iter()
            .zip(&costed)
            .filter(|(w, _)| corrective(w))
            .map(|(_, d)| d.total_cost_minor),
    );
    let percent = organization::Entity::find_by_id(a.organization_id)
        .one(&state.db)
        .await?
        .map(|o| o.repair_replace_percent)
        .unwrap_or(50);
    let replacement = a.replacement_cost_minor.or(a.purchase_cost_minor);
    let maintenance = money::total([labour, parts, vendor]);
    Ok(Reliability {
        since,
        downtime_minutes: downtime,
        availability_percent: ((period - downtime.min(period)) as f64 * 1000.0 / period as f64)
            .round()
            / 10.0,
        failures,
        mttr_minutes: rules::mttr_minutes(&repairs),
        mtbf_hours: rules::mtbf_hours(period, downtime, failures),
        labour_cost_minor: labour,
        parts_cost_minor: parts,
        vendor_cost_minor: vendor,
        maintenance_cost_minor: maintenance,
        repair_cost_minor: repair,
        purchase_cost_minor: a.purchase_cost_minor.unwrap_or(0),
        total_cost_of_ownership_minor: money::total([
            a.purchase_cost_minor.unwrap_or(0),
            maintenance,
        ]),
        replacement_cost_minor: replacement,
        repair_replace_percent: percent,
        replacement_advised: replacement
            .is_some_and(|r| rules::replacement_advised(repair, r, percent)),
    })
}
