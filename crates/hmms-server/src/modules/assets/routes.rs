//! `/assets`, `/equipment-classes` and `/scan/{code}`.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::csv_import;
use super::csv_io;
use super::documents;
use super::dto::*;
use super::incidents::{self, CreateIncident, IncidentDto};
use super::labels::{self, LabelRequest};
use super::meters::{self, CreateMeter, CreateReading, MeterDto, ReadingDto};
use super::recalls::{self, CreateRecall, RecallDto};
use super::reliability::{self, Reliability};
use super::{classes, qr, scan, service};
use crate::auth::principal::Principal;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::modules::attachments::{AttachmentDto, UploadForm, read_upload};
use crate::modules::org as locations_csv;
use crate::pagination::if_match;
use crate::spreadsheet::{ImportQuery, ImportReport, csv_file, require_csv};
use crate::state::AppState;

/// The import route takes bodies up to `max_upload` bytes (a large inventory sheet).
pub fn router(max_upload: usize) -> OpenApiRouter<AppState> {
    let (schemas, paths, import) = routes!(import_assets);
    let (doc_schemas, doc_paths, documents) = routes!(list_documents, add_document);
    let (loc_schemas, loc_paths, locations) = routes!(import_locations);
    OpenApiRouter::new()
        .routes((
            schemas,
            paths,
            import.layer(DefaultBodyLimit::max(max_upload)),
        ))
        .routes((
            doc_schemas,
            doc_paths,
            documents.layer(DefaultBodyLimit::max(max_upload)),
        ))
        .routes((
            loc_schemas,
            loc_paths,
            locations.layer(DefaultBodyLimit::max(max_upload)),
        ))
        .routes(routes!(export_locations))
        .routes(routes!(location_import_template))
        .routes(routes!(export_assets))
        .routes(routes!(asset_import_template))
        .routes(routes!(list_assets, create_asset))
        .routes(routes!(get_asset, update_asset))
        .routes(routes!(asset_history))
        .routes(routes!(asset_qr))
        .routes(routes!(asset_labels))
        .routes(routes!(list_meters, create_meter))
        .routes(routes!(list_readings, record_reading))
        .routes(routes!(location_qr))
        .routes(routes!(asset_reliability))
        .routes(routes!(list_incidents, record_incident))
        .routes(routes!(list_equipment_classes, create_equipment_class))
        .routes(routes!(update_equipment_class))
        .routes(routes!(scan_code))
        .routes(routes!(list_recalls, create_recall))
        .routes(routes!(get_recall))
}

const ID: &str = "Asset id";

/// Every asset matching the filters (as for `GET /assets`, without paging), as CSV in the
/// import template's columns.
#[utoipa::path(get, path = "/assets/export.csv", tag = "assets", params(AssetQuery),
    responses((status = 200, description = "The assets", content_type = "text/csv", body = String)))]
pub async fn export_assets(
    State(state): State<AppState>,
    p: Principal,
    ApiQuery(q): ApiQuery<AssetQuery>,
) -> ApiResult<impl IntoResponse> {
    let body = csv_io::export(&state, &p, q).await?;
    Ok(csv_file("assets.csv", body))
}

/// The CSV template for importing assets: the columns and one example row.
#[utoipa::path(get, path = "/assets/import-template.csv", tag = "assets",
    responses((status = 200, description = "The template", content_type = "text/csv", body = String)))]
pub async fn asset_import_template(_p: Principal) -> ApiResult<impl IntoResponse> {
    Ok(csv_file("asset-import-template.csv", csv_io::template()?))
}

/// Import assets from CSV (the template's columns). Every row is checked; re-importing a tag
/// updates that asset.
#[utoipa::path(post, path = "/assets/import", tag = "assets", params(ImportQuery),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, description = "What was imported", body = ImportReport),
        (status = 422, description = "Rows with errors, by row and column; nothing imported")))]
