//! Sign-in, sessions, throttling and the second factor.

use hmms_demo::DEMO_PASSWORD;
use reqwest::{Method, StatusCode};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

use crate::both;
use crate::helpers::{TestApp, expect};

async fn unknown_email_and_wrong_password_get_the_same_answer(app: TestApp) {
    let wrong = app.login_raw("staff@demo.hmms", "not-the-password").await;
    let unknown = app.login_raw("nobody@demo.hmms", "not-the-password").await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    assert!(
        wrong.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Bearer")
    );
    let a: Value = wrong.json().await.unwrap();
    let b: Value = unknown.json().await.unwrap();
    assert_eq!(a["detail"], b["detail"]);
    assert_eq!(a["type"], b["type"]);
}
both!(unknown_email_and_wrong_password_get_the_same_answer);

async fn refresh_rotates_and_reuse_ends_the_session(app: TestApp) {
    let first = app.sign_in("staff@demo.hmms", DEMO_PASSWORD).await;
    let r1 = first["refreshToken"].as_str().unwrap();
    let res = app
        .request(
            Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(json!({ "refreshToken": r1 })),
        )
        .await;
    let second = expect(res, StatusCode::OK).await;
    let r2 = second["refreshToken"].as_str().unwrap();
    assert_ne!(r1, r2, "refresh rotates the token");
    expect(
        app.get("/api/v1/auth/me", second["accessToken"].as_str().unwrap())
            .await,
        StatusCode::OK,
    )
    .await;

    // The old token again: reuse. 401, and the newer token of the same session dies with it.
    let res = app
        .request(
            Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(json!({ "refreshToken": r1 })),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = app
        .request(
            Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(json!({ "refreshToken": r2 })),
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::UNAUTHORIZED,
        "the whole family is revoked"
    );
    // Its access token stops at once, not when it expires 15 minutes later.
    let res = app
        .get("/api/v1/auth/me", second["accessToken"].as_str().unwrap())
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);

    // Another sign-in is a separate session and is untouched.
    let other = app.sign_in("staff@demo.hmms", DEMO_PASSWORD).await;
    let res = app
        .request(
            Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(json!({ "refreshToken": other["refreshToken"] })),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
}
both!(refresh_rotates_and_reuse_ends_the_session);

async fn logout_ends_the_session(app: TestApp) {
    let t = app.sign_in("technician@demo.hmms", DEMO_PASSWORD).await;
    let other = app.sign_in("technician@demo.hmms", DEMO_PASSWORD).await;
    let access = t["accessToken"].as_str().unwrap();
    expect(app.get("/api/v1/auth/me", access).await, StatusCode::OK).await;
    let res = app
        .request(
            Method::POST,
            "/api/v1/auth/logout",
            None,
            Some(json!({ "refreshToken": t["refreshToken"] })),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = app
        .request(
            Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(json!({ "refreshToken": t["refreshToken"] })),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    // The access token of the signed-out session stops at once; the phone's sign-in goes on.
    let p = expect(
        app.get("/api/v1/auth/me", access).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert!(
        p["detail"].as_str().unwrap().contains("Sign in again"),
        "{p}"
    );
    expect(
        app.get("/api/v1/auth/me", other["accessToken"].as_str().unwrap())
            .await,
        StatusCode::OK,
    )
    .await;
}
both!(logout_ends_the_session);

async fn five_failures_lock_the_account_until_the_lock_passes(app: TestApp) {
    for _ in 0..5 {
        assert_eq!(
            app.login_raw("staff@demo.hmms", "wrong password!")
                .await
                .status(),
            StatusCode::UNAUTHORIZED
        );
    }
    // Even the right password waits now.
    let res = app.login_raw("staff@demo.hmms", DEMO_PASSWORD).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: i64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "retry after {retry}s");
    // Unknown addresses are throttled alike, so the lock does not reveal who has an account.
    for _ in 0..5 {
        app.login_raw("ghost@demo.hmms", "wrong password!").await;
    }
    assert_eq!(
        app.login_raw("ghost@demo.hmms", "wrong password!")
            .await
            .status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    // Other accounts are unaffected.
    assert_eq!(
        app.login_raw("technician@demo.hmms", DEMO_PASSWORD)
            .await
            .status(),
        StatusCode::OK
    );

    app.state.clock.advance(chrono::Duration::seconds(61));
    assert_eq!(
        app.login_raw("staff@demo.hmms", DEMO_PASSWORD)
            .await
            .status(),
        StatusCode::OK
    );
}
both!(five_failures_lock_the_account_until_the_lock_passes);

async fn many_failures_from_one_address_lock_the_address(app: TestApp) {
    for i in 0..20 {
        app.login_raw(&format!("guess{i}@demo.hmms"), "wrong password!")
            .await;
    }
    let res = app.login_raw("procurement@demo.hmms", DEMO_PASSWORD).await;
    assert_eq!(
        res.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "the address is locked across accounts"
    );
}
both!(many_failures_from_one_address_lock_the_address);

async fn second_factor_is_asked_and_a_code_works_once(app: TestApp) {
    let res = app.login_raw("admin@demo.hmms", DEMO_PASSWORD).await;
    let body = expect(res, StatusCode::OK).await;
    assert_eq!(body["status"], "otp_required");
    assert!(
        body["tokens"].is_null(),
        "no tokens before the second factor"
    );
    let code = app.next_code("admin@demo.hmms");
    let app = &app;
    let verify = |challenge: Value, code: String| async move {
        app.request(
            Method::POST,
            "/api/v1/auth/verify-otp",
            None,
            Some(json!({ "challengeToken": challenge, "code": code })),
        )
        .await
    };
    let ok = expect(
        verify(body["challengeToken"].clone(), code.clone()).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(ok["status"], "ok");
    let access = ok["tokens"]["accessToken"].as_str().unwrap().to_string();
    expect(app.get("/api/v1/users", &access).await, StatusCode::OK).await;

    // The same code again, within its window, in a new sign-in: refused.
    let again = expect(
        app.login_raw("admin@demo.hmms", DEMO_PASSWORD).await,
        StatusCode::OK,
    )
    .await;
    let res = verify(again["challengeToken"].clone(), code).await;
    assert_eq!(
        res.status(),
        StatusCode::UNAUTHORIZED,
        "a used code cannot be replayed"
    );
    // A challenge token is not an access token.
    let res = app
        .get("/api/v1/auth/me", again["challengeToken"].as_str().unwrap())
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}
both!(second_factor_is_asked_and_a_code_works_once);

/// A new administrator must enrol a second factor before anything else.
async fn mandatory_enrolment_gate(app: TestApp) {
    let admin = app.admin().await;
    let res = app
        .post(
            "/api/v1/users",
            &admin,
            json!({ "email": "second.admin@demo.hmms", "name": "Second Admin", "role": "admin", "password": "a long enough password" }),
        )
        .await;
    expect(res, StatusCode::CREATED).await;
    let login = expect(
        app.login_raw("second.admin@demo.hmms", "a long enough password")
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(login["status"], "ok");
    assert_eq!(login["twoFactorEnrolmentRequired"], true);
    let limited = login["tokens"]["accessToken"].as_str().unwrap().to_string();

    let res = app.get("/api/v1/users", &limited).await;
    let problem = expect(res, StatusCode::FORBIDDEN).await;
    assert_eq!(problem["type"], "urn:hmms:problem:totp-enrolment-required");
    let me = expect(app.get("/api/v1/auth/me", &limited).await, StatusCode::OK).await;
    assert_eq!(me["twoFactorRequired"], true);
    assert_eq!(me["twoFactorEnabled"], false);

    let setup = expect(
        app.request(
            Method::POST,
            "/api/v1/auth/totp/setup",
            Some(&limited),
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let uri = setup["otpauthUri"].as_str().unwrap();
    assert!(
        uri.starts_with("otpauth://totp/HMMS:second.admin%40demo.hmms?")
            || uri.starts_with("otpauth://totp/HMMS:second.admin@demo.hmms?"),
        "{uri}"
    );
    assert!(
        setup["qrSvg"].as_str().unwrap().starts_with("<?xml")
            || setup["qrSvg"].as_str().unwrap().contains("<svg")
    );
    let secret = hmms_server::auth::totp::from_base32(setup["secret"].as_str().unwrap()).unwrap();

    // The secret is stored encrypted: neither the base32 text nor the raw bytes are in the row.
    let row = app
        .state
        .db
        .query_one_raw(Statement::from_string(
            app.state.db.get_database_backend(),
            "SELECT secret_ciphertext FROM totp_secrets WHERE confirmed_at IS NULL",
        ))
        .await
        .unwrap()
        .unwrap();
    let stored: String = row.try_get("", "secret_ciphertext").unwrap();
    assert!(!stored.contains(setup["secret"].as_str().unwrap()));

    let wrong = app
        .post(
            "/api/v1/auth/totp/confirm",
            &limited,
            json!({ "code": "000000" }),
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let code = hmms_server::auth::totp::code_at(&secret, app.state.clock.now());
    let enabled = expect(
        app.post(
            "/api/v1/auth/totp/confirm",
            &limited,
            json!({ "code": code }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let codes: Vec<String> = serde_json::from_value(enabled["recoveryCodes"].clone()).unwrap();
    assert_eq!(codes.len(), 10);
    let full = enabled["tokens"]["accessToken"].as_str().unwrap();
    expect(app.get("/api/v1/users", full).await, StatusCode::OK).await;

    // A recovery code signs in once.
    let challenge = expect(
        app.login_raw("second.admin@demo.hmms", "a long enough password")
            .await,
        StatusCode::OK,
    )
    .await;
    let use_code = |c: &str| {
        app.request(
            Method::POST,
            "/api/v1/auth/verify-otp",
            None,
            Some(json!({ "challengeToken": challenge["challengeToken"], "recoveryCode": c.to_lowercase() })),
        )
    };
    assert_eq!(use_code(&codes[3]).await.status(), StatusCode::OK);
    assert_eq!(use_code(&codes[3]).await.status(), StatusCode::UNAUTHORIZED);

    // The role requires it: it cannot be turned off.
    let res = app
        .post(
            "/api/v1/auth/totp/disable",
            full,
            json!({ "password": "a long enough password", "code": "123456" }),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
}
both!(mandatory_enrolment_gate);

async fn password_change_ends_other_sessions(app: TestApp) {
    let old = app.sign_in("procurement@demo.hmms", DEMO_PASSWORD).await;
    let access = old["accessToken"].as_str().unwrap();
    let res = app
        .post(
            "/api/v1/auth/password",
            access,
            json!({ "currentPassword": "wrong one", "newPassword": "another long password" }),
        )
        .await;
    let p = expect(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(p["errors"][0]["field"], "currentPassword");
    let res = app
        .post(
            "/api/v1/auth/password",
            access,
            json!({ "currentPassword": DEMO_PASSWORD, "newPassword": "short" }),
        )
        .await;
    expect(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    let res = app
        .post(
            "/api/v1/auth/password",
            access,
            json!({ "currentPassword": DEMO_PASSWORD, "newPassword": "another long password" }),
        )
        .await;
    let fresh = expect(res, StatusCode::OK).await;
    // Every earlier sign-in ends at once, access tokens included; the new one works.
    assert_eq!(
        app.get("/api/v1/auth/me", access).await.status(),
        StatusCode::UNAUTHORIZED
    );
    expect(
        app.get("/api/v1/auth/me", fresh["accessToken"].as_str().unwrap())
            .await,
        StatusCode::OK,
    )
    .await;
    let res = app
        .request(
            Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(json!({ "refreshToken": old["refreshToken"] })),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.login_raw("procurement@demo.hmms", DEMO_PASSWORD)
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login_raw("procurement@demo.hmms", "another long password")
            .await
            .status(),
        StatusCode::OK
    );
}
both!(password_change_ends_other_sessions);
