//! `/work-orders` and `/sites/{id}/sla-policies`.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::dto::*;
use super::escalation::{self, EscalationStepDto};
use super::{lifecycle, parts, service, sla};
use crate::auth::principal::Principal;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::pagination::if_match;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_work_orders, create_work_order))
        .routes(routes!(work_order_summary))
        .routes(routes!(get_work_order, update_work_order))
        .routes(routes!(complete_work_order))
        .routes(routes!(approve_close_work_order))
        .routes(routes!(reject_work_order))
        .routes(routes!(list_notes, add_note))
        .routes(routes!(list_time_logs, add_time_log))
        .routes(routes!(list_parts, add_part))
        .routes(routes!(remove_part))
        .routes(routes!(start_timer))
        .routes(routes!(stop_timer))
        .routes(routes!(work_order_history))
        .routes(routes!(get_sla_policies, put_sla_policies))
        .routes(routes!(get_escalation_chain, put_escalation_chain))
}

const ID: &str = "Work order id";

/// Work orders you may see, filtered, sorted and paged.
#[utoipa::path(get, path = "/work-orders", tag = "work orders", params(WorkOrderQuery),
    responses((status = 200, description = "A page of work orders", body = WorkOrderPage)))]
pub async fn list_work_orders(
    State(state): State<AppState>,
    p: Principal,
    ApiQuery(q): ApiQuery<WorkOrderQuery>,
) -> ApiResult<Json<WorkOrderPage>> {
    Ok(Json(service::list(&state, &p, q).await?))
}

/// The dashboard's figures (open work by priority, SLA at risk and breached, requests and
/// approvals waiting, your assignments, this month's MTTR, backlog by department), counted over
/// the work orders you may see.
#[utoipa::path(get, path = "/work-orders/summary", tag = "work orders",
    responses((status = 200, description = "Figures", body = super::summary::WorkOrderSummary)))]
pub async fn work_order_summary(
    State(state): State<AppState>,
    p: Principal,
) -> ApiResult<Json<super::summary::WorkOrderSummary>> {
    Ok(Json(super::summary::summary(&state, &p).await?))
}

/// Report a fault (a pending request), or with `work_order.create` raise work and assign it.
/// SLA deadlines follow from the site's policy for the priority.
#[utoipa::path(post, path = "/work-orders", tag = "work orders", request_body = CreateWorkOrder,
    responses((status = 201, description = "Created", body = WorkOrderDto)))]
pub async fn create_work_order(
    State(state): State<AppState>,
    p: Principal,
    ApiJson(body): ApiJson<CreateWorkOrder>,
) -> ApiResult<impl IntoResponse> {
    let dto = service::create(&state, &p, body).await?;
    let location = format!("/api/v1/work-orders/{}", dto.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(dto),
    ))
}

/// One work order, with the status changes you may make (`allowedTransitions`).
#[utoipa::path(get, path = "/work-orders/{id}", tag = "work orders", params(("id" = Uuid, Path, description = ID)),
    responses((status = 200, description = "The work order", body = WorkOrderDto)))]
pub async fn get_work_order(
    State(state): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<WorkOrderDto>> {
    Ok(Json(service::get(&state, &p, id).await?))
}

/// Edit fields, assign, or take a status step. An impossible step answers 409 with the
/// steps that are possible (`allowed`); a step your role may not take answers 403.
#[utoipa::path(patch, path = "/work-orders/{id}", tag = "work orders", request_body = UpdateWorkOrder,
    params(("id" = Uuid, Path, description = ID), ("If-Match" = Option<String>, Header, description = "The version you edited")),
    responses((status = 200, description = "The updated work order", body = WorkOrderDto)))]
pub async fn update_work_order(
    State(state): State<AppState>,
    p: Principal,
    headers: HeaderMap,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<UpdateWorkOrder>,
) -> ApiResult<Json<WorkOrderDto>> {
    Ok(Json(
        service::update(&state, &p, id, body, if_match(&headers)?).await?,
    ))
}

/// Report the work done (the assignee): resolution and failure codes. Stops running timers.
#[utoipa::path(post, path = "/work-orders/{id}/complete", tag = "work orders", request_body = CompleteWorkOrder,
    params(("id" = Uuid, Path, description = ID)),
    responses((status = 200, description = "Completed, awaiting approval", body = WorkOrderDto)))]
