//! `/work-orders/{id}/attachments` and `/attachments/{id}/…`.

use axum::Json;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::direct::{self, CompleteDirectUpload, DirectUpload, DirectUploadRequest};
use super::service::{self, AttachmentDto, AttachmentKind, Upload};
use crate::auth::principal::Principal;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;

/// The upload route takes bodies up to `max_upload` bytes; the others keep the JSON limit.
pub fn router(max_upload: usize) -> OpenApiRouter<AppState> {
    let (schemas, paths, method_router) = routes!(upload_attachment, list_attachments);
    OpenApiRouter::new()
        .routes((
            schemas,
            paths,
            method_router.layer(DefaultBodyLimit::max(max_upload)),
        ))
        .routes(routes!(begin_direct_upload))
        .routes(routes!(complete_direct_upload))
        .routes(routes!(attachment_content))
        .routes(routes!(attachment_thumbnail))
}

/// With S3 storage: get a pre-signed URL to `PUT` a file to, straight into the bucket. Answers
/// 409 when the server keeps files itself (then upload with `POST …/attachments`).
#[utoipa::path(post, path = "/work-orders/{id}/attachments/direct", tag = "work orders",
    params(("id" = Uuid, Path, description = "Work order id")),
    request_body = DirectUploadRequest,
    responses((status = 201, description = "Where to send the file", body = DirectUpload),
        (status = 409, description = "Files are kept by the server, not in S3"),
        (status = 413, description = "Larger than uploads may be"),
        (status = 415, description = "Not a photo or PDF")))]
pub async fn begin_direct_upload(
    State(state): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<DirectUploadRequest>,
) -> ApiResult<impl IntoResponse> {
    Ok((
        StatusCode::CREATED,
        Json(direct::begin(&state, &p, id, body).await?),
    ))
}

/// Record a file sent to the pre-signed URL. Its size and type are checked from what arrived
/// (413/415, and the object is deleted); images get a thumbnail.
#[utoipa::path(post, path = "/work-orders/{id}/attachments/direct/complete", tag = "work orders",
    params(("id" = Uuid, Path, description = "Work order id")),
    request_body = CompleteDirectUpload,
    responses((status = 201, description = "Recorded", body = AttachmentDto),
        (status = 409, description = "Nothing uploaded yet, or already recorded"),
        (status = 413, description = "Larger than uploads may be"),
        (status = 415, description = "Not the type announced")))]
pub async fn complete_direct_upload(
    State(state): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<CompleteDirectUpload>,
) -> ApiResult<impl IntoResponse> {
    Ok((
        StatusCode::CREATED,
        Json(direct::complete(&state, &p, id, body).await?),
    ))
}

/// A file upload (`multipart/form-data`).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct UploadForm {
    /// A JPEG, PNG or WebP photo, or a PDF document (20 MB at most by default).
    #[schema(format = Binary, content_media_type = "application/octet-stream")]
    file: String,
    /// `photo` (default for images), `document` (default for PDFs) or `signature`.
    kind: Option<AttachmentKind>,
}

fn multipart_error(e: axum::extract::multipart::MultipartError) -> ApiError {
    crate::extract::upload_error(e, "file")
}

/// Reads an upload form: the `file` field and an optional `kind`.
pub async fn read_upload(mut form: Multipart) -> ApiResult<Upload> {
    let mut up = Upload {
        kind: None,
        file_name: None,
        bytes: Default::default(),
    };
    let mut has_file = false;
    while let Some(field) = form.next_field().await.map_err(multipart_error)? {
        match field.name() {
            Some("file") => {
                up.file_name = field.file_name().map(str::to_string);
                up.bytes = field.bytes().await.map_err(multipart_error)?;
                has_file = true;
            }
            Some("kind") => {
                let text = field.text().await.map_err(multipart_error)?;
                up.kind = Some(AttachmentKind::from_key(text.trim()).ok_or_else(|| {
                    ApiError::validation("kind", "must be photo, document or signature")
                })?);
            }
            _ => {}
        }
    }
    if !has_file {
        return Err(ApiError::validation(
            "file",
            "is required: send the file in a form field named `file`",
        ));
    }
    Ok(up)
}

/// Attach a photo, document or signature to a work order. The type is checked from the file's
/// content (415 otherwise); images get a thumbnail.
#[utoipa::path(post, path = "/work-orders/{id}/attachments", tag = "work orders",
    params(("id" = Uuid, Path, description = "Work order id")),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses((status = 201, description = "Stored", body = AttachmentDto)))]
pub async fn upload_attachment(
    State(state): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<Uuid>,
    form: Multipart,
) -> ApiResult<impl IntoResponse> {
    let up = read_upload(form).await?;
    Ok((
        StatusCode::CREATED,
        Json(service::upload(&state, &p, id, up).await?),
    ))
}

/// Files attached to a work order.
#[utoipa::path(get, path = "/work-orders/{id}/attachments", tag = "work orders",
    params(("id" = Uuid, Path, description = "Work order id")),
    responses((status = 200, description = "Attachments", body = Vec<AttachmentDto>)))]
pub async fn list_attachments(
    State(state): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Vec<AttachmentDto>>> {
    Ok(Json(service::list(&state, &p, id).await?))
}

fn file_response(
    content_type: &str,
    file_name: &str,
    inline: bool,
    bytes: bytes::Bytes,
) -> Response {
    let mut res = (StatusCode::OK, bytes).into_response();
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    let disposition = format!(
        "{}; filename=\"{file_name}\"",
        if inline { "inline" } else { "attachment" }
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    // Files are private and never change: the browser may keep them, proxies may not.
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=86400, immutable"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox; default-src 'none'"),
    );
    res
}

/// Download a file (whoever may read its work order).
#[utoipa::path(get, path = "/attachments/{id}/content", tag = "work orders",
    params(("id" = Uuid, Path, description = "Attachment id")),
    responses((status = 200, description = "The file",
        content(("image/jpeg"), ("image/png"), ("image/webp"), ("application/pdf")))))]
pub async fn attachment_content(
    State(state): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Response> {
    let (a, bytes) = service::content(&state, &p, id, false).await?;
    let inline = a.content_type.starts_with("image/");
    Ok(file_response(&a.content_type, &a.file_name, inline, bytes))
}

/// A 320-pixel JPEG preview of a photo or signature.
#[utoipa::path(get, path = "/attachments/{id}/thumbnail", tag = "work orders",
    params(("id" = Uuid, Path, description = "Attachment id")),
    responses((status = 200, description = "The preview", content(("image/jpeg")))))]
pub async fn attachment_thumbnail(
    State(state): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Response> {
    let (a, bytes) = service::content(&state, &p, id, true).await?;
    Ok(file_response(
        "image/jpeg",
        &format!("{}.thumb.jpg", a.id),
        true,
        bytes,
    ))
}
