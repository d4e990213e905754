//! `/public/…`: the two endpoints a QR code's page uses, without signing in.

use axum::Json;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::service::{self, PublicPlace, PublicReceipt, Submission};
use crate::auth::principal::Meta;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiPath;
use crate::state::AppState;

pub fn router(max_upload: usize) -> OpenApiRouter<AppState> {
    let (schemas, paths, method_router) = routes!(submit_public_request);
    OpenApiRouter::new().routes(routes!(public_place)).routes((
        schemas,
        paths,
        method_router.layer(DefaultBodyLimit::max(max_upload)),
    ))
}

/// The place a QR code names, if it takes public requests (404 otherwise).
#[utoipa::path(get, path = "/public/places/{site}/{location}", tag = "public", security(()),
    params(("site" = String, Path, description = "Site code, e.g. SMGH"), ("location" = String, Path, description = "Location code, e.g. MB-1-01")),
    responses((status = 200, description = "The place", body = PublicPlace)))]
pub async fn public_place(
    State(state): State<AppState>,
    ApiPath((site, location)): ApiPath<(String, String)>,
) -> ApiResult<Json<PublicPlace>> {
    Ok(Json(service::lookup(&state, &site, &location).await?))
}

/// A public fault report (`multipart/form-data`).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct PublicRequestForm {
    #[schema(example = "SMGH")]
    site_code: String,
    #[schema(example = "MB-1-01")]
    location_code: String,
    /// Who reports it.
    #[schema(min_length = 1, max_length = 120)]
    name: String,
    /// How to reach them.
    phone: Option<String>,
    /// What is wrong.
    #[schema(min_length = 1, max_length = 2000)]
    description: String,
    /// An optional photo (JPEG, PNG or WebP).
    #[schema(format = Binary, content_media_type = "application/octet-stream")]
    photo: Option<String>,
}

/// Report a fault without signing in, from a QR code. It becomes a pending request for the
/// site's managers. A few per hour from one address.
#[utoipa::path(post, path = "/public/requests", tag = "public", security(()),
    request_body(content = PublicRequestForm, content_type = "multipart/form-data"),
    responses((status = 201, description = "Received", body = PublicReceipt)))]
pub async fn submit_public_request(
    State(state): State<AppState>,
    meta: Meta,
    mut form: Multipart,
) -> ApiResult<impl IntoResponse> {
    let bad = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::PayloadTooLarge("The photo is larger than uploads may be.".into())
        } else {
            ApiError::BadRequest(format!("The form could not be read: {}", e.body_text()))
        }
    };
    let mut sub = Submission {
        site_code: String::new(),
        location_code: String::new(),
        name: String::new(),
        phone: None,
        description: String::new(),
        photo: None,
    };
    while let Some(field) = form.next_field().await.map_err(bad)? {
        match field.name().unwrap_or_default() {
            "photo" => {
                let name = field.file_name().map(str::to_string);
                let bytes = field.bytes().await.map_err(bad)?;
                if !bytes.is_empty() {
                    sub.photo = Some((name, bytes));
                }
            }
            other => {
                let other = other.to_string();
                let text = field.text().await.map_err(bad)?;
                match other.as_str() {
                    "siteCode" => sub.site_code = text,
                    "locationCode" => sub.location_code = text,
                    "name" => sub.name = text,
                    "phone" => sub.phone = Some(text),
                    "description" => sub.description = text,
                    _ => {}
                }
            }
        }
    }
    Ok((
        StatusCode::CREATED,
        Json(service::submit(&state, &meta, sub).await?),
    ))
}
