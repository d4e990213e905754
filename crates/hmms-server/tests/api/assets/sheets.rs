//! Inventory sheets (CSV import and export) and acceptance of new equipment.

use super::*;

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