pub async fn import_assets(
    State(state): State<AppState>,
    p: Principal,
    ApiQuery(q): ApiQuery<ImportQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<ImportReport>> {
    require_csv(&headers)?;
    Ok(Json(
        csv_import::import(&state, &p, &body, q.partial.unwrap_or(false)).await?,
    ))
}

/// Which site's locations to export.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
pub struct LocationExportQuery {
    /// All sites when absent.
    pub site_id: Option<Uuid>,
}

/// The location tree as CSV (site, code, name, kind, parent, department), parents first.
#[utoipa::path(get, path = "/locations/export.csv", tag = "organization", params(LocationExportQuery),
    responses((status = 200, description = "The locations", content_type = "text/csv", body = String)))]
pub async fn export_locations(
    State(state): State<AppState>,
    p: Principal,
    ApiQuery(q): ApiQuery<LocationExportQuery>,
) -> ApiResult<impl IntoResponse> {
    let body = locations_csv::export_locations(&state, &p, q.site_id).await?;
    Ok(csv_file("locations.csv", body))
}

/// The CSV template for importing locations.
#[utoipa::path(get, path = "/locations/import-template.csv", tag = "organization",
    responses((status = 200, description = "The template", content_type = "text/csv", body = String)))]
pub async fn location_import_template(_p: Principal) -> impl IntoResponse {
    csv_file(
        "location-import-template.csv",
        locations_csv::locations_template(),
    )
}

/// Import locations from CSV: every row checked, nothing written if any fails (unless
/// `partial=true`), existing site + code updated, parents from earlier rows.
#[utoipa::path(post, path = "/locations/import", tag = "organization", params(ImportQuery),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, description = "What was imported", body = ImportReport),
        (status = 422, description = "Rows with errors, by row and column; nothing imported")))]
pub async fn import_locations(
    State(state): State<AppState>,
    p: Principal,
    ApiQuery(q): ApiQuery<ImportQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<ImportReport>> {
    require_csv(&headers)?;
    Ok(Json(
        locations_csv::import_locations(&state, &p, &body, q.partial.unwrap_or(false)).await?,
    ))
}

/// The equipment registry, by tag, within your scope.
#[utoipa::path(get, path = "/assets", tag = "assets", params(AssetQuery),
    responses((status = 200, description = "A page of assets", body = AssetPage)))]
pub async fn list_assets(
    State(state): State<AppState>,
    p: Principal,
    ApiQuery(q): ApiQuery<AssetQuery>,
) -> ApiResult<Json<AssetPage>> {
    Ok(Json(service::list(&state, &p, q).await?))
}

/// Register an asset (`tag` and `name` required).
#[utoipa::path(post, path = "/assets", tag = "assets", request_body = AssetInput,
    responses((status = 201, description = "Registered", body = AssetDto),
        (status = 409, description = "The tag is taken")))]
pub async fn create_asset(
    State(state): State<AppState>,
    p: Principal,
    ApiJson(body): ApiJson<AssetInput>,
) -> ApiResult<impl IntoResponse> {
    let dto = service::create(&state, &p, body).await?;
    let location = format!("/api/v1/assets/{}", dto.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(dto),
    ))
}

/// One asset, with its book value, warranty state and EM number.
#[utoipa::path(get, path = "/assets/{id}", tag = "assets", params(("id" = Uuid, Path, description = ID)),
    responses((status = 200, description = "The asset", body = AssetDto)))]
pub async fn get_asset(
    State(state): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<AssetDto>> {
    Ok(Json(service::get(&state, &p, id).await?))
}

/// Change an asset: fields, place (recorded as a move), or status (`status` with
/// `statusReason`; disposal only after retirement, 409 otherwise).
#[utoipa::path(patch, path = "/assets/{id}", tag = "assets", request_body = AssetInput,
    params(("id" = Uuid, Path, description = ID),
        ("If-Match" = Option<String>, Header, description = "The version you edited")),
    responses((status = 200, description = "The updated asset", body = AssetDto),
        (status = 409, description = "A status step that is not allowed, or a taken tag"),
        (status = 412, description = "Someone changed it since you read it")))]
