//! The equipment registry through HTTP: registration and validation, status steps and moves in
//! the history, scope by role, QR codes that decode to this server, and scanning.

use base64::Engine;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::helpers::{TestApp, expect};

/// Registers equipment already in use (`in_service` unless the body says otherwise); new
/// equipment's acceptance is tested in `new_equipment_enters_service_through_acceptance`.
async fn register(app: &TestApp, token: &str, mut body: Value) -> Value {
    if body.get("status").is_none() {
        body["status"] = json!("in_service");
    }
    expect(
        app.post("/api/v1/assets", token, body).await,
        StatusCode::CREATED,
    )
    .await
}

async fn registration_checks_the_whole_record(app: TestApp) {
    let manager = app.token("facility_manager").await;
    let icu = app.department_id("SMGH", "ICU").await;
    let vent = register(
        &app,
        &manager,
        json!({
            "tag": "smgh-icu-vent-004", "name": "Ventilator", "make": "Dräger",
            "model": "Evita V500", "serialNumber": "ASFK-0042", "departmentId": icu,
            "lifeSupport": true, "purchaseDate": "2024-01-15", "purchaseCostMinor": 100_000_000,
            "salvageValueMinor": 10_000_000, "expectedLifeYears": 5,
            "depreciationMethod": "straight_line", "warrantyEnd": "2099-12-31",
            "emFunction": 10, "emPhysicalRisk": 5, "emMaintenance": 5, "emIncidentHistory": 2
        }),
    )
    .await;
    assert_eq!(
        vent["tag"], "SMGH-ICU-VENT-004",
        "tags are codes: upper case"
    );
    assert_eq!(
        vent["riskClass"], "high",
        "life support defaults to high risk"
    );
    assert_eq!(vent["status"], "in_service");
    assert_eq!(vent["emNumber"], 22);
    assert_eq!(vent["underWarranty"], true);
    assert_eq!(vent["siteId"], app.site_id("SMGH").await);
    // Straight line from 2024-01-15: whatever today is, between salvage and cost, and lower
    // than after the first year.
    let book = vent["bookValueMinor"].as_i64().unwrap();
    assert!((10_000_000..=82_000_000).contains(&book), "{book}");

    // The same tag again is a conflict.
    let p = expect(
        app.post(
            "/api/v1/assets",
            &manager,
            json!({ "tag": "SMGH-ICU-VENT-004", "name": "Another" }),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("SMGH-ICU-VENT-004"));

    // Every rule broken at once is named at once.
    let p = expect(
        app.post(
            "/api/v1/assets",
            &manager,
            json!({
                "tag": "bad tag!", "name": "", "lifeSupport": true,
                "maintenanceStrategy": "run_to_fail", "purchaseCostMinor": 1000,
                "salvageValueMinor": 5000, "expectedLifeYears": 80,
                "emFunction": 11, "emPhysicalRisk": 3, "emMaintenance": 3, "emIncidentHistory": 3
            }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let mut fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    fields.sort();
    assert_eq!(
        fields,
        [
            "emFunction",
            "expectedLifeYears",
            "maintenanceStrategy",
            "name",
            "salvageValueMinor",
            "tag"
        ]
    );
    let p = expect(
        app.post(
            "/api/v1/assets",
            &manager,
            json!({ "tag": "AEM-1", "name": "Suction", "maintenanceStrategy": "alternative_equipment_maintenance" }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "strategyJustification");

    // Staff may not register equipment; a stale edit is refused.
    let staff = app.token("staff").await;
    expect(
        app.post(
            "/api/v1/assets",
            &staff,
            json!({ "tag": "X-1", "name": "X" }),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let path = format!("/api/v1/assets/{}", vent["id"].as_str().unwrap());
    expect(
        app.patch(&path, &manager, json!({ "notes": "x", "version": 9 }))
            .await,
        StatusCode::PRECONDITION_FAILED,
    )
    .await;
    // A component cannot contain its own parent.
    let circuit = register(
        &app,
        &manager,
        json!({ "tag": "SMGH-ICU-VENT-004-C1", "name": "Breathing circuit heater", "parentId": vent["id"] }),
    )
    .await;
    let p = expect(
        app.patch(&path, &manager, json!({ "parentId": circuit["id"] }))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "parentId");
}
both!(registration_checks_the_whole_record);

async fn status_steps_moves_and_work_make_the_history(app: TestApp) {
    let manager = app.token("facility_manager").await;
    let icu = app.department_id("SMGH", "ICU").await;
    let bay = app
        .find_id(
            &format!(
                "/api/v1/locations?siteId={}&limit=200",
                app.site_id("SMGH").await
            ),
            "code",
            "MB-G-01",
        )
        .await;
    let pump = register(
        &app,
        &manager,
        json!({ "tag": "SMGH-ICU-IP-017", "name": "Infusion pump", "departmentId": icu }),
    )
    .await;
    let id = pump["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/assets/{id}");

    // A nurse reports it broken: the work order takes the pump's department.
    app.advance(chrono::Duration::minutes(5));
    let staff = app.token("staff").await;
    let wo = expect(
        app.post(
            "/api/v1/work-orders",
            &staff,
            json!({ "title": "Occlusion alarm on every start", "assetId": id }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(wo["assetId"], id.as_str());
    assert_eq!(wo["departmentId"], icu.as_str());

    // Out of service, with a reason; disposal is refused until it is retired.
    app.advance(chrono::Duration::minutes(5));
    let manager = app.token("facility_manager").await;
    let a = expect(
        app.patch(
            &path,
            &manager,
            json!({ "status": "out_of_service", "statusReason": "Occlusion sensor failed" }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(a["status"], "out_of_service");
    let p = expect(
        app.patch(&path, &manager, json!({ "status": "disposed" }))
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("retire"));
    app.advance(chrono::Duration::minutes(5));
    let manager = app.token("facility_manager").await;
    expect(
        app.patch(&path, &manager, json!({ "locationId": bay }))
            .await,
        StatusCode::OK,
    )
    .await;

    let history = expect(
        app.get(&format!("{path}/history"), &manager).await,
        StatusCode::OK,
    )
    .await;
    let kinds: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["registered", "work_order_opened", "status", "moved"]
    );
    let status = &history[2];
    assert_eq!(status["fromStatus"], "in_service");
    assert_eq!(status["toStatus"], "out_of_service");
    assert_eq!(status["detail"]["reason"], "Occlusion sensor failed");
    assert_eq!(history[3]["detail"]["to"]["locationId"], bay.as_str());
    // The room now holds equipment: it cannot be deleted from under it.
    let admin = app.admin().await;
    let p = expect(
        app.delete(&format!("/api/v1/locations/{bay}"), &admin)
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("equipment"));
    assert_eq!(history[1]["workOrderId"], wo["id"]);

    // Retired, then disposed; after that nothing changes its status.
    for s in ["retired", "disposed"] {
        expect(
            app.patch(&path, &manager, json!({ "status": s })).await,
            StatusCode::OK,
        )
        .await;
    }
    expect(
        app.patch(&path, &manager, json!({ "status": "in_service" }))
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    let audit = app
        .get_ok(&format!("/api/v1/audit?entityType=asset&entityId={id}"))
        .await;
    assert!(audit["items"].as_array().unwrap().len() >= 5);
}
both!(status_steps_moves_and_work_make_the_history);

async fn each_role_sees_the_equipment_it_should(app: TestApp) {
    let manager = app.token("facility_manager").await;
    let icu = app.department_id("SMGH", "ICU").await;
    let rad = app.department_id("SMGH", "RAD").await;
    let icu_pump = register(
        &app,
        &manager,
        json!({ "tag": "ICU-PUMP-1", "name": "Infusion pump", "departmentId": icu }),
    )
    .await;
    let ct = register(
        &app,
        &manager,
        json!({ "tag": "RAD-CT-1", "name": "CT scanner", "departmentId": rad }),
    )
    .await;
    let tags = |v: &Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["tag"].as_str().unwrap().to_string())
            .collect()
    };
    // The ICU nurse sees the ICU's equipment only, also when asking by id.
    let staff = app.token("staff").await;
    let list = expect(app.get("/api/v1/assets", &staff).await, StatusCode::OK).await;
    assert_eq!(tags(&list), ["ICU-PUMP-1"]);
    expect(
        app.get(
            &format!("/api/v1/assets/{}", ct["id"].as_str().unwrap()),
            &staff,
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // Procurement and IT read everything; neither changes anything.
    for role in ["procurement", "it"] {
        let t = app.token(role).await;
        let list = expect(app.get("/api/v1/assets", &t).await, StatusCode::OK).await;
        assert_eq!(tags(&list), ["ICU-PUMP-1", "RAD-CT-1"], "{role}");
        expect(
            app.patch(
                &format!("/api/v1/assets/{}", ct["id"].as_str().unwrap()),
                &t,
                json!({ "notes": "x" }),
            )
            .await,
            StatusCode::FORBIDDEN,
        )
        .await;
    }
    // A vendor sees assets only through work assigned to it: none before it has any.
    let vendor = app.token("vendor").await;
    let list = expect(app.get("/api/v1/assets", &vendor).await, StatusCode::OK).await;
    assert!(tags(&list).is_empty(), "{list}");
    let ct_path = format!("/api/v1/assets/{}", ct["id"].as_str().unwrap());
    expect(app.get(&ct_path, &vendor).await, StatusCode::NOT_FOUND).await;
    let wo = expect(
        app.post(
            "/api/v1/work-orders",
            &manager,
            json!({ "title": "CT gantry noise", "assetId": ct["id"],
                    "vendorCompanyId": app.find_id("/api/v1/vendor-companies", "name", "MedTech Services Ltd").await }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(wo["status"], "assigned");
    // Now the CT scanner it services is visible to it, read-only; other equipment is not.
    let list = expect(app.get("/api/v1/assets", &vendor).await, StatusCode::OK).await;
    assert_eq!(tags(&list), ["RAD-CT-1"]);
    let seen = expect(app.get(&ct_path, &vendor).await, StatusCode::OK).await;
    assert_eq!(seen["tag"], "RAD-CT-1");
    expect(
        app.patch(&ct_path, &vendor, json!({ "notes": "x" })).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    expect(
        app.get(
            &format!("/api/v1/assets/{}", icu_pump["id"].as_str().unwrap()),
            &vendor,
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // Scanning its job's code finds the job; the job's equipment scans too, other tags do not.
    let scanned = expect(
        app.get(
            &format!("/api/v1/scan/{}", wo["code"].as_str().unwrap()),
            &vendor,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(scanned["kind"], "work_order");
    let scanned = expect(
        app.get("/api/v1/scan/RAD-CT-1", &vendor).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(scanned["kind"], "asset");
    expect(
        app.get("/api/v1/scan/ICU-PUMP-1", &vendor).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // The biomedical technician sees a department's equipment once working on it.
    let tech = app.token("technician").await;
    let pump_path = format!("/api/v1/assets/{}", icu_pump["id"].as_str().unwrap());
    expect(app.get(&pump_path, &tech).await, StatusCode::NOT_FOUND).await;
    let tech_id = app.user_id("technician@demo.hmms").await;
    expect(
        app.post(
            "/api/v1/work-orders",
            &manager,
            json!({ "title": "Pump battery", "assetId": icu_pump["id"], "assigneeId": tech_id }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    expect(app.get(&pump_path, &tech).await, StatusCode::OK).await;
}
both!(each_role_sees_the_equipment_it_should);

async fn qr_codes_decode_to_this_server_and_scans_resolve(app: TestApp) {
    let manager = app.token("facility_manager").await;
    let a = register(
        &app,
        &manager,
        json!({ "tag": "SMGH-OT-DEF-002", "name": "Defibrillator",
                "departmentId": app.department_id("SMGH", "OT").await }),
    )
    .await;
    let qr = expect(
        app.post(
            &format!("/api/v1/assets/{}/qr", a["id"].as_str().unwrap()),
            &manager,
            json!({}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let expected = format!("{}/a/SMGH-OT-DEF-002", app.base);
    assert_eq!(qr["url"], expected.as_str());
    assert!(qr["svg"].as_str().unwrap().contains("<svg"));
    assert!(qr["label"].as_str().unwrap().contains("Defibrillator"));
    // Decode the PNG as a phone camera would.
    let png = base64::engine::general_purpose::STANDARD
        .decode(qr["pngBase64"].as_str().unwrap())
        .unwrap();
    let img = image::load_from_memory(&png).unwrap().to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(img);
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1);
    let (_, content) = grids[0].decode().unwrap();
    assert_eq!(content, expected);

    // Scanning: the tag, the scanned URL, a work-order code, a location code; else 404.
    for code in ["SMGH-OT-DEF-002", "smgh-ot-def-002"] {
        let s = expect(
            app.get(&format!("/api/v1/scan/{code}"), &manager).await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(s["kind"], "asset");
        assert_eq!(s["id"], a["id"]);
    }
    let encoded: String = url_escape(&expected);
    let s = expect(
        app.get(&format!("/api/v1/scan/{encoded}"), &manager).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(s["kind"], "asset");
    let wo = crate::helpers::work_order_in(&app, "pending").await;
    let code = app.get_ok(&format!("/api/v1/work-orders/{wo}")).await["code"]
        .as_str()
        .unwrap()
        .to_string();
    let s = expect(
        app.get(&format!("/api/v1/scan/{code}"), &manager).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(s["kind"], "work_order");
    let s = expect(
        app.get("/api/v1/scan/MB-G-01", &manager).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(s["kind"], "location");
    expect(
        app.get("/api/v1/scan/NO-SUCH-THING", &manager).await,
        StatusCode::NOT_FOUND,
    )
    .await;
}
both!(qr_codes_decode_to_this_server_and_scans_resolve);

fn url_escape(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn equipment_classes_form_a_tree(app: TestApp) {
    let admin = app.admin().await;
    let life = expect(
        app.post(
            "/api/v1/equipment-classes",
            &admin,
            json!({ "code": "LIFE", "name": "Life support" }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let vent = expect(
        app.post(
            "/api/v1/equipment-classes",
            &admin,
            json!({ "code": "VENT", "name": "Ventilators", "parentId": life["id"], "nomenclatureCode": "GMDN 42411" }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    // No cycles, no duplicate codes; a site manager may not change the shared tree.
    let p = expect(
        app.patch(
            &format!("/api/v1/equipment-classes/{}", life["id"].as_str().unwrap()),
            &admin,
            json!({ "parentId": vent["id"] }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "parentId");
    expect(
        app.post(
            "/api/v1/equipment-classes",
            &admin,
            json!({ "code": "vent", "name": "Duplicate" }),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    let manager = app.token("facility_manager").await;
    expect(
        app.post(
            "/api/v1/equipment-classes",
            &manager,
            json!({ "code": "MON", "name": "Monitors" }),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    // Assets name their class; the list filters by it.
    let a = register(
        &app,
        &manager,
        json!({ "tag": "V-1", "name": "Ventilator", "classId": vent["id"] }),
    )
    .await;
    let list = expect(
        app.get(
            &format!("/api/v1/assets?classId={}", vent["id"].as_str().unwrap()),
            &manager,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(list["items"][0]["id"], a["id"]);
    let all = expect(
        app.get("/api/v1/equipment-classes", &manager).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(all.as_array().unwrap().len(), 2);
}
both!(equipment_classes_form_a_tree);

async fn reliability_and_cost_come_from_status_history_and_work(app: TestApp) {
    let admin = app.admin().await;
    expect(
        app.patch(
            "/api/v1/organization",
            &admin,
            json!({ "labourRateMinor": 120_000, "repairReplacePercent": 50 }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let manager = app.token("facility_manager").await;
    let a = register(
        &app,
        &manager,
        json!({ "tag": "ICU-SYR-9", "name": "Syringe driver",
                "departmentId": app.department_id("SMGH", "ICU").await,
                "purchaseCostMinor": 100_000_000, "replacementCostMinor": 120_000_000 }),
    )
    .await;
    let id = a["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/assets/{id}");
    let tech_id = app.user_id("technician@demo.hmms").await;

    // Ten hours in, it fails: out of service, and a repair is raised and worked.
    app.advance(chrono::Duration::hours(10));
    let manager = app.token("facility_manager").await;
    expect(
        app.patch(&path, &manager, json!({ "status": "out_of_service" }))
            .await,
        StatusCode::OK,
    )
    .await;
    let wo = expect(
        app.post(
            "/api/v1/work-orders",
            &manager,
            json!({ "title": "Syringe driver occlusion", "assetId": id, "assigneeId": tech_id }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let wo_path = format!("/api/v1/work-orders/{}", wo["id"].as_str().unwrap());
    let tech = app.token("technician").await;
    expect(
        app.patch(&wo_path, &tech, json!({ "status": "in_progress" }))
            .await,
        StatusCode::OK,
    )
    .await;
    expect(
        app.post(
            &format!("{wo_path}/time-logs"),
            &tech,
            json!({ "minutes": 60 }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    expect(
        app.post(
            &format!("{wo_path}/parts"),
            &tech,
            json!({ "description": "Drive motor", "quantity": 2, "unitCostMinor": 30_000_000 }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    // Six hours later it is repaired and back in service.
    app.advance(chrono::Duration::hours(6));
    let tech = app.token("technician").await;
    expect(
        app.post(
            &format!("{wo_path}/complete"),
            &tech,
            json!({ "resolutionCategory": "replaced_part" }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let manager = app.token("facility_manager").await;
    expect(
        app.patch(&path, &manager, json!({ "status": "in_service" }))
            .await,
        StatusCode::OK,
    )
    .await;
    app.advance(chrono::Duration::hours(4));
    let manager = app.token("facility_manager").await;
    let r = expect(
        app.get(&format!("{path}/reliability"), &manager).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(r["downtimeMinutes"], 360);
    assert_eq!(r["availabilityPercent"], 70.0, "14 of 20 hours");
    assert_eq!(r["failures"], 1);
    assert_eq!(r["mttrMinutes"], 360);
    assert_eq!(r["mtbfHours"], 14.0);
    assert_eq!(r["labourCostMinor"], 120_000, "an hour at 1,200.00");
    assert_eq!(r["partsCostMinor"], 60_000_000);
    assert_eq!(r["repairCostMinor"], 60_120_000);
    assert_eq!(r["totalCostOfOwnershipMinor"], 160_120_000);
    assert_eq!(
        r["replacementAdvised"], true,
        "repairs passed half of the replacement cost"
    );
    // A higher threshold and the advice goes away.
    let admin = app.admin().await;
    expect(
        app.patch(
            "/api/v1/organization",
            &admin,
            json!({ "repairReplacePercent": 60 }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let r = expect(
        app.get(&format!("{path}/reliability"), &manager).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(r["replacementAdvised"], false);
    let p = expect(
        app.patch(
            "/api/v1/organization",
            &admin,
            json!({ "repairReplacePercent": 0 }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "repairReplacePercent");
    // The history tells what the repair cost, next to when it was done.
    let history = expect(
        app.get(&format!("{path}/history"), &manager).await,
        StatusCode::OK,
    )
    .await;
    let done = history
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["kind"] == "work_order_completed")
        .expect("the completed repair is in the history");
    assert_eq!(done["workOrderId"], wo["id"]);
    assert_eq!(done["detail"]["labourCostMinor"], 120_000);
    assert_eq!(done["detail"]["partsCostMinor"], 60_000_000);
    assert_eq!(done["detail"]["totalCostMinor"], 60_120_000);
}
both!(reliability_and_cost_come_from_status_history_and_work);

async fn incidents_join_the_history_and_the_em_number(app: TestApp) {
    let manager = app.token("facility_manager").await;
    let a = register(
        &app,
        &manager,
        json!({ "tag": "ICU-IP-77", "name": "Infusion pump",
                "departmentId": app.department_id("SMGH", "ICU").await,
                "emFunction": 8, "emPhysicalRisk": 4, "emMaintenance": 3, "emIncidentHistory": 1 }),
    )
    .await;
    assert_eq!(a["emNumber"], 16);
    let path = format!("/api/v1/assets/{}", a["id"].as_str().unwrap());
    let staff = app.token("staff").await;
    let when = chrono::Utc::now().to_rfc3339();
    let i = expect(
        app.post(
            &format!("{path}/incidents"),
            &staff,
            json!({ "occurredAt": when, "description": "Free-flow: 40 ml delivered at once",
                    "patientHarm": true, "staffHarm": false, "reportedExternally": true,
                    "externalReference": "PPB-2026-0113" }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(i["patientHarm"], true);
    // One harmful incident: incident history 1 → 3, so the EM number goes up by two.
    let after = expect(app.get(&path, &manager).await, StatusCode::OK).await;
    assert_eq!(after["emIncidentHistory"], 3);
    assert_eq!(after["emNumber"], 18);
    let history = app.get_ok(&format!("{path}/history")).await;
    let kinds: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["registered", "incident"]);
    let list = expect(
        app.get(&format!("{path}/incidents"), &manager).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(list[0]["externalReference"], "PPB-2026-0113");

    // Not in the future; no external reference without an external report.
    let future = (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339();
    let p = expect(
        app.post(
            &format!("{path}/incidents"),
            &staff,
            json!({ "occurredAt": future, "description": "x", "patientHarm": false,
                    "staffHarm": false, "reportedExternally": false, "externalReference": "X" }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["occurredAt", "externalReference"]);
    // Procurement reads equipment but does not report incidents.
    let procurement = app.token("procurement").await;
    expect(
        app.post(
            &format!("{path}/incidents"),
            &procurement,
            json!({ "occurredAt": when, "description": "x", "patientHarm": false,
                    "staffHarm": false, "reportedExternally": false }),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
}
both!(incidents_join_the_history_and_the_em_number);

async fn import_csv(app: &TestApp, token: &str, csv: &str, partial: bool) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/api/v1/assets/import?partial={partial}")))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body(csv.to_string())
        .send()
        .await
        .unwrap()
}

async fn inventory_sheets_import_all_or_nothing_and_round_trip(app: TestApp) {
    let manager = app.token("facility_manager").await;
    // The template names every column and shows an example.
    let res = app
        .get("/api/v1/assets/import-template.csv", &manager)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let template = res.text().await.unwrap();
    let header = template.lines().next().unwrap().to_string();
    assert!(header.starts_with("tag,name,class_code,"));

    let sheet = |third_row: &str| {
        format!(
            "tag,name,make,model,site_code,department_code,location_code,parent_tag,purchase_date,purchase_cost,expected_life_years,life_support,em_function,em_physical_risk,em_maintenance,em_incident_history\n\
             SMGH-ICU-MON-101,Patient monitor,Philips,MX450,SMGH,ICU,MB-1-01,,2024-03-01,\"650,000.00\",8,no,7,4,3,2\n\
             SMGH-ICU-MON-101-M,SpO2 module,Philips,M3001A,SMGH,ICU,MB-1-01,SMGH-ICU-MON-101,2024-03-01,45000,8,no,,,,\n\
             {third_row}\n"
        )
    };
    let bad =
        "SMGH-ICU-VENT-201,Ventilator,Hamilton,C6,SMGH,XYZ,,,31/01/2024,4500000,10,maybe,11,5,5,1";
    let good = "SMGH-ICU-VENT-201,Ventilator,Hamilton,C6,SMGH,ICU,MB-1-02,,2024-01-31,4500000,10,yes,10,5,5,1";

    // One bad row: nothing is imported, and every problem is named by row and column.
    let p = expect(
        import_csv(&app, &manager, &sheet(bad), false).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let mut fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    fields.sort();
    assert_eq!(
        fields,
        [
            "row 3: department_code",
            "row 3: life_support",
            "row 3: purchase_date"
        ]
    );
    let list = expect(app.get("/api/v1/assets", &manager).await, StatusCode::OK).await;
    assert_eq!(
        list["items"].as_array().unwrap().len(),
        0,
        "nothing written"
    );

    // Asked to, the valid rows go in (the module under its monitor) and the bad one is reported.
    let r = expect(
        import_csv(&app, &manager, &sheet(bad), true).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (r["created"].as_u64(), r["skipped"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(r["errors"][0]["row"], 3);
    let module = expect(
        app.get("/api/v1/assets?q=SMGH-ICU-MON-101-M", &manager)
            .await,
        StatusCode::OK,
    )
    .await;
    let monitor = expect(
        app.get("/api/v1/assets?q=Patient", &manager).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(module["items"][0]["parentId"], monitor["items"][0]["id"]);
    assert_eq!(monitor["items"][0]["purchaseCostMinor"], 65_000_000);
    assert_eq!(monitor["items"][0]["emNumber"], 16);

    // The corrected sheet again: the two known tags are updated, the third created.
    let r = expect(
        import_csv(&app, &manager, &sheet(good), false).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (r["created"].as_u64(), r["updated"].as_u64()),
        (Some(1), Some(2))
    );
    let vent = expect(
        app.get("/api/v1/assets?q=SMGH-ICU-VENT-201", &manager)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(vent["items"][0]["lifeSupport"], true);
    assert_eq!(vent["items"][0]["riskClass"], "high");

    // Export the ICU's equipment and import it back: the same three assets, all updated.
    let icu = app.department_id("SMGH", "ICU").await;
    let res = app
        .get(
            &format!("/api/v1/assets/export.csv?departmentId={icu}"),
            &manager,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let exported = res.text().await.unwrap();
    assert_eq!(exported.lines().next().unwrap(), header);
    assert_eq!(exported.lines().count(), 4);
    assert!(exported.contains("650000.00"));
    let r = expect(
        import_csv(&app, &manager, &exported, false).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (r["created"].as_u64(), r["updated"].as_u64()),
        (Some(0), Some(3))
    );
    let list = expect(app.get("/api/v1/assets", &manager).await, StatusCode::OK).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 3);

    // Only managers import, and only CSV.
    let staff = app.token("staff").await;
    expect(
        import_csv(&app, &staff, &sheet(good), false).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let res = app
        .client
        .post(app.url("/api/v1/assets/import"))
        .bearer_auth(&manager)
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let p = expect(
        import_csv(&app, &manager, "serial,colour\nA,red\n", false).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(
        p["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("template")
    );
}
both!(inventory_sheets_import_all_or_nothing_and_round_trip);

async fn new_equipment_enters_service_through_acceptance(app: TestApp) {
    let manager = app.token("facility_manager").await;
    let icu = app.department_id("SMGH", "ICU").await;
    let new = |tag: &str| json!({ "tag": tag, "name": "Infusion pump", "departmentId": icu, "status": null });
    let mut body = new("ICU-NEW-1");
    body.as_object_mut().unwrap().remove("status");
    let a = expect(
        app.post("/api/v1/assets", &manager, body).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(a["status"], "pending_acceptance");
    assert_eq!(a["lifecycleStage"], "commissioning");
    let id = a["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/assets/{id}");
    // Its acceptance inspection is waiting in the manager's queue.
    let wos = expect(
        app.get(&format!("/api/v1/work-orders?assetId={id}"), &manager)
            .await,
        StatusCode::OK,
    )
    .await;
    let wo = &wos["items"][0];
    assert_eq!(wos["items"].as_array().unwrap().len(), 1);
    assert_eq!(wo["type"], "inspection");
    assert_eq!(wo["status"], "pending");
    assert!(wo["title"].as_str().unwrap().contains("ICU-NEW-1"));
    // Nobody puts it in service by hand.
    let p = expect(
        app.patch(&path, &manager, json!({ "status": "in_service" }))
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("acceptance inspection")
    );

    // The technician inspects it; completing the inspection puts it in service.
    let wo_path = format!("/api/v1/work-orders/{}", wo["id"].as_str().unwrap());
    let tech_id = app.user_id("technician@demo.hmms").await;
    expect(
        app.patch(&wo_path, &manager, json!({ "assigneeId": tech_id }))
            .await,
        StatusCode::OK,
    )
    .await;
    let tech = app.token("technician").await;
    expect(
        app.patch(&wo_path, &tech, json!({ "status": "in_progress" }))
            .await,
        StatusCode::OK,
    )
    .await;
    expect(
        app.post(
            &format!("{wo_path}/complete"),
            &tech,
            json!({ "resolutionCategory": "accepted" }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let a = expect(app.get(&path, &manager).await, StatusCode::OK).await;
    assert_eq!(a["status"], "in_service");
    assert_eq!(a["lifecycleStage"], "operation");
    let history = app.get_ok(&format!("{path}/history")).await;
    let step = history
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["kind"] == "status")
        .expect("a status step");
    assert_eq!(step["fromStatus"], "pending_acceptance");
    assert_eq!(step["toStatus"], "in_service");
    assert_eq!(step["detail"]["workOrderId"], wo["id"]);

    // A failed inspection keeps the next one out of service.
    let mut body = new("ICU-NEW-2");
    body.as_object_mut().unwrap().remove("status");
    let b = expect(
        app.post("/api/v1/assets", &manager, body).await,
        StatusCode::CREATED,
    )
    .await;
    let bid = b["id"].as_str().unwrap();
    let wos = app
        .get_ok(&format!("/api/v1/work-orders?assetId={bid}"))
        .await;
    let wo_path = format!(
        "/api/v1/work-orders/{}",
        wos["items"][0]["id"].as_str().unwrap()
    );
    expect(
        app.patch(&wo_path, &manager, json!({ "assigneeId": tech_id }))
            .await,
        StatusCode::OK,
    )
    .await;
    expect(
        app.patch(&wo_path, &tech, json!({ "status": "in_progress" }))
            .await,
        StatusCode::OK,
    )
    .await;
    expect(
        app.post(
            &format!("{wo_path}/complete"),
            &tech,
            json!({ "resolutionCategory": "failed_acceptance", "failureProblem": "Cracked housing on delivery" }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let b = expect(
        app.get(&format!("/api/v1/assets/{bid}"), &manager).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(b["status"], "pending_acceptance");
    let history = app.get_ok(&format!("/api/v1/assets/{bid}/history")).await;
    assert!(
        history
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["kind"] == "acceptance_failed")
    );
}
both!(new_equipment_enters_service_through_acceptance);

async fn a_recall_opens_work_on_every_affected_asset_until_closed(app: TestApp) {
    let manager = app.token("facility_manager").await;
    let icu = app.department_id("SMGH", "ICU").await;
    let rad = app.department_id("SMGH", "RAD").await;
    for (tag, dept, make, model, serial) in [
        ("P-1", &icu, "B. Braun", "Infusomat Space", "SN100"),
        ("P-2", &rad, "B. Braun", "Infusomat Space", "SN150"),
        ("P-3", &icu, "B. Braun", "Infusomat Space", "SN300"),
        ("P-4", &icu, "B. Braun", "Perfusor Space", "SN120"),
    ] {
        register(
            &app,
            &manager,
            json!({ "tag": tag, "name": "Infusion pump", "departmentId": dept, "make": make,
                    "model": model, "serialNumber": serial }),
        )
        .await;
    }
    let r = expect(
        app.post(
            "/api/v1/recalls",
            &manager,
            json!({ "reference": "FSN-2026-0412", "title": "Free-flow risk",
                    "description": "Replace the pump door latch (kit 8713).",
                    "make": "b. braun", "model": "INFUSOMAT SPACE",
                    "serialFrom": "SN100", "serialTo": "SN200", "issuedOn": "2026-11-01" }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let tags: Vec<&str> = r["assets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["tag"].as_str().unwrap())
        .collect();
    assert_eq!(tags, ["P-1", "P-2"], "same make and model, serial in range");
    assert_eq!(
        (r["total"].as_u64(), r["done"].as_u64()),
        (Some(2), Some(0))
    );
    assert_eq!(r["status"], "open");
    let path = format!("/api/v1/recalls/{}", r["id"].as_str().unwrap());

    // Each affected pump has a high-priority safety work order.
    let wo1 = r["assets"][0]["workOrderId"].as_str().unwrap().to_string();
    let wo2 = r["assets"][1]["workOrderId"].as_str().unwrap().to_string();
    let w = app.get_ok(&format!("/api/v1/work-orders/{wo1}")).await;
    assert_eq!(w["type"], "safety_test");
    assert_eq!(w["priority"], "high");
    assert!(w["title"].as_str().unwrap().contains("FSN-2026-0412"));
    // The ICU nurse sees the recall with only the pump she can see.
    let staff = app.token("staff").await;
    let seen = expect(app.get(&path, &staff).await, StatusCode::OK).await;
    assert_eq!(seen["assets"].as_array().unwrap().len(), 1);
    assert_eq!(seen["total"], 2);

    // One is done and approved, the other cancelled: the recall is closed.
    let tech_id = app.user_id("technician@demo.hmms").await;
    let tech = app.token("technician").await;
    let wo1_path = format!("/api/v1/work-orders/{wo1}");
    for (token, body) in [
        (&manager, json!({ "assigneeId": tech_id })),
        (&tech, json!({ "status": "in_progress" })),
    ] {
        expect(app.patch(&wo1_path, token, body).await, StatusCode::OK).await;
    }
    expect(
        app.post(
            &format!("{wo1_path}/complete"),
            &tech,
            json!({ "resolutionCategory": "modified" }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let half = expect(app.get(&path, &manager).await, StatusCode::OK).await;
    assert_eq!(half["done"], 0, "completed is not closed yet");
    expect(
        app.post(&format!("{wo1_path}/approve-close"), &manager, json!({}))
            .await,
        StatusCode::OK,
    )
    .await;
    expect(
        app.patch(
            &format!("/api/v1/work-orders/{wo2}"),
            &manager,
            json!({ "status": "cancelled", "reason": "Pump returned to the supplier" }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let done = expect(app.get(&path, &manager).await, StatusCode::OK).await;
    assert_eq!(done["done"], 2);
    assert_eq!(done["status"], "closed");
    let all = expect(app.get("/api/v1/recalls", &manager).await, StatusCode::OK).await;
    assert_eq!(all.as_array().unwrap().len(), 1);

    // Staff may read recalls, not record them; a backwards range is refused.
    expect(
        app.post(
            "/api/v1/recalls",
            &staff,
            json!({ "reference": "X", "title": "X", "description": "X", "make": "X",
                    "model": "X", "issuedOn": "2026-11-01" }),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let p = expect(
        app.post(
            "/api/v1/recalls",
            &manager,
            json!({ "reference": "X", "title": "X", "description": "X", "make": "X",
                    "model": "X", "serialFrom": "SN500", "serialTo": "SN200",
                    "issuedOn": "2026-11-01" }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "serialTo");
}
both!(a_recall_opens_work_on_every_affected_asset_until_closed);

async fn label_sheets_and_location_codes(app: TestApp) {
    let manager = app.token("facility_manager").await;
    let icu = app.department_id("SMGH", "ICU").await;
    let mut ids = vec![];
    for i in 0..26 {
        let a = register(
            &app,
            &manager,
            json!({ "tag": format!("LBL-{i:02}"), "name": "Dräger ventilator", "departmentId": icu }),
        )
        .await;
        ids.push(a["id"].clone());
    }
    let res = app
        .post(
            "/api/v1/assets/qr-labels",
            &manager,
            json!({ "assetIds": ids, "layout": "a4_24" }),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    let pdf = res.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF-1.4"));
    let text = String::from_utf8_lossy(&pdf);
    assert_eq!(
        text.matches("/Type /Page ").count(),
        2,
        "26 labels, 24 a sheet"
    );
    assert!(text.contains("(LBL-25)"));
    assert!(
        text.contains("(Dr\\344ger ventilator)"),
        "Latin-1 names print"
    );
    // Rendered as a printer would (where poppler is installed), the first label's code scans.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("l.pdf"), &pdf).unwrap();
    let rendered = std::process::Command::new("pdftoppm")
        .args(["-r", "150", "-gray", "-png", "-f", "1", "-l", "1"])
        .arg(dir.path().join("l.pdf"))
        .arg(dir.path().join("page"))
        .status();
    if rendered.is_ok_and(|s| s.success()) {
        let page = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .find(|e| e.path().extension().is_some_and(|x| x == "png"))
            .unwrap()
            .path();
        let img = image::open(page).unwrap().to_luma8();
        // The top-left label: 70 × 37 mm at 150 dpi.
        let crop = image::imageops::crop_imm(&img, 0, 0, 414, 219).to_image();
        let mut prepared = rqrr::PreparedImage::prepare(crop);
        let grids = prepared.detect_grids();
        assert_eq!(grids.len(), 1);
        assert_eq!(
            grids[0].decode().unwrap().1,
            format!("{}/a/LBL-00", app.base)
        );
    } else {
        eprintln!("pdftoppm is not installed: the rendered-label check is skipped");
    }
    // Too many, or nothing: refused.
    let p = expect(
        app.post(
            "/api/v1/assets/qr-labels",
            &manager,
            json!({ "assetIds": [] }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "assetIds");

    // A room's code opens its fault-report page.
    let room = app
        .find_id(
            &format!(
                "/api/v1/locations?siteId={}&limit=200",
                app.site_id("SMGH").await
            ),
            "code",
            "MB-1-01",
        )
        .await;
    let qr = expect(
        app.post(&format!("/api/v1/locations/{room}/qr"), &manager, json!({}))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(qr["url"], format!("{}/l/SMGH/MB-1-01", app.base));
}
both!(label_sheets_and_location_codes);

async fn meters_only_go_up(app: TestApp) {
    let manager = app.token("facility_manager").await;
    let a = register(
        &app,
        &manager,
        json!({ "tag": "GEN-1", "name": "Standby generator",
                "departmentId": app.department_id("SMGH", "EST").await }),
    )
    .await;
    let path = format!("/api/v1/assets/{}", a["id"].as_str().unwrap());
    let meter = expect(
        app.post(
            &format!("{path}/meters"),
            &manager,
            json!({ "name": "Runtime", "unit": "hours" }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    expect(
        app.post(
            &format!("{path}/meters"),
            &manager,
            json!({ "name": "Runtime", "unit": "hours" }),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    let readings = format!("{path}/meters/{}/readings", meter["id"].as_str().unwrap());
    let read = |value: i64, at: Option<String>| {
        let mut body = json!({ "value": value });
        if let Some(at) = at {
            body["readAt"] = json!(at);
        }
        body
    };
    let now = chrono::Utc::now();
    for v in [1200, 1350] {
        expect(
            app.post(&readings, &manager, read(v, None)).await,
            StatusCode::CREATED,
        )
        .await;
    }
    // Lower than the last reading: refused, with the reading it contradicts.
    let p = expect(
        app.post(&readings, &manager, read(1300, None)).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(p["errors"][0]["message"].as_str().unwrap().contains("1350"));
    // A reading from last week fits below the others, but not above them.
    let week_ago = (now - chrono::Duration::days(7)).to_rfc3339();
    expect(
        app.post(&readings, &manager, read(900, Some(week_ago.clone())))
            .await,
        StatusCode::CREATED,
    )
    .await;
    expect(
        app.post(&readings, &manager, read(5000, Some(week_ago)))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let future = (now + chrono::Duration::days(1)).to_rfc3339();
    expect(
        app.post(&readings, &manager, read(2000, Some(future)))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let meters = expect(
        app.get(&format!("{path}/meters"), &manager).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(meters[0]["lastValue"], 1350);
    let list = expect(app.get(&readings, &manager).await, StatusCode::OK).await;
    let values: Vec<i64> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["value"].as_i64().unwrap())
        .collect();
    assert_eq!(values, [1350, 1200, 900]);
    // The readings are part of the generator's story, where they were taken.
    let history = app.get_ok(&format!("{path}/history")).await;
    let kinds: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "meter_reading",
            "registered",
            "meter_reading",
            "meter_reading"
        ]
    );
    // Staff do not record readings.
    let staff = app.token("staff").await;
    expect(
        app.post(&readings, &staff, read(1400, None)).await,
        StatusCode::FORBIDDEN,
    )
    .await;
}
both!(meters_only_go_up);

async fn documents_are_kept_with_the_asset(app: TestApp) {
    let manager = app.token("facility_manager").await;
    let a = register(
        &app,
        &manager,
        json!({ "tag": "DOC-1", "name": "Autoclave",
                "departmentId": app.department_id("SMGH", "ICU").await }),
    )
    .await;
    let path = format!("/api/v1/assets/{}/documents", a["id"].as_str().unwrap());
    let send = |token: String, name: &'static str, bytes: Vec<u8>, kind: Option<&'static str>| {
        let path = path.clone();
        let app = &app;
        async move {
            let mut form = reqwest::multipart::Form::new().part(
                "file",
                reqwest::multipart::Part::bytes(bytes).file_name(name),
            );
            if let Some(k) = kind {
                form = form.text("kind", k);
            }
            app.client
                .post(app.url(&path))
                .bearer_auth(token)
                .multipart(form)
                .send()
                .await
                .unwrap()
        }
    };
    let manual = b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n".to_vec();
    let doc = expect(
        send(
            manager.clone(),
            "Tuttnauer 3870 manual.pdf",
            manual.clone(),
            None,
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(doc["kind"], "document");
    assert_eq!(doc["contentType"], "application/pdf");
    let png = crate::attachments::image_bytes(200, 100, image::ImageFormat::Png);
    let photo = expect(
        send(manager.clone(), "plate.png", png, None).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(photo["kind"], "photo");
    assert!(photo["thumbnailUrl"].is_string());
    // Not a PDF or picture: refused by its content.
    expect(
        send(manager.clone(), "evil.pdf", b"MZ\x90\x00".to_vec(), None).await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
    )
    .await;
    // Whoever sees the asset reads its documents; others do not.
    let staff = app.token("staff").await;
    let list = expect(app.get(&path, &staff).await, StatusCode::OK).await;
    assert_eq!(list.as_array().unwrap().len(), 2);
    let res = app.get(doc["url"].as_str().unwrap(), &staff).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.bytes().await.unwrap().as_ref(), manual.as_slice());
    let tech = app.token("technician").await;
    expect(
        app.get(doc["url"].as_str().unwrap(), &tech).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // Only managers add documents; the history shows them.
    expect(
        send(staff.clone(), "note.pdf", manual.clone(), None).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let history = app
        .get_ok(&format!(
            "/api/v1/assets/{}/history",
            a["id"].as_str().unwrap()
        ))
        .await;
    let docs = history
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["kind"] == "document")
        .count();
    assert_eq!(docs, 2);
}
both!(documents_are_kept_with_the_asset);

async fn equipment_classes_carry_custom_fields(app: TestApp) {
    let admin = app.admin().await;
    let p = expect(
        app.post(
            "/api/v1/equipment-classes",
            &admin,
            json!({ "code": "BAD", "name": "Bad", "customFields": [
                { "key": "9x", "label": "", "type": "text" }
            ] }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["errors"].as_array().unwrap().len(), 2);
    let class = expect(
        app.post(
            "/api/v1/equipment-classes",
            &admin,
            json!({ "code": "ANAES", "name": "Anaesthesia machines", "customFields": [
                { "key": "gasType", "label": "Anaesthetic gases", "type": "text", "required": true },
                { "key": "vaporizers", "label": "Vaporizer mounts", "type": "number" },
                { "key": "lastOverhaul", "label": "Last overhaul", "type": "date" }
            ] }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(class["customFields"].as_array().unwrap().len(), 3);
    let manager = app.token("facility_manager").await;
    let base = json!({ "tag": "OT-AN-1", "name": "Anaesthesia machine", "classId": class["id"],
                       "status": "in_service" });
    // A required field missing, a wrong type and an unknown field: each named.
    let mut body = base.clone();
    body["customFields"] = json!({ "vaporizers": "two", "colour": "blue" });
    let p = expect(
        app.post("/api/v1/assets", &manager, body).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let mut fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    fields.sort();
    assert_eq!(
        fields,
        [
            "customFields.colour",
            "customFields.gasType",
            "customFields.vaporizers"
        ]
    );
    let mut body = base.clone();
    body["customFields"] =
        json!({ "gasType": "O2, N2O, air", "vaporizers": 2, "lastOverhaul": "2025-03-01" });
    let a = expect(
        app.post("/api/v1/assets", &manager, body).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(a["customFields"]["vaporizers"], 2);
    // Edits are checked the same way.
    let path = format!("/api/v1/assets/{}", a["id"].as_str().unwrap());
    let p = expect(
        app.patch(
            &path,
            &manager,
            json!({ "customFields": { "gasType": "O2", "lastOverhaul": "March" } }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "customFields.lastOverhaul");
    let a = expect(
        app.patch(
            &path,
            &manager,
            json!({ "customFields": { "gasType": "O2, air" } }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(a["customFields"], json!({ "gasType": "O2, air" }));
}
both!(equipment_classes_carry_custom_fields);

async fn location_sheets_import_and_round_trip(app: TestApp) {
    let admin = app.admin().await;
    let import = |csv: String, partial: bool| {
        let app = &app;
        let admin = admin.clone();
        async move {
            app.client
                .post(app.url(&format!("/api/v1/locations/import?partial={partial}")))
                .bearer_auth(admin)
                .header("content-type", "text/csv")
                .body(csv)
                .send()
                .await
                .unwrap()
        }
    };
    let sheet = |last: &str| {
        format!(
            "site_code,code,name,kind,parent_code,department_code\n\
             SMGH,OPB,Outpatient Block,building,,\n\
             SMGH,OPB-G,Ground Floor,floor,OPB,\n\
             SMGH,OPB-G-01,Dental Clinic,room,OPB-G,MED\n\
             {last}\n"
        )
    };
    // A bad row (unknown parent and kind): nothing is written.
    let p = expect(
        import(sheet("SMGH,OPB-G-02,Eye Clinic,cupboard,NOPE,"), false).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let mut fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    fields.sort();
    assert_eq!(fields, ["row 4: kind", "row 4: parent_code"]);
    let smgh = app.site_id("SMGH").await;
    let tree = app
        .get_ok(&format!("/api/v1/locations?siteId={smgh}&limit=200"))
        .await;
    assert!(
        !tree["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["code"] == "OPB")
    );

    // Corrected: three created, parents from earlier rows; again: all updated.
    let good = sheet("SMGH,OPB-G-02,Eye Clinic,room,OPB-G,");
    let r = expect(import(good.clone(), false).await, StatusCode::OK).await;
    assert_eq!(
        (r["created"].as_u64(), r["updated"].as_u64()),
        (Some(4), Some(0))
    );
    let r = expect(import(good, false).await, StatusCode::OK).await;
    assert_eq!(
        (r["created"].as_u64(), r["updated"].as_u64()),
        (Some(0), Some(4))
    );
    let room = app
        .find_id(
            &format!("/api/v1/locations?siteId={smgh}&limit=200"),
            "code",
            "OPB-G-01",
        )
        .await;
    let room = app.get_ok(&format!("/api/v1/locations/{room}")).await;
    assert_eq!(room["departmentId"], app.department_id("SMGH", "MED").await);

    // The export lists parents first, so it imports back as it is.
    let res = app
        .get(
            &format!("/api/v1/locations/export.csv?siteId={smgh}"),
            &admin,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let exported = res.text().await.unwrap();
    let lines: Vec<&str> = exported.lines().collect();
    let pos = |code: &str| {
        lines
            .iter()
            .position(|l| l.starts_with(&format!("SMGH,{code},")))
            .unwrap()
    };
    assert!(pos("OPB") < pos("OPB-G") && pos("OPB-G") < pos("OPB-G-01"));
    let r = expect(import(exported.clone(), false).await, StatusCode::OK).await;
    assert_eq!(r["created"], 0);
    assert_eq!(r["updated"].as_u64().unwrap() as usize, lines.len() - 1);
}
both!(location_sheets_import_and_round_trip);
