//! Every endpoint × every role → the status that role must get. Adding an endpoint without a
//! row here fails `every_operation_is_in_the_table`.

use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::both;
use crate::helpers::{ROLES, TestApp, expect};

/// Roles in the order of [`ROLES`]: admin, facility_manager, technician, staff, procurement, vendor, it.
type Expect = [u16; 7];

const READ_ORG: Expect = [200, 200, 200, 200, 200, 403, 200];
const ADMIN_ONLY: Expect = [200, 403, 403, 403, 403, 403, 403];
const ADMIN_CREATES: Expect = [201, 403, 403, 403, 403, 403, 403];
const ADMIN_DELETES: Expect = [204, 403, 403, 403, 403, 403, 403];
const ROLE_READERS: Expect = [200, 200, 403, 403, 403, 403, 200];
const READ_STOCK: Expect = [200, 200, 200, 403, 200, 403, 200];
const KEEP_STOCK: Expect = [200, 403, 403, 403, 200, 403, 403];
const REPORT_READERS: Expect = [200, 200, 403, 403, 200, 403, 200];
const KEEP_STOCK_CREATES: Expect = [201, 403, 403, 403, 201, 403, 403];

/// (operation as in the OpenAPI document, expectations)
const TABLE: &[(&str, Expect)] = &[
    ("GET /api/v1/auth/me", [200; 7]),
    ("GET /api/v1/users", [200, 200, 200, 200, 200, 403, 200]),
    ("POST /api/v1/users", ADMIN_CREATES),
    // The target is staff@demo.hmms (ICU at St. Mary's): the technician (Biomedical
    // Engineering) is outside its department scope and gets 404, not 403.
    (
        "GET /api/v1/users/{id}",
        [200, 200, 404, 200, 200, 403, 200],
    ),
    ("PATCH /api/v1/users/{id}", ADMIN_ONLY),
    ("GET /api/v1/roles", ROLE_READERS),
    ("POST /api/v1/roles", ADMIN_CREATES),
    ("GET /api/v1/roles/permissions", ROLE_READERS),
    ("GET /api/v1/roles/{id}", ROLE_READERS),
    ("PATCH /api/v1/roles/{id}", ADMIN_ONLY),
    ("DELETE /api/v1/roles/{id}", ADMIN_DELETES),
    ("GET /api/v1/organization", [200; 7]),
    ("PATCH /api/v1/organization", ADMIN_ONLY),
    ("GET /api/v1/sites", READ_ORG),
    ("POST /api/v1/sites", ADMIN_CREATES),
    ("GET /api/v1/sites/{id}", READ_ORG),
    ("PATCH /api/v1/sites/{id}", ADMIN_ONLY),
    ("DELETE /api/v1/sites/{id}", ADMIN_DELETES),
    ("GET /api/v1/departments", READ_ORG),
    ("POST /api/v1/departments", ADMIN_CREATES),
    ("GET /api/v1/departments/{id}", READ_ORG),
    ("PATCH /api/v1/departments/{id}", ADMIN_ONLY),
    ("DELETE /api/v1/departments/{id}", ADMIN_DELETES),
    ("GET /api/v1/sections", READ_ORG),
    ("POST /api/v1/sections", ADMIN_CREATES),
    ("GET /api/v1/sections/{id}", READ_ORG),
    ("PATCH /api/v1/sections/{id}", ADMIN_ONLY),
    ("DELETE /api/v1/sections/{id}", ADMIN_DELETES),
    ("GET /api/v1/locations", READ_ORG),
    // Facility managers look after the buildings of their own site.
    (
        "POST /api/v1/locations",
        [201, 201, 403, 403, 403, 403, 403],
    ),
    ("GET /api/v1/locations/{id}", READ_ORG),
    (
        "PATCH /api/v1/locations/{id}",
        [200, 200, 403, 403, 403, 403, 403],
    ),
    (
        "DELETE /api/v1/locations/{id}",
        [204, 204, 403, 403, 403, 403, 403],
    ),
    ("GET /api/v1/locations/tree", READ_ORG),
    ("GET /api/v1/locations/export.csv", READ_ORG),
    ("GET /api/v1/locations/import-template.csv", [200; 7]),
    // Facility managers import their own site's rooms (the sheet is St. Mary's).
    (
        "POST /api/v1/locations/import",
        [200, 200, 403, 403, 403, 403, 403],
    ),
    ("GET /api/v1/audit", [200, 403, 403, 403, 403, 403, 200]),
    // Work orders. The fixture was raised by staff@demo.hmms (ICU) and assigned to
    // technician@demo.hmms: the vendor is not involved (404), procurement has no access (403).
    (
        "GET /api/v1/work-orders",
        [200, 200, 200, 200, 403, 200, 200],
    ),
    (
        "POST /api/v1/work-orders",
        [201, 201, 201, 201, 403, 403, 403],
    ),
    // The dashboard's figures, counted under each reader's scope (dashboard.rs).
    (
        "GET /api/v1/work-orders/summary",
        [200, 200, 200, 200, 403, 200, 200],
    ),
    ("GET /api/v1/work-orders/{id}", WO_READERS),
    (
        "PATCH /api/v1/work-orders/{id}",
        [200, 200, 403, 403, 403, 404, 403],
    ),
    ("POST /api/v1/work-orders/{id}/complete", WO_ASSIGNEE),
    ("POST /api/v1/work-orders/{id}/approve-close", WO_APPROVERS),
    ("POST /api/v1/work-orders/{id}/reject", WO_APPROVERS),
    ("GET /api/v1/work-orders/{id}/notes", WO_READERS),
    (
        "POST /api/v1/work-orders/{id}/notes",
        [201, 201, 201, 201, 403, 404, 201],
    ),
    ("GET /api/v1/work-orders/{id}/time-logs", WO_READERS),
    (
        "POST /api/v1/work-orders/{id}/time-logs",
        [403, 403, 201, 403, 403, 404, 403],
    ),
    (
        "POST /api/v1/work-orders/{id}/timer/start",
        [403, 403, 201, 403, 403, 404, 403],
    ),
    ("POST /api/v1/work-orders/{id}/timer/stop", WO_ASSIGNEE),
    ("GET /api/v1/work-orders/{id}/history", WO_READERS),
    ("GET /api/v1/work-orders/{id}/parts", WO_READERS),
    // Parts: the people doing the work and managers; the part to remove was recorded by the
    // technician.
    (
        "POST /api/v1/work-orders/{id}/parts",
        [201, 201, 201, 403, 403, 404, 403],
    ),
    (
        "DELETE /api/v1/work-orders/{id}/parts/{partId}",
        [204, 204, 204, 403, 403, 404, 403],
    ),
    // Assets. The fixture is an ICU infusion pump at St. Mary's: the technician (Biomedical
    // Engineering) is outside its department (404) and the vendor has no work on it (404).
    ("GET /api/v1/assets", [200; 7]),
    ("POST /api/v1/assets", [201, 201, 403, 403, 403, 403, 403]),
    ("GET /api/v1/assets/{id}", ASSET_READERS),
    (
        "PATCH /api/v1/assets/{id}",
        [200, 200, 403, 403, 403, 403, 403],
    ),
    ("GET /api/v1/assets/{id}/history", ASSET_READERS),
    ("POST /api/v1/assets/{id}/qr", ASSET_READERS),
    ("GET /api/v1/assets/{id}/reliability", ASSET_READERS),
    ("POST /api/v1/assets/qr-labels", ASSET_READERS),
    ("GET /api/v1/assets/{id}/meters", ASSET_READERS),
    ("GET /api/v1/assets/{id}/documents", ASSET_READERS),
    (
        "POST /api/v1/assets/{id}/documents",
        [201, 201, 403, 403, 403, 403, 403],
    ),
    (
        "POST /api/v1/assets/{id}/meters",
        [201, 201, 403, 403, 403, 403, 403],
    ),
    (
        "GET /api/v1/assets/{id}/meters/{meterId}/readings",
        ASSET_READERS,
    ),
    // Technicians record readings on equipment they can see (the fixture's is not theirs).
    (
        "POST /api/v1/assets/{id}/meters/{meterId}/readings",
        [201, 201, 404, 403, 403, 404, 403],
    ),
    ("POST /api/v1/locations/{id}/qr", READ_ORG),
    ("GET /api/v1/assets/{id}/incidents", ASSET_READERS),
    ("GET /api/v1/assets/export.csv", [200; 7]),
    ("GET /api/v1/assets/import-template.csv", [200; 7]),
    (
        "POST /api/v1/assets/import",
        [200, 200, 403, 403, 403, 403, 403],
    ),
    // Anyone who raises requests records incidents on equipment they can see.
    (
        "POST /api/v1/assets/{id}/incidents",
        [201, 201, 404, 201, 403, 403, 403],
    ),
    ("GET /api/v1/equipment-classes", [200; 7]),
    // The class tree is shared by every site: organization-wide roles only.
    ("POST /api/v1/equipment-classes", ADMIN_CREATES),
    ("PATCH /api/v1/equipment-classes/{id}", ADMIN_ONLY),
    // Safety notices are read by all who read equipment; each sees only its own affected assets.
    ("GET /api/v1/recalls", [200; 7]),
    ("POST /api/v1/recalls", [201, 201, 403, 403, 403, 403, 403]),
    ("GET /api/v1/recalls/{id}", [200; 7]),
    (
        "GET /api/v1/scan/{code}",
        [200, 200, 404, 200, 200, 404, 200],
    ),
    // Vendor companies: procurement keeps the directory; the demo vendor reads its own company.
    ("GET /api/v1/vendor-companies", READ_ORG),
    (
        "POST /api/v1/vendor-companies",
        [201, 403, 403, 403, 201, 403, 403],
    ),
    ("GET /api/v1/vendor-companies/{id}", [200; 7]),
    (
        "PATCH /api/v1/vendor-companies/{id}",
        [200, 403, 403, 403, 200, 403, 403],
    ),
    // Stock: store staff (procurement) keep the catalogue, stores and ledger; managers,
    // technicians and IT read it; staff and vendors see nothing of it.
    ("GET /api/v1/parts", READ_STOCK),
    ("GET /api/v1/parts/export.csv", READ_STOCK),
    // The template is only column names: anyone signed in may read it, as for assets.
    ("GET /api/v1/parts/import-template.csv", [200; 7]),
    ("POST /api/v1/parts/import", KEEP_STOCK),
    ("POST /api/v1/parts", KEEP_STOCK_CREATES),
    ("GET /api/v1/parts/{id}", READ_STOCK),
    ("PATCH /api/v1/parts/{id}", KEEP_STOCK),
    ("GET /api/v1/parts/{id}/stock", READ_STOCK),
    ("GET /api/v1/parts/{id}/ledger", READ_STOCK),
    ("PUT /api/v1/parts/{id}/levels/{store_id}", KEEP_STOCK),
    ("GET /api/v1/stores", READ_STOCK),
    ("POST /api/v1/stores", KEEP_STOCK_CREATES),
    ("GET /api/v1/stores/{id}", READ_STOCK),
    ("PATCH /api/v1/stores/{id}", KEEP_STOCK),
    ("POST /api/v1/stores/{id}/bins", KEEP_STOCK_CREATES),
    // A receipt; technicians post issues to their own work (inventory.rs).
    ("POST /api/v1/stock-movements", KEEP_STOCK_CREATES),
    ("GET /api/v1/stock/reorder", READ_STOCK),
    ("GET /api/v1/stock/value", READ_STOCK),
    ("GET /api/v1/stock/outs", READ_STOCK),
    // Figures for those who answer for them: managers, procurement and IT, not the people
    // doing or asking for the work.
    ("GET /api/v1/reports/kpis", REPORT_READERS),
    ("GET /api/v1/reports/breakdown", REPORT_READERS),
    ("GET /api/v1/reports/kpis.xlsx", REPORT_READERS),
    ("GET /api/v1/reports/kpis.pdf", REPORT_READERS),
    ("GET /api/v1/reports/breakdown.xlsx", REPORT_READERS),
    ("GET /api/v1/reports/breakdown.csv", REPORT_READERS),
    ("GET /api/v1/reports/breakdown.pdf", REPORT_READERS),
    // Stock and sight of the work order: procurement reads no work orders, staff and vendors
    // no stock.
    (
        "GET /api/v1/work-orders/{id}/stock",
        [200, 200, 200, 403, 403, 403, 200],
    ),
    ("GET /api/v1/sites/{id}/sla-policies", READ_ORG),
    ("PUT /api/v1/sites/{id}/sla-policies", ADMIN_ONLY),
    ("GET /api/v1/sites/{id}/escalation-chain", READ_ORG),
    ("PUT /api/v1/sites/{id}/escalation-chain", ADMIN_ONLY),
    // Everyone has their own notifications; another person's (here: none) is not found.
    ("GET /api/v1/notifications", [200; 7]),
    ("POST /api/v1/notifications/{id}/read", [404; 7]),
    ("POST /api/v1/notifications/read-all", [200; 7]),
    ("GET /api/v1/notifications/preferences", [200; 7]),
    ("PUT /api/v1/notifications/preferences", [200; 7]),
    // Push subscriptions are each person's own; another person's (here: none) is not found.
    ("GET /api/v1/push/vapid-public-key", [200; 7]),
    ("GET /api/v1/push/subscriptions", [200; 7]),
    ("POST /api/v1/push/subscriptions", [201; 7]),
    ("DELETE /api/v1/push/subscriptions/{id}", [404; 7]),
    // Files: the requester, the assignee and managers attach; readers of the work order read.
    (
        "POST /api/v1/work-orders/{id}/attachments",
        [201, 201, 201, 201, 403, 404, 403],
    ),
    ("GET /api/v1/work-orders/{id}/attachments", WO_READERS),
    // Direct uploads need S3 storage (s3.rs); on local storage those who may attach get 409,
    // and a made-up ticket is refused.
    (
        "POST /api/v1/work-orders/{id}/attachments/direct",
        [409, 409, 409, 409, 403, 404, 403],
    ),
    (
        "POST /api/v1/work-orders/{id}/attachments/direct/complete",
        [422, 422, 422, 422, 403, 404, 403],
    ),
    ("GET /api/v1/attachments/{id}/content", WO_READERS),
    ("GET /api/v1/attachments/{id}/thumbnail", WO_READERS),
    // Everyone may listen; what each hears is scoped (events.rs).
    ("GET /api/v1/events", [200; 7]),
    (
        "GET /api/v1/admin/jobs",
        [200, 403, 403, 403, 403, 403, 200],
    ),
    (
        "POST /api/v1/admin/jobs/{name}/run",
        [200, 403, 403, 403, 403, 403, 200],
    ),
    // Preventive maintenance: read by those who plan and do it (and IT), planned by managers.
    ("GET /api/v1/preventive/checklists", PM_READERS),
    ("POST /api/v1/preventive/checklists", PM_CREATORS),
    ("GET /api/v1/preventive/checklists/{id}", PM_READERS),
    ("PUT /api/v1/preventive/checklists/{id}", PM_MANAGERS),
    (
        "GET /api/v1/preventive/checklists/{id}/versions/{number}",
        PM_READERS,
    ),
    ("GET /api/v1/preventive/plans", PM_READERS),
    ("POST /api/v1/preventive/plans", PM_CREATORS),
    ("GET /api/v1/preventive/plans/{id}", PM_READERS),
    ("PATCH /api/v1/preventive/plans/{id}", PM_MANAGERS),
    ("POST /api/v1/preventive/schedule-preview", PM_READERS),
    ("POST /api/v1/preventive/run-generator", PM_MANAGERS),
    ("GET /api/v1/preventive/instances", PM_READERS),
    ("PATCH /api/v1/preventive/instances/{id}", PM_MANAGERS),
    ("GET /api/v1/preventive/calendar", PM_READERS),
    ("GET /api/v1/preventive/calendar-feeds", PM_READERS),
    (
        "POST /api/v1/preventive/calendar-feeds",
        [201, 201, 201, 403, 403, 403, 201],
    ),
    // Only its owner revokes a feed (the admin made this one).
    (
        "DELETE /api/v1/preventive/calendar-feeds/{id}",
        [204, 404, 404, 404, 404, 404, 404],
    ),
    ("GET /api/v1/preventive/compliance", PM_READERS),
    ("GET /api/v1/preventive/compliance.csv", PM_READERS),
    // The fixture's preventive work order (ICU equipment) is assigned to the technician.
    ("GET /api/v1/work-orders/{id}/checklist", WO_READERS),
    (
        "PUT /api/v1/work-orders/{id}/checklist",
        [403, 403, 200, 403, 403, 404, 403],
    ),
];

