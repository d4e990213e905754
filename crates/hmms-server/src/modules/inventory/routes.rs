//! `/parts`, `/stores`, `/stock-movements` and `/stock/reorder`: the catalogue, stores and
//! bins, the stock ledger and the reorder list.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::dto::*;
use super::{import, movements, parts, sheet, stock, stock_outs, stores, value, work};
use crate::auth::principal::Principal;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::pagination::if_match;
use crate::spreadsheet::{ImportQuery, ImportReport, csv_file, require_csv};
use crate::state::AppState;

/// The import route takes bodies up to `max_upload` bytes (a whole store's stock book).
pub fn router(max_upload: usize) -> OpenApiRouter<AppState> {
    let (schemas, paths, import) = routes!(import_parts);
    OpenApiRouter::new()
        .routes((
            schemas,
            paths,
            import.layer(DefaultBodyLimit::max(max_upload)),
        ))
        .routes(routes!(export_parts))
        .routes(routes!(parts_import_template))
        .routes(routes!(list_catalogue_parts, create_part))
        .routes(routes!(get_part, update_part))
        .routes(routes!(get_part_stock))
        .routes(routes!(get_part_ledger))
        .routes(routes!(set_part_levels))
        .routes(routes!(list_stores, create_store))
        .routes(routes!(get_store, update_store))
        .routes(routes!(create_bin))
        .routes(routes!(create_stock_movement))
        .routes(routes!(get_reorder_list))
        .routes(routes!(get_stock_value))
        .routes(routes!(list_stock_outs))
        .routes(routes!(get_work_order_stock))
}

fn created<T: serde::Serialize>(location: String, dto: T) -> impl IntoResponse {
    (
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(dto),
    )
}

/// The catalogue with stock and reorder levels in the stores you reach, as CSV in the import
/// template's columns: one row per part and bin holding it. Imported back, it changes nothing.
#[utoipa::path(get, path = "/parts/export.csv", tag = "inventory",
    responses((status = 200, description = "The catalogue", content_type = "text/csv", body = String)))]
pub async fn export_parts(
    State(state): State<AppState>,
    p: Principal,
) -> ApiResult<impl IntoResponse> {
    Ok(csv_file("parts.csv", sheet::export(&state, &p).await?))
}

/// The CSV template for importing parts, opening balances and reorder levels.
#[utoipa::path(get, path = "/parts/import-template.csv", tag = "inventory",
    responses((status = 200, description = "The template", content_type = "text/csv", body = String)))]
pub async fn parts_import_template(_p: Principal) -> ApiResult<impl IntoResponse> {
    Ok(csv_file("parts-import-template.csv", sheet::template()?))
}

/// Import the catalogue from CSV (the template's columns): parts created or updated by part
/// number, opening balances received into bins that have never held the part (a bin named
/// for the first time is created), reorder levels set. Every row is checked; nothing is
/// written if any row fails unless `partial=true`. Importing the same sheet again changes
/// nothing; a quantity that differs from stock that has moved is refused (record a count).
#[utoipa::path(post, path = "/parts/import", tag = "inventory", params(ImportQuery),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, description = "What was imported", body = ImportReport),
        (status = 422, description = "Rows with errors, by row and column; nothing imported")))]
pub async fn import_parts(
    State(state): State<AppState>,
    p: Principal,
    ApiQuery(q): ApiQuery<ImportQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<ImportReport>> {
    require_csv(&headers)?;
    Ok(Json(
        import::import(&state, &p, &body, q.partial.unwrap_or(false)).await?,
    ))
}

/// The parts catalogue, by name, with stock in the stores you reach.
#[utoipa::path(get, path = "/parts", tag = "inventory", params(SparePartQuery),
    responses((status = 200, description = "A page of parts", body = SparePartPage)))]
pub async fn list_catalogue_parts(
    State(state): State<AppState>,
    p: Principal,
    ApiQuery(q): ApiQuery<SparePartQuery>,
) -> ApiResult<Json<SparePartPage>> {
    Ok(Json(parts::list(&state, &p, q).await?))
}

/// Add a part to the catalogue.
#[utoipa::path(post, path = "/parts", tag = "inventory", request_body = CreateSparePart,
    responses((status = 201, description = "Created", body = SparePartDto),
        (status = 409, description = "The part number is taken")))]
