//! Who sees which work: vendors, department staff, and pages that list everything once.

use super::*;

async fn vendors_see_only_their_own_work(app: TestApp) {
    let vendor = app.token("vendor").await;
    let manager = app.token("facility_manager").await;
    let someone_elses = work_order_in(&app, "assigned").await;
    let list = expect(
        app.get("/api/v1/work-orders", &vendor).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 0);
    // Guessing ids reveals nothing, whatever the endpoint.
    for suffix in ["", "/notes", "/time-logs", "/history"] {
        expect(
            app.get(
                &format!("/api/v1/work-orders/{someone_elses}{suffix}"),
                &vendor,
            )
            .await,
            StatusCode::NOT_FOUND,
        )
        .await;
    }
    let res = app
        .post(
            &format!("/api/v1/work-orders/{someone_elses}/notes"),
            &vendor,
            json!({ "body": "hello" }),
        )
        .await;
    expect(res, StatusCode::NOT_FOUND).await;
    // Work assigned to the vendor is theirs to do.
    let vendor_id = app.user_id("vendor@demo.hmms").await;
    let staff = app.token("staff").await;
    let wo = expect(
        app.post(
            "/api/v1/work-orders",
            &staff,
            json!({ "title": "Autoclave door seal leaking" }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let path = format!("/api/v1/work-orders/{}", wo["id"].as_str().unwrap());
    expect(
        app.patch(&path, &manager, json!({ "assigneeId": vendor_id }))
            .await,
        StatusCode::OK,
    )
    .await;
    let list = expect(
        app.get("/api/v1/work-orders", &vendor).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    expect(
        app.patch(&path, &vendor, json!({ "status": "in_progress" }))
            .await,
        StatusCode::OK,
    )
    .await;
    // Procurement cannot assign work to itself: it is not a technician or vendor.
    let procurement = app.user_id("procurement@demo.hmms").await;
    let p = expect(
        app.patch(&path, &manager, json!({ "assigneeId": procurement }))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "assigneeId");
}
both!(vendors_see_only_their_own_work);

async fn department_staff_see_their_department_and_their_own_requests(app: TestApp) {
    let manager = app.token("facility_manager").await;
    let staff = app.token("staff").await;
    let radiology = app.department_id("SMGH", "RAD").await;
    let elsewhere = expect(
        app.post(
            "/api/v1/work-orders",
            &manager,
            json!({ "title": "X-ray tube overheating", "departmentId": radiology }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let own = expect(
        app.post(
            "/api/v1/work-orders",
            &staff,
            json!({ "title": "Ward fridge warm" }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let list = expect(
        app.get("/api/v1/work-orders?limit=200", &staff).await,
        StatusCode::OK,
    )
    .await;
    let ids: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&own["id"].as_str().unwrap()));
    assert!(!ids.contains(&elsewhere["id"].as_str().unwrap()));
    expect(
        app.get(
            &format!("/api/v1/work-orders/{}", elsewhere["id"].as_str().unwrap()),
            &staff,
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // The manager sees the whole site; filters narrow it.
    let all = expect(
        app.get(
            &format!("/api/v1/work-orders?departmentId={radiology}"),
            &manager,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(all["items"].as_array().unwrap().len(), 1);
    let found = expect(
        app.get("/api/v1/work-orders?q=x-RAY", &manager).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(found["items"][0]["id"], elsewhere["id"]);
    let pending = expect(
        app.get("/api/v1/work-orders?status=pending&sort=dueAt", &manager)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(pending["items"].as_array().unwrap().len(), 2);
}
both!(department_staff_see_their_department_and_their_own_requests);

async fn lists_page_through_everything_once(app: TestApp) {
    let staff = app.token("staff").await;
    for i in 0..7 {
        let priority = ["low", "medium", "high", "critical"][i % 4];
        expect(
            app.post(
                "/api/v1/work-orders",
                &staff,
                json!({ "title": format!("Fault {i}"), "priority": priority }),
            )
            .await,
            StatusCode::CREATED,
        )
        .await;
    }
    for sort in ["-createdAt", "createdAt", "dueAt", "-dueAt"] {
        let mut seen = vec![];
        let mut cursor: Option<String> = None;
        loop {
            let mut path = format!("/api/v1/work-orders?limit=3&sort={sort}");
            if let Some(c) = &cursor {
                path.push_str(&format!("&cursor={c}"));
            }
            let page = expect(app.get(&path, &staff).await, StatusCode::OK).await;
            for w in page["items"].as_array().unwrap() {
                seen.push((
                    w["slaResolutionDueAt"].as_str().unwrap().to_string(),
                    w["code"].as_str().unwrap().to_string(),
                ));
            }
            match page["nextCursor"].as_str() {
                Some(c) => cursor = Some(c.to_string()),
                None => break,
            }
        }
        assert_eq!(seen.len(), 7, "{sort}: each work order once");
        let mut sorted = seen.clone();
        match sort {
            "createdAt" => sorted.sort_by(|a, b| a.1.cmp(&b.1)),
            "-createdAt" => sorted.sort_by(|a, b| b.1.cmp(&a.1)),
            "dueAt" => sorted.sort(),
            _ => sorted.sort_by(|a, b| b.cmp(a)),
        }
        assert_eq!(seen, sorted, "{sort}");
    }
}
both!(lists_page_through_everything_once);