pub async fn update_asset(
    State(state): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<Uuid>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<AssetInput>,
) -> ApiResult<Json<AssetDto>> {
    Ok(Json(
        service::update(&state, &p, id, body, if_match(&headers)?).await?,
    ))
}

/// The asset's story in time order: registration, status steps, moves, and its work orders.
#[utoipa::path(get, path = "/assets/{id}/history", tag = "assets", params(("id" = Uuid, Path, description = ID)),
    responses((status = 200, description = "Oldest first", body = Vec<AssetHistoryEntry>)))]
pub async fn asset_history(
    State(state): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Vec<AssetHistoryEntry>>> {
    Ok(Json(service::history_of(&state, &p, id).await?))
}

/// Downtime, MTTR, MTBF, costs and total cost of ownership since the asset entered service,
/// and whether its repairs have passed the organization's repair-or-replace threshold.
#[utoipa::path(get, path = "/assets/{id}/reliability", tag = "assets", params(("id" = Uuid, Path, description = ID)),
    responses((status = 200, description = "The figures", body = Reliability)))]
pub async fn asset_reliability(
    State(state): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Reliability>> {
    Ok(Json(reliability::of(&state, &p, id).await?))
}

/// Incidents recorded on the asset, newest first.
#[utoipa::path(get, path = "/assets/{id}/incidents", tag = "assets", params(("id" = Uuid, Path, description = ID)),
    responses((status = 200, description = "Incidents", body = Vec<IncidentDto>)))]
pub async fn list_incidents(
    State(state): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Vec<IncidentDto>>> {
    Ok(Json(incidents::list(&state, &p, id).await?))
}

/// Record an equipment-related incident (anyone who may raise requests and sees the asset). It
/// joins the asset's history and raises the incident-history part of its EM number.
#[utoipa::path(post, path = "/assets/{id}/incidents", tag = "assets", request_body = CreateIncident,
    params(("id" = Uuid, Path, description = ID)),
    responses((status = 201, description = "Recorded", body = IncidentDto)))]
pub async fn record_incident(
    State(state): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<CreateIncident>,
) -> ApiResult<impl IntoResponse> {
    Ok((
        StatusCode::CREATED,
        Json(incidents::record(&state, &p, id, body).await?),
    ))
}

/// A printable QR code (SVG and PNG) holding this server's `/a/{tag}` address.
#[utoipa::path(post, path = "/assets/{id}/qr", tag = "assets", params(("id" = Uuid, Path, description = ID)),
    responses((status = 200, description = "The code", body = QrCode)))]
pub async fn asset_qr(
    State(state): State<AppState>,
    p: Principal,
    headers: HeaderMap,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<QrCode>> {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    Ok(Json(qr::for_asset(&state, &p, id, host).await?))
}

/// A PDF sheet of QR labels (tag, name, place and code) for A4 sheets or a label roll.
#[utoipa::path(post, path = "/assets/qr-labels", tag = "assets", request_body = LabelRequest,
    responses((status = 200, description = "The label sheet", content_type = "application/pdf", body = Vec<u8>)))]
pub async fn asset_labels(
    State(state): State<AppState>,
    p: Principal,
    headers: HeaderMap,
    ApiJson(body): ApiJson<LabelRequest>,
) -> ApiResult<impl IntoResponse> {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let pdf = labels::for_assets(&state, &p, body, host).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"asset-labels.pdf\"",
            ),
        ],
        pdf,
    ))
}

/// A printable QR code for a room or area, opening its fault-report page
/// (`/l/{site}/{location}`).
#[utoipa::path(post, path = "/locations/{id}/qr", tag = "assets",
    params(("id" = Uuid, Path, description = "Location id")),
    responses((status = 200, description = "The code", body = QrCode)))]
