//! Recalls and field safety notices: recorded against a make and model (optionally a serial
//! range), they find every affected asset in the recorder's scope and open a high-priority
//! safety work order on each, in one transaction; the recall stays open until every one of
//! those work orders is closed or cancelled.

use chrono::NaiveDate;
use hmms_domain::assets::serial_in_range;
use hmms_domain::validate::{self, Errors};
use hmms_domain::work_orders::{Priority, Status, WorkOrderType};
use hmms_store::entities::{asset, recall, recall_asset, work_order};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::service::find_visible;
use crate::audit::{self, Change};
use crate::auth::principal::Principal;
use crate::error::{ApiError, ApiResult, parsed};
use crate::modules::work_orders::{self, NewWorkOrder, raise};
use crate::state::AppState;

/// Recording a recall or field safety notice.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateRecall {
    /// The manufacturer's or regulator's reference.
    #[schema(example = "FSN-2026-0412")]
    pub reference: String,
    #[schema(example = "Infusion pump free-flow risk")]
    pub title: String,
    /// What is wrong and what to do.
    #[schema(max_length = 10000)]
    pub description: String,
    pub make: String,
    pub model: String,
    pub serial_from: Option<String>,
    pub serial_to: Option<String>,
    pub issued_on: NaiveDate,
}

/// An affected asset and the work order that deals with it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RecallAsset {
    pub asset_id: Uuid,
    pub tag: String,
    pub work_order_id: Uuid,
    pub work_order_code: String,
    pub work_order_status: String,
}

/// A recall and its progress.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RecallDto {
    pub id: Uuid,
    pub reference: String,
    pub title: String,
    pub description: String,
    pub make: String,
    pub model: String,
    pub serial_from: Option<String>,
    pub serial_to: Option<String>,
    pub issued_on: NaiveDate,
    /// Affected assets (those you may see).
    pub assets: Vec<RecallAsset>,
    /// Work orders closed or cancelled, of all of them.
    pub done: usize,
    pub total: usize,
    /// `open` until every work order is closed or cancelled, then `closed`.
    pub status: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

async fn view(state: &AppState, p: &Principal, r: recall::Model) -> ApiResult<RecallDto> {
    let links = recall_asset::Entity::find()
        .filter(recall_asset::Column::RecallId.eq(r.id))
        .all(&state.db)
        .await?;
    let orders = work_order::Entity::find()
        .filter(work_order::Column::Id.is_in(links.iter().map(|l| l.work_order_id)))
        .all(&state.db)
        .await?;
    let finished = |w: &work_order::Model| matches!(w.status, Status::Closed | Status::Cancelled);
    let done = orders.iter().filter(|w| finished(w)).count();
    let mut assets = vec![];
    for l in &links {
        let (Ok(a), Some(w)) = (
            find_visible(&state.db, p, l.asset_id).await,
            orders.iter().find(|w| w.id == l.work_order_id),
        ) else {
            continue;
        };
        assets.push(RecallAsset {
            asset_id: a.id,
            tag: a.tag,
            work_order_id: w.id,
            work_order_code: w.code.clone(),
            work_order_status: w.status.key().to_string(),
        });
    }
    assets.sort_by(|a, b| a.tag.cmp(&b.tag));
    Ok(RecallDto {
        status: if done == links.len() {
            "closed"
        } else {
            "open"
        }
        .into(),
        done,
        total: links.len(),
        assets,
        id: r.id,
        reference: r.reference,
        title: r.title,
        description: r.description,
        make: r.make,
        model: r.model,
        serial_from: r.serial_from,
        serial_to: r.serial_to,
        issued_on: r.issued_on,
        created_at: r.created_at,
    })
}

pub async fn list(state: &AppState, p: &Principal) -> ApiResult<Vec<RecallDto>> {
    p.require("asset.read")?;
    let mut out = vec![];
    for r in recall::Entity::find()
        .filter(recall::Column::OrganizationId.eq(p.org()))
        .order_by_desc(recall::Column::IssuedOn)
        .all(&state.db)
        .await?
    {
        out.push(view(state, p, r).await?);
    }
    Ok(out)
}

