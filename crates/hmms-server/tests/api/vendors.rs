//! Vendor companies and spare parts: the directory, work shared by a company's vendor users,
//! and parts in a work order's cost roll-up.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both;
use hmms_demo::DEMO_PASSWORD;

use crate::helpers::{TestApp, expect, work_order_in};

async fn create_company(app: &TestApp, name: &str) -> String {
    let procurement = app.token("procurement").await;
    let res = app
        .post(
            "/api/v1/vendor-companies",
            &procurement,
            json!({ "name": name, "contactName": "Service desk", "phone": "+254 700 123456",
                    "email": "desk@contractor.example" }),
        )
        .await;
    expect(res, StatusCode::CREATED).await["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// A new vendor user of `company`, signed in.
async fn vendor_of(app: &TestApp, company: &str, email: &str) -> (String, String) {
    let admin = app.admin().await;
    let res = app
        .post(
            "/api/v1/users",
            &admin,
            json!({ "email": email, "name": "Field Engineer", "role": "vendor",
                    "vendorCompanyId": company, "password": DEMO_PASSWORD }),
        )
        .await;
    let user = expect(res, StatusCode::CREATED).await;
    assert_eq!(user["user"]["vendorCompanyId"], company);
    let id = user["user"]["id"].as_str().unwrap().to_string();
    let token = app.sign_in(email, DEMO_PASSWORD).await["accessToken"]
        .as_str()
        .unwrap()
        .to_string();
    (id, token)
}

async fn the_vendor_directory_is_kept_by_procurement(app: TestApp) {
    let procurement = app.token("procurement").await;
    let manager = app.token("facility_manager").await;
    let id = create_company(&app, "Siemens Healthineers Kenya").await;

    // Names are unique within the organization.
    let p = expect(
        app.post(
            "/api/v1/vendor-companies",
            &procurement,
            json!({ "name": "Siemens Healthineers Kenya" }),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("already exists"));
    // Every bad field is named at once.
    let p = expect(
        app.post(
            "/api/v1/vendor-companies",
            &procurement,
            json!({ "name": " ", "email": "not-an-address", "phone": "call me" }),
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
    assert_eq!(fields, ["name", "phone", "email"]);
    // Managers read the directory but do not change it.
    expect(
        app.patch(
            &format!("/api/v1/vendor-companies/{id}"),
            &manager,
            json!({ "active": false }),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let list = expect(
        app.get("/api/v1/vendor-companies?q=siemens", &manager)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert_eq!(list["items"][0]["contactName"], "Service desk");

    // Editing from a stale version is refused; the current one goes through and is audited.
    let path = format!("/api/v1/vendor-companies/{id}");
    expect(
        app.patch(&path, &procurement, json!({ "notes": "x", "version": 7 }))
            .await,
        StatusCode::PRECONDITION_FAILED,
    )
    .await;
    let c = expect(
        app.patch(
            &path,
            &procurement,
            json!({ "active": false, "phone": null, "version": 1 }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(c["active"], false);
    assert_eq!(c["phone"], Value::Null);
    assert_eq!(c["version"], 2);
    let audit = app
        .get_ok(&format!(
            "/api/v1/audit?entityType=vendor_company&entityId={id}"
        ))
        .await;
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(actions.contains(&"vendor_company.created"), "{actions:?}");
    assert!(actions.contains(&"vendor_company.updated"), "{actions:?}");
    let active = expect(
        app.get("/api/v1/vendor-companies?active=true", &manager)
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(
        active["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["id"] != id.as_str())
    );

    // An inactive company takes no new work.
    let wo = work_order_in(&app, "pending").await;
    let p = expect(
        app.patch(
            &format!("/api/v1/work-orders/{wo}"),
            &manager,
            json!({ "vendorCompanyId": id }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "vendorCompanyId");
    // Only vendor users belong to a company.
    let admin = app.admin().await;
    let p = expect(
        app.post(
            "/api/v1/users",
            &admin,
            json!({ "email": "tech2@demo.hmms", "name": "Tech", "role": "staff",
                    "departmentId": app.department_id("SMGH", "ICU").await,
                    "vendorCompanyId": id }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "vendorCompanyId");
}
both!(the_vendor_directory_is_kept_by_procurement);

async fn a_company_shares_its_work_and_nobody_else_sees_it(app: TestApp) {
    let manager = app.token("facility_manager").await;
    let acme = create_company(&app, "Acme Biomedical").await;
    let other = create_company(&app, "Other Contractor").await;
    let (_, acme_a) = vendor_of(&app, &acme, "a@acme.example").await;
    let (acme_b_id, acme_b) = vendor_of(&app, &acme, "b@acme.example").await;
    let (_, outsider) = vendor_of(&app, &other, "x@other.example").await;

    // The manager sends a job to the company, not to a person.
    let id = work_order_in(&app, "pending").await;
    let path = format!("/api/v1/work-orders/{id}");
    let wo = expect(
        app.patch(&path, &manager, json!({ "vendorCompanyId": acme }))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(wo["status"], "assigned");
    assert_eq!(wo["vendorCompanyId"], acme);
    assert_eq!(wo["assigneeId"], Value::Null);

    // Both of the company's people are told and see it; the other company's engineer sees
    // nothing, not even by guessing the id.
    for token in [&acme_a, &acme_b] {
        let list = expect(app.get("/api/v1/work-orders", token).await, StatusCode::OK).await;
        let ids: Vec<&str> = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, [id.as_str()]);
        let notes = expect(
            app.get("/api/v1/notifications", token).await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(notes["items"][0]["kind"], "work_order_assigned");
    }
    let list = expect(
        app.get("/api/v1/work-orders", &outsider).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 0);
    expect(app.get(&path, &outsider).await, StatusCode::NOT_FOUND).await;
    expect(
        app.patch(&path, &outsider, json!({ "status": "in_progress" }))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // The demo vendor (another company) does not see it either.
    let demo_vendor = app.token("vendor").await;
    expect(app.get(&path, &demo_vendor).await, StatusCode::NOT_FOUND).await;
    let filtered = expect(
        app.get(
            &format!("/api/v1/work-orders?vendorCompanyId={acme}"),
            &manager,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(filtered["items"].as_array().unwrap().len(), 1);

    // Either engineer of the company may do the work: one starts it, the other logs time.
    let wo = expect(
        app.patch(&path, &acme_a, json!({ "status": "in_progress" }))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(wo["status"], "in_progress");
    expect(
        app.post(
            &format!("{path}/time-logs"),
            &acme_b,
            json!({ "minutes": 45 }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;

    // Naming a person of another company alongside the company is refused.
    let outsider_id = app.user_id("x@other.example").await;
    let p = expect(
        app.patch(
            &path,
            &manager,
            json!({ "vendorCompanyId": acme, "assigneeId": outsider_id }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "assigneeId");
    // Naming one of the company's people keeps the company on the job.
    let wo = expect(
        app.patch(&path, &manager, json!({ "assigneeId": acme_b_id }))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(wo["assigneeId"], acme_b_id);
    assert_eq!(wo["vendorCompanyId"], acme);
    expect(app.get(&path, &acme_a).await, StatusCode::OK).await;
    let history = app.get_ok(&format!("{path}/history")).await;
    let assigned: Vec<&Value> = history
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["kind"] == "assigned")
        .collect();
    assert_eq!(assigned.len(), 2);
    assert_eq!(assigned[0]["detail"]["toVendorCompanyId"], acme);
    assert_eq!(assigned[1]["detail"]["to"], acme_b_id);
}
both!(a_company_shares_its_work_and_nobody_else_sees_it);

async fn the_demo_vendor_works_for_its_company(app: TestApp) {
    let vendor = app.token("vendor").await;
    let me = expect(app.get("/api/v1/auth/me", &vendor).await, StatusCode::OK).await;
    let company = me["user"]["vendorCompanyId"]
        .as_str()
        .expect("the demo vendor belongs to a company")
        .to_string();
    let c = expect(
        app.get(&format!("/api/v1/vendor-companies/{company}"), &vendor)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(c["name"], "MedTech Services Ltd");
    // A vendor reads its own company only, never the directory.
    expect(
        app.get("/api/v1/vendor-companies", &vendor).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let other = create_company(&app, "Somebody Else Ltd").await;
    expect(
        app.get(&format!("/api/v1/vendor-companies/{other}"), &vendor)
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
}
both!(the_demo_vendor_works_for_its_company);

async fn parts_add_up_in_the_cost_of_the_work(app: TestApp) {
    let tech = app.token("technician").await;
    let staff = app.token("staff").await;
    let manager = app.token("facility_manager").await;
    let id = work_order_in(&app, "in_progress").await;
    let path = format!("/api/v1/work-orders/{id}");
    let parts = format!("{path}/parts");

    let sensor = expect(
        app.post(
            &parts,
            &tech,
            json!({ "description": "Occlusion sensor", "partNumber": "BD-8015",
                    "quantity": 2, "unitCostMinor": 125_000 }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(sensor["totalCostMinor"], 250_000);
    let fuse = expect(
        app.post(
            &parts,
            &tech,
            json!({ "description": "Fuse 2 A", "quantity": 3, "unitCostMinor": 5_000 }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let list = expect(app.get(&parts, &staff).await, StatusCode::OK).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    assert_eq!(list["totalCostMinor"], 265_000);
    let wo = expect(app.get(&path, &staff).await, StatusCode::OK).await;
    assert_eq!(wo["partsCostMinor"], 265_000);
    assert_eq!(wo["totalCostMinor"], 265_000);

    // Nonsense is refused with the field named; the requester may not add parts.
    let p = expect(
        app.post(
            &parts,
            &tech,
            json!({ "description": "", "quantity": 0, "unitCostMinor": -1 }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["errors"].as_array().unwrap().len(), 3);
    expect(
        app.post(
            &parts,
            &staff,
            json!({ "description": "Fuse", "quantity": 1, "unitCostMinor": 1 }),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;

    // A line recorded by mistake comes off, and the history shows both steps.
    let fuse_id = fuse["id"].as_str().unwrap();
    expect(
        app.delete(&format!("{parts}/{fuse_id}"), &tech).await,
        StatusCode::NO_CONTENT,
    )
    .await;
    expect(
        app.delete(&format!("{parts}/{fuse_id}"), &tech).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let history = app.get_ok(&format!("{path}/history")).await;
    let kinds: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.ends_with(&["part_added", "part_added", "part_removed"]),
        "{kinds:?}"
    );

    // Completed: the manager may still correct parts before approving; once closed, nobody.
    expect(
        app.post(
            &format!("{path}/complete"),
            &tech,
            json!({ "resolutionCategory": "replaced_part" }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    expect(
        app.post(
            &parts,
            &tech,
            json!({ "description": "Fuse", "quantity": 1, "unitCostMinor": 5_000 }),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    expect(
        app.post(
            &parts,
            &manager,
            json!({ "description": "Battery pack", "quantity": 1, "unitCostMinor": 80_000 }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let closed = expect(
        app.post(&format!("{path}/approve-close"), &manager, json!({}))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(closed["partsCostMinor"], 330_000);
    let sensor_id = sensor["id"].as_str().unwrap();
    expect(
        app.delete(&format!("{parts}/{sensor_id}"), &manager).await,
        StatusCode::CONFLICT,
    )
    .await;
}
both!(parts_add_up_in_the_cost_of_the_work);
