//! Meters on an asset (runtime hours, cycles, exposures) and their readings: counters that only
//! go up, recorded by technicians and managers, kept in the asset's history, and the basis of
//! usage-based maintenance.

use chrono::{DateTime, Utc};
use hmms_domain::validate::{self, Errors};
use hmms_store::entities::{asset_history, asset_meter, meter_reading};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use super::service::{audit_addition, find_visible};
use crate::auth::principal::Principal;
use crate::error::{ApiError, ApiResult, parsed};
use crate::state::AppState;

/// A counter on an asset.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MeterDto {
    pub id: Uuid,
    pub name: String,
    pub unit: String,
    pub last_value: Option<i64>,
    pub last_read_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateMeter {
    #[schema(example = "Runtime")]
    pub name: String,
    #[schema(example = "hours")]
    pub unit: String,
}

/// A reading of a meter.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReadingDto {
    pub id: Uuid,
    pub value: i64,
    pub read_at: DateTime<Utc>,
    pub recorded_by: Uuid,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateReading {
    #[schema(minimum = 0)]
    pub value: i64,
    /// When it was read; now if absent.
    pub read_at: Option<DateTime<Utc>>,
}

async fn latest(
    db: &impl sea_orm::ConnectionTrait,
    meter: Uuid,
) -> ApiResult<Option<meter_reading::Model>> {
    Ok(meter_reading::Entity::find()
        .filter(meter_reading::Column::MeterId.eq(meter))
        .order_by_desc(meter_reading::Column::ReadAt)
        .one(db)
        .await?)
}

pub async fn list(state: &AppState, p: &Principal, asset_id: Uuid) -> ApiResult<Vec<MeterDto>> {
    let a = find_visible(&state.db, p, asset_id).await?;
    let mut out = vec![];
    for m in asset_meter::Entity::find()
        .filter(asset_meter::Column::AssetId.eq(a.id))
        .order_by_asc(asset_meter::Column::Name)
        .all(&state.db)
        .await?
    {
        let last = latest(&state.db, m.id).await?;
        out.push(MeterDto {
            id: m.id,
            name: m.name,
            unit: m.unit,
            last_value: last.as_ref().map(|r| r.value),
            last_read_at: last.map(|r| r.read_at),
        });
    }
    Ok(out)
}

pub async fn create(
    state: &AppState,
    p: &Principal,
    asset_id: Uuid,
    body: CreateMeter,
) -> ApiResult<MeterDto> {
    p.require("asset.manage")?;
    let mut errors = Errors::default();
    let name = errors.check("name", validate::name(&body.name, 80));
    let unit = errors.check("unit", validate::name(&body.unit, 20));
    errors.into_result()?;
    let name = parsed(name, "name")?;
    let tx = state.begin_write().await?;
    let a = find_visible(&*tx, p, asset_id).await?;
    if asset_meter::Entity::find()
        .filter(asset_meter::Column::AssetId.eq(a.id))
        .filter(asset_meter::Column::Name.eq(name.as_str()))
        .count(&*tx)
        .await?
        > 0
    {
        return Err(ApiError::Conflict(format!(
            "{} already has a meter named {name}.",
            a.tag
        )));
    }
    let now = state.clock.now();
    let m = asset_meter::ActiveModel {
        id: Set(Uuid::now_v7()),
        organization_id: Set(a.organization_id),
        asset_id: Set(a.id),
        name: Set(name),
        unit: Set(parsed(unit, "unit")?),
        created_at: Set(now),
    }
    .insert(&*tx)
    .await?;
    let out = MeterDto {
        id: m.id,
        name: m.name,
        unit: m.unit,
        last_value: None,
        last_read_at: None,
    };
    audit_addition(&tx, p, "asset.meter_added", a.id, &out, now).await?;
    tx.commit().await?;
    Ok(out)
}

async fn meter_of(
    db: &impl sea_orm::ConnectionTrait,
    asset_id: Uuid,
    meter_id: Uuid,
) -> ApiResult<asset_meter::Model> {
    asset_meter::Entity::find_by_id(meter_id)
        .one(db)
        .await?
        .filter(|m| m.asset_id == asset_id)
        .ok_or_else(|| ApiError::not_found("meter"))
}