pub async fn create_part(
    State(state): State<AppState>,
    p: Principal,
    ApiJson(body): ApiJson<CreateSparePart>,
) -> ApiResult<impl IntoResponse> {
    let dto = parts::create(&state, &p, body).await?;
    Ok(created(format!("/api/v1/parts/{}", dto.id), dto))
}

/// One part.
#[utoipa::path(get, path = "/parts/{id}", tag = "inventory",
    params(("id" = Uuid, Path, description = "Part id")),
    responses((status = 200, description = "The part", body = SparePartDto)))]
pub async fn get_part(
    State(state): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<SparePartDto>> {
    Ok(Json(parts::get(&state, &p, id).await?))
}

/// Change a part, or make it obsolete.
#[utoipa::path(patch, path = "/parts/{id}", tag = "inventory", request_body = UpdateSparePart,
    params(("id" = Uuid, Path, description = "Part id"),
        ("If-Match" = Option<String>, Header, description = "The version you edited")),
    responses((status = 200, description = "The updated part", body = SparePartDto),
        (status = 409, description = "The part number is taken, or the unit cannot change"),
        (status = 412, description = "Someone changed it since you read it")))]
pub async fn update_part(
    State(state): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<Uuid>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<UpdateSparePart>,
) -> ApiResult<Json<SparePartDto>> {
    Ok(Json(
        parts::update(&state, &p, id, body, if_match(&headers)?).await?,
    ))
}

/// A part's stock in every store you reach: by bin, with its reorder levels.
#[utoipa::path(get, path = "/parts/{id}/stock", tag = "inventory",
    params(("id" = Uuid, Path, description = "Part id")),
    responses((status = 200, description = "Stock by store and bin", body = PartStockDto)))]
pub async fn get_part_stock(
    State(state): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<PartStockDto>> {
    Ok(Json(stock::of_part(&state, &p, id).await?))
}

/// A part's ledger, newest first, with the running balance of each bin.
#[utoipa::path(get, path = "/parts/{id}/ledger", tag = "inventory",
    params(("id" = Uuid, Path, description = "Part id"), LedgerQuery),
    responses((status = 200, description = "A page of ledger entries", body = StockEntryPage)))]
pub async fn get_part_ledger(
    State(state): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<LedgerQuery>,
) -> ApiResult<Json<StockEntryPage>> {
    Ok(Json(stock::ledger(&state, &p, id, q).await?))
}

/// Set when a part is reordered in a store: the reorder point, the maximum and the lead time.
#[utoipa::path(put, path = "/parts/{id}/levels/{store_id}", tag = "inventory", request_body = SetLevels,
    params(("id" = Uuid, Path, description = "Part id"), ("store_id" = Uuid, Path, description = "Store id")),
    responses((status = 200, description = "The part's stock with the new levels", body = PartStockDto)))]
pub async fn set_part_levels(
    State(state): State<AppState>,
    p: Principal,
    ApiPath((id, store_id)): ApiPath<(Uuid, Uuid)>,
    ApiJson(body): ApiJson<SetLevels>,
) -> ApiResult<Json<PartStockDto>> {
    Ok(Json(
        stock::set_levels(&state, &p, id, store_id, body).await?,
    ))
}

/// The stores you reach, with their bins and the value they hold.
#[utoipa::path(get, path = "/stores", tag = "inventory", params(StoreQuery),
    responses((status = 200, description = "Stores", body = StoreList)))]
pub async fn list_stores(
    State(state): State<AppState>,
    p: Principal,
    ApiQuery(q): ApiQuery<StoreQuery>,
) -> ApiResult<Json<StoreList>> {
    Ok(Json(stores::list(&state, &p, q).await?))
}

/// Open a store at a hospital. It starts with one bin, `GENERAL`.
#[utoipa::path(post, path = "/stores", tag = "inventory", request_body = CreateStore,
    responses((status = 201, description = "Created", body = StoreDto),
        (status = 409, description = "The code is taken")))]
pub async fn create_store(
    State(state): State<AppState>,
    p: Principal,
    ApiJson(body): ApiJson<CreateStore>,
) -> ApiResult<impl IntoResponse> {
    let dto = stores::create(&state, &p, body).await?;
    Ok(created(format!("/api/v1/stores/{}", dto.id), dto))
}

