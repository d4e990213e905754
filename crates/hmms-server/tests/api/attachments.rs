//! Photos, documents and signatures on work orders.

use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::both;
use crate::helpers::{TestApp, expect, work_order_in};

/// A real image of the given size, encoded as `format`.
pub fn image_bytes(w: u32, h: u32, format: image::ImageFormat) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, ((x * y) % 256) as u8])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, format).unwrap();
    out.into_inner()
}

pub async fn upload(
    app: &TestApp,
    token: &str,
    wo: &str,
    name: &str,
    claimed: &str,
    bytes: Vec<u8>,
    kind: Option<&str>,
) -> reqwest::Response {
    let mut form = Form::new().part(
        "file",
        Part::bytes(bytes)
            .file_name(name.to_string())
            .mime_str(claimed)
            .unwrap(),
    );
    if let Some(k) = kind {
        form = form.text("kind", k.to_string());
    }
    app.client
        .post(app.url(&format!("/api/v1/work-orders/{wo}/attachments")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

async fn photos_and_documents_are_stored_checked_and_served(app: TestApp) {
    let tech = app.token("technician").await;
    let staff = app.token("staff").await;
    let wo = work_order_in(&app, "in_progress").await;

    let jpeg = image_bytes(1200, 900, image::ImageFormat::Jpeg);
    let res = upload(
        &app,
        &tech,
        &wo,
        "../../etc/pump front.jpg",
        "image/jpeg",
        jpeg.clone(),
        None,
    )
    .await;
    let photo = expect(res, StatusCode::CREATED).await;
    assert_eq!(photo["kind"], "photo");
    assert_eq!(photo["contentType"], "image/jpeg");
    assert_eq!(photo["fileName"], "pump_front.jpg", "the name is cleaned");
    assert_eq!(photo["sha256"], hex::encode(Sha256::digest(&jpeg)));
    let content = app.get(photo["url"].as_str().unwrap(), &staff).await;
    assert_eq!(content.status(), StatusCode::OK);
    assert_eq!(content.headers()["content-type"], "image/jpeg");
    assert_eq!(content.bytes().await.unwrap().to_vec(), jpeg);
    let thumb = app
        .get(photo["thumbnailUrl"].as_str().unwrap(), &staff)
        .await;
    assert_eq!(thumb.status(), StatusCode::OK);
    let small = image::load_from_memory(&thumb.bytes().await.unwrap()).unwrap();
    assert!(
        small.width() <= 320 && small.height() <= 320,
        "{}x{}",
        small.width(),
        small.height()
    );

    // A PDF from the requester: a document, no thumbnail.
    let pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".to_vec();
    let doc = expect(
        upload(
            &app,
            &staff,
            &wo,
            "service report.pdf",
            "application/pdf",
            pdf,
            None,
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(doc["kind"], "document");
    assert!(doc["thumbnailUrl"].is_null());
    let res = app.get(doc["url"].as_str().unwrap(), &tech).await;
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );

    let list = expect(
        app.get(&format!("/api/v1/work-orders/{wo}/attachments"), &staff)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(list.as_array().unwrap().len(), 2);
    let history = expect(
        app.get(&format!("/api/v1/work-orders/{wo}/history"), &staff)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        history
            .as_array()
            .unwrap()
            .iter()
            .filter(|h| h["kind"] == "attachment")
            .count(),
        2
    );

    // The vendor is not on this work order: the file is not there for it.
    let vendor = app.token("vendor").await;
    expect(
        app.get(photo["url"].as_str().unwrap(), &vendor).await,
        StatusCode::NOT_FOUND,
    )
    .await;
}
both!(photos_and_documents_are_stored_checked_and_served);

async fn files_are_judged_by_their_bytes(app: TestApp) {
    let tech = app.token("technician").await;
    let wo = work_order_in(&app, "in_progress").await;
    let p: Value = upload(
        &app,
        &tech,
        &wo,
        "photo.jpg",
        "image/jpeg",
        b"#!/bin/sh\nrm -rf /\n".to_vec(),
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(p["status"], 415, "{p}");
    let mut broken = vec![0xFF, 0xD8, 0xFF, 0xE0];
    broken.extend(std::iter::repeat_n(7u8, 500));
    let res = upload(&app, &tech, &wo, "broken.jpg", "image/jpeg", broken, None).await;
    let p = expect(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(p["errors"][0]["field"], "file");
    let pdf = b"%PDF-1.4\n%%EOF\n".to_vec();
    expect(
        upload(
            &app,
            &tech,
            &wo,
            "sig.pdf",
            "application/pdf",
            pdf,
            Some("signature"),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let png = image_bytes(300, 120, image::ImageFormat::Png);
    let sig = expect(
        upload(
            &app,
            &tech,
            &wo,
            "signature.png",
            "image/png",
            png,
            Some("signature"),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(sig["kind"], "signature");
    let empty = Form::new().text("kind", "photo");
    let res = app
        .client
        .post(app.url(&format!("/api/v1/work-orders/{wo}/attachments")))
        .bearer_auth(&tech)
        .multipart(empty)
        .send()
        .await
        .unwrap();
    expect(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    // Nothing was stored for the refused files.
    let list = expect(
        app.get(&format!("/api/v1/work-orders/{wo}/attachments"), &tech)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(list.as_array().unwrap().len(), 1);
}
both!(files_are_judged_by_their_bytes);

async fn uploads_have_their_own_size_limit(app: TestApp) {
    let tech = app.token("technician").await;
    let wo = work_order_in(&app, "in_progress").await;
    // Larger than a JSON body may be (1 MiB), well within an upload (20 MB).
    let big = image_bytes(1400, 1400, image::ImageFormat::Png);
    assert!(big.len() > 1024 * 1024, "{} bytes", big.len());
    expect(
        upload(&app, &tech, &wo, "big.png", "image/png", big, None).await,
        StatusCode::CREATED,
    )
    .await;
    // Declaring more than the upload limit is refused before anything is sent.
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = app.base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST /api/v1/work-orders/{wo}/attachments HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {tech}\r\n\
         Content-Type: multipart/form-data; boundary=x\r\nContent-Length: {}\r\n\r\n",
        25 * 1024 * 1024
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut buf = vec![0u8; 4096];
    let n = stream.read(&mut buf).await.unwrap();
    let answer = String::from_utf8_lossy(&buf[..n]);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    // Sent in chunks without a declared length, it is refused as too large too (413, not 400),
    // on every kind of upload (issue 13 finding 11).
    let head = "--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.png\"\r\nContent-Type: image/png\r\n\r\n";
    let manager = app.token("facility_manager").await;
    let icu = app.department_id("SMGH", "ICU").await;
    let asset = expect(
        app.post(
            "/api/v1/assets",
            &manager,
            serde_json::json!({ "tag": "SMGH-ICU-DOC-001", "name": "Ventilator", "departmentId": icu }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    for (path, token, content_type, first) in [
        (
            format!("/api/v1/work-orders/{wo}/attachments"),
            &tech,
            "multipart/form-data; boundary=x",
            head,
        ),
        (
            format!("/api/v1/assets/{asset}/documents"),
            &manager,
            "multipart/form-data; boundary=x",
            head,
        ),
        (
            "/api/v1/assets/import".to_string(),
            &manager,
            "text/csv",
            "tag,name\n",
        ),
    ] {
        let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        let (mut rd, mut wr) = stream.into_split();
        let request = format!(
            "POST {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
             Content-Type: {content_type}\r\nTransfer-Encoding: chunked\r\n\r\n"
        );
        let first = first.to_string();
        // The server answers as soon as the body passes the limit; keep sending meanwhile, as
        // a client would, and stop when it hangs up.
        let writer = tokio::spawn(async move {
            let send = |b: Vec<u8>| {
                let mut framed = format!("{:x}\r\n", b.len()).into_bytes();
                framed.extend(b);
                framed.extend(b"\r\n");
                framed
            };
            let mut out = request.into_bytes();
            out.extend(send(first.into_bytes()));
            if wr.write_all(&out).await.is_err() {
                return;
            }
            for _ in 0..25 {
                if wr.write_all(&send(vec![b'a'; 1024 * 1024])).await.is_err() {
                    return;
                }
            }
            let _ = wr.write_all(b"0\r\n\r\n").await;
        });
        let mut answer = vec![0u8; 4096];
        let n = rd.read(&mut answer).await.unwrap();
        let answer = String::from_utf8_lossy(&answer[..n]).to_string();
        assert!(answer.starts_with("HTTP/1.1 413"), "{path}: {answer}");
        writer.abort();
    }
}
both!(uploads_have_their_own_size_limit);