pub async fn complete_work_order(
    State(state): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<CompleteWorkOrder>,
) -> ApiResult<Json<WorkOrderDto>> {
    Ok(Json(lifecycle::complete(&state, &p, id, body).await?))
}

/// Approve completed work, closing it (managers).
#[utoipa::path(post, path = "/work-orders/{id}/approve-close", tag = "work orders", request_body = ApproveClose,
    params(("id" = Uuid, Path, description = ID)),
    responses((status = 200, description = "Closed", body = WorkOrderDto)))]
pub async fn approve_close_work_order(
    State(state): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<ApproveClose>,
) -> ApiResult<Json<WorkOrderDto>> {
    Ok(Json(lifecycle::approve_close(&state, &p, id, body).await?))
}

/// Send completed work back to the assignee with a reason (managers).
#[utoipa::path(post, path = "/work-orders/{id}/reject", tag = "work orders", request_body = RejectCompletion,
    params(("id" = Uuid, Path, description = ID)),
    responses((status = 200, description = "Back in progress", body = WorkOrderDto)))]
pub async fn reject_work_order(
    State(state): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<RejectCompletion>,
) -> ApiResult<Json<WorkOrderDto>> {
    Ok(Json(lifecycle::reject(&state, &p, id, body).await?))
}

/// Notes on a work order, oldest first.
#[utoipa::path(get, path = "/work-orders/{id}/notes", tag = "work orders", params(("id" = Uuid, Path, description = ID)),
    responses((status = 200, description = "Notes", body = Vec<NoteDto>)))]
pub async fn list_notes(
    State(state): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Vec<NoteDto>>> {
    Ok(Json(lifecycle::notes(&state, &p, id).await?))
}

/// Add a note (anyone who can see the work order).
#[utoipa::path(post, path = "/work-orders/{id}/notes", tag = "work orders", request_body = CreateNote,
    params(("id" = Uuid, Path, description = ID)),
    responses((status = 201, description = "Added", body = NoteDto)))]
pub async fn add_note(
    State(state): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<CreateNote>,
) -> ApiResult<impl IntoResponse> {
    Ok((
        StatusCode::CREATED,
        Json(lifecycle::add_note(&state, &p, id, body).await?),
    ))
}

/// Spare parts used on a work order, with their total cost.
#[utoipa::path(get, path = "/work-orders/{id}/parts", tag = "work orders", params(("id" = Uuid, Path, description = ID)),
    responses((status = 200, description = "Parts used", body = PartList)))]
pub async fn list_parts(
    State(state): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<PartList>> {
    Ok(Json(parts::list(&state, &p, id).await?))
}

/// Record a spare part used (the people doing the work while it is open; a manager until it is
/// closed). It adds to the work order's parts cost.
#[utoipa::path(post, path = "/work-orders/{id}/parts", tag = "work orders", request_body = CreatePart,
    params(("id" = Uuid, Path, description = ID)),
    responses((status = 201, description = "Recorded", body = PartDto)))]
pub async fn add_part(
    State(state): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<CreatePart>,
) -> ApiResult<impl IntoResponse> {
    Ok((
        StatusCode::CREATED,
        Json(parts::add(&state, &p, id, body).await?),
    ))
}

/// Remove a part line recorded by mistake (whoever recorded it, or a manager).
#[utoipa::path(delete, path = "/work-orders/{id}/parts/{partId}", tag = "work orders",
    params(("id" = Uuid, Path, description = ID), ("partId" = Uuid, Path, description = "Part line id")),
    responses((status = 204, description = "Removed")))]
pub async fn remove_part(
    State(state): State<AppState>,
    p: Principal,
    ApiPath((id, part_id)): ApiPath<(Uuid, Uuid)>,
) -> ApiResult<StatusCode> {
    parts::remove(&state, &p, id, part_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Time logged on a work order, with the total.
#[utoipa::path(get, path = "/work-orders/{id}/time-logs", tag = "work orders", params(("id" = Uuid, Path, description = ID)),
    responses((status = 200, description = "Time logs", body = TimeLogList)))]
