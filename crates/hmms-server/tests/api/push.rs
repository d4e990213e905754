//! Web Push through a real HTTP push-service stand-in: subscriptions, VAPID-signed and
//! RFC 8291-encrypted deliveries on assignment and SLA breach, gone subscriptions forgotten.

use std::time::Duration;

use aes_gcm::aead::{Aead, KeyInit};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode as AxumStatus};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use hkdf::Hkdf;
use p256::ecdsa::signature::Verifier;
use p256::elliptic_curve::sec1::ToEncodedPoint;
use rand::RngCore;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sha2::Sha256;
use tokio::sync::mpsc;

use crate::both;
use crate::helpers::{TestApp, expect, work_order_in};

/// What the push service received.
#[derive(Debug)]
struct Delivery {
    device: String,
    headers: HeaderMap,
    body: Bytes,
}

/// A push-service stand-in on a free port: `/push/gone` answers 410 (unsubscribed), any other
/// device 201.
async fn push_service() -> (String, mpsc::UnboundedReceiver<Delivery>) {
    let (tx, rx) = mpsc::unbounded_channel();
    async fn receive(
        State(tx): State<mpsc::UnboundedSender<Delivery>>,
        Path(device): Path<String>,
        headers: HeaderMap,
        body: Bytes,
    ) -> AxumStatus {
        let gone = device == "gone";
        let _ = tx.send(Delivery {
            device,
            headers,
            body,
        });
        if gone {
            AxumStatus::GONE
        } else {
            AxumStatus::CREATED
        }
    }
    let app = axum::Router::new()
        .route("/push/{device}", axum::routing::post(receive))
        .with_state(tx);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (base, rx)
}

/// A browser's side of a subscription.
struct Device {
    key: p256::SecretKey,
    auth: [u8; 16],
}

impl Device {
    fn new() -> Self {
        let mut auth = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut auth);
        Self {
            key: p256::SecretKey::random(&mut rand::rngs::OsRng),
            auth,
        }
    }

    fn keys(&self) -> Value {
        json!({
            "p256dh": B64URL.encode(self.key.public_key().to_encoded_point(false).as_bytes()),
            "auth": B64URL.encode(self.auth),
        })
    }

    /// What the browser does with an `aes128gcm` push (RFC 8291 §3, RFC 8188 §2).
    fn decrypt(&self, body: &[u8]) -> Value {
        let salt = &body[..16];
        let id_len = body[20] as usize;
        let as_public = p256::PublicKey::from_sec1_bytes(&body[21..21 + id_len]).unwrap();
        let ciphertext = &body[21 + id_len..];
        let shared =
            p256::ecdh::diffie_hellman(self.key.to_nonzero_scalar(), as_public.as_affine());
        let mut info = b"WebPush: info\0".to_vec();
        info.extend_from_slice(self.key.public_key().to_encoded_point(false).as_bytes());
        info.extend_from_slice(as_public.to_encoded_point(false).as_bytes());
        let mut ikm = [0u8; 32];
        Hkdf::<Sha256>::new(Some(&self.auth), shared.raw_secret_bytes())
            .expand(&info, &mut ikm)
            .unwrap();
        let hk = Hkdf::<Sha256>::new(Some(salt), &ikm);
        let (mut cek, mut nonce) = ([0u8; 16], [0u8; 12]);
        hk.expand(b"Content-Encoding: aes128gcm\0", &mut cek)
            .unwrap();
        hk.expand(b"Content-Encoding: nonce\0", &mut nonce).unwrap();
        let mut plain = aes_gcm::Aes128Gcm::new_from_slice(&cek)
            .unwrap()
            .decrypt(aes_gcm::Nonce::from_slice(&nonce), ciphertext)
            .expect("the push decrypts with the subscription's keys");
        while plain.last() == Some(&0) {
            plain.pop();
        }
        assert_eq!(plain.pop(), Some(2), "last-record delimiter");
        serde_json::from_slice(&plain).unwrap()
    }
}

/// Checks the `Authorization: vapid` header: signed by the advertised key, for this origin.
fn check_vapid(headers: &HeaderMap, server_key: &str, audience: &str) {
    let auth = headers["authorization"].to_str().unwrap();
    let (t, k) = auth
        .strip_prefix("vapid t=")
        .and_then(|r| r.split_once(", k="))
        .expect("vapid t=…, k=…");
    assert_eq!(k, server_key, "signed with the key browsers were given");
    let (input, sig) = t.rsplit_once('.').unwrap();
    let vk = p256::ecdsa::VerifyingKey::from_sec1_bytes(&B64URL.decode(k).unwrap()).unwrap();
    let sig = p256::ecdsa::Signature::from_slice(&B64URL.decode(sig).unwrap()).unwrap();
    vk.verify(input.as_bytes(), &sig)
        .expect("ES256 signature verifies");
    let claims: Value =
        serde_json::from_slice(&B64URL.decode(input.split_once('.').unwrap().1).unwrap()).unwrap();
    assert_eq!(claims["aud"], audience);
    let exp = claims["exp"].as_i64().unwrap();
    let now = chrono::Utc::now().timestamp();
    assert!(exp > now && exp <= now + 24 * 3600, "exp within 24 h");
    assert!(claims["sub"].as_str().unwrap().starts_with("mailto:"));
}

