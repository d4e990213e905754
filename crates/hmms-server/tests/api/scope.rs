//! Data scope: who sees which people.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::helpers::{TestApp, expect};

fn emails(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].as_str().unwrap().to_string())
        .collect()
}

async fn department_staff_see_only_their_department(app: TestApp) {
    let admin = app.admin().await;
    let icu = app.department_id("SMGH", "ICU").await;
    let bme = app.department_id("SMGH", "BME").await;
    for (email, dept) in [("nurse2@demo.hmms", &icu), ("biomed2@demo.hmms", &bme)] {
        let body =
            json!({ "email": email, "name": "Colleague", "role": "staff", "departmentId": dept });
        expect(
            app.post("/api/v1/users", &admin, body).await,
            StatusCode::CREATED,
        )
        .await;
    }
    let staff = app.token("staff").await;
    let seen = emails(
        &expect(
            app.get("/api/v1/users?limit=200", &staff).await,
            StatusCode::OK,
        )
        .await,
    );
    assert!(seen.contains(&"staff@demo.hmms".to_string()));
    assert!(seen.contains(&"nurse2@demo.hmms".to_string()));
    assert!(
        !seen.contains(&"biomed2@demo.hmms".to_string()),
        "another department's people are hidden: {seen:?}"
    );
    assert!(!seen.contains(&"technician@demo.hmms".to_string()));
    assert!(!seen.contains(&"admin@demo.hmms".to_string()));

    // Asking for another department by id, or by filter, reveals nothing.
    let other = app.user_id("biomed2@demo.hmms").await;
    let res = app.get(&format!("/api/v1/users/{other}"), &staff).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let filtered = expect(
        app.get(&format!("/api/v1/users?departmentId={bme}"), &staff)
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(emails(&filtered).is_empty());

    // The technician sees Biomedical Engineering, not the ICU.
    let tech = app.token("technician").await;
    let seen = emails(
        &expect(
            app.get("/api/v1/users?limit=200", &tech).await,
            StatusCode::OK,
        )
        .await,
    );
    assert!(seen.contains(&"biomed2@demo.hmms".to_string()));
    assert!(!seen.contains(&"nurse2@demo.hmms".to_string()));
}
both!(department_staff_see_only_their_department);

async fn facility_managers_see_their_site_only(app: TestApp) {
    let admin = app.admin().await;
    let ldh_opd = app.department_id("LDH", "OPD").await;
    let body = json!({ "email": "lakeside.nurse@demo.hmms", "name": "Lakeside Nurse", "role": "staff", "departmentId": ldh_opd });
    expect(
        app.post("/api/v1/users", &admin, body).await,
        StatusCode::CREATED,
    )
    .await;
    let manager = app.token("facility_manager").await;
    let seen = emails(
        &expect(
            app.get("/api/v1/users?limit=200", &manager).await,
            StatusCode::OK,
        )
        .await,
    );
    assert!(seen.contains(&"staff@demo.hmms".to_string()));
    assert!(seen.contains(&"technician@demo.hmms".to_string()));
    assert!(
        !seen.contains(&"lakeside.nurse@demo.hmms".to_string()),
        "{seen:?}"
    );
    // The organization-wide IT role sees both hospitals.
    let it = app.token("it").await;
    let seen = emails(
        &expect(
            app.get("/api/v1/users?limit=200", &it).await,
            StatusCode::OK,
        )
        .await,
    );
    assert!(seen.contains(&"lakeside.nurse@demo.hmms".to_string()));
}
both!(facility_managers_see_their_site_only);

async fn vendors_see_no_people(app: TestApp) {
    let vendor = app.token("vendor").await;
    let p = expect(
        app.get("/api/v1/users", &vendor).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("user.read"));
    expect(
        app.get("/api/v1/sites", &vendor).await,
        StatusCode::FORBIDDEN,
    )
    .await;
}
both!(vendors_see_no_people);
