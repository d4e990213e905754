//! `/preventive/…` and `/work-orders/{id}/checklist`: plans, checklists, the generator, the
//! calendar and its feeds, and compliance. Reading needs `preventive.read`; planning needs
//! `preventive.manage`; a checklist is filled in by whoever does the work.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::dto::*;
use super::{calendar, checklists, compliance, generator, instances, plans, templates};
use crate::auth::principal::Principal;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::pagination::if_match;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_checklist_templates, create_checklist_template))
        .routes(routes!(get_checklist_template, update_checklist_template))
        .routes(routes!(get_checklist_version))
        .routes(routes!(list_plans, create_plan))
        .routes(routes!(get_plan, update_plan))
        .routes(routes!(preview_schedule))
        .routes(routes!(run_generator))
        .routes(routes!(list_instances))
        .routes(routes!(update_instance))
        .routes(routes!(get_calendar))
        .routes(routes!(list_feeds, create_feed))
        .routes(routes!(revoke_feed))
        .routes(routes!(calendar_feed))
        .routes(routes!(get_compliance))
        .routes(routes!(export_compliance))
        .routes(routes!(get_checklist, save_checklist))
}

fn host(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::HOST).and_then(|h| h.to_str().ok())
}

/// Checklist templates, by name.
#[utoipa::path(get, path = "/preventive/checklists", tag = "preventive",
    responses((status = 200, description = "Templates", body = Vec<TemplateSummary>)))]
pub async fn list_checklist_templates(
    State(state): State<AppState>,
    p: Principal,
) -> ApiResult<Json<Vec<TemplateSummary>>> {
    Ok(Json(templates::list(&state, &p).await?))
}

/// A new checklist template (version 1).
#[utoipa::path(post, path = "/preventive/checklists", tag = "preventive", request_body = CreateTemplate,
    responses((status = 201, description = "Created", body = TemplateDto),
        (status = 409, description = "A template of that name exists")))]
pub async fn create_checklist_template(
    State(state): State<AppState>,
    p: Principal,
    ApiJson(body): ApiJson<CreateTemplate>,
) -> ApiResult<impl IntoResponse> {
    let dto = templates::create(&state, &p, body).await?;
    Ok((StatusCode::CREATED, Json(dto)))
}

/// A template with its current items and every version.
#[utoipa::path(get, path = "/preventive/checklists/{id}", tag = "preventive",
    params(("id" = Uuid, Path, description = "Template id")),
    responses((status = 200, description = "The template", body = TemplateDto)))]
pub async fn get_checklist_template(
    State(state): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<TemplateDto>> {
    Ok(Json(templates::get(&state, &p, id).await?))
}

/// Change a template. New items make a new version; work already given a version keeps it.
#[utoipa::path(put, path = "/preventive/checklists/{id}", tag = "preventive", request_body = UpdateTemplate,
    params(("id" = Uuid, Path, description = "Template id"),
        ("If-Match" = Option<String>, Header, description = "The version you edited")),
    responses((status = 200, description = "The template", body = TemplateDto),
        (status = 412, description = "Someone changed it since you read it")))]
pub async fn update_checklist_template(
    State(state): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<Uuid>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<UpdateTemplate>,
) -> ApiResult<Json<TemplateDto>> {
    Ok(Json(
        templates::update(&state, &p, id, body, if_match(&headers)?).await?,
    ))
}

/// The items of one version of a template.
#[utoipa::path(get, path = "/preventive/checklists/{id}/versions/{number}", tag = "preventive",
    params(("id" = Uuid, Path, description = "Template id"), ("number" = i32, Path, description = "Version number")),
    responses((status = 200, description = "The version", body = TemplateVersionItems)))]
pub async fn get_checklist_version(
    State(state): State<AppState>,
    p: Principal,
    ApiPath((id, number)): ApiPath<(Uuid, i32)>,
) -> ApiResult<Json<TemplateVersionItems>> {
    Ok(Json(
        templates::version_items(&state, &p, id, number).await?,
    ))
}

/// Preventive maintenance plans you may see, by name.
#[utoipa::path(get, path = "/preventive/plans", tag = "preventive", params(PlanQuery),
    responses((status = 200, description = "A page of plans", body = PlanPage)))]
pub async fn list_plans(
    State(state): State<AppState>,
    p: Principal,
    ApiQuery(q): ApiQuery<PlanQuery>,
) -> ApiResult<Json<PlanPage>> {
    Ok(Json(plans::list(&state, &p, q).await?))
}

