//! Storing, listing and serving attachments.

use bytes::Bytes;
use chrono::Utc;
use hmms_domain::files::{FileKind, sniff};
use hmms_store::entities::attachment;
use object_store::ObjectStoreExt;
use object_store::path::Path as StorePath;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::principal::Principal;
use crate::error::{ApiError, ApiResult};
use crate::modules::work_orders::{find_visible, history, rights, status_of};
use crate::state::{AppState, WriteTx};

/// What a file is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AttachmentKind {
    Photo,
    Document,
    Signature,
}

impl AttachmentKind {
    pub fn from_key(k: &str) -> Option<Self> {
        hmms_domain::files::AttachmentKind::from_key(k).map(Into::into)
    }
}

same_variants!(
    AttachmentKind,
    hmms_domain::files::AttachmentKind,
    [Photo, Document, Signature]
);

/// A stored file.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AttachmentDto {
    pub id: Uuid,
    pub kind: AttachmentKind,
    /// As found in the file, not as claimed by the uploader.
    pub content_type: String,
    pub size_bytes: i64,
    /// SHA-256 of the content, hex.
    pub sha256: String,
    pub file_name: String,
    pub uploaded_by: Uuid,
    pub created_at: chrono::DateTime<Utc>,
    /// Where to download it (signed in).
    pub url: String,
    /// A 320-pixel JPEG preview, for photos and signatures.
    pub thumbnail_url: Option<String>,
}

pub fn dto(a: attachment::Model) -> AttachmentDto {
    AttachmentDto {
        url: format!("/api/v1/attachments/{}/content", a.id),
        thumbnail_url: a
            .thumbnail_key
            .as_ref()
            .map(|_| format!("/api/v1/attachments/{}/thumbnail", a.id)),
        id: a.id,
        kind: a.kind.into(),
        content_type: a.content_type,
        size_bytes: a.size_bytes,
        sha256: a.sha256,
        file_name: a.file_name,
        uploaded_by: a.uploaded_by,
        created_at: a.created_at,
    }
}

/// A file name that is safe in a header and on any disk: letters, digits, `.`, `-`, `_`.
fn clean_name(raw: Option<&str>, kind: FileKind) -> String {
    let base: String = raw
        .unwrap_or("")
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .take(100)
        .collect();
    let base = base.trim_matches(['.', '_']).to_string();
    if base.is_empty() {
        format!("file.{}", kind.extension())
    } else {
        base
    }
}

/// A thumbnail of an image, as JPEG; `None` if the image cannot be decoded.
pub(super) fn thumbnail(bytes: &[u8]) -> Option<Vec<u8>> {
    let img = image::load_from_memory(bytes).ok()?;
    let thumb = img.thumbnail(320, 320).to_rgb8();
    let mut out = std::io::Cursor::new(Vec::new());
    thumb.write_to(&mut out, image::ImageFormat::Jpeg).ok()?;
    Some(out.into_inner())
}

pub struct Upload {
    pub kind: Option<AttachmentKind>,
    pub file_name: Option<String>,
    pub bytes: Bytes,
}

/// A file checked and written to storage, waiting for its database row.
pub struct Prepared {
    pub(super) id: Uuid,
    pub(super) found: FileKind,
    pub(super) size: i64,
    pub(super) sha256: String,
    pub(super) key: String,
    pub(super) thumb_key: Option<String>,
}

impl Prepared {
    pub fn is_image(&self) -> bool {
        self.found.is_image()
    }
}

/// Checks a file by its bytes, makes its thumbnail, and writes both to storage under the work
/// order. Nothing is written for a file that is refused.
pub async fn prepare(
    state: &AppState,
    org: Uuid,
    work_order_id: Uuid,
    bytes: Bytes,
) -> ApiResult<Prepared> {
    prepare_in(state, org, &format!("work_orders/{work_order_id}"), bytes).await
}