pub async fn readings(
    state: &AppState,
    p: &Principal,
    asset_id: Uuid,
    meter_id: Uuid,
) -> ApiResult<Vec<ReadingDto>> {
    let a = find_visible(&state.db, p, asset_id).await?;
    let m = meter_of(&state.db, a.id, meter_id).await?;
    Ok(meter_reading::Entity::find()
        .filter(meter_reading::Column::MeterId.eq(m.id))
        .order_by_desc(meter_reading::Column::ReadAt)
        .limit(500)
        .all(&state.db)
        .await?
        .into_iter()
        .map(|r| ReadingDto {
            id: r.id,
            value: r.value,
            read_at: r.read_at,
            recorded_by: r.recorded_by,
        })
        .collect())
}

/// Records a reading. Counters only go up: a reading may not be below an earlier one or above
/// a later one.
pub async fn record(
    state: &AppState,
    p: &Principal,
    asset_id: Uuid,
    meter_id: Uuid,
    body: CreateReading,
) -> ApiResult<ReadingDto> {
    if !p.can("asset.manage") && !p.can("work_order.execute") {
        return Err(ApiError::missing_permission("work_order.execute"));
    }
    let now = state.clock.now();
    let read_at = body.read_at.unwrap_or(now);
    let mut errors = Errors::default();
    if body.value < 0 {
        errors.add("value", "must not be negative");
    }
    if read_at > now + chrono::Duration::minutes(5) {
        errors.add("readAt", "cannot be in the future");
    }
    errors.into_result()?;
    let tx = state.begin_write().await?;
    let a = find_visible(&*tx, p, asset_id).await?;
    let m = meter_of(&*tx, a.id, meter_id).await?;
    let before = meter_reading::Entity::find()
        .filter(meter_reading::Column::MeterId.eq(m.id))
        .filter(meter_reading::Column::ReadAt.lte(read_at))
        .order_by_desc(meter_reading::Column::ReadAt)
        .one(&*tx)
        .await?;
    let after = meter_reading::Entity::find()
        .filter(meter_reading::Column::MeterId.eq(m.id))
        .filter(meter_reading::Column::ReadAt.gt(read_at))
        .order_by_asc(meter_reading::Column::ReadAt)
        .one(&*tx)
        .await?;
    if let Some(b) = before.filter(|b| body.value < b.value) {
        return Err(ApiError::validation(
            "value",
            format!(
                "is below the reading of {} {} on {}; meters only go up",
                b.value,
                m.unit,
                b.read_at.format("%Y-%m-%d %H:%M")
            ),
        ));
    }
    if let Some(n) = after.filter(|n| body.value > n.value) {
        return Err(ApiError::validation(
            "value",
            format!(
                "is above the later reading of {} {} on {}",
                n.value,
                m.unit,
                n.read_at.format("%Y-%m-%d %H:%M")
            ),
        ));
    }
    let r = meter_reading::ActiveModel {
        id: Set(Uuid::now_v7()),
        organization_id: Set(a.organization_id),
        meter_id: Set(m.id),
        value: Set(body.value),
        read_at: Set(read_at),
        recorded_by: Set(p.id()),
    }
    .insert(&*tx)
    .await?;
    asset_history::ActiveModel {
        id: Set(Uuid::now_v7()),
        organization_id: Set(a.organization_id),
        asset_id: Set(a.id),
        kind: Set("meter_reading".into()),
        from_status: Set(None),
        to_status: Set(None),
        detail: Set(
            json!({ "meterId": m.id, "meter": m.name, "value": r.value, "unit": m.unit })
                .to_string(),
        ),
        actor_id: Set(Some(p.id())),
        created_at: Set(read_at),
    }
    .insert(&*tx)
    .await?;
    let out = ReadingDto {
        id: r.id,
        value: r.value,
        read_at: r.read_at,
        recorded_by: r.recorded_by,
    };
    audit_addition(&tx, p, "asset.meter_read", a.id, &out, now).await?;
    tx.commit().await?;
    Ok(out)
}
