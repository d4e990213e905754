//! Direct uploads to S3-compatible storage: the server hands out a pre-signed `PUT` URL and a
//! signed upload ticket; the client sends the bytes straight to the bucket; then it asks the
//! server to record the file, which checks what actually arrived (size, magic bytes), makes the
//! thumbnail and writes the row, history, audit entry and event. A refused file is deleted.

use bytes::Bytes;
use chrono::{DateTime, Utc};
use hmms_domain::files::{FileKind, sniff};
use hmms_store::entities::attachment;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use object_store::ObjectStoreExt;
use object_store::path::Path as StorePath;
use sea_orm::EntityTrait;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;
use uuid::Uuid;

use super::service::{self, AttachmentDto, AttachmentKind, Prepared};
use crate::auth::principal::Principal;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::storage::UPLOAD_URL_TTL;

/// Asking to upload a file straight to storage.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DirectUploadRequest {
    /// `image/jpeg`, `image/png`, `image/webp` or `application/pdf`.
    #[schema(example = "image/jpeg")]
    pub content_type: String,
    /// The file's size; larger than the upload limit answers 413.
    #[schema(minimum = 1)]
    pub size_bytes: i64,
    #[schema(max_length = 200, example = "pump-front.jpg")]
    pub file_name: Option<String>,
    pub kind: Option<AttachmentKind>,
}

/// Where and how to send the bytes, and the ticket to record them with afterwards.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DirectUpload {
    /// Pass to `POST /work-orders/{id}/attachments/direct/complete` once the upload is done.
    pub upload_id: String,
    /// `PUT` the file's bytes here, with the `Content-Type` given.
    pub upload_url: String,
    pub method: String,
    pub content_type: String,
    pub expires_at: DateTime<Utc>,
}

/// Recording a file uploaded straight to storage.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CompleteDirectUpload {
    pub upload_id: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct Ticket {
    typ: String,
    sub: Uuid,
    wo: Uuid,
    id: Uuid,
    key: String,
    kind: Option<AttachmentKind>,
    name: Option<String>,
    declared: String,
    exp: i64,
}

const TICKET: &str = "direct_upload";

fn bad_ticket() -> ApiError {
    ApiError::validation(
        "uploadId",
        "is not an upload ticket for this work order, or it expired; ask for a new one",
    )
}

pub async fn begin(
    state: &AppState,
    p: &Principal,
    work_order_id: Uuid,
    body: DirectUploadRequest,
) -> ApiResult<DirectUpload> {
    let max = state.config.max_upload_bytes as i64;
    let declared = FileKind::from_content_type(&body.content_type).ok_or_else(|| {
        ApiError::UnsupportedMediaType("Attach JPEG, PNG or WebP photos, or PDF documents.".into())
    })?;
    if body.size_bytes < 1 {
        return Err(ApiError::validation("sizeBytes", "must be at least 1"));
    }
    if body.size_bytes > max {
        return Err(ApiError::PayloadTooLarge(format!(
            "Files may be at most {max} bytes."
        )));
    }
    if body.kind.is_some_and(|k| k != AttachmentKind::Document) && !declared.is_image() {
        return Err(ApiError::validation(
            "kind",
            "photos and signatures must be images",
        ));
    }
    let name = body
        .file_name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_string);
    if name.as_ref().is_some_and(|n| n.chars().count() > 200) {
        return Err(ApiError::validation(
            "fileName",
            "must be at most 200 characters",
        ));
    }
    service::may_attach(state, p, work_order_id).await?;
    if state.storage.signer.is_none() {
        return Err(ApiError::Conflict(
            "This server keeps files itself: send the file to POST /work-orders/{id}/attachments."
                .into(),
        ));
    }
    let id = Uuid::now_v7();
    let key = format!(
        "{}/work_orders/{work_order_id}/{id}.{}",
        p.org(),
        declared.extension()
    );
    let url = state
        .storage
        .upload_url(&key)
        .await?
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("direct uploads need S3 storage")))?;
    let now = state.clock.now();
    let expires_at = now
        + chrono::Duration::from_std(UPLOAD_URL_TTL).map_err(|e| ApiError::Internal(e.into()))?;
    let ticket = Ticket {
        typ: TICKET.into(),
        sub: p.id(),
        wo: work_order_id,
        id,
        key,
        kind: body.kind,
        name,
        declared: declared.content_type().into(),
        exp: expires_at.timestamp(),
    };
    let upload_id = encode(
        &Header::new(Algorithm::HS256),
        &ticket,
        &EncodingKey::from_secret(&state.keys.jwt),
    )
    .map_err(|e| anyhow::anyhow!(e))?;
    Ok(DirectUpload {
        upload_id,
        upload_url: url.to_string(),
        method: "PUT".into(),
        content_type: declared.content_type().into(),
        expires_at,
    })
}