const ASSET_READERS: Expect = [200, 200, 404, 200, 200, 404, 200];
const WO_READERS: Expect = [200, 200, 200, 200, 403, 404, 200];
const PM_READERS: Expect = [200, 200, 200, 403, 403, 403, 200];
const PM_MANAGERS: Expect = [200, 200, 403, 403, 403, 403, 403];
const PM_CREATORS: Expect = [201, 201, 403, 403, 403, 403, 403];
const WO_ASSIGNEE: Expect = [403, 403, 200, 403, 403, 404, 403];
const WO_APPROVERS: Expect = [200, 200, 403, 403, 403, 404, 403];

/// Operations anyone may call; tested in their own files.
const PUBLIC: &[&str] = &[
    "POST /api/v1/auth/login",
    "POST /api/v1/auth/verify-otp",
    "POST /api/v1/auth/refresh",
    "POST /api/v1/auth/logout",
    "GET /health/live",
    "GET /health/ready",
    "GET /metrics",
    "GET /api/v1/public/places/{site}/{location}",
    "GET /api/v1/public/assets/{tag}",
    "POST /api/v1/public/requests",
    "GET /api/v1/preventive/feeds/{secret}",
];

/// Self-service: any signed-in user, for themselves (see auth.rs).
const SELF_SERVICE: &[&str] = &[
    "POST /api/v1/auth/totp/setup",
    "POST /api/v1/auth/totp/confirm",
    "POST /api/v1/auth/totp/disable",
    "POST /api/v1/auth/password",
];

