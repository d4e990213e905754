//! Equipment-related incidents: recorded on the asset by the people who raise requests, kept in
//! its history, and counted into the incident-history part of its EM number.

use chrono::{DateTime, Utc};
use hmms_domain::assets::incident_history_score;
use hmms_domain::validate::Errors;
use hmms_store::entities::{asset, asset_history, asset_incident, work_order};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use super::service::{audit_addition, find_visible};
use crate::auth::principal::Principal;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// An equipment-related incident.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct IncidentDto {
    pub id: Uuid,
    pub asset_id: Uuid,
    pub occurred_at: DateTime<Utc>,
    pub description: String,
    pub patient_harm: bool,
    pub staff_harm: bool,
    /// Reported to the regulator or manufacturer.
    pub reported_externally: bool,
    pub external_reference: Option<String>,
    pub work_order_id: Option<Uuid>,
    pub reported_by: Uuid,
    pub created_at: DateTime<Utc>,
}

/// Recording an incident.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateIncident {
    /// When it happened (not in the future).
    pub occurred_at: DateTime<Utc>,
    #[schema(min_length = 1, max_length = 4000)]
    pub description: String,
    pub patient_harm: bool,
    pub staff_harm: bool,
    pub reported_externally: bool,
    #[schema(max_length = 80)]
    pub external_reference: Option<String>,
    /// The work order that followed, if any (on this asset).
    pub work_order_id: Option<Uuid>,
}

fn dto(m: asset_incident::Model) -> IncidentDto {
    IncidentDto {
        id: m.id,
        asset_id: m.asset_id,
        occurred_at: m.occurred_at,
        description: m.description,
        patient_harm: m.patient_harm,
        staff_harm: m.staff_harm,
        reported_externally: m.reported_externally,
        external_reference: m.external_reference,
        work_order_id: m.work_order_id,
        reported_by: m.reported_by,
        created_at: m.created_at,
    }
}

pub async fn list(state: &AppState, p: &Principal, id: Uuid) -> ApiResult<Vec<IncidentDto>> {
    let a = find_visible(&state.db, p, id).await?;
    Ok(asset_incident::Entity::find()
        .filter(asset_incident::Column::AssetId.eq(a.id))
        .order_by_desc(asset_incident::Column::OccurredAt)
        .all(&state.db)
        .await?
        .into_iter()
        .map(dto)
        .collect())
}

pub async fn record(
    state: &AppState,
    p: &Principal,
    id: Uuid,
    body: CreateIncident,
) -> ApiResult<IncidentDto> {
    p.require("work_order.request")?;
    let now = state.clock.now();
    let mut errors = Errors::default();
    let description = body.description.trim().to_string();
    if description.is_empty() {
        errors.add("description", "say what happened");
    } else if description.chars().count() > 4000 {
        errors.add("description", "must be at most 4000 characters");
    }
    if body.occurred_at > now + chrono::Duration::minutes(5) {
        errors.add("occurredAt", "cannot be in the future");
    }
    let reference = body
        .external_reference
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_string);
    if reference.as_ref().is_some_and(|r| r.chars().count() > 80) {
        errors.add("externalReference", "must be at most 80 characters");
    }
    if reference.is_some() && !body.reported_externally {
        errors.add(
            "externalReference",
            "only an incident reported externally has an external reference",
        );
    }
    let tx = state.begin_write().await?;
    let a = find_visible(&*tx, p, id).await?;
    if let Some(w) = body.work_order_id
        && work_order::Entity::find_by_id(w)
            .one(&*tx)
            .await?
            .filter(|w| {
                w.asset_id == Some(a.id) && p.sees(&crate::modules::work_orders::record_scope(w))
            })
            .is_none()
    {
        errors.add("workOrderId", "is not a work order on this asset");
    }
    errors.into_result()?;
    let m = asset_incident::ActiveModel {
        id: Set(Uuid::now_v7()),
        organization_id: Set(a.organization_id),
        asset_id: Set(a.id),
        occurred_at: Set(body.occurred_at),
        description: Set(description),
        patient_harm: Set(body.patient_harm),
        staff_harm: Set(body.staff_harm),
        reported_externally: Set(body.reported_externally),
        external_reference: Set(reference),
        work_order_id: Set(body.work_order_id),
        reported_by: Set(p.id()),
        created_at: Set(now),
    }
    .insert(&*tx)
    .await?;
    let out = dto(m);
    asset_history::ActiveModel {
        id: Set(Uuid::now_v7()),
        organization_id: Set(a.organization_id),
        asset_id: Set(a.id),
        kind: Set("incident".into()),
        from_status: Set(None),
        to_status: Set(None),
        detail: Set(
            json!({ "incidentId": out.id, "patientHarm": out.patient_harm,
            "staffHarm": out.staff_harm, "reportedExternally": out.reported_externally })
            .to_string(),
        ),
        actor_id: Set(Some(p.id())),
        // In the story where it happened, not when it was typed in.
        created_at: Set(out.occurred_at),
    }
    .insert(&*tx)
    .await?;
    rescore(&tx, &a, now).await?;
    audit_addition(&tx, p, "asset.incident_recorded", a.id, &out, now).await?;
    tx.commit().await?;
    Ok(out)
}

/// Updates the incident-history score of a scored asset (all four EM parts present).
async fn rescore(
    tx: &crate::state::WriteTx,
    a: &asset::Model,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    if a.em_function.is_none() || a.em_incident_history.is_none() {
        return Ok(());
    }
    let incidents: Vec<(DateTime<Utc>, bool)> = asset_incident::Entity::find()
        .filter(asset_incident::Column::AssetId.eq(a.id))
        .all(&**tx)
        .await?
        .into_iter()
        .map(|i| (i.occurred_at, i.patient_harm || i.staff_harm))
        .collect();
    let score = i16::from(incident_history_score(&incidents, now));
    if a.em_incident_history == Some(score) {
        return Ok(());
    }
    let mut m = a.clone().into_active_model();
    m.em_incident_history = Set(Some(score));
    m.updated_at = Set(now);
    m.version = Set(a.version + 1);
    m.update(&**tx)
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    Ok(())
}
