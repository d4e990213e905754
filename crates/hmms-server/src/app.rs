//! Assembles the application: every module's routes under `/api/v1`, the OpenAPI document, the
//! docs page, health and metrics, wrapped in the HTTP stack of [`crate::http`].

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, Request, header};
use axum::middleware;
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;
use utoipa::OpenApi;
use utoipa::openapi::path::Operation;
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{Content, Ref};
use utoipa_axum::router::OpenApiRouter;

use crate::error::{PROBLEM_JSON, Problem, ProblemField};
use crate::http::{self, REQUEST_ID};
use crate::state::{AppState, Registry};
use crate::{audit, auth, health, modules};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "HMMS API",
        description = "Hospital Maintenance Management System. Sign in with `POST /api/v1/auth/login` \
                       (and `/auth/verify-otp` for a second factor), then send the access token as \
                       `Authorization: Bearer …`. Errors are RFC 9457 problem+json.",
        license(name = "AGPL-3.0-or-later")
    ),
    components(schemas(Problem, ProblemField)),
    tags(
        (name = "auth", description = "Sign-in, tokens and the second factor"),
        (name = "users", description = "Accounts"),
        (name = "roles", description = "Roles and permissions"),
        (name = "organization", description = "Sites, departments, sections and locations"),
        (name = "work orders", description = "Requests, assignment, work, approval and SLAs"),
        (name = "vendors", description = "Contractor companies that take work orders"),
        (name = "assets", description = "The equipment registry, QR labels and scanning"),
        (name = "inventory", description = "Spare parts, stores and bins, the stock ledger and reorder"),
        (name = "preventive", description = "Preventive maintenance: plans, checklists, the generator, calendar and compliance"),
        (name = "reports", description = "Key figures with their definitions"),
        (name = "notifications", description = "What each person is told"),
        (name = "events", description = "Live updates (Server-Sent Events)"),
        (name = "public", description = "Fault reports by QR code, without signing in"),
        (name = "audit", description = "The tamper-evident audit trail"),
        (name = "operations", description = "Health and metrics"),
    )
)]
struct ApiDoc;

/// How the modules are wired to one another: the reactions to work orders, in the order they
/// run, and what each module keeps while the server runs. The one place to read to see what a
/// work order's step reaches beyond its own module.
pub fn registry() -> Registry {
    use std::sync::Arc;

    use crate::events::visibility::Visibility;
    use modules::work_orders::{Wiring, WorkOrderHooks};
    let work_order_hooks: Vec<Arc<dyn WorkOrderHooks>> = vec![
        // A passed acceptance inspection puts new equipment in service.
        Arc::new(modules::assets::AcceptanceHooks),
        // Preventive occurrences end, reopen or are missed with their work; checklists must be
        // complete; failed checks open corrective work.
        Arc::new(modules::preventive::PreventiveHooks),
    ];
    // Who receives live events about which records.
    let visibility = Visibility::default()
        .with(
            "work_order",
            Arc::new(modules::work_orders::WorkOrderEvents),
        )
        .with("user", Arc::new(modules::users::UserEvents))
        .with("part", Arc::new(modules::inventory::PartEvents));
    Registry::default()
        .with(Wiring::new(work_order_hooks))
        .with(visibility)
}

fn api_routes(max_upload: usize) -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(modules::attachments::routes::router(max_upload))
        .merge(modules::public_requests::routes::router(max_upload))
        .merge(auth::routes::router())
        .merge(modules::users::routes::router())
        .merge(modules::roles::routes::router())
        .merge(modules::org::routes::router())
        .merge(modules::work_orders::routes::router())
        .merge(modules::vendors::routes::router())
        .merge(modules::preventive::routes::router())
        .merge(modules::inventory::routes::router(max_upload))
        .merge(modules::reports::routes::router())
        .merge(modules::assets::routes::router(max_upload))
        .merge(modules::notifications::routes::router())
        .merge(modules::push::routes::router())
        .merge(crate::jobs::routes::router())
        .merge(crate::events::routes::router())
        .merge(audit::routes::router())
}

/// The routes and their OpenAPI document.
fn split(max_upload: usize) -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, mut doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .nest("/api/v1", api_routes(max_upload))
        .merge(health::router())
        .split_for_parts();
    finish_doc(&mut doc);
    (router, doc)
}