pub async fn get(state: &AppState, p: &Principal, id: Uuid) -> ApiResult<RecallDto> {
    p.require("asset.read")?;
    let r = recall::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .filter(|r| r.organization_id == p.org())
        .ok_or_else(|| ApiError::not_found("recall"))?;
    view(state, p, r).await
}

pub async fn create(state: &AppState, p: &Principal, body: CreateRecall) -> ApiResult<RecallDto> {
    p.require("asset.manage")?;
    let mut errors = Errors::default();
    let reference = errors.check("reference", validate::name(&body.reference, 80));
    let title = errors.check("title", validate::name(&body.title, 200));
    let make = errors.check("make", validate::name(&body.make, 120));
    let model = errors.check("model", validate::name(&body.model, 120));
    let description = body.description.trim().to_string();
    if description.is_empty() {
        errors.add("description", "say what is wrong and what to do");
    } else if description.chars().count() > 10_000 {
        errors.add("description", "must be at most 10000 characters");
    }
    let serial = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let (from, to) = (serial(&body.serial_from), serial(&body.serial_to));
    if let (Some(f), Some(t)) = (&from, &to)
        && !serial_in_range(f, None, Some(t))
    {
        errors.add("serialTo", "comes before serialFrom");
    }
    errors.into_result()?;
    let (make, model) = (parsed(make, "make")?, parsed(model, "model")?);
    let now = state.clock.now();
    let tx = state.begin_write().await?;
    // Every asset of that make and model the recorder looks after, not yet disposed of.
    let candidates = asset::Entity::find()
        .filter(asset::Column::OrganizationId.eq(p.org()))
        .filter(asset::Column::Status.ne("disposed"))
        .all(&*tx)
        .await?;
    let mut affected = vec![];
    for a in candidates {
        let same = |x: &Option<String>, y: &str| {
            x.as_deref()
                .is_some_and(|x| x.trim().eq_ignore_ascii_case(y))
        };
        if same(&a.make, &make)
            && same(&a.model, &model)
            && serial_in_range(
                a.serial_number.as_deref().unwrap_or(""),
                from.as_deref(),
                to.as_deref(),
            )
            && (from.is_none() && to.is_none() || a.serial_number.is_some())
            && find_visible(&*tx, p, a.id).await.is_ok()
        {
            affected.push(a);
        }
    }
    let r = recall::ActiveModel {
        id: Set(Uuid::now_v7()),
        organization_id: Set(p.org()),
        reference: Set(parsed(reference, "reference")?),
        title: Set(parsed(title, "title")?),
        description: Set(description),
        make: Set(make),
        model: Set(model),
        serial_from: Set(from),
        serial_to: Set(to),
        issued_on: Set(body.issued_on),
        created_by: Set(p.id()),
        created_at: Set(now),
    }
    .insert(&*tx)
    .await?;
    for a in &affected {
        let sla = work_orders::sla_policy(&*tx, a.site_id, Priority::High).await?;
        let w = raise(
            &tx,
            p,
            NewWorkOrder {
                id: None,
                site_id: a.site_id,
                title: format!("Recall {}: {} ({})", r.reference, r.title, a.tag),
                description: r.description.clone(),
                wo_type: WorkOrderType::SafetyTest,
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
        recall_asset::ActiveModel {
            recall_id: Set(r.id),
            asset_id: Set(a.id),
            work_order_id: Set(w.id),
        }
        .insert(&*tx)
        .await?;
    }
    let change = Change {
        action: "recall.created",
        entity_type: "recall",
        entity_id: Some(r.id.to_string()),
        before: None,
        after: Some(serde_json::json!({
            "reference": r.reference, "make": r.make, "model": r.model,
            "affected": affected.iter().map(|a| a.tag.clone()).collect::<Vec<_>>(),
        })),
    };
    audit::record(&tx, now, &p.who(), change).await?;
    tx.commit().await?;
    view(state, p, r).await
}
