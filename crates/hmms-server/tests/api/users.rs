//! Accounts: creation and validation, changes, the last-admin rule, deactivation, paging.

use hmms_demo::DEMO_PASSWORD;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::both;
use crate::helpers::{TestApp, expect};

async fn creating_a_user_validates_every_field(app: TestApp) {
    let admin = app.admin().await;
    let body =
        json!({ "email": "not-an-email", "name": " ", "role": "wizard", "password": "short" });
    let p = expect(
        app.post("/api/v1/users", &admin, body).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for f in ["email", "name", "password", "role"] {
        assert!(fields.contains(&f), "{f} reported in {fields:?}");
    }
    // A technician works within a department, so one is required.
    let body = json!({ "email": "tech2@demo.hmms", "name": "Tech Two", "role": "technician" });
    let p = expect(
        app.post("/api/v1/users", &admin, body).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "departmentId");
    // Duplicate e-mail (case-insensitive).
    let body = json!({ "email": "Staff@Demo.HMMS", "name": "Dup", "role": "vendor" });
    expect(
        app.post("/api/v1/users", &admin, body).await,
        StatusCode::CONFLICT,
    )
    .await;
    // Nothing half-written: still exactly the seven demo users plus none.
    let page = app.get_ok("/api/v1/users?limit=200").await;
    assert_eq!(page["items"].as_array().unwrap().len(), 7);
}
both!(creating_a_user_validates_every_field);

async fn a_generated_password_is_shown_once_and_must_be_changed(app: TestApp) {
    let admin = app.admin().await;
    let bme = app.department_id("SMGH", "BME").await;
    let body = json!({ "email": "new.tech@demo.hmms", "name": "New Tech", "role": "technician", "departmentId": bme });
    let created = expect(
        app.post("/api/v1/users", &admin, body).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(created["user"]["role"], "technician");
    assert_eq!(created["user"]["scope"], "department");
    assert_eq!(
        created["user"]["siteId"],
        app.site_id("SMGH").await.as_str(),
        "the site follows from the department"
    );
    assert_eq!(created["user"]["mustChangePassword"], true);
    let password = created["temporaryPassword"].as_str().unwrap();
    assert!(password.len() >= 16);
    assert!(created["user"].get("passwordHash").is_none());
    let login = expect(
        app.login_raw("new.tech@demo.hmms", password).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(login["mustChangePassword"], true);
    let again = expect(
        app.get(
            &format!("/api/v1/users/{}", created["user"]["id"].as_str().unwrap()),
            &admin,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert!(again.get("temporaryPassword").is_none());
}
both!(a_generated_password_is_shown_once_and_must_be_changed);

async fn the_last_admin_cannot_be_removed_or_demoted(app: TestApp) {
    let admin = app.admin().await;
    let me = app.user_id("admin@demo.hmms").await;
    let path = format!("/api/v1/users/{me}");
    let p = expect(
        app.patch(&path, &admin, json!({ "status": "inactive" }))
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("last active administrator")
    );
    expect(
        app.patch(
            &path,
            &admin,
            json!({ "role": "staff", "departmentId": app.department_id("SMGH", "ICU").await }),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;

    // With a second administrator, the first may step down.
    let body = json!({ "email": "deputy@demo.hmms", "name": "Deputy", "role": "admin", "password": "a long enough password" });
    expect(
        app.post("/api/v1/users", &admin, body).await,
        StatusCode::CREATED,
    )
    .await;
    let deputy = app.user_id("deputy@demo.hmms").await;
    let it = json!({ "role": "it" });
    let after = expect(app.patch(&path, &admin, it).await, StatusCode::OK).await;
    assert_eq!(after["role"], "it");
    // A role change ends the changed user's sign-ins at once: their own included.
    assert_eq!(
        app.get("/api/v1/auth/me", &admin).await.status(),
        StatusCode::UNAUTHORIZED
    );
    // Now the deputy is the last one, and cannot step down either.
    let token = app
        .enrol("deputy@demo.hmms", "a long enough password")
        .await;
    let res = app
        .patch(
            &format!("/api/v1/users/{deputy}"),
            &token,
            json!({ "status": "inactive" }),
        )
        .await;
    expect(res, StatusCode::CONFLICT).await;
}
both!(the_last_admin_cannot_be_removed_or_demoted);

async fn a_deactivated_user_is_signed_out_everywhere(app: TestApp) {
    let admin = app.admin().await;
    let tokens = app.sign_in("procurement@demo.hmms", DEMO_PASSWORD).await;
    let id = app.user_id("procurement@demo.hmms").await;
    let user = expect(
        app.patch(
            &format!("/api/v1/users/{id}"),
            &admin,
            json!({ "status": "inactive" }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(user["status"], "inactive");
    // The access token stops working at once; so does the refresh token and the password.
    expect(
        app.get("/api/v1/auth/me", tokens["accessToken"].as_str().unwrap())
            .await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    let res = app
        .request(
            Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(json!({ "refreshToken": tokens["refreshToken"] })),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.login_raw("procurement@demo.hmms", DEMO_PASSWORD)
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    expect(
        app.patch(
            &format!("/api/v1/users/{id}"),
            &admin,
            json!({ "status": "active" }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        app.login_raw("procurement@demo.hmms", DEMO_PASSWORD)
            .await
            .status(),
        StatusCode::OK
    );
}
both!(a_deactivated_user_is_signed_out_everywhere);

async fn stale_edits_are_refused(app: TestApp) {
    let admin = app.admin().await;
    let id = app.user_id("technician@demo.hmms").await;
    let path = format!("/api/v1/users/{id}");
    let u = expect(app.get(&path, &admin).await, StatusCode::OK).await;
    let v = u["version"].as_i64().unwrap();
    expect(
        app.patch(&path, &admin, json!({ "name": "Grace W.", "version": v }))
            .await,
        StatusCode::OK,
    )
    .await;
    let p = expect(
        app.patch(
            &path,
            &admin,
            json!({ "name": "Grace Wanjiru", "version": v }),
        )
        .await,
        StatusCode::PRECONDITION_FAILED,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("Reload"));
    let res = app
        .client
        .patch(app.url(&path))
        .bearer_auth(&admin)
        .header("If-Match", format!("\"{v}\""))
        .json(&json!({ "name": "x" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PRECONDITION_FAILED);
    let res = app
        .client
        .patch(app.url(&path))
        .bearer_auth(&admin)
        .header("If-Match", format!("\"{}\"", v + 1))
        .json(&json!({ "name": "Grace" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}
both!(stale_edits_are_refused);

async fn lists_page_with_cursors_and_filters(app: TestApp) {
    let admin = app.admin().await;
    let mut seen = vec![];
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/users?limit=3&cursor={c}"),
            None => "/api/v1/users?limit=3".into(),
        };
        let page = expect(app.get(&path, &admin).await, StatusCode::OK).await;
        for u in page["items"].as_array().unwrap() {
            seen.push(u["name"].as_str().unwrap().to_string());
        }
        match page["nextCursor"].as_str() {
            Some(c) => cursor = Some(c.into()),
            None => break,
        }
    }
    assert_eq!(seen.len(), 7, "every user exactly once: {seen:?}");
    let mut sorted = seen.clone();
    sorted.sort();
    assert_eq!(seen, sorted, "ordered by name");
    let techs = expect(
        app.get("/api/v1/users?role=technician", &admin).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(techs["items"].as_array().unwrap().len(), 1);
    let q = expect(
        app.get("/api/v1/users?q=GRACE", &admin).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(q["items"][0]["email"], "technician@demo.hmms");
    expect(
        app.get("/api/v1/users?limit=0", &admin).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    expect(
        app.get("/api/v1/users?cursor=garbage", &admin).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    expect(
        app.get("/api/v1/users?sort=password", &admin).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
}
both!(lists_page_with_cursors_and_filters);

async fn nobody_hands_out_more_than_they_hold(app: TestApp) {
    let admin = app.admin().await;
    // A custom role that may manage users but holds nothing else.
    let role = json!({ "key": "hr_clerk", "name": "HR clerk", "defaultScope": "organization", "permissions": ["user.read", "user.manage"] });
    expect(
        app.post("/api/v1/roles", &admin, role).await,
        StatusCode::CREATED,
    )
    .await;
    let body = json!({ "email": "clerk@demo.hmms", "name": "Clerk", "role": "hr_clerk", "password": "a long enough password" });
    expect(
        app.post("/api/v1/users", &admin, body).await,
        StatusCode::CREATED,
    )
    .await;
    // user.manage is sensitive, so the clerk must enrol a second factor first.
    let clerk = &app.enrol("clerk@demo.hmms", "a long enough password").await;
    let me = app.user_id("clerk@demo.hmms").await;
    let res = app
        .patch(
            &format!("/api/v1/users/{me}"),
            clerk,
            json!({ "role": "admin" }),
        )
        .await;
    let p = expect(res, StatusCode::FORBIDDEN).await;
    assert!(p["detail"].as_str().unwrap().contains("do not hold"));
}
both!(nobody_hands_out_more_than_they_hold);