pub async fn list_time_logs(
    State(state): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<TimeLogList>> {
    Ok(Json(lifecycle::time_logs(&state, &p, id).await?))
}

/// Log time by hand (the assignee).
#[utoipa::path(post, path = "/work-orders/{id}/time-logs", tag = "work orders", request_body = CreateTimeLog,
    params(("id" = Uuid, Path, description = ID)),
    responses((status = 201, description = "Logged", body = TimeLogDto)))]
pub async fn add_time_log(
    State(state): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<CreateTimeLog>,
) -> ApiResult<impl IntoResponse> {
    Ok((
        StatusCode::CREATED,
        Json(lifecycle::add_time(&state, &p, id, body).await?),
    ))
}

/// Start your timer on this work order; a timer running elsewhere stops first.
#[utoipa::path(post, path = "/work-orders/{id}/timer/start", tag = "work orders", params(("id" = Uuid, Path, description = ID)),
    responses((status = 201, description = "Running", body = TimeLogDto)))]
pub async fn start_timer(
    State(state): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<impl IntoResponse> {
    Ok((
        StatusCode::CREATED,
        Json(lifecycle::start_timer(&state, &p, id).await?),
    ))
}

/// Stop your timer on this work order.
#[utoipa::path(post, path = "/work-orders/{id}/timer/stop", tag = "work orders", params(("id" = Uuid, Path, description = ID)),
    responses((status = 200, description = "Stopped", body = TimeLogDto)))]
pub async fn stop_timer(
    State(state): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<TimeLogDto>> {
    Ok(Json(lifecycle::stop_timer(&state, &p, id).await?))
}

/// Everything that happened to a work order, in order: status changes, assignments, edits,
/// notes and time.
#[utoipa::path(get, path = "/work-orders/{id}/history", tag = "work orders", params(("id" = Uuid, Path, description = ID)),
    responses((status = 200, description = "History", body = Vec<HistoryEntryDto>)))]
pub async fn work_order_history(
    State(state): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Vec<HistoryEntryDto>>> {
    Ok(Json(lifecycle::history_of(&state, &p, id).await?))
}

/// The SLA policy of a site: response and resolution times by priority.
#[utoipa::path(get, path = "/sites/{id}/sla-policies", tag = "work orders", params(("id" = Uuid, Path, description = "Site id")),
    responses((status = 200, description = "Times by priority", body = Vec<SlaPolicyDto>)))]
pub async fn get_sla_policies(
    State(state): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Vec<SlaPolicyDto>>> {
    Ok(Json(sla::list(&state, &p, id).await?))
}

/// Change a site's SLA times for the priorities given (needs `sla.manage`).
#[utoipa::path(put, path = "/sites/{id}/sla-policies", tag = "work orders", request_body = Vec<SlaPolicyDto>,
    params(("id" = Uuid, Path, description = "Site id")),
    responses((status = 200, description = "Times by priority", body = Vec<SlaPolicyDto>)))]
pub async fn put_sla_policies(
    State(state): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<Vec<SlaPolicyDto>>,
) -> ApiResult<Json<Vec<SlaPolicyDto>>> {
    Ok(Json(sla::put(&state, &p, id, body).await?))
}

/// A site's escalation chain: who is told, level by level, when work breaches its SLA.
#[utoipa::path(get, path = "/sites/{id}/escalation-chain", tag = "work orders", params(("id" = Uuid, Path, description = "Site id")),
    responses((status = 200, description = "The chain", body = Vec<EscalationStepDto>)))]
pub async fn get_escalation_chain(
    State(state): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Vec<EscalationStepDto>>> {
    Ok(Json(escalation::get(&state, &p, id).await?))
}

/// Replace a site's escalation chain (needs `sla.manage`).
#[utoipa::path(put, path = "/sites/{id}/escalation-chain", tag = "work orders", request_body = Vec<EscalationStepDto>,
    params(("id" = Uuid, Path, description = "Site id")),
    responses((status = 200, description = "The chain", body = Vec<EscalationStepDto>)))]
pub async fn put_escalation_chain(
    State(state): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<Vec<EscalationStepDto>>,
) -> ApiResult<Json<Vec<EscalationStepDto>>> {
    Ok(Json(escalation::put(&state, &p, id, body).await?))
}