/// A new plan; work already due within its lead time is generated at once.
#[utoipa::path(post, path = "/preventive/plans", tag = "preventive", request_body = CreatePlan,
    responses((status = 201, description = "Created", body = PlanDto)))]
pub async fn create_plan(
    State(state): State<AppState>,
    p: Principal,
    ApiJson(body): ApiJson<CreatePlan>,
) -> ApiResult<impl IntoResponse> {
    let dto = plans::create(&state, &p, body).await?;
    generator::run(&state, Some(dto.id)).await?;
    let dto = plans::get(&state, &p, dto.id).await?;
    Ok((StatusCode::CREATED, Json(dto)))
}

/// One plan.
#[utoipa::path(get, path = "/preventive/plans/{id}", tag = "preventive",
    params(("id" = Uuid, Path, description = "Plan id")),
    responses((status = 200, description = "The plan", body = PlanDto)))]
pub async fn get_plan(
    State(state): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<PlanDto>> {
    Ok(Json(plans::get(&state, &p, id).await?))
}

/// Change a plan, or pause (`active: false` with `pausedReason`) or resume it.
#[utoipa::path(patch, path = "/preventive/plans/{id}", tag = "preventive", request_body = UpdatePlan,
    params(("id" = Uuid, Path, description = "Plan id"),
        ("If-Match" = Option<String>, Header, description = "The version you edited")),
    responses((status = 200, description = "The plan", body = PlanDto),
        (status = 412, description = "Someone changed it since you read it")))]
pub async fn update_plan(
    State(state): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<Uuid>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<UpdatePlan>,
) -> ApiResult<Json<PlanDto>> {
    let dto = plans::update(&state, &p, id, body, if_match(&headers)?).await?;
    if dto.active {
        generator::run(&state, Some(dto.id)).await?;
    }
    Ok(Json(plans::get(&state, &p, id).await?))
}

/// The next occurrences a schedule gives, in the site's time zone (the plan editor's preview).
#[utoipa::path(post, path = "/preventive/schedule-preview", tag = "preventive", request_body = SchedulePreviewRequest,
    responses((status = 200, description = "The next occurrences", body = SchedulePreview)))]
pub async fn preview_schedule(
    State(state): State<AppState>,
    p: Principal,
    ApiJson(body): ApiJson<SchedulePreviewRequest>,
) -> ApiResult<Json<SchedulePreview>> {
    Ok(Json(plans::preview(&state, &p, body).await?))
}

/// Run the generator now (it also runs every hour): occurrences and work orders for whatever
/// is due, catching up on anything missed, never twice.
#[utoipa::path(post, path = "/preventive/run-generator", tag = "preventive",
    responses((status = 200, description = "What it did", body = GeneratorReport)))]
pub async fn run_generator(
    State(state): State<AppState>,
    p: Principal,
) -> ApiResult<Json<GeneratorReport>> {
    p.require("preventive.manage")?;
    Ok(Json(generator::run(&state, None).await?))
}

/// Occurrences, newest due first.
#[utoipa::path(get, path = "/preventive/instances", tag = "preventive", params(InstanceQuery),
    responses((status = 200, description = "A page of occurrences", body = InstancePage)))]
pub async fn list_instances(
    State(state): State<AppState>,
    p: Principal,
    ApiQuery(q): ApiQuery<InstanceQuery>,
) -> ApiResult<Json<InstancePage>> {
    Ok(Json(instances::list(&state, &p, q).await?))
}

/// Record why an occurrence was missed or late.
#[utoipa::path(patch, path = "/preventive/instances/{id}", tag = "preventive", request_body = UpdateInstance,
    params(("id" = Uuid, Path, description = "Occurrence id")),
    responses((status = 200, description = "The occurrence", body = InstanceDto)))]
pub async fn update_instance(
    State(state): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<UpdateInstance>,
) -> ApiResult<Json<InstanceDto>> {
    Ok(Json(instances::update(&state, &p, id, body).await?))
}

/// The maintenance calendar: generated occurrences and those projected from the schedules.
#[utoipa::path(get, path = "/preventive/calendar", tag = "preventive", params(CalendarQuery),
    responses((status = 200, description = "Entries by due time", body = CalendarPage)))]
pub async fn get_calendar(
    State(state): State<AppState>,
    p: Principal,
    ApiQuery(q): ApiQuery<CalendarQuery>,
) -> ApiResult<Json<CalendarPage>> {
    Ok(Json(calendar::calendar(&state, &p, q).await?))
}