pub async fn complete(
    state: &AppState,
    p: &Principal,
    work_order_id: Uuid,
    body: CompleteDirectUpload,
) -> ApiResult<AttachmentDto> {
    service::may_attach(state, p, work_order_id).await?;
    let mut v = Validation::new(Algorithm::HS256);
    v.validate_exp = false;
    v.required_spec_claims.clear();
    let t = decode::<Ticket>(
        &body.upload_id,
        &DecodingKey::from_secret(&state.keys.jwt),
        &v,
    )
    .map(|d| d.claims)
    .ok()
    .filter(|t| t.typ == TICKET && t.sub == p.id() && t.wo == work_order_id)
    // The object may take a moment to arrive after the URL expires; allow the same again.
    .filter(|t| t.exp + UPLOAD_URL_TTL.as_secs() as i64 > state.clock.now().timestamp())
    .ok_or_else(bad_ticket)?;
    if attachment::Entity::find_by_id(t.id)
        .one(&state.db)
        .await?
        .is_some()
    {
        return Err(ApiError::Conflict(
            "This upload is already recorded on the work order.".into(),
        ));
    }
    let path = StorePath::from(t.key.as_str());
    let meta = match state.files.head(&path).await {
        Ok(m) => m,
        Err(object_store::Error::NotFound { .. }) => {
            return Err(ApiError::Conflict(
                "Nothing has arrived at the upload URL yet. PUT the file there first.".into(),
            ));
        }
        Err(e) => return Err(anyhow::anyhow!(e).into()),
    };
    let refuse = |e: ApiError| async {
        // What was refused must not linger in the bucket.
        let _ = state.files.delete(&path).await;
        Err(e)
    };
    if meta.size > state.config.max_upload_bytes as u64 {
        return refuse(ApiError::PayloadTooLarge(format!(
            "The uploaded file is {} bytes; files may be at most {}.",
            meta.size, state.config.max_upload_bytes
        )))
        .await;
    }
    let bytes: Bytes = state
        .files
        .get(&path)
        .await
        .map_err(|e| anyhow::anyhow!(e))?
        .bytes()
        .await
        .map_err(|e| anyhow::anyhow!(e))?;
    let Some(found) = sniff(&bytes).filter(|f| f.content_type() == t.declared.as_str()) else {
        return refuse(ApiError::UnsupportedMediaType(format!(
            "The uploaded file is not the {} it was announced as.",
            t.declared
        )))
        .await;
    };
    let thumb_key = if found.is_image() {
        let data = bytes.clone();
        let thumb = tokio::task::spawn_blocking(move || service::thumbnail(&data))
            .await
            .map_err(|e| anyhow::anyhow!(e))?;
        let Some(thumb) = thumb else {
            return refuse(ApiError::validation(
                "uploadId",
                "the image could not be read; it may be damaged",
            ))
            .await;
        };
        let k = t
            .key
            .replace(&format!(".{}", found.extension()), ".thumb.jpg");
        state
            .files
            .put(&StorePath::from(k.as_str()), Bytes::from(thumb).into())
            .await
            .map_err(|e| anyhow::anyhow!(e))?;
        Some(k)
    } else {
        None
    };
    let prepared = Prepared {
        id: t.id,
        found,
        size: bytes.len() as i64,
        sha256: hex::encode(Sha256::digest(&bytes)),
        key: t.key.clone(),
        thumb_key,
    };
    service::commit(state, p, work_order_id, prepared, t.kind, t.name.as_deref()).await
}