async fn next(rx: &mut mpsc::UnboundedReceiver<Delivery>) -> Delivery {
    tokio::time::timeout(Duration::from_secs(15), rx.recv())
        .await
        .expect("a push within 15 s")
        .unwrap()
}

async fn subscribe(app: &TestApp, token: &str, endpoint: &str, device: &Device) -> Value {
    let res = app
        .post(
            "/api/v1/push/subscriptions",
            token,
            json!({ "endpoint": endpoint, "keys": device.keys(), "expirationTime": null }),
        )
        .await;
    expect(res, StatusCode::CREATED).await
}

async fn assignments_and_breaches_reach_the_phone(app: TestApp) {
    let (service, mut rx) = push_service().await;
    let tech = app.token("technician").await;
    let manager = app.token("facility_manager").await;
    let key = expect(
        app.get("/api/v1/push/vapid-public-key", &tech).await,
        StatusCode::OK,
    )
    .await["publicKey"]
        .as_str()
        .unwrap()
        .to_string();

    // Nonsense subscriptions are refused, field by field.
    let phone = Device::new();
    for (body, field) in [
        (
            json!({ "endpoint": "ftp://push.example/x", "keys": phone.keys() }),
            "endpoint",
        ),
        (
            json!({ "endpoint": "http://push.example.com/x", "keys": phone.keys() }),
            "endpoint",
        ),
        (
            json!({ "endpoint": format!("{service}/push/x"), "keys": { "p256dh": "AAAA", "auth": "BTBZMqHH6r4Tts7J_aSIgg" } }),
            "keys.p256dh",
        ),
        (
            json!({ "endpoint": format!("{service}/push/x"), "keys": { "p256dh": phone.keys()["p256dh"], "auth": "c2hvcnQ" } }),
            "keys.auth",
        ),
    ] {
        let p = expect(
            app.post("/api/v1/push/subscriptions", &tech, body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(p["errors"][0]["field"], field);
    }

    // The technician's phone, and an old tablet whose subscription the push service dropped.
    let sub = subscribe(&app, &tech, &format!("{service}/push/phone"), &phone).await;
    let tablet = Device::new();
    subscribe(&app, &tech, &format!("{service}/push/gone"), &tablet).await;
    let mine = expect(
        app.get("/api/v1/push/subscriptions", &tech).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(mine.as_array().unwrap().len(), 2);
    // Nobody else sees or removes them.
    let other = app.token("staff").await;
    let theirs = expect(
        app.get("/api/v1/push/subscriptions", &other).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(theirs.as_array().unwrap().len(), 0);
    expect(
        app.delete(
            &format!("/api/v1/push/subscriptions/{}", sub["id"].as_str().unwrap()),
            &other,
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;

    // New work: a push each to the phone and the tablet, encrypted for each, signed by HMMS.
    let wo = work_order_in(&app, "pending").await;
    let tech_id = app.user_id("technician@demo.hmms").await;
    let assigned = expect(
        app.patch(
            &format!("/api/v1/work-orders/{wo}"),
            &manager,
            json!({ "assigneeId": tech_id }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let mut got = [next(&mut rx).await, next(&mut rx).await];
    got.sort_by(|a, b| a.device.cmp(&b.device));
    assert_eq!(got[0].device, "gone");
    assert_eq!(got[1].device, "phone");
    for (d, device) in got.iter().zip([&tablet, &phone]) {
        assert_eq!(d.headers["content-encoding"], "aes128gcm");
        assert_eq!(d.headers["urgency"], "normal");
        assert!(d.headers.contains_key("ttl"));
        check_vapid(&d.headers, &key, &service);
        let msg = device.decrypt(&d.body);
        assert_eq!(msg["kind"], "work_order_assigned");
        assert_eq!(msg["entityId"], wo);
        assert_eq!(
            msg["title"],
            format!("New work: {}", assigned["code"].as_str().unwrap())
        );
    }
    // The push service said the tablet is gone: HMMS forgets it.
    let mut remaining = 2;
    for _ in 0..50 {
        let mine = expect(
            app.get("/api/v1/push/subscriptions", &tech).await,
            StatusCode::OK,
        )
        .await;
        remaining = mine.as_array().unwrap().len();
        if remaining == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(remaining, 1, "the gone subscription was removed");

    // The work breaches its deadline: an urgent push.
    app.advance(chrono::Duration::hours(25));
    let admin = app.admin().await;
    expect(
        app.request(
            Method::POST,
            "/api/v1/admin/jobs/sla-check/run",
            Some(&admin),
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let d = next(&mut rx).await;
    assert_eq!(d.device, "phone");
    assert_eq!(d.headers["urgency"], "high");
    let msg = phone.decrypt(&d.body);
    assert!(
        ["sla_breached", "sla_escalated"].contains(&msg["kind"].as_str().unwrap()),
        "{msg}"
    );

    // Unsubscribed: nothing more, even for new work.
    let tech = app.token("technician").await;
    expect(
        app.delete(
            &format!("/api/v1/push/subscriptions/{}", sub["id"].as_str().unwrap()),
            &tech,
        )
        .await,
        StatusCode::NO_CONTENT,
    )
    .await;
    while let Ok(Some(extra)) = tokio::time::timeout(Duration::from_millis(1500), rx.recv()).await {
        // Other SLA notifications of the same run may still arrive; none after this point.
        assert_eq!(extra.device, "phone");
    }
    work_order_in(&app, "assigned").await;
    assert!(
        tokio::time::timeout(Duration::from_secs(3), rx.recv())
            .await
            .is_err(),
        "no push after unsubscribing"
    );
}
both!(assignments_and_breaches_reach_the_phone);

/// Issue 13 finding 3: the server pushes only to push services on the internet. Addresses on
/// this machine or its network are refused when subscribing, and a subscription that points
/// inside anyway (its host re-pointed after it was made, or written into the database) gets
/// nothing at send time.
async fn pushes_go_only_to_the_internet(app: TestApp) {
    let (service, mut rx) = push_service().await;
    let guarded = crate::helpers::spawn_configured(app.backend, true, false, |c| {
        c.push_allow_loopback = false;
    })
    .await
    .unwrap();
    let tech = guarded.token("technician").await;
    let phone = Device::new();
    for endpoint in [
        format!("{service}/push/phone"),
        "https://127.0.0.1/push".into(),
        "https://localhost:8443/push".into(),
        "https://[::1]/push".into(),
        "https://10.0.0.7/push".into(),
        "https://169.254.169.254/latest/meta-data".into(),
        "https://[::ffff:127.0.0.1]/push".into(),
    ] {
        let p = expect(
            guarded
                .post(
                    "/api/v1/push/subscriptions",
                    &tech,
                    json!({ "endpoint": endpoint, "keys": phone.keys() }),
                )
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(p["errors"][0]["field"], "endpoint", "{endpoint}: {p}");
    }

    // Written in behind the API's back: still nothing is sent there.
    use sea_orm::{ActiveModelTrait, ActiveValue::Set};
    let tech_id: uuid::Uuid = guarded
        .user_id("technician@demo.hmms")
        .await
        .parse()
        .unwrap();
    let keys = phone.keys();
    let org = guarded.get_ok("/api/v1/organization").await["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let endpoint = format!("{service}/push/inside");
    hmms_store::entities::push_subscription::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        organization_id: Set(org),
        user_id: Set(tech_id),
        endpoint_hash: Set(endpoint.clone()),
        endpoint: Set(endpoint),
        p256dh: Set(keys["p256dh"].as_str().unwrap().into()),
        auth: Set(keys["auth"].as_str().unwrap().into()),
        user_agent: Set(None),
        created_at: Set(chrono::Utc::now()),
        last_success_at: Set(None),
        failures: Set(0),
    }
    .insert(&guarded.state.db)
    .await
    .unwrap();
    let wo = work_order_in(&guarded, "pending").await;
    let manager = guarded.token("facility_manager").await;
    expect(
        guarded
            .patch(
                &format!("/api/v1/work-orders/{wo}"),
                &manager,
                json!({ "assigneeId": tech_id }),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    let got = tokio::time::timeout(Duration::from_secs(5), rx.recv()).await;
    assert!(
        got.is_err(),
        "a push reached an address inside: {:?}",
        got.ok().flatten().map(|d| d.device)
    );
    let mine = expect(
        guarded.get("/api/v1/push/subscriptions", &tech).await,
        StatusCode::OK,
    )
    .await;
    assert!(mine.to_string().contains("inside"));
    assert!(mine[0]["lastSuccessAt"].is_null(), "{mine}");
}
both!(pushes_go_only_to_the_internet);