struct Fixtures {
    staff: String,
    technician: String,
    smgh: String,
    icu: String,
    section: String,
    location: String,
    custom_role: String,
    work_order: String,
    attachment: String,
    vendor_company: String,
    asset: String,
    equipment_class: String,
    recall: String,
    meter: String,
    checklist: String,
    plan: String,
    pm_instance: String,
    pm_work_order: String,
    part: String,
    store: String,
    bin: String,
}

async fn fixtures(app: &TestApp) -> Fixtures {
    let admin = app.admin().await;
    let smgh = app.site_id("SMGH").await;
    let icu = app.department_id("SMGH", "ICU").await;
    let section = app
        .find_id(
            &format!("/api/v1/sections?departmentId={icu}"),
            "code",
            "ADULT",
        )
        .await;
    let location = app
        .find_id(
            &format!("/api/v1/locations?siteId={smgh}&limit=200"),
            "code",
            "MB-G-01",
        )
        .await;
    let role = app
        .post("/api/v1/roles", &admin, json!({ "key": "porter", "name": "Porter", "defaultScope": "department", "permissions": ["org.read"] }))
        .await;
    let custom_role = expect(role, StatusCode::CREATED).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let work_order = crate::helpers::work_order_in(app, "assigned").await;
    let mut f = Fixtures {
        staff: app.user_id("staff@demo.hmms").await,
        technician: app.user_id("technician@demo.hmms").await,
        smgh,
        icu: icu.clone(),
        section,
        location,
        custom_role,
        work_order: work_order.clone(),
        vendor_company: app
            .find_id("/api/v1/vendor-companies", "name", "MedTech Services Ltd")
            .await,
        asset: {
            let res = app
                .post(
                    "/api/v1/assets",
                    &admin,
                    json!({ "tag": "FIX-ICU-IP-001", "name": "Infusion pump", "departmentId": icu }),
                )
                .await;
            expect(res, StatusCode::CREATED).await["id"]
                .as_str()
                .unwrap()
                .to_string()
        },
        meter: String::new(),
        checklist: String::new(),
        plan: String::new(),
        pm_instance: String::new(),
        pm_work_order: String::new(),
        part: String::new(),
        store: String::new(),
        bin: String::new(),
        recall: {
            let res = app
                .post(
                    "/api/v1/recalls",
                    &admin,
                    json!({ "reference": "FSN-1", "title": "Latch", "description": "Replace latch",
                            "make": "B. Braun", "model": "Infusomat Space", "issuedOn": "2026-11-01" }),
                )
                .await;
            expect(res, StatusCode::CREATED).await["id"]
                .as_str()
                .unwrap()
                .to_string()
        },
        equipment_class: {
            let res = app
                .post(
                    "/api/v1/equipment-classes",
                    &admin,
                    json!({ "code": "FIX", "name": "Fixture class" }),
                )
                .await;
            expect(res, StatusCode::CREATED).await["id"]
                .as_str()
                .unwrap()
                .to_string()
        },
        attachment: {
            let tech = app.token("technician").await;
            let png = crate::attachments::image_bytes(64, 48, image::ImageFormat::Png);
            let res = crate::attachments::upload(
                app,
                &tech,
                &work_order,
                "a.png",
                "image/png",
                png,
                None,
            )
            .await;
            expect(res, StatusCode::CREATED).await["id"]
                .as_str()
                .unwrap()
                .to_string()
        },
    };
    let res = app
        .post(
            &format!("/api/v1/assets/{}/meters", f.asset),
            &admin,
            json!({ "name": "Runtime", "unit": "hours" }),
        )
        .await;
    f.meter = expect(res, StatusCode::CREATED).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    // A checklist and a plan due in half a day on a second pump (so the technician's work on
    // it does not open the fixture pump to them), generated at once.
    let res = app
        .post(
            "/api/v1/assets",
            &admin,
            json!({ "tag": "FIX-ICU-IP-002", "name": "Infusion pump", "departmentId": icu, "status": "in_service" }),
        )
        .await;
    let pm_asset = expect(res, StatusCode::CREATED).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let res = app
        .post(
            "/api/v1/preventive/checklists",
            &admin,
            json!({ "name": "Fixture checklist", "items": [{ "key": "ok", "label": "Works", "kind": "pass_fail" }] }),
        )
        .await;
    f.checklist = expect(res, StatusCode::CREATED).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let res = app
        .post(
            "/api/v1/preventive/plans",
            &admin,
            json!({ "siteId": f.smgh, "name": "Fixture PM", "targetKind": "asset", "assetId": pm_asset,
                    "checklistTemplateId": f.checklist, "assigneeId": f.technician,
                    "recurrence": { "frequency": "monthly" }, "startLocal": soon(app, 12) }),
        )
        .await;
    f.plan = expect(res, StatusCode::CREATED).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let list = app
        .get_ok(&format!("/api/v1/preventive/instances?planId={}", f.plan))
        .await;
    f.pm_instance = list["items"][0]["id"].as_str().unwrap().to_string();
    f.pm_work_order = list["items"][0]["workOrderId"]
        .as_str()
        .unwrap()
        .to_string();
    let res = app
        .post(
            "/api/v1/parts",
            &admin,
            json!({ "partNumber": "FIX-FUSE-2A", "name": "Fuse 2 A" }),
        )
        .await;
    f.part = expect(res, StatusCode::CREATED).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let res = app
        .post(
            "/api/v1/stores",
            &admin,
            json!({ "siteId": f.smgh, "code": "FIX-MAIN", "name": "Fixture store", "kind": "main" }),
        )
        .await;
    let store = expect(res, StatusCode::CREATED).await;
    f.store = store["id"].as_str().unwrap().to_string();
    f.bin = store["bins"][0]["id"].as_str().unwrap().to_string();
    f
}