pub async fn location_qr(
    State(state): State<AppState>,
    p: Principal,
    headers: HeaderMap,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<QrCode>> {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    Ok(Json(qr::for_location(&state, &p, id, host).await?))
}

/// Documents of an asset: manuals, certificates, reports and photos.
#[utoipa::path(get, path = "/assets/{id}/documents", tag = "assets", params(("id" = Uuid, Path, description = ID)),
    responses((status = 200, description = "Documents", body = Vec<AttachmentDto>)))]
pub async fn list_documents(
    State(state): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Vec<AttachmentDto>>> {
    Ok(Json(documents::list(&state, &p, id).await?))
}

/// Add a document or photo to an asset (`multipart/form-data`, field `file`, optional `kind`):
/// PDF, JPEG, PNG or WebP judged by content (415 otherwise), up to the upload limit (413).
/// Download with `GET /attachments/{id}/content`.
#[utoipa::path(post, path = "/assets/{id}/documents", tag = "assets",
    params(("id" = Uuid, Path, description = ID)),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses((status = 201, description = "Stored", body = AttachmentDto)))]
pub async fn add_document(
    State(state): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<Uuid>,
    form: Multipart,
) -> ApiResult<impl IntoResponse> {
    let up = read_upload(form).await?;
    Ok((
        StatusCode::CREATED,
        Json(documents::upload(&state, &p, id, up).await?),
    ))
}

/// The asset's meters with their latest readings.
#[utoipa::path(get, path = "/assets/{id}/meters", tag = "assets", params(("id" = Uuid, Path, description = ID)),
    responses((status = 200, description = "Meters", body = Vec<MeterDto>)))]
pub async fn list_meters(
    State(state): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Vec<MeterDto>>> {
    Ok(Json(meters::list(&state, &p, id).await?))
}

/// Add a meter (e.g. runtime hours) to an asset.
#[utoipa::path(post, path = "/assets/{id}/meters", tag = "assets", request_body = CreateMeter,
    params(("id" = Uuid, Path, description = ID)),
    responses((status = 201, description = "Added", body = MeterDto)))]
pub async fn create_meter(
    State(state): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<CreateMeter>,
) -> ApiResult<impl IntoResponse> {
    Ok((
        StatusCode::CREATED,
        Json(meters::create(&state, &p, id, body).await?),
    ))
}

/// Readings of a meter, newest first (500 at most).
#[utoipa::path(get, path = "/assets/{id}/meters/{meterId}/readings", tag = "assets",
    params(("id" = Uuid, Path, description = ID), ("meterId" = Uuid, Path, description = "Meter id")),
    responses((status = 200, description = "Readings", body = Vec<ReadingDto>)))]
pub async fn list_readings(
    State(state): State<AppState>,
    p: Principal,
    ApiPath((id, meter)): ApiPath<(Uuid, Uuid)>,
) -> ApiResult<Json<Vec<ReadingDto>>> {
    Ok(Json(meters::readings(&state, &p, id, meter).await?))
}

/// Record a meter reading (technicians and managers). Meters only go up. A reading that
/// reaches a preventive plan's meter interval generates its work order at once.
#[utoipa::path(post, path = "/assets/{id}/meters/{meterId}/readings", tag = "assets", request_body = CreateReading,
    params(("id" = Uuid, Path, description = ID), ("meterId" = Uuid, Path, description = "Meter id")),
    responses((status = 201, description = "Recorded", body = ReadingDto)))]
pub async fn record_reading(
    State(state): State<AppState>,
    p: Principal,
    ApiPath((id, meter)): ApiPath<(Uuid, Uuid)>,
    ApiJson(body): ApiJson<CreateReading>,
) -> ApiResult<impl IntoResponse> {
    let reading = meters::record(&state, &p, id, meter, body).await?;
    crate::modules::preventive::run_for_asset(&state, id).await;
    Ok((StatusCode::CREATED, Json(reading)))
}

