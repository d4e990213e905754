//! What is kept with an asset: meters, documents, custom fields; location sheets.

use super::*;

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
