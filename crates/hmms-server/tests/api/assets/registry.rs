//! Registration and validation, status steps and moves in the history, scope by role, QR codes
//! and scanning, equipment classes.

use super::*;

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
