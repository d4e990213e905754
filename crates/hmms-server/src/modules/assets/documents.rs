//! Documents on an asset: manuals, certificates, acceptance reports and photos, kept like
//! work-order attachments (type checked by content, thumbnails for images) and readable by
//! whoever may see the asset.

use hmms_domain::assets::AssetStatus;
use hmms_domain::files::sniff;
use hmms_store::entities::{asset_history, attachment};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde_json::json;
use uuid::Uuid;

use super::service::{audit_addition, find_visible};
use crate::auth::principal::Principal;
use crate::error::{ApiError, ApiResult};
use crate::modules::attachments::{
    AttachmentDto, AttachmentKind, Owner, Upload, dto, prepare_in, record,
};
use crate::state::AppState;

pub async fn list(
    state: &AppState,
    p: &Principal,
    asset_id: Uuid,
) -> ApiResult<Vec<AttachmentDto>> {
    let a = find_visible(&state.db, p, asset_id).await?;
    Ok(attachment::Entity::find()
        .filter(attachment::Column::EntityType.eq("asset"))
        .filter(attachment::Column::EntityId.eq(a.id))
        .order_by_asc(attachment::Column::Id)
        .all(&state.db)
        .await?
        .into_iter()
        .map(dto)
        .collect())
}

pub async fn upload(
    state: &AppState,
    p: &Principal,
    asset_id: Uuid,
    up: Upload,
) -> ApiResult<AttachmentDto> {
    p.require("asset.manage")?;
    let a = find_visible(&state.db, p, asset_id).await?;
    if a.status == AssetStatus::Disposed {
        return Err(ApiError::Conflict(
            "The asset was disposed of; its documents can no longer change.".into(),
        ));
    }
    if let Some(found) = sniff(&up.bytes)
        && up.kind.is_some_and(|k| k != AttachmentKind::Document)
        && !found.is_image()
    {
        return Err(ApiError::validation(
            "kind",
            "photos and signatures must be images",
        ));
    }
    let prepared = prepare_in(state, p.org(), &format!("assets/{}", a.id), up.bytes).await?;
    let kind = up.kind.unwrap_or(if prepared.is_image() {
        AttachmentKind::Photo
    } else {
        AttachmentKind::Document
    });
    let now = state.clock.now();
    let tx = state.begin_write().await?;
    let owner = Owner {
        org: p.org(),
        entity_type: "asset",
        entity_id: a.id,
        uploaded_by: p.id(),
    };
    let out = record(&tx, prepared, owner, kind, up.file_name.as_deref(), now).await?;
    asset_history::ActiveModel {
        id: Set(Uuid::now_v7()),
        organization_id: Set(a.organization_id),
        asset_id: Set(a.id),
        kind: Set("document".into()),
        from_status: Set(None),
        to_status: Set(None),
        detail: Set(
            json!({ "attachmentId": out.id, "fileName": out.file_name, "kind": out.kind })
                .to_string(),
        ),
        actor_id: Set(Some(p.id())),
        created_at: Set(now),
    }
    .insert(&*tx)
    .await?;
    audit_addition(&tx, p, "asset.document_added", a.id, &out, now).await?;
    tx.commit().await?;
    Ok(out)
}