/// Your calendar feeds (their addresses are shown only when made).
#[utoipa::path(get, path = "/preventive/calendar-feeds", tag = "preventive",
    responses((status = 200, description = "Feeds", body = Vec<FeedDto>)))]
pub async fn list_feeds(
    State(state): State<AppState>,
    p: Principal,
) -> ApiResult<Json<Vec<FeedDto>>> {
    Ok(Json(calendar::feeds(&state, &p).await?))
}

/// A new iCalendar feed address for a calendar app: your work, a department or a site.
#[utoipa::path(post, path = "/preventive/calendar-feeds", tag = "preventive", request_body = CreateFeed,
    responses((status = 201, description = "Created; `url` holds the secret", body = FeedDto)))]
pub async fn create_feed(
    State(state): State<AppState>,
    p: Principal,
    headers: HeaderMap,
    ApiJson(body): ApiJson<CreateFeed>,
) -> ApiResult<impl IntoResponse> {
    let dto = calendar::create_feed(&state, &p, body, host(&headers)).await?;
    Ok((StatusCode::CREATED, Json(dto)))
}

/// Revoke a feed: its address stops working.
#[utoipa::path(delete, path = "/preventive/calendar-feeds/{id}", tag = "preventive",
    params(("id" = Uuid, Path, description = "Feed id")),
    responses((status = 204, description = "Revoked")))]
pub async fn revoke_feed(
    State(state): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<StatusCode> {
    calendar::revoke_feed(&state, &p, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A calendar feed as iCalendar (`text/calendar`); the secret in the address is the key.
#[utoipa::path(get, path = "/preventive/feeds/{secret}", tag = "preventive", security(()),
    params(("secret" = String, Path, description = "The feed's secret, with `.ics`")),
    responses((status = 200, description = "The calendar", content_type = "text/calendar", body = String)))]
pub async fn calendar_feed(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiPath(secret): ApiPath<String>,
) -> ApiResult<impl IntoResponse> {
    let body = calendar::ics(&state, &secret, host(&headers)).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (header::CACHE_CONTROL, "private, max-age=300"),
        ],
        body,
    ))
}

/// Compliance for a period: occurrences due, on time, late, missed and overdue, overall, for
/// high-risk and life-support equipment, by risk class and strategy, and every exception.
#[utoipa::path(get, path = "/preventive/compliance", tag = "preventive", params(ComplianceQuery),
    responses((status = 200, description = "The report", body = ComplianceReport)))]
pub async fn get_compliance(
    State(state): State<AppState>,
    p: Principal,
    ApiQuery(q): ApiQuery<ComplianceQuery>,
) -> ApiResult<Json<ComplianceReport>> {
    Ok(Json(compliance::report(&state, &p, q).await?))
}

/// Every occurrence due in the period with its outcome and reason, as CSV (for surveyors).
#[utoipa::path(get, path = "/preventive/compliance.csv", tag = "preventive", params(ComplianceQuery),
    responses((status = 200, description = "The occurrences", content_type = "text/csv", body = String)))]
pub async fn export_compliance(
    State(state): State<AppState>,
    p: Principal,
    ApiQuery(q): ApiQuery<ComplianceQuery>,
) -> ApiResult<impl IntoResponse> {
    let body = compliance::csv(&state, &p, q).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"pm-compliance.csv\"",
            ),
        ],
        body,
    ))
}

/// A work order's checklist, its answers so far and what they mean.
#[utoipa::path(get, path = "/work-orders/{id}/checklist", tag = "work orders",
    params(("id" = Uuid, Path, description = "Work order id")),
    responses((status = 200, description = "The checklist", body = ChecklistDto),
        (status = 404, description = "No such work order, or it has no checklist")))]
pub async fn get_checklist(
    State(state): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<ChecklistDto>> {
    Ok(Json(checklists::get(&state, &p, id).await?))
}

/// Save the answers so far (they replace the previous ones); the assigned technician or vendor.
#[utoipa::path(put, path = "/work-orders/{id}/checklist", tag = "work orders", request_body = SaveChecklist,
    params(("id" = Uuid, Path, description = "Work order id")),
    responses((status = 200, description = "The checklist", body = ChecklistDto),
        (status = 412, description = "Someone saved answers since you read them")))]
pub async fn save_checklist(
    State(state): State<AppState>,
    p: Principal,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<SaveChecklist>,
) -> ApiResult<Json<ChecklistDto>> {
    Ok(Json(checklists::save(&state, &p, id, body).await?))
}
