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
use crate::error::ApiResult;
use crate::extract::ApiPath;
use crate::state::AppState;

pub fn router(max_upload: usize) -> OpenApiRouter<AppState> {
    let (schemas, paths, method_router) = routes!(submit_public_request);
    OpenApiRouter::new()
        .routes(routes!(public_place))
        .routes(routes!(public_asset))
        .routes((
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

/// The piece of equipment a label's QR code names (`/a/{tag}`), if its hospital takes public
/// requests (404 otherwise).
#[utoipa::path(get, path = "/public/assets/{tag}", tag = "public", security(()),
    params(("tag" = String, Path, description = "Asset tag, e.g. SMGH-ICU-INFPUMP-003")),
    responses((status = 200, description = "The equipment and where it is", body = PublicPlace)))]
pub async fn public_asset(
    State(state): State<AppState>,
    ApiPath(tag): ApiPath<String>,
) -> ApiResult<Json<PublicPlace>> {
    Ok(Json(service::lookup_asset(&state, &tag).await?))
}

/// A public fault report (`multipart/form-data`): about a room (`siteCode` and
/// `locationCode`) or a piece of equipment (`assetTag`).
#[derive(ToSchema)]
#[schema(rename_all = "camelCase")]
#[allow(dead_code)]
pub struct PublicRequestForm {
    #[schema(example = "SMGH")]
    site_code: Option<String>,
    #[schema(example = "MB-1-01")]
    location_code: Option<String>,
    /// Instead of the place: the tag on the equipment's label.
    #[schema(example = "SMGH-ICU-INFPUMP-003")]
    asset_tag: Option<String>,
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
    let bad = |e| crate::extract::upload_error(e, "photo");
    let mut sub = Submission {
        site_code: String::new(),
        location_code: String::new(),
        asset_tag: String::new(),
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
                    "assetTag" => sub.asset_tag = text,
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