/// One store.
#[utoipa::path(get, path = "/stores/{id}", tag = "inventory",
    params(("id" = Uuid, Path, description = "Store id")),
    responses((status = 200, description = "The store", body = StoreDto)))]
pub async fn get_store(
    State(state): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<StoreDto>> {
    Ok(Json(stores::get(&state, &p, id).await?))
}

/// Rename a store, change its kind, or close it.
#[utoipa::path(patch, path = "/stores/{id}", tag = "inventory", request_body = UpdateStore,
    params(("id" = Uuid, Path, description = "Store id"),
        ("If-Match" = Option<String>, Header, description = "The version you edited")),
    responses((status = 200, description = "The updated store", body = StoreDto),
        (status = 412, description = "Someone changed it since you read it")))]
pub async fn update_store(
    State(state): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<Uuid>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<UpdateStore>,
) -> ApiResult<Json<StoreDto>> {
    Ok(Json(
        stores::update(&state, &p, id, body, if_match(&headers)?).await?,
    ))
}

/// Add a bin to a store.
#[utoipa::path(post, path = "/stores/{id}/bins", tag = "inventory", request_body = CreateBin,
    params(("id" = Uuid, Path, description = "Store id")),
    responses((status = 201, description = "Created", body = BinDto),
        (status = 409, description = "The store has a bin with that code")))]
pub async fn create_bin(
    State(state): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<CreateBin>,
) -> ApiResult<impl IntoResponse> {
    let dto = stores::add_bin(&state, &p, id, body).await?;
    Ok(created(format!("/api/v1/stores/{id}/bins/{}", dto.id), dto))
}

/// Post a stock movement: receipt, issue to a work order, return, transfer, adjustment, count
/// or write-off. Stock never goes below zero: a movement that would is refused with 409 and
/// nothing is written.
#[utoipa::path(post, path = "/stock-movements", tag = "inventory", request_body = CreateMovement,
    responses((status = 201, description = "Posted", body = MovementDto),
        (status = 409, description = "Not enough stock, or the work order is not open")))]
pub async fn create_stock_movement(
    State(state): State<AppState>,
    p: Principal,
    ApiJson(body): ApiJson<CreateMovement>,
) -> ApiResult<impl IntoResponse> {
    let dto = movements::create(&state, &p, body).await?;
    Ok((StatusCode::CREATED, Json(dto)))
}

/// Stock-outs — issues to work orders refused because the bin did not hold enough — in the
/// stores you reach, newest first, with how many the filter holds.
#[utoipa::path(get, path = "/stock/outs", tag = "inventory", params(StockOutQuery),
    responses((status = 200, description = "A page of stock-outs", body = StockOutPage)))]
pub async fn list_stock_outs(
    State(state): State<AppState>,
    p: Principal,
    ApiQuery(q): ApiQuery<StockOutQuery>,
) -> ApiResult<Json<StockOutPage>> {
    Ok(Json(stock_outs::list(&state, &p, q).await?))
}

/// What the stock in the stores you reach is worth, by store and by category.
#[utoipa::path(get, path = "/stock/value", tag = "inventory",
    responses((status = 200, description = "Value on hand", body = StockValue)))]
pub async fn get_stock_value(
    State(state): State<AppState>,
    p: Principal,
) -> ApiResult<Json<StockValue>> {
    Ok(Json(value::value(&state, &p).await?))
}

/// Parts at or below their reorder point in the stores you reach, with what to order.
#[utoipa::path(get, path = "/stock/reorder", tag = "inventory",
    responses((status = 200, description = "The reorder list", body = ReorderList)))]
pub async fn get_reorder_list(
    State(state): State<AppState>,
    p: Principal,
) -> ApiResult<Json<ReorderList>> {
    Ok(Json(stock::reorder_list(&state, &p).await?))
}

/// The parts a work order has taken from the stores and returned, with their cost from the
/// ledger. Needs `inventory.read` and sight of the work order.
#[utoipa::path(get, path = "/work-orders/{id}/stock", tag = "inventory",
    params(("id" = Uuid, Path, description = "Work order id")),
    responses((status = 200, description = "Parts used", body = WorkOrderStockDto)))]
pub async fn get_work_order_stock(
    State(state): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<WorkOrderStockDto>> {
    Ok(Json(work::of_work_order(&state, &p, id).await?))
}