/// St. Mary's local time `hours` from now, on the hour, as a plan's `startLocal`.
fn soon(app: &TestApp, hours: i64) -> String {
    let zone: chrono_tz::Tz = "Africa/Nairobi".parse().unwrap();
    (app.state.clock.now() + chrono::Duration::hours(hours))
        .with_timezone(&zone)
        .format("%Y-%m-%dT%H:00:00")
        .to_string()
}

/// A fresh record for a delete to remove, created by the admin.
async fn fresh(app: &TestApp, f: &Fixtures, kind: &str, n: usize) -> String {
    let admin = app.admin().await;
    let (path, body) = match kind {
        "roles" => (
            "/api/v1/roles",
            json!({ "key": format!("temp_{n}"), "name": "Temp", "defaultScope": "assigned", "permissions": [] }),
        ),
        "sites" => (
            "/api/v1/sites",
            json!({ "name": "Temp", "code": format!("TMP{n}"), "timeZone": "Africa/Nairobi" }),
        ),
        "departments" => (
            "/api/v1/departments",
            json!({ "siteId": f.smgh, "name": "Temp", "code": format!("TMP{n}") }),
        ),
        "sections" => (
            "/api/v1/sections",
            json!({ "departmentId": f.icu, "name": "Temp", "code": format!("TMP{n}") }),
        ),
        "locations" => (
            "/api/v1/locations",
            json!({ "siteId": f.smgh, "kind": "room", "name": "Temp", "code": format!("TMP-{n}") }),
        ),
        "preventive" => (
            "/api/v1/preventive/calendar-feeds",
            json!({ "scope": "mine", "name": format!("Feed {n}") }),
        ),
        other => panic!("no fresh {other}"),
    };
    expect(app.post(path, &admin, body).await, StatusCode::CREATED).await["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// The concrete request for an operation, made by the `n`-th caller.
async fn request(
    app: &TestApp,
    f: &Fixtures,
    op: &str,
    n: usize,
) -> (Method, String, Option<Value>) {
    let (method, template) = op.split_once(' ').unwrap();
    let method: Method = method.parse().unwrap();
    let resource = template
        .trim_start_matches("/api/v1/")
        .split('/')
        .next()
        .unwrap();
    let id = match (method.as_str(), resource) {
        ("DELETE", "work-orders") => f.work_order.clone(),
        ("DELETE", "push") => uuid::Uuid::nil().to_string(),
        ("DELETE", r) => fresh(app, f, r, n).await,
        // Steps that change the work order's state each get a fresh one in the right state.
        (_, "work-orders") if template.ends_with("/complete") => {
            crate::helpers::work_order_in(app, "in_progress").await
        }
        (_, "work-orders")
            if template.ends_with("/approve-close") || template.ends_with("/reject") =>
        {
            crate::helpers::work_order_in(app, "completed").await
        }
        (_, "work-orders") if template.contains("/timer/") => {
            let id = crate::helpers::work_order_in(app, "assigned").await;
            if template.ends_with("/stop") {
                let tech = app.token("technician").await;
                let res = app
                    .request(
                        Method::POST,
                        &format!("/api/v1/work-orders/{id}/timer/start"),
                        Some(&tech),
                        None,
                    )
                    .await;
                assert_eq!(res.status(), StatusCode::CREATED);
            }
            id
        }
        (_, "work-orders") if template.ends_with("/checklist") => f.pm_work_order.clone(),
        (_, "work-orders") => f.work_order.clone(),
        (_, "preventive") if template.contains("/checklists/") => f.checklist.clone(),
        (_, "preventive") if template.contains("/plans/") => f.plan.clone(),
        (_, "preventive") if template.contains("/instances/") => f.pm_instance.clone(),
        (_, "notifications") => uuid::Uuid::nil().to_string(),
        (_, "push") => uuid::Uuid::nil().to_string(),
        (_, "attachments") => f.attachment.clone(),
        (_, "users") if method == Method::GET => f.staff.clone(),
        (_, "users") => f.technician.clone(),
        (_, "roles") => f.custom_role.clone(),
        (_, "sites") => f.smgh.clone(),
        (_, "departments") => f.icu.clone(),
        (_, "sections") => f.section.clone(),
        (_, "locations") => f.location.clone(),
        (_, "vendor-companies") => f.vendor_company.clone(),
        (_, "assets") => f.asset.clone(),
        (_, "equipment-classes") => f.equipment_class.clone(),
        (_, "recalls") => f.recall.clone(),
        (_, "parts") => f.part.clone(),
        (_, "stores") => f.store.clone(),
        _ => String::new(),
    };
    let mut path = template
        .replace("{id}", &id)
        .replace("{name}", "sla-check")
        .replace("{code}", "FIX-ICU-IP-001")
        .replace("{meterId}", &f.meter)
        .replace("{store_id}", &f.store);
    if path.contains("{partId}") {
        let tech = app.token("technician").await;
        let part = app
            .post(
                &format!("/api/v1/work-orders/{id}/parts"),
                &tech,
                json!({ "description": "Fuse 2 A", "quantity": 1, "unitCostMinor": 5000 }),
            )
            .await;
        let part = expect(part, StatusCode::CREATED).await["id"]
            .as_str()
            .unwrap()
            .to_string();
        path = path.replace("{partId}", &part);
    }
    let period = {
        let now = app.state.clock.now();
        let q = |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339().replace('+', "%2B");
        format!(
            "from={}&to={}",
            q(now - chrono::Duration::days(30)),
            q(now + chrono::Duration::days(30))
        )
    };
    let path = path.replace("{number}", "1");
    let path = match op {
        "GET /api/v1/locations/tree" => format!("{path}?siteId={}", f.smgh),
        "GET /api/v1/preventive/calendar"
        | "GET /api/v1/preventive/compliance"
        | "GET /api/v1/preventive/compliance.csv"
        | "GET /api/v1/reports/kpis"
        | "GET /api/v1/reports/kpis.xlsx"
        | "GET /api/v1/reports/kpis.pdf" => format!("{path}?{period}"),
        "GET /api/v1/reports/breakdown"
        | "GET /api/v1/reports/breakdown.xlsx"
        | "GET /api/v1/reports/breakdown.csv"
        | "GET /api/v1/reports/breakdown.pdf" => format!("{path}?{period}&by=department"),
        _ => path,
    };
    let body = match (method.as_str(), resource) {
        ("POST", "preventive") if op.ends_with("/checklists") => Some(json!({
            "name": format!("Checklist {n}"),
            "items": [{ "key": "ok", "label": "Works", "kind": "pass_fail" }]
        })),
        ("PUT", "preventive") => Some(json!({ "description": format!("Reviewed {n}") })),
        ("POST", "preventive") if op.ends_with("/plans") => Some(json!({
            "siteId": f.smgh, "name": format!("Plan {n}"), "targetKind": "asset", "assetId": f.asset,
            "recurrence": { "frequency": "yearly" }, "startLocal": soon(app, 24 * 60)
        })),
        ("PATCH", "preventive") if op.contains("/plans/") => {
            Some(json!({ "task": format!("Task {n}") }))
        }
        ("POST", "preventive") if op.ends_with("/schedule-preview") => Some(json!({
            "recurrence": { "frequency": "weekly" }, "startLocal": "2027-01-04T09:00:00", "siteId": f.smgh
        })),
        ("PATCH", "preventive") => Some(json!({ "missReason": "Equipment in use" })),
        ("POST", "preventive") if op.ends_with("/calendar-feeds") => {
            Some(json!({ "scope": "mine" }))
        }
        ("PUT", "work-orders") if op.ends_with("/checklist") => Some(json!({ "answers": [] })),
        ("POST", "users") => Some(
            json!({ "email": format!("new{n}@demo.hmms"), "name": "New Person", "role": "staff", "departmentId": f.icu }),
        ),
        ("PATCH", "users") => Some(json!({ "phone": "+254 700 000001" })),
        ("POST", "roles") => Some(
            json!({ "key": format!("role_{n}"), "name": "Role", "defaultScope": "site", "permissions": ["org.read"] }),
        ),
        ("PATCH", "roles") => Some(json!({ "description": "Moves patients and equipment" })),
        ("PATCH", "organization") => Some(json!({ "name": "Demo Health Network" })),
        ("POST", "sites") => Some(
            json!({ "name": "New Clinic", "code": format!("NEW{n}"), "timeZone": "Africa/Nairobi" }),
        ),
        ("PATCH", "sites") => Some(json!({ "address": "Hospital Road, Nairobi" })),
        ("POST", "departments") => {
            Some(json!({ "siteId": f.smgh, "name": "Pharmacy", "code": format!("PH{n}") }))
        }
        ("PATCH", "departments") => Some(json!({ "name": "Intensive Care Unit" })),
        ("POST", "sections") => Some(
            json!({ "departmentId": f.icu, "name": "High Dependency", "code": format!("HDU{n}") }),
        ),
        ("PATCH", "sections") => Some(json!({ "name": "Adult ICU" })),
        ("POST", "locations") => Some(
            json!({ "siteId": f.smgh, "kind": "room", "name": "Store", "code": format!("ST-{n}") }),
        ),
        ("PATCH", "locations") => Some(json!({ "name": "Emergency Bay" })),
        ("POST", "work-orders") if op.ends_with("/direct/complete") => {
            Some(json!({ "uploadId": "not-a-ticket" }))
        }
        ("POST", "work-orders") if op.ends_with("/complete") => {
            Some(json!({ "resolutionCategory": "repaired" }))
        }
        ("POST", "work-orders") if op.ends_with("/reject") => {
            Some(json!({ "reason": "Still alarming" }))
        }
        ("POST", "work-orders") if op.ends_with("/approve-close") => Some(json!({})),
        ("POST", "work-orders") if op.ends_with("/notes") => {
            Some(json!({ "body": "Checked the seal" }))
        }
        ("POST", "work-orders") if op.ends_with("/time-logs") => Some(json!({ "minutes": 20 })),
        ("POST", "work-orders") if op.ends_with("/work-orders") => {
            Some(json!({ "title": "Bed rail broken", "departmentId": f.icu }))
        }
        ("PATCH", "work-orders") => Some(json!({ "title": "Suction unit loses vacuum" })),
        ("POST", "work-orders") if op.ends_with("/direct") => {
            Some(json!({ "contentType": "image/png", "sizeBytes": 10 }))
        }
        ("POST", "work-orders") if op.ends_with("/parts") => Some(
            json!({ "description": "Occlusion sensor", "partNumber": "BD-8015", "quantity": 2, "unitCostMinor": 125000 }),
        ),
        ("POST", "assets") if op.ends_with("/qr") => Some(json!({})),
        ("POST", "assets") if op.ends_with("/meters") => {
            Some(json!({ "name": format!("Meter {n}"), "unit": "hours" }))
        }
        ("POST", "assets") if op.ends_with("/readings") => Some(json!({ "value": n })),
        ("POST", "assets") if op.ends_with("/qr-labels") => {
            Some(json!({ "assetIds": [f.asset], "layout": "a4_14" }))
        }
        ("POST", "assets") if op.ends_with("/incidents") => Some(json!({
            "occurredAt": "2026-01-05T10:00:00Z", "description": "Pump over-infused",
            "patientHarm": false, "staffHarm": false, "reportedExternally": false
        })),
        ("POST", "assets") => Some(
            json!({ "tag": format!("NEW-{n}"), "name": "Suction pump", "departmentId": f.icu }),
        ),
        ("PATCH", "assets") => Some(json!({ "notes": "Checked by biomed" })),
        ("POST", "equipment-classes") => {
            Some(json!({ "code": format!("C{n}"), "name": "Monitors" }))
        }
        ("PATCH", "equipment-classes") => Some(json!({ "name": "Renamed class" })),
        ("POST", "recalls") => Some(json!({
            "reference": format!("FSN-{n}"), "title": "Battery", "description": "Replace battery",
            "make": "Nobody", "model": "Nothing", "issuedOn": "2026-11-01"
        })),
        ("POST", "parts") => {
            Some(json!({ "partNumber": format!("P-{n}"), "name": "Exhalation valve" }))
        }
        ("PATCH", "parts") => Some(json!({ "description": "Fits the ICU ventilators" })),
        ("PUT", "parts") => Some(json!({ "reorderPoint": "2", "maximum": "10" })),
        ("POST", "stores") if op.ends_with("/bins") => Some(json!({ "code": format!("B-{n}") })),
        ("POST", "stores") => Some(
            json!({ "siteId": f.smgh, "code": format!("S-{n}"), "name": "Ward store", "kind": "satellite" }),
        ),
        ("PATCH", "stores") => Some(json!({ "name": "Main engineering store" })),
        ("POST", "stock-movements") => Some(json!({
            "kind": "receipt", "partId": f.part, "binId": f.bin, "quantity": "5", "unitCostMinor": 2500
        })),
        ("POST", "vendor-companies") => Some(json!({ "name": format!("Contractor {n}") })),
        ("PATCH", "vendor-companies") => Some(json!({ "notes": "Contract renewed to 2027" })),
        ("POST", "push") => Some(json!({
            "endpoint": format!("http://127.0.0.1:9/send/{n}"),
            "keys": {
                "p256dh": "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4",
                "auth": "BTBZMqHH6r4Tts7J_aSIgg"
            }
        })),
        ("PUT", "notifications") => Some(json!([{ "kind": "sla_warning", "inApp": true }])),
        ("PUT", "sites") if op.ends_with("/sla-policies") => Some(
            json!([{ "priority": "critical", "responseMinutes": 10, "resolutionMinutes": 120 }]),
        ),
        ("PUT", "sites") => Some(json!([
            { "level": 1, "notify": "assignee", "delayMinutes": 0 },
            { "level": 2, "notify": "facility_manager", "delayMinutes": 30 }
        ])),
        _ => None,
    };
    (method, path, body)
}

async fn every_endpoint_answers_each_role_as_the_table_says(app: TestApp) {
    let f = fixtures(&app).await;
    let mut tokens = vec![];
    for role in ROLES {
        tokens.push(app.token(role).await);
    }
    let mut n = 0;
    let mut failures = vec![];
    for (op, expected) in TABLE {
        // Signed out: always 401, before anything else is looked at.
        let (method, path, body) = request(&app, &f, op, n).await;
        n += 1;
        let res = app.request(method, &path, None, body).await;
        if res.status() != StatusCode::UNAUTHORIZED {
            failures.push(format!("{op} signed out: got {}", res.status()));
        }
        for (i, role) in ROLES.iter().enumerate() {
            let (method, path, body) = request(&app, &f, op, n).await;
            n += 1;
            let res = if op.ends_with("/attachments") && method == Method::POST {
                let png = crate::attachments::image_bytes(32, 32, image::ImageFormat::Png);
                let wo = path
                    .trim_start_matches("/api/v1/work-orders/")
                    .trim_end_matches("/attachments")
                    .to_string();
                crate::attachments::upload(&app, &tokens[i], &wo, "p.png", "image/png", png, None)
                    .await
            } else if op.ends_with("/documents") && method == Method::POST {
                let form = reqwest::multipart::Form::new().part(
                    "file",
                    reqwest::multipart::Part::bytes(b"%PDF-1.4\n%%EOF\n".to_vec())
                        .file_name("manual.pdf")
                        .mime_str("application/pdf")
                        .unwrap(),
                );
                app.client
                    .post(app.url(&path))
                    .bearer_auth(&tokens[i])
                    .multipart(form)
                    .send()
                    .await
                    .unwrap()
            } else if op.ends_with("/locations/import") {
                app.client
                    .post(app.url(&path))
                    .bearer_auth(&tokens[i])
                    .header("content-type", "text/csv")
                    .body(format!(
                        "site_code,code,name,kind,parent_code,department_code\nSMGH,IMP-{n}-{i},Store,room,MB-G,\n"
                    ))
                    .send()
                    .await
                    .unwrap()
            } else if op.ends_with("/parts/import") {
                // A new part with an opening balance in the fixture's store.
                app.client
                    .post(app.url(&path))
                    .bearer_auth(&tokens[i])
                    .header("content-type", "text/csv")
                    .body(format!(
                        "part_number,name,store_code,bin_code,quantity,unit_cost\nIMP-{n}-{i},Filter,FIX-MAIN,,3,12.50\n"
                    ))
                    .send()
                    .await
                    .unwrap()
            } else if op.ends_with("/assets/import") {
                app.client
                    .post(app.url(&path))
                    .bearer_auth(&tokens[i])
                    .header("content-type", "text/csv")
                    .body(format!(
                        "tag,name,site_code,department_code\nIMP-{n}-{i},Suction unit,SMGH,ICU\n"
                    ))
                    .send()
                    .await
                    .unwrap()
            } else {
                app.request(method, &path, Some(&tokens[i]), body).await
            };
            if res.status().as_u16() != expected[i] {
                let text = res.text().await.unwrap_or_default();
                failures.push(format!(
                    "{op} as {role}: expected {}, got ... {text}",
                    expected[i]
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
both!(every_endpoint_answers_each_role_as_the_table_says);

async fn every_operation_is_in_the_table(app: TestApp) {
    let doc = app.get_ok("/api/v1/openapi.json").await;
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in ["get", "post", "patch", "put", "delete"] {
            if item.get(method).is_some() {
                documented.insert(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    let covered: BTreeSet<String> = TABLE
        .iter()
        .map(|(op, _)| op.to_string())
        .chain(PUBLIC.iter().chain(SELF_SERVICE).map(|s| s.to_string()))
        .collect();
    let missing: Vec<_> = documented.difference(&covered).collect();
    let stale: Vec<_> = covered.difference(&documented).collect();
    assert!(
        missing.is_empty(),
        "operations without an RBAC row: {missing:?}"
    );
    assert!(
        stale.is_empty(),
        "RBAC rows for operations that do not exist: {stale:?}"
    );
}
both!(every_operation_is_in_the_table);
