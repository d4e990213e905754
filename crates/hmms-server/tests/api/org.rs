//! The organization's structure: sites, departments, sections, the location tree.

use reqwest::StatusCode;
use serde_json::json;

use crate::both;
use crate::helpers::{TestApp, expect};

async fn a_site_is_built_and_taken_down(app: TestApp) {
    let admin = app.admin().await;
    let bad = json!({ "name": "", "code": "has space", "timeZone": "Mars/Olympus" });
    let p = expect(
        app.post("/api/v1/sites", &admin, bad).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["errors"].as_array().unwrap().len(), 3, "{p}");
    let site = json!({ "name": "Hilltop Clinic", "code": "htc", "timeZone": "Africa/Dar_es_Salaam", "address": "Hill Road" });
    let res = app.post("/api/v1/sites", &admin, site.clone()).await;
    let location_header = res.headers()["location"].to_str().unwrap().to_string();
    let s = expect(res, StatusCode::CREATED).await;
    assert_eq!(s["code"], "HTC", "codes are upper-cased");
    assert_eq!(
        location_header,
        format!("/api/v1/sites/{}", s["id"].as_str().unwrap())
    );
    expect(
        app.post("/api/v1/sites", &admin, site).await,
        StatusCode::CONFLICT,
    )
    .await;
    let site_id = s["id"].as_str().unwrap().to_string();

    let d = expect(
        app.post(
            "/api/v1/departments",
            &admin,
            json!({ "siteId": site_id, "name": "Outpatients", "code": "OPD" }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let dept = d["id"].as_str().unwrap().to_string();
    let sec = expect(
        app.post(
            "/api/v1/sections",
            &admin,
            json!({ "departmentId": dept, "name": "Dental", "code": "DENT" }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let b = expect(
        app.post(
            "/api/v1/locations",
            &admin,
            json!({ "siteId": site_id, "kind": "building", "name": "Block A", "code": "A" }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let f = expect(
        app.post("/api/v1/locations", &admin, json!({ "siteId": site_id, "parentId": b["id"], "kind": "floor", "name": "Ground", "code": "A-G" })).await,
        StatusCode::CREATED,
    )
    .await;
    let r = expect(
        app.post("/api/v1/locations", &admin, json!({ "siteId": site_id, "parentId": f["id"], "departmentId": dept, "kind": "room", "name": "Dental Room", "code": "A-G-1" })).await,
        StatusCode::CREATED,
    )
    .await;

    let tree = expect(
        app.get(&format!("/api/v1/locations/tree?siteId={site_id}"), &admin)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(tree[0]["name"], "Block A");
    assert_eq!(tree[0]["children"][0]["children"][0]["code"], "A-G-1");

    // A building cannot go inside its own room.
    let p = expect(
        app.patch(
            &format!("/api/v1/locations/{}", b["id"].as_str().unwrap()),
            &admin,
            json!({ "parentId": r["id"] }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "parentId");
    // A department of another site cannot own the room.
    let icu = app.department_id("SMGH", "ICU").await;
    expect(
        app.patch(
            &format!("/api/v1/locations/{}", r["id"].as_str().unwrap()),
            &admin,
            json!({ "departmentId": icu }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;

    // Removal goes leaf first; anything still in use answers 409 and stays.
    expect(
        app.delete(&format!("/api/v1/sites/{site_id}"), &admin)
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    expect(
        app.delete(&format!("/api/v1/departments/{dept}"), &admin)
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    expect(
        app.delete(
            &format!("/api/v1/locations/{}", b["id"].as_str().unwrap()),
            &admin,
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    for id in [&r["id"], &f["id"], &b["id"]] {
        assert_eq!(
            app.delete(
                &format!("/api/v1/locations/{}", id.as_str().unwrap()),
                &admin
            )
            .await
            .status(),
            StatusCode::NO_CONTENT
        );
    }
    assert_eq!(
        app.delete(
            &format!("/api/v1/sections/{}", sec["id"].as_str().unwrap()),
            &admin
        )
        .await
        .status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.delete(&format!("/api/v1/departments/{dept}"), &admin)
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.delete(&format!("/api/v1/sites/{site_id}"), &admin)
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    expect(
        app.get(&format!("/api/v1/sites/{site_id}"), &admin).await,
        StatusCode::NOT_FOUND,
    )
    .await;
}
both!(a_site_is_built_and_taken_down);

async fn the_demo_hospital_is_complete(app: TestApp) {
    let sites = app.get_ok("/api/v1/sites").await;
    let zones: Vec<&str> = sites["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["timeZone"].as_str().unwrap())
        .collect();
    assert_eq!(zones.len(), 2);
    assert!(zones.contains(&"Africa/Nairobi"));
    let depts = app.get_ok("/api/v1/departments?limit=200").await;
    assert_eq!(depts["items"].as_array().unwrap().len(), 12);
    let sections = app.get_ok("/api/v1/sections?limit=200").await;
    assert!(sections["items"].as_array().unwrap().len() >= 12);
    let smgh = app.site_id("SMGH").await;
    let tree = app
        .get_ok(&format!("/api/v1/locations/tree?siteId={smgh}"))
        .await;
    let main = tree
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["code"] == "MB")
        .unwrap();
    assert_eq!(main["kind"], "building");
    assert_eq!(
        main["children"].as_array().unwrap().len(),
        3,
        "three floors"
    );
    assert_eq!(main["children"][0]["children"][0]["kind"], "room");
    let users = app.get_ok("/api/v1/users?limit=200").await;
    let roles: Vec<&str> = users["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["role"].as_str().unwrap())
        .collect();
    for r in crate::helpers::ROLES {
        assert!(roles.contains(&r), "a demo user with role {r}");
    }
}
both!(the_demo_hospital_is_complete);

async fn managers_change_only_their_own_site(app: TestApp) {
    let manager = app.token("facility_manager").await;
    let ldh = app.site_id("LDH").await;
    let res = app
        .post(
            "/api/v1/locations",
            &manager,
            json!({ "siteId": ldh, "kind": "room", "name": "Store", "code": "X-1" }),
        )
        .await;
    expect(res, StatusCode::FORBIDDEN).await;
    let smgh = app.site_id("SMGH").await;
    let res = app
        .post(
            "/api/v1/locations",
            &manager,
            json!({ "siteId": smgh, "kind": "room", "name": "Store", "code": "X-1" }),
        )
        .await;
    expect(res, StatusCode::CREATED).await;
}
both!(managers_change_only_their_own_site);

async fn the_administrator_role_cannot_be_narrowed(app: TestApp) {
    let admin = app.admin().await;
    let roles = app.get_ok("/api/v1/roles").await;
    let admin_role = roles
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == "admin")
        .unwrap();
    let res = app
        .patch(
            &format!("/api/v1/roles/{}", admin_role["id"].as_str().unwrap()),
            &admin,
            json!({ "permissions": [] }),
        )
        .await;
    expect(res, StatusCode::CONFLICT).await;
    let staff_role = roles
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == "staff")
        .unwrap();
    let res = app
        .delete(
            &format!("/api/v1/roles/{}", staff_role["id"].as_str().unwrap()),
            &admin,
        )
        .await;
    expect(res, StatusCode::CONFLICT).await;
    let res = app
        .patch(
            &format!("/api/v1/roles/{}", staff_role["id"].as_str().unwrap()),
            &admin,
            json!({ "permissions": ["org.read", "no.such"] }),
        )
        .await;
    let p = expect(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(p["errors"][0]["field"], "permissions[1]");
    // Granting staff a sensitive permission makes its holders need a second factor.
    let res = app
        .patch(
            &format!("/api/v1/roles/{}", staff_role["id"].as_str().unwrap()),
            &admin,
            json!({ "permissions": ["org.read", "audit.read"] }),
        )
        .await;
    let r = expect(res, StatusCode::OK).await;
    assert_eq!(r["twoFactorRequired"], true);
    let staff = app
        .sign_in("staff@demo.hmms", hmms_demo::DEMO_PASSWORD)
        .await;
    let p = expect(
        app.get("/api/v1/audit", staff["accessToken"].as_str().unwrap())
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_eq!(p["type"], "urn:hmms:problem:totp-enrolment-required");
    let matrix = app.get_ok("/api/v1/roles/permissions").await;
    assert!(matrix["permissions"].as_array().unwrap().len() >= 30);
    assert_eq!(matrix["roles"].as_array().unwrap().len(), 7);
}
both!(the_administrator_role_cannot_be_narrowed);

async fn places_with_work_orders_cannot_be_removed(app: TestApp) {
    let admin = app.admin().await;
    let site = expect(
        app.post(
            "/api/v1/sites",
            &admin,
            json!({ "name": "Annex", "code": "ANX", "timeZone": "UTC" }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let site_id = site["id"].as_str().unwrap();
    let dept = expect(
        app.post(
            "/api/v1/departments",
            &admin,
            json!({ "siteId": site_id, "name": "Dialysis", "code": "DIA" }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let room = expect(
        app.post(
            "/api/v1/locations",
            &admin,
            json!({ "siteId": site_id, "kind": "room", "name": "Dialysis Room", "code": "D1" }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let body = json!({ "title": "Dialysis machine leak", "departmentId": dept["id"], "locationId": room["id"] });
    expect(
        app.post("/api/v1/work-orders", &admin, body).await,
        StatusCode::CREATED,
    )
    .await;
    // A site whose only record is a work order.
    let bare = expect(
        app.post(
            "/api/v1/sites",
            &admin,
            json!({ "name": "Kiosk", "code": "KSK", "timeZone": "UTC" }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let bare_id = bare["id"].as_str().unwrap();
    expect(
        app.post(
            "/api/v1/work-orders",
            &admin,
            json!({ "title": "Door closer broken", "siteId": bare_id }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    for path in [
        format!("/api/v1/locations/{}", room["id"].as_str().unwrap()),
        format!("/api/v1/departments/{}", dept["id"].as_str().unwrap()),
        format!("/api/v1/sites/{bare_id}"),
    ] {
        let p = expect(app.delete(&path, &admin).await, StatusCode::CONFLICT).await;
        assert!(
            p["detail"].as_str().unwrap().contains("work orders"),
            "{path}: {p}"
        );
    }
}
both!(places_with_work_orders_cannot_be_removed);

/// A department's head is someone of the organization who can sign in; it can be changed and
/// cleared, and each change is audited.
async fn a_department_has_a_head(app: TestApp) {
    let admin = app.admin().await;
    let icu = app.department_id("SMGH", "ICU").await;
    let path = format!("/api/v1/departments/{icu}");
    let nurse = app.user_id("staff@demo.hmms").await;
    let d = expect(
        app.patch(&path, &admin, json!({ "headUserId": nurse }))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(d["headUserId"], nurse.as_str());
    let p = expect(
        app.patch(&path, &admin, json!({ "headUserId": uuid::Uuid::now_v7() }))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "headUserId");
    let d = expect(
        app.patch(&path, &admin, json!({ "name": "Intensive Care" }))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(d["headUserId"], nurse.as_str(), "kept when not named");
    let d = expect(
        app.patch(&path, &admin, json!({ "headUserId": null }))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(d["headUserId"], serde_json::Value::Null);
    let audit = expect(
        app.get(&format!("/api/v1/audit?entityId={icu}"), &admin)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        audit["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"] == "department.updated")
            .count(),
        3
    );
}
both!(a_department_has_a_head);
