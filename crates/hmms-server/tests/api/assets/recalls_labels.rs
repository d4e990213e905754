//! Recalls that open work on every affected asset; label sheets and location codes.

use super::*;

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