/// The OpenAPI document, as served at `/api/v1/openapi.json`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    split(crate::Config::default().max_upload_bytes).1
}

/// Adds what every operation shares: the bearer security scheme (unless the operation opted
/// out with an empty requirement) and the problem responses it can answer with.
fn finish_doc(doc: &mut utoipa::openapi::OpenApi) {
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "bearer",
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .bearer_format("JWT")
                .build(),
        ),
    );
    let errors: &[(&str, &str)] = &[
        ("400", "Malformed request"),
        ("401", "Not signed in, or the token is invalid"),
        (
            "403",
            "Signed in but not allowed (or two-factor enrolment is required first)",
        ),
        ("404", "Not found, or not visible to you"),
        ("409", "Conflicts with the current state"),
        ("412", "The record changed since you read it"),
        ("413", "Body too large"),
        ("415", "Body is not JSON"),
        ("422", "Invalid fields"),
        ("429", "Too many attempts"),
        ("500", "Server error"),
    ];
    for item in doc.paths.paths.values_mut() {
        let ops: [&mut Option<Operation>; 5] = [
            &mut item.get,
            &mut item.post,
            &mut item.patch,
            &mut item.put,
            &mut item.delete,
        ];
        for op in ops.into_iter().flatten() {
            let public = op
                .security
                .as_ref()
                .is_some_and(|s| s.iter().all(|r| r == &SecurityRequirement::default()));
            if op.security.is_none() {
                op.security = Some(vec![SecurityRequirement::new(
                    "bearer",
                    Vec::<String>::new(),
                )]);
            }
            for (code, desc) in errors {
                if public && *code == "403" {
                    continue;
                }
                op.responses
                    .responses
                    .entry((*code).to_string())
                    .or_insert_with(|| {
                        ResponseBuilder::new()
                            .description(*desc)
                            .content(
                                PROBLEM_JSON,
                                Content::new(Some(Ref::from_schema_name("Problem"))),
                            )
                            .build()
                            .into()
                    });
            }
        }
    }
}

const DOCS_HTML: &str = include_str!("../assets/docs.html");
const DOCS_JS: &str = include_str!("../assets/docs.js");

/// The whole application with its middleware.
pub fn router(state: AppState) -> Router {
    let (api, doc) = split(state.config.max_upload_bytes);
    let doc_json = serde_json::to_string(&doc).unwrap_or_else(|e| {
        tracing::error!(error = %e, "the OpenAPI document does not serialize");
        "{}".into()
    });
    let max_body = state.config.max_body_bytes;
    // Nothing larger than an upload is read at all; JSON bodies are held to `max_body` below.
    let max_any = max_body.max(state.config.max_upload_bytes);
    let trace = TraceLayer::new_for_http()
        .make_span_with(|req: &Request<_>| {
            let rid = req.headers().get(&REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %rid)
        })
        .on_response(DefaultOnResponse::new().level(Level::INFO));
    let security = ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::if_not_present(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(header::CACHE_CONTROL, HeaderValue::from_static("no-store")));

    api.route(
        "/api/v1/openapi.json",
        get(move || async move {
            (
                [(header::CONTENT_TYPE, "application/json")],
                doc_json.clone(),
            )
        }),
    )
    .route("/api/docs", get(|| async { Html(DOCS_HTML) }))
    .route(
        "/api/docs/docs.js",
        get(|| async {
            (
                [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
                DOCS_JS,
            )
                .into_response()
        }),
    )
    .fallback(crate::web::serve)
    .layer(middleware::from_fn_with_state(
        state.clone(),
        crate::idempotency::idempotency,
    ))
    .layer(DefaultBodyLimit::max(max_body))
    .layer(RequestBodyLimitLayer::new(max_any))
    .with_state(state.clone())
    .layer(
        ServiceBuilder::new()
            .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
            .layer(trace)
            .layer(PropagateRequestIdLayer::new(REQUEST_ID))
            .layer(middleware::from_fn_with_state(state.clone(), http::metrics))
            .layer(middleware::from_fn_with_state(state, http::client_addr))
            .layer(middleware::from_fn(http::problems))
            .layer(CatchPanicLayer::custom(http::panic_response))
            .layer(security),
    )
    // Outermost, so the layers above see plain bodies; server-sent events and images are
    // left alone by the default predicate.
    .layer(CompressionLayer::new())
}
