//! Files in an S3-compatible bucket: a real S3 server (moto, from PyPI) is started for each test;
//! the client uploads straight to a pre-signed URL and the server records what arrived.
//!
//! moto is found through `HMMS_MOTO_SERVER` or `.venv/bin/moto_server` (`scripts/test` installs
//! it). Without it these tests say so and pass only if `HMMS_REQUIRE_S3` is not set; the README
//! test command sets it.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::attachments::{image_bytes, upload};
use crate::helpers::{Backend, TestApp, expect, spawn_configured, work_order_in};

const BUCKET: &str = "hmms-test";

/// A moto S3 server on a free port, stopped when dropped.
pub struct S3Server {
    pub endpoint: String,
    child: Child,
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn moto_binary() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("HMMS_MOTO_SERVER") {
        return Some(PathBuf::from(p));
    }
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin/moto_server");
    venv.exists().then_some(venv)
}

async fn start_s3() -> Option<S3Server> {
    let Some(bin) = moto_binary() else {
        assert!(
            std::env::var_os("HMMS_REQUIRE_S3").is_none(),
            "HMMS_REQUIRE_S3 is set but no moto_server was found (set HMMS_MOTO_SERVER)"
        );
        eprintln!("S3 tests skipped: no moto_server (run scripts/test, or set HMMS_MOTO_SERVER)");
        return None;
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(bin)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("moto_server starts");
    let server = S3Server {
        endpoint: format!("http://127.0.0.1:{port}"),
        child,
    };
    let client = reqwest::Client::new();
    for _ in 0..200 {
        if client
            .get(format!("{}/moto-api/", server.endpoint))
            .send()
            .await
            .is_ok()
        {
            // moto accepts unsigned requests: make the bucket.
            let res = client
                .put(format!("{}/{BUCKET}", server.endpoint))
                .send()
                .await
                .unwrap();
            assert!(res.status().is_success(), "bucket: {}", res.status());
            return Some(server);
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("moto_server did not start");
}

async fn spawn_on_s3(backend: Backend) -> Option<(TestApp, S3Server)> {
    let s3 = start_s3().await?;
    let url = format!("s3://{BUCKET}?region=us-east-1&endpoint={}", s3.endpoint);
    let app = spawn_configured(backend, true, false, |c| {
        c.storage_url = Some(url);
        c.storage_access_key_id = Some("hmms-test-key".into());
        c.storage_secret_access_key = Some("hmms-test-secret".into());
        c.max_upload_bytes = 512 * 1024;
    })
    .await?;
    Some((app, s3))
}

/// Keys of the objects in the bucket.
async fn bucket_keys(s3: &S3Server) -> Vec<String> {
    let xml = reqwest::get(format!("{}/{BUCKET}?list-type=2", s3.endpoint))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    xml.split("<Key>")
        .skip(1)
        .filter_map(|s| s.split_once("</Key>").map(|(k, _)| k.to_string()))
        .collect()
}

async fn begin(app: &TestApp, token: &str, wo: &str, body: Value) -> reqwest::Response {
    app.post(
        &format!("/api/v1/work-orders/{wo}/attachments/direct"),
        token,
        body,
    )
    .await
}

async fn complete(app: &TestApp, token: &str, wo: &str, upload_id: &Value) -> reqwest::Response {
    app.post(
        &format!("/api/v1/work-orders/{wo}/attachments/direct/complete"),
        token,
        json!({ "uploadId": upload_id }),
    )
    .await
}

async fn put(url: &Value, content_type: &str, bytes: Vec<u8>) -> StatusCode {
    reqwest::Client::new()
        .put(url.as_str().unwrap())
        .header("content-type", content_type)
        .body(bytes)
        .send()
        .await
        .unwrap()
        .status()
}

async fn photos_go_straight_to_the_bucket(app: TestApp, s3: S3Server) {
    let tech = app.token("technician").await;
    let staff = app.token("staff").await;
    let wo = work_order_in(&app, "in_progress").await;
    let jpeg = image_bytes(1024, 768, image::ImageFormat::Jpeg);

    // The technician asks where to send the photo and gets a signed URL of the bucket.
    let ticket = expect(
        begin(
            &app,
            &tech,
            &wo,
            json!({ "contentType": "image/jpeg", "sizeBytes": jpeg.len(),
                    "fileName": "pump front.jpg" }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let url = ticket["uploadUrl"].as_str().unwrap();
    assert!(
        url.starts_with(&format!("{}/{BUCKET}/", s3.endpoint)),
        "{url}"
    );
    assert!(url.contains("X-Amz-Signature="), "{url}");
    assert_eq!(ticket["method"], "PUT");

    // Recording before anything arrived says so.
    let p = expect(
        complete(&app, &tech, &wo, &ticket["uploadId"]).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("Nothing has arrived")
    );

    // The bytes go to S3, not through HMMS; then the server records them.
    assert!(
        put(&ticket["uploadUrl"], "image/jpeg", jpeg.clone())
            .await
            .is_success()
    );
    let a = expect(
        complete(&app, &tech, &wo, &ticket["uploadId"]).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(a["contentType"], "image/jpeg");
    assert_eq!(a["kind"], "photo");
    assert_eq!(
        a["fileName"], "pump_front.jpg",
        "cleaned like other uploads"
    );
    assert_eq!(a["sizeBytes"], jpeg.len());
    assert_eq!(a["sha256"], hex::encode(Sha256::digest(&jpeg)));
    let keys = bucket_keys(&s3).await;
    let id = a["id"].as_str().unwrap();
    assert!(
        keys.iter().any(|k| k.ends_with(&format!("{id}.jpg"))),
        "{keys:?}"
    );
    assert!(
        keys.iter().any(|k| k.ends_with(&format!("{id}.thumb.jpg"))),
        "{keys:?}"
    );

    // Readers of the work order download it (and its thumbnail) through HMMS.
    let res = app
        .get(
            a["url"].as_str().unwrap().trim_start_matches(&app.base),
            &staff,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.bytes().await.unwrap().as_ref(), jpeg.as_slice());
    let thumb = app
        .get(
            a["thumbnailUrl"]
                .as_str()
                .unwrap()
                .trim_start_matches(&app.base),
            &staff,
        )
        .await;
    let thumb = image::load_from_memory(&thumb.bytes().await.unwrap()).unwrap();
    assert_eq!(thumb.width(), 320);
    // It is in the work order's history, and recording it twice is refused.
    let history = app
        .get_ok(&format!("/api/v1/work-orders/{wo}/history"))
        .await;
    assert!(
        history
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["kind"] == "attachment")
    );
    expect(
        complete(&app, &tech, &wo, &ticket["uploadId"]).await,
        StatusCode::CONFLICT,
    )
    .await;

    // The ticket is the technician's, for this work order only.
    let other = work_order_in(&app, "in_progress").await;
    expect(
        complete(&app, &tech, &other, &ticket["uploadId"]).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    expect(
        complete(&app, &tech, &wo, &json!("forged.ticket.value")).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;

    // Uploads through the server land in the bucket too.
    let png = image_bytes(64, 64, image::ImageFormat::Png);
    let a = expect(
        upload(&app, &tech, &wo, "dial.png", "image/png", png.clone(), None).await,
        StatusCode::CREATED,
    )
    .await;
    let id = a["id"].as_str().unwrap();
    assert!(
        bucket_keys(&s3)
            .await
            .iter()
            .any(|k| k.ends_with(&format!("{id}.png")))
    );
}

async fn what_arrives_is_checked_and_refusals_leave_nothing(app: TestApp, s3: S3Server) {
    let tech = app.token("technician").await;
    let wo = work_order_in(&app, "in_progress").await;
    // Announced too large, or not a photo or PDF: refused before any URL is given.
    expect(
        begin(
            &app,
            &tech,
            &wo,
            json!({ "contentType": "image/png", "sizeBytes": 600 * 1024 }),
        )
        .await,
        StatusCode::PAYLOAD_TOO_LARGE,
    )
    .await;
    expect(
        begin(
            &app,
            &tech,
            &wo,
            json!({ "contentType": "text/html", "sizeBytes": 10 }),
        )
        .await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
    )
    .await;

    // Announced as a PNG, but a script arrives: refused, and deleted from the bucket.
    let ticket = expect(
        begin(
            &app,
            &tech,
            &wo,
            json!({ "contentType": "image/png", "sizeBytes": 40 }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let script = b"<script>alert('not a picture')</script>".to_vec();
    assert!(
        put(&ticket["uploadUrl"], "image/png", script)
            .await
            .is_success()
    );
    assert_eq!(bucket_keys(&s3).await.len(), 1);
    expect(
        complete(&app, &tech, &wo, &ticket["uploadId"]).await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
    )
    .await;
    assert_eq!(bucket_keys(&s3).await, Vec::<String>::new());

    // Announced small, but a larger file is sent: the real size counts.
    let big = image_bytes(900, 900, image::ImageFormat::Png);
    assert!(big.len() > 512 * 1024, "test image must exceed the limit");
    let ticket = expect(
        begin(
            &app,
            &tech,
            &wo,
            json!({ "contentType": "image/png", "sizeBytes": 1000 }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert!(
        put(&ticket["uploadUrl"], "image/png", big)
            .await
            .is_success()
    );
    expect(
        complete(&app, &tech, &wo, &ticket["uploadId"]).await,
        StatusCode::PAYLOAD_TOO_LARGE,
    )
    .await;
    assert_eq!(bucket_keys(&s3).await, Vec::<String>::new());
    let list = app
        .get_ok(&format!("/api/v1/work-orders/{wo}/attachments"))
        .await;
    assert_eq!(list.as_array().unwrap().len(), 0, "nothing recorded");

    // Someone who may not attach files gets no URL.
    let it = app.token("it").await;
    expect(
        begin(
            &app,
            &it,
            &wo,
            json!({ "contentType": "image/png", "sizeBytes": 10 }),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
}

macro_rules! on_s3 {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                if let Some((app, s3)) = super::spawn_on_s3(crate::helpers::Backend::Sqlite).await {
                    super::$name(app, s3).await;
                }
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some((app, s3)) = super::spawn_on_s3(crate::helpers::Backend::Postgres).await
                {
                    super::$name(app, s3).await;
                }
            }
        }
    };
}
on_s3!(photos_go_straight_to_the_bucket);
on_s3!(what_arrives_is_checked_and_refusals_leave_nothing);