/// [`prepare`] for a file of any record, kept under `{org}/{folder}/`.
pub async fn prepare_in(
    state: &AppState,
    org: Uuid,
    folder: &str,
    bytes: Bytes,
) -> ApiResult<Prepared> {
    let id = Uuid::now_v7();
    if bytes.is_empty() {
        return Err(ApiError::validation("file", "is empty"));
    }
    let found = sniff(&bytes).ok_or_else(|| {
        ApiError::UnsupportedMediaType(
            "Attach JPEG, PNG or WebP photos, or PDF documents; this file is none of them.".into(),
        )
    })?;
    let thumb = if found.is_image() {
        let data = bytes.clone();
        let t = tokio::task::spawn_blocking(move || thumbnail(&data))
            .await
            .map_err(|e| anyhow::anyhow!(e))?;
        Some(t.ok_or_else(|| {
            ApiError::validation("file", "the image could not be read; it may be damaged")
        })?)
    } else {
        None
    };
    let prefix = format!("{org}/{folder}/{id}");
    let key = format!("{prefix}.{}", found.extension());
    let thumb_key = thumb.as_ref().map(|_| format!("{prefix}.thumb.jpg"));
    state
        .files
        .put(&StorePath::from(key.as_str()), bytes.clone().into())
        .await
        .map_err(|e| anyhow::anyhow!(e))?;
    if let (Some(t), Some(k)) = (thumb, &thumb_key) {
        state
            .files
            .put(&StorePath::from(k.as_str()), Bytes::from(t).into())
            .await
            .map_err(|e| anyhow::anyhow!(e))?;
    }
    Ok(Prepared {
        id,
        found,
        size: bytes.len() as i64,
        sha256: hex::encode(Sha256::digest(&bytes)),
        key,
        thumb_key,
    })
}

/// Whose a file is: the organization, the record (`work_order` or `asset`), and who sent it.
pub struct Owner {
    pub org: Uuid,
    pub entity_type: &'static str,
    pub entity_id: Uuid,
    pub uploaded_by: Uuid,
}

/// Writes the row of a prepared file, in the caller's transaction.
pub async fn record(
    tx: &WriteTx,
    f: Prepared,
    owner: Owner,
    kind: AttachmentKind,
    file_name: Option<&str>,
    now: chrono::DateTime<Utc>,
) -> ApiResult<AttachmentDto> {
    let Owner {
        org,
        entity_type,
        entity_id,
        uploaded_by,
    } = owner;
    let row = attachment::ActiveModel {
        id: Set(f.id),
        organization_id: Set(org),
        entity_type: Set(entity_type.into()),
        entity_id: Set(entity_id),
        kind: Set(kind.into()),
        content_type: Set(f.found.content_type().into()),
        size_bytes: Set(f.size),
        sha256: Set(f.sha256),
        file_name: Set(clean_name(file_name, f.found)),
        storage_key: Set(f.key),
        thumbnail_key: Set(f.thumb_key),
        uploaded_by: Set(uploaded_by),
        created_at: Set(now),
    }
    .insert(&**tx)
    .await?;
    Ok(dto(row))
}

pub async fn upload(
    state: &AppState,
    p: &Principal,
    work_order_id: Uuid,
    up: Upload,
) -> ApiResult<AttachmentDto> {
    if let Some(found) = sniff(&up.bytes)
        && up.kind.is_some_and(|k| k != AttachmentKind::Document)
        && !found.is_image()
    {
        return Err(ApiError::validation(
            "kind",
            "photos and signatures must be images",
        ));
    }
    may_attach(state, p, work_order_id).await?;
    let prepared = prepare(state, p.org(), work_order_id, up.bytes).await?;
    commit(
        state,
        p,
        work_order_id,
        prepared,
        up.kind,
        up.file_name.as_deref(),
    )
    .await
}

