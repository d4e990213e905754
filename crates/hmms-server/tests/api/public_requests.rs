//! Fault reports by QR code, without signing in.

use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::json;

use crate::both;
use crate::helpers::{TestApp, expect};

fn form(location: &str, description: &str) -> Form {
    Form::new()
        .text("siteCode", "smgh")
        .text("locationCode", location.to_string())
        .text("name", "Mary, ward clerk")
        .text("phone", "+254 700 123456")
        .text("description", description.to_string())
}

async fn a_qr_code_report_becomes_a_pending_request(app: TestApp) {
    let place = expect(
        app.request(
            reqwest::Method::GET,
            "/api/v1/public/places/SMGH/MB-1-01",
            None,
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(place["locationName"], "ICU Bay A");
    let photo = crate::attachments::image_bytes(640, 480, image::ImageFormat::Jpeg);
    let f = form("MB-1-01", "Oxygen outlet hissing at bed 3")
        .part("photo", Part::bytes(photo).file_name("outlet.jpg"));
    let res = app
        .client
        .post(app.url("/api/v1/public/requests"))
        .multipart(f)
        .send()
        .await
        .unwrap();
    let receipt = expect(res, StatusCode::CREATED).await;
    let code = receipt["code"].as_str().unwrap().to_string();
    assert!(receipt["message"].as_str().unwrap().contains(&code));

    // The site's manager is told and finds it, pending, at the place, with the photo.
    let manager = app.token("facility_manager").await;
    let notes = expect(
        app.get("/api/v1/notifications", &manager).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(notes["items"][0]["kind"], "work_order_requested");
    let list = expect(
        app.get(&format!("/api/v1/work-orders?q={code}"), &manager)
            .await,
        StatusCode::OK,
    )
    .await;
    let wo = &list["items"][0];
    assert_eq!(wo["status"], "pending");
    assert!(
        wo["description"]
            .as_str()
            .unwrap()
            .contains("Mary, ward clerk (+254 700 123456)")
    );
    assert_eq!(
        wo["departmentId"],
        app.department_id("SMGH", "ICU").await.as_str(),
        "the room's department"
    );
    let files = expect(
        app.get(
            &format!(
                "/api/v1/work-orders/{}/attachments",
                wo["id"].as_str().unwrap()
            ),
            &manager,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(files[0]["kind"], "photo");
    // The stand-in requester cannot sign in.
    let admin = app.admin().await;
    let requester = expect(
        app.get(
            &format!("/api/v1/users/{}", wo["requesterId"].as_str().unwrap()),
            &admin,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(requester["status"], "inactive");
}
both!(a_qr_code_report_becomes_a_pending_request);

async fn only_enabled_places_and_a_few_per_hour(app: TestApp) {
    // Unknown places, and sites that did not enable it, answer 404.
    expect(
        app.request(
            reqwest::Method::GET,
            "/api/v1/public/places/SMGH/NOPE",
            None,
            None,
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let admin = app.admin().await;
    let ldh = app.site_id("LDH").await;
    expect(
        app.patch(
            &format!("/api/v1/sites/{ldh}"),
            &admin,
            json!({ "publicRequestsEnabled": false }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let res = app
        .client
        .post(app.url("/api/v1/public/requests"))
        .multipart(form("MAIN-G-01", "x").text("siteCode", "LDH"))
        .send()
        .await
        .unwrap();
    expect(res, StatusCode::NOT_FOUND).await;
    // Validation.
    let res = app
        .client
        .post(app.url("/api/v1/public/requests"))
        .multipart(form("MB-1-01", "   "))
        .send()
        .await
        .unwrap();
    let p = expect(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(p["errors"][0]["field"], "description");
    // Five an hour from one address, then 429 until the hour has passed.
    for i in 0..5 {
        let res = app
            .client
            .post(app.url("/api/v1/public/requests"))
            .multipart(form("MB-1-01", &format!("Fault {i}")))
            .send()
            .await
            .unwrap();
        expect(res, StatusCode::CREATED).await;
    }
    let res = app
        .client
        .post(app.url("/api/v1/public/requests"))
        .multipart(form("MB-1-01", "One more"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    app.advance(chrono::Duration::minutes(61));
    let res = app
        .client
        .post(app.url("/api/v1/public/requests"))
        .multipart(form("MB-1-01", "Later"))
        .send()
        .await
        .unwrap();
    expect(res, StatusCode::CREATED).await;
}
both!(only_enabled_places_and_a_few_per_hour);

/// A label's QR code (`/a/{tag}`) takes a report about that piece of equipment: the request
/// is raised on it, in its department and room, and says which one it was.
async fn a_report_from_an_equipment_label_is_about_that_equipment(app: TestApp) {
    let manager = app.token("facility_manager").await;
    let icu = app.department_id("SMGH", "ICU").await;
    let tree = expect(
        app.get(
            &format!("/api/v1/locations?departmentId={icu}&kind=room&limit=1"),
            &manager,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let room = tree["items"][0]["id"].clone();
    let pump = &expect(
        app.post(
            "/api/v1/assets",
            &manager,
            json!({
                "tag": "SMGH-ICU-INFPUMP-003", "name": "Infusion pump", "departmentId": icu,
                "locationId": room, "status": "in_service"
            }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let tag = pump["tag"].as_str().unwrap();
    let place = expect(
        app.request(
            reqwest::Method::GET,
            &format!("/api/v1/public/assets/{}", tag.to_lowercase()),
            None,
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(place["assetTag"], tag);
    assert_eq!(place["assetName"], pump["name"]);
    assert_eq!(place["siteCode"], "SMGH");

    let f = Form::new()
        .text("assetTag", tag.to_string())
        .text("name", "Nurse on night shift")
        .text("description", "Occlusion alarm with the line open");
    let res = app
        .client
        .post(app.url("/api/v1/public/requests"))
        .multipart(f)
        .send()
        .await
        .unwrap();
    let receipt = expect(res, StatusCode::CREATED).await;
    let list = expect(
        app.get(
            &format!(
                "/api/v1/work-orders?q={}",
                receipt["code"].as_str().unwrap()
            ),
            &manager,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let wo = &list["items"][0];
    assert_eq!(wo["status"], "pending");
    assert_eq!(wo["assetId"], pump["id"]);
    assert_eq!(wo["departmentId"], pump["departmentId"]);
    assert_eq!(wo["locationId"], pump["locationId"]);
    assert!(wo["description"].as_str().unwrap().contains(tag), "{wo}");

    // Unknown tags, and neither a tag nor a place, are refused.
    expect(
        app.request(
            reqwest::Method::GET,
            "/api/v1/public/assets/NOPE-123",
            None,
            None,
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let res = app
        .client
        .post(app.url("/api/v1/public/requests"))
        .multipart(
            Form::new()
                .text("name", "Someone")
                .text("description", "Broken"),
        )
        .send()
        .await
        .unwrap();
    let p = expect(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(p["errors"][0]["field"], "assetTag");
}
both!(a_report_from_an_equipment_label_is_about_that_equipment);

/// Forty reports sent at once from one address still make only the hour's five (issue 13
/// finding 4): the limit is counted and the report written under one lock.
async fn the_hourly_limit_holds_when_reports_arrive_at_once(app: TestApp) {
    let sends = (0..40).map(|i| {
        app.client
            .post(app.url("/api/v1/public/requests"))
            .multipart(form("MB-1-01", &format!("Burst {i}")))
            .send()
    });
    let answers = futures::future::join_all(sends).await;
    let mut created = 0;
    for a in answers {
        match a.unwrap().status() {
            StatusCode::CREATED => created += 1,
            StatusCode::TOO_MANY_REQUESTS => {}
            other => panic!("a report answered {other}"),
        }
    }
    assert_eq!(created, 5);
    let manager = app.token("facility_manager").await;
    let list = expect(
        app.get("/api/v1/work-orders?q=Burst&limit=100", &manager)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 5);
}
both!(the_hourly_limit_holds_when_reports_arrive_at_once);
