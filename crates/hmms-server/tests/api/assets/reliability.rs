//! Reliability and cost from status history and work; incidents and the EM number.

use super::*;

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