/// Whether `p` may add files to the work order now.
pub async fn may_attach(state: &AppState, p: &Principal, work_order_id: Uuid) -> ApiResult<()> {
    let w = find_visible(&state.db, p, work_order_id).await?;
    let r = rights(p, &w);
    if !(r.assign || r.execute_own || r.requester) {
        return Err(ApiError::Forbidden(
            "Only the requester, the assignee and managers attach files to a work order.".into(),
        ));
    }
    if status_of(&w).is_final() {
        return Err(ApiError::Conflict(format!(
            "The work order is {}; files can no longer be added.",
            status_of(&w).key()
        )));
    }
    Ok(())
}

/// Records a stored file on the work order: its row, a history line, the audit entry and event.
pub async fn commit(
    state: &AppState,
    p: &Principal,
    work_order_id: Uuid,
    prepared: Prepared,
    kind: Option<AttachmentKind>,
    file_name: Option<&str>,
) -> ApiResult<AttachmentDto> {
    let kind = kind.unwrap_or(if prepared.found.is_image() {
        AttachmentKind::Photo
    } else {
        AttachmentKind::Document
    });
    let tx = state.begin_write().await?;
    // Re-read under the write lock: the work order may have closed meanwhile.
    let w = find_visible(&*tx, p, work_order_id).await?;
    if status_of(&w).is_final() {
        return Err(ApiError::Conflict(
            "The work order was closed meanwhile; files can no longer be added.".into(),
        ));
    }
    let now = state.clock.now();
    let owner = Owner {
        org: p.org(),
        entity_type: "work_order",
        entity_id: work_order_id,
        uploaded_by: p.id(),
    };
    let out = record(&tx, prepared, owner, kind, file_name, now).await?;
    history(
        &tx,
        &w,
        Some(p.id()),
        "attachment",
        None,
        serde_json::to_value(&out)?,
        now,
    )
    .await?;
    let change = crate::audit::Change {
        action: "work_order.attachment_added",
        entity_type: "work_order",
        entity_id: Some(work_order_id.to_string()),
        before: None,
        after: Some(serde_json::to_value(&out)?),
    };
    crate::audit::record(&tx, now, &p.who(), change).await?;
    tx.commit().await?;
    Ok(out)
}

pub async fn list(
    state: &AppState,
    p: &Principal,
    work_order_id: Uuid,
) -> ApiResult<Vec<AttachmentDto>> {
    find_visible(&state.db, p, work_order_id).await?;
    Ok(attachment::Entity::find()
        .filter(attachment::Column::EntityType.eq("work_order"))
        .filter(attachment::Column::EntityId.eq(work_order_id))
        .order_by_asc(attachment::Column::Id)
        .all(&state.db)
        .await?
        .into_iter()
        .map(dto)
        .collect())
}

/// A file the principal may read: its record and its bytes (or the thumbnail's).
pub async fn content(
    state: &AppState,
    p: &Principal,
    id: Uuid,
    thumb: bool,
) -> ApiResult<(attachment::Model, Bytes)> {
    let a = attachment::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .filter(|a| a.organization_id == p.org())
        .ok_or_else(|| ApiError::not_found("attachment"))?;
    // Readable by whoever may read the record it belongs to.
    let visible = match a.entity_type.as_str() {
        "asset" => crate::modules::assets::find_visible(&state.db, p, a.entity_id)
            .await
            .map(|_| ()),
        _ => find_visible(&state.db, p, a.entity_id).await.map(|_| ()),
    };
    visible.map_err(|e| match e {
        ApiError::Forbidden(_) => e,
        _ => ApiError::not_found("attachment"),
    })?;
    let key = if thumb {
        a.thumbnail_key
            .clone()
            .ok_or_else(|| ApiError::not_found("thumbnail"))?
    } else {
        a.storage_key.clone()
    };
    let bytes = state
        .files
        .get(&StorePath::from(key.as_str()))
        .await
        .map_err(|e| anyhow::anyhow!(e))?
        .bytes()
        .await
        .map_err(|e| anyhow::anyhow!(e))?;
    Ok((a, bytes))
}
