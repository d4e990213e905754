//! Incoming inspection: a new asset starts `pending_acceptance` with an acceptance inspection
//! work order, and enters service when that work order is completed (unless the inspection
//! failed it).

use chrono::{DateTime, Utc};
use hmms_domain::assets::AssetStatus;
use hmms_domain::work_orders::{Priority, WorkOrderType};
use hmms_store::entities::{asset, work_order};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, IntoActiveModel};
use serde_json::json;

use super::service::{audit_asset, dto, history};
use crate::auth::principal::Principal;
use crate::error::{ApiError, ApiResult};
use crate::modules::work_orders::{self, NewWorkOrder, Step, WorkOrderHooks, raise};
use crate::state::WriteTx;

/// The resolution that keeps an inspected asset out of service.
pub const FAILED: &str = "failed_acceptance";

const CHECKS: &str = "Incoming inspection before first clinical use: delivery against the \
order (model, serial, accessories, manuals), physical condition, electrical safety test, \
performance check against the manufacturer's specification, user training arranged, asset \
label fixed. Complete with resolution `accepted`, or `failed_acceptance` to keep it out of \
service.";

/// Opens the acceptance inspection of a newly registered asset, in the same transaction.
pub async fn open(
    tx: &WriteTx,
    p: &Principal,
    a: &asset::Model,
    now: DateTime<Utc>,
) -> ApiResult<work_order::Model> {
    let sla = work_orders::sla_policy(&**tx, a.site_id, Priority::High).await?;
    let dto = raise(
        tx,
        p,
        NewWorkOrder {
            id: None,
            site_id: a.site_id,
            title: format!("Acceptance inspection: {} {}", a.tag, a.name),
            description: CHECKS.into(),
            wo_type: WorkOrderType::Inspection,
            priority: Priority::High,
            sla,
            asset_id: Some(a.id),
            department_id: a.department_id,
            location_id: a.location_id,
            assignment: None,
            signature_required: false,
            due: None,
            pm_instance_id: None,
            follow_up_of: None,
        },
        now,
    )
    .await?;
    work_order::Entity::find_by_id(dto.id)
        .one(&**tx)
        .await?
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("the inspection was not written")))
}

/// The acceptance inspection's reaction to work orders (registered in `app::registry`).
pub struct AcceptanceHooks;

#[async_trait::async_trait]
impl WorkOrderHooks for AcceptanceHooks {
    async fn on_completed(
        &self,
        step: &Step<'_>,
        w: &work_order::Model,
        resolution: &str,
    ) -> ApiResult<()> {
        on_completed(step.tx, step.by, w, resolution, step.now).await
    }
}

/// When a work order is completed: an inspection of an asset awaiting acceptance puts it
/// in service, unless it was completed as failed.
async fn on_completed(
    tx: &WriteTx,
    p: &Principal,
    w: &work_order::Model,
    resolution: &str,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let Some(asset_id) = w.asset_id else {
        return Ok(());
    };
    if w.wo_type != WorkOrderType::Inspection {
        return Ok(());
    }
    let Some(a) = asset::Entity::find_by_id(asset_id).one(&**tx).await? else {
        return Ok(());
    };
    if a.status != AssetStatus::PendingAcceptance {
        return Ok(());
    }
    if resolution == FAILED {
        history(
            tx,
            &a,
            Some(p.id()),
            "acceptance_failed",
            None,
            json!({ "workOrderId": w.id, "code": w.code }),
            now,
        )
        .await?;
        return Ok(());
    }
    let before = dto(a.clone(), now);
    let mut m = a.clone().into_active_model();
    m.status = Set(AssetStatus::InService);
    m.updated_at = Set(now);
    m.version = Set(a.version + 1);
    let saved = m.update(&**tx).await?;
    history(
        tx,
        &saved,
        Some(p.id()),
        "status",
        Some((
            Some(AssetStatus::PendingAcceptance.key()),
            AssetStatus::InService.key(),
        )),
        json!({ "reason": "Acceptance inspection passed", "workOrderId": w.id, "code": w.code }),
        now,
    )
    .await?;
    audit_asset(
        tx,
        p,
        "asset.accepted",
        Some(&before),
        &dto(saved, now),
        now,
    )
    .await
}