/// The equipment-class tree, flat, by code.
#[utoipa::path(get, path = "/equipment-classes", tag = "assets",
    responses((status = 200, description = "Every class", body = Vec<EquipmentClassDto>)))]
pub async fn list_equipment_classes(
    State(state): State<AppState>,
    p: Principal,
) -> ApiResult<Json<Vec<EquipmentClassDto>>> {
    Ok(Json(classes::list(&state, &p).await?))
}

/// Add an equipment class.
#[utoipa::path(post, path = "/equipment-classes", tag = "assets", request_body = CreateEquipmentClass,
    responses((status = 201, description = "Added", body = EquipmentClassDto)))]
pub async fn create_equipment_class(
    State(state): State<AppState>,
    p: Principal,
    ApiJson(body): ApiJson<CreateEquipmentClass>,
) -> ApiResult<impl IntoResponse> {
    Ok((
        StatusCode::CREATED,
        Json(classes::create(&state, &p, body).await?),
    ))
}

/// Rename, re-code or move an equipment class.
#[utoipa::path(patch, path = "/equipment-classes/{id}", tag = "assets", request_body = UpdateEquipmentClass,
    params(("id" = Uuid, Path, description = "Equipment class id"),
        ("If-Match" = Option<String>, Header, description = "The version you edited")),
    responses((status = 200, description = "Changed", body = EquipmentClassDto)))]
pub async fn update_equipment_class(
    State(state): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<Uuid>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<UpdateEquipmentClass>,
) -> ApiResult<Json<EquipmentClassDto>> {
    Ok(Json(
        classes::update(&state, &p, id, body, if_match(&headers)?).await?,
    ))
}

/// Recalls and field safety notices, newest first, with their progress.
#[utoipa::path(get, path = "/recalls", tag = "assets",
    responses((status = 200, description = "Recalls", body = Vec<RecallDto>)))]
pub async fn list_recalls(
    State(state): State<AppState>,
    p: Principal,
) -> ApiResult<Json<Vec<RecallDto>>> {
    Ok(Json(recalls::list(&state, &p).await?))
}

/// Record a recall or field safety notice: every affected asset you look after (same make and
/// model, serial in range, not disposed of) gets a high-priority safety work order.
#[utoipa::path(post, path = "/recalls", tag = "assets", request_body = CreateRecall,
    responses((status = 201, description = "Recorded, with the affected assets", body = RecallDto)))]
pub async fn create_recall(
    State(state): State<AppState>,
    p: Principal,
    ApiJson(body): ApiJson<CreateRecall>,
) -> ApiResult<impl IntoResponse> {
    Ok((
        StatusCode::CREATED,
        Json(recalls::create(&state, &p, body).await?),
    ))
}

/// One recall: its affected assets, their work orders, and whether all are done.
#[utoipa::path(get, path = "/recalls/{id}", tag = "assets",
    params(("id" = Uuid, Path, description = "Recall id")),
    responses((status = 200, description = "The recall", body = RecallDto)))]
pub async fn get_recall(
    State(state): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<RecallDto>> {
    Ok(Json(recalls::get(&state, &p, id).await?))
}

/// What a scanned or typed code is: an asset tag (or a scanned `/a/{tag}` URL), a work-order
/// code or a location code, among the records you may see.
#[utoipa::path(get, path = "/scan/{code}", tag = "assets",
    params(("code" = String, Path, description = "Tag, code or scanned URL")),
    responses((status = 200, description = "The record", body = ScanResult)))]
pub async fn scan_code(
    State(state): State<AppState>,
    p: Principal,
    ApiPath(code): ApiPath<String>,
) -> ApiResult<Json<ScanResult>> {
    Ok(Json(scan::resolve(&state, &p, &code).await?))
}
