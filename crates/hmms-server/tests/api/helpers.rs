//! `spawn_app()`: a real HMMS server on a fresh database (SQLite file or a new PostgreSQL
//! database, created and dropped per test), bound to port 0, driven over HTTP.

use std::collections::HashMap;
use std::sync::Mutex;

use hmms_demo::{self as demo, DEMO_PASSWORD, DEMO_TOTP_SECRET};
use hmms_server::auth::totp;
use hmms_server::{AppState, Clock, Config};
use reqwest::{Method, Response, StatusCode};
use sea_orm::{ConnectionTrait, Database};
use serde_json::{Value, json};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The seven demo users, by role key.
pub const ROLES: [&str; 7] = [
    "admin",
    "facility_manager",
    "technician",
    "staff",
    "procurement",
    "vendor",
    "it",
];

pub fn demo_email(role: &str) -> String {
    let local = match role {
        "facility_manager" => "manager",
        other => other,
    };
    format!("{local}@demo.hmms")
}

fn pg_admin_url() -> String {
    std::env::var("HMMS_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// Drops the test's PostgreSQL database when the test ends, even if it failed.
struct PgDatabase {
    name: String,
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let name = self.name.clone();
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async {
                if let Ok(db) = Database::connect(pg_admin_url()).await {
                    let _ = db
                        .execute_unprepared(&format!(
                            "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                        ))
                        .await;
                    let _ = db.close().await;
                }
            });
        })
        .join();
    }
}

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub state: AppState,
    pub backend: Backend,
    tokens: Mutex<HashMap<String, String>>,
    otp_steps: Mutex<HashMap<String, i64>>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    _pg: Option<PgDatabase>,
    _dir: tempfile::TempDir,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Whether the PostgreSQL half runs: required in CI (`HMMS_REQUIRE_POSTGRES=1`), skipped with a
/// message on a developer machine without PostgreSQL.
async fn postgres_database() -> Option<(String, PgDatabase)> {
    let required = std::env::var("HMMS_REQUIRE_POSTGRES").is_ok_and(|v| v == "1");
    let admin = match Database::connect(pg_admin_url()).await {
        Ok(db) => db,
        Err(e) => {
            if required {
                panic!(
                    "PostgreSQL is required (HMMS_REQUIRE_POSTGRES=1) but unreachable at {}: {e}",
                    pg_admin_url()
                );
            }
            eprintln!(
                "SKIPPED (PostgreSQL half): no PostgreSQL at {} ({e}); set HMMS_TEST_POSTGRES_URL",
                pg_admin_url()
            );
            return None;
        }
    };
    let name = format!("hmms_test_{}", Uuid::new_v4().simple());
    admin
        .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
        .await
        .expect("create test database");
    let _ = admin.close().await;
    let base = pg_admin_url();
    let url = format!(
        "{}/{name}",
        base.rsplit_once('/').map(|(b, _)| b).unwrap_or(&base)
    );
    Some((url, PgDatabase { name }))
}

/// A server on a fresh database with the demo hospital's places and people (but not its year of
/// work orders, so each test starts from a known state).
pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    spawn_with(backend, true, false).await
}

/// A server on a fresh database, with or without the demo, and with or without its work orders.
pub async fn spawn_with(backend: Backend, demo_data: bool, with_work: bool) -> Option<TestApp> {
    spawn_configured(backend, demo_data, with_work, |_| {}).await
}

/// [`spawn_with`], with changes to the server's configuration.
pub async fn spawn_configured(
    backend: Backend,
    demo_data: bool,
    with_work: bool,
    tweak: impl FnOnce(&mut Config),
) -> Option<TestApp> {
    let dir = tempfile::tempdir().expect("temp dir");
    let (database_url, pg) = match backend {
        Backend::Sqlite => (
            format!("sqlite://{}", dir.path().join("hmms.db").display()),
            None,
        ),
        Backend::Postgres => {
            let (url, guard) = postgres_database().await?;
            (url, Some(guard))
        }
    };
    let mut config = Config {
        data_dir: dir.path().to_path_buf(),
        database_url: Some(database_url.clone()),
        listen: "127.0.0.1:0".into(),
        // The push tests run a push-service stand-in on this machine.
        push_allow_loopback: true,
        ..Config::default()
    };
    tweak(&mut config);
    let state = hmms_server::open(config, Clock::default())
        .await
        .expect("server opens");
    if demo_data {
        assert_eq!(
            demo::load_with(&state, with_work)
                .await
                .expect("demo loads"),
            demo::DemoOutcome::Loaded
        );
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let serve_state = state.clone();
    tokio::spawn(async move {
        let _ = hmms_server::serve(serve_state, listener, async {
            let _ = rx.await;
        })
        .await;
    });
    Some(TestApp {
        base: format!("http://{addr}"),
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client"),
        state,
        backend,
        tokens: Mutex::new(HashMap::new()),
        otp_steps: Mutex::new(HashMap::new()),
        shutdown: Some(tx),
        _pg: pg,
        _dir: dir,
    })
}

/// Runs an async test body against SQLite and against PostgreSQL, as two tests.
#[macro_export]
macro_rules! both {
    ($name:ident, full_demo) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                if let Some(app) =
                    $crate::helpers::spawn_with($crate::helpers::Backend::Sqlite, true, true).await
                {
                    super::$name(app).await;
                }
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) =
                    $crate::helpers::spawn_with($crate::helpers::Backend::Postgres, true, true)
                        .await
                {
                    super::$name(app).await;
                }
            }
        }
    };
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                if let Some(app) =
                    $crate::helpers::spawn_app($crate::helpers::Backend::Sqlite).await
                {
                    super::$name(app).await;
                }
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) =
                    $crate::helpers::spawn_app($crate::helpers::Backend::Postgres).await
                {
                    super::$name(app).await;
                }
            }
        }
    };
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn request(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Response {
        let mut req = self.client.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        req.send().await.expect("request sent")
    }

    pub async fn get(&self, path: &str, token: &str) -> Response {
        self.request(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Response {
        self.request(Method::POST, path, Some(token), Some(body))
            .await
    }

    pub async fn patch(&self, path: &str, token: &str, body: Value) -> Response {
        self.request(Method::PATCH, path, Some(token), Some(body))
            .await
    }

    pub async fn delete(&self, path: &str, token: &str) -> Response {
        self.request(Method::DELETE, path, Some(token), None).await
    }

    pub async fn login_raw(&self, email: &str, password: &str) -> Response {
        self.request(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({ "email": email, "password": password })),
        )
        .await
    }

    /// The current code of the demo TOTP secret, moving the clock to a fresh 30-second step if
    /// this user already used the current one (a code works once).
    pub fn next_code(&self, email: &str) -> String {
        let secret = totp::from_base32(DEMO_TOTP_SECRET).expect("base32");
        let mut steps = self.otp_steps.lock().expect("lock");
        let mut now = self.state.clock.now();
        if steps.get(email).is_some_and(|s| *s >= now.timestamp() / 30) {
            self.state.clock.advance(chrono::Duration::seconds(30));
            now = self.state.clock.now();
        }
        steps.insert(email.into(), now.timestamp() / 30);
        totp::code_at(&secret, now)
    }

    /// Signs in with password (and the demo second factor when asked) and returns the tokens.
    pub async fn sign_in(&self, email: &str, password: &str) -> Value {
        let res = self.login_raw(email, password).await;
        assert_eq!(res.status(), StatusCode::OK, "login of {email}");
        let body: Value = res.json().await.expect("json");
        if body["status"] == "otp_required" {
            let code = self.next_code(email);
            let res = self
                .request(
                    Method::POST,
                    "/api/v1/auth/verify-otp",
                    None,
                    Some(json!({ "challengeToken": body["challengeToken"], "code": code })),
                )
                .await;
            assert_eq!(res.status(), StatusCode::OK, "otp of {email}");
            return res.json::<Value>().await.expect("json")["tokens"].clone();
        }
        body["tokens"].clone()
    }

    /// An access token for a demo role, cached per test.
    /// POSTs a CSV sheet, as an import does.
    pub async fn post_csv(&self, path: &str, token: &str, csv: &str) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .bearer_auth(token)
            .header("content-type", "text/csv")
            .body(csv.to_string())
            .send()
            .await
            .unwrap()
    }

    pub async fn token(&self, role: &str) -> String {
        if let Some(t) = self.tokens.lock().expect("lock").get(role) {
            return t.clone();
        }
        let tokens = self.sign_in(&demo_email(role), DEMO_PASSWORD).await;
        let t = tokens["accessToken"]
            .as_str()
            .expect("access token")
            .to_string();
        self.tokens
            .lock()
            .expect("lock")
            .insert(role.into(), t.clone());
        t
    }

    /// Signs in a user whose role requires a second factor they have not set up, enrols one,
    /// and returns the fully signed-in access token.
    pub async fn enrol(&self, email: &str, password: &str) -> String {
        let t = self.sign_in(email, password).await;
        let limited = t["accessToken"].as_str().expect("token").to_string();
        let res = self
            .request(
                Method::POST,
                "/api/v1/auth/totp/setup",
                Some(&limited),
                None,
            )
            .await;
        let setup = expect(res, StatusCode::OK).await;
        let secret = totp::from_base32(setup["secret"].as_str().expect("secret")).expect("base32");
        let code = totp::code_at(&secret, self.state.clock.now());
        let on = expect(
            self.post(
                "/api/v1/auth/totp/confirm",
                &limited,
                json!({ "code": code }),
            )
            .await,
            StatusCode::OK,
        )
        .await;
        on["tokens"]["accessToken"]
            .as_str()
            .expect("token")
            .to_string()
    }

    /// Moves the server's clock forward. Cached access tokens are dropped: past 15 minutes
    /// they expire, as they would for a real user.
    pub fn advance(&self, by: chrono::Duration) {
        self.state.clock.advance(by);
        self.tokens.lock().expect("lock").clear();
    }

    pub async fn admin(&self) -> String {
        self.token("admin").await
    }

    /// GET as admin, expecting 200, returning the body.
    pub async fn get_ok(&self, path: &str) -> Value {
        let t = self.admin().await;
        let res = self.get(path, &t).await;
        assert_eq!(res.status(), StatusCode::OK, "GET {path}");
        res.json().await.expect("json")
    }

    /// The id of a demo record found by a field of a list endpoint.
    pub async fn find_id(&self, list_path: &str, field: &str, value: &str) -> String {
        let body = self.get_ok(list_path).await;
        body["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|i| i[field] == value)
            .unwrap_or_else(|| panic!("{value} in {list_path}"))["id"]
            .as_str()
            .expect("id")
            .to_string()
    }

    pub async fn user_id(&self, email: &str) -> String {
        self.find_id(
            &format!("/api/v1/users?q={email}&limit=200"),
            "email",
            email,
        )
        .await
    }

    pub async fn site_id(&self, code: &str) -> String {
        self.find_id("/api/v1/sites", "code", code).await
    }

    pub async fn department_id(&self, site_code: &str, code: &str) -> String {
        let site = self.site_id(site_code).await;
        self.find_id(
            &format!("/api/v1/departments?siteId={site}&limit=200"),
            "code",
            code,
        )
        .await
    }

    pub async fn sql(&self, statement: &str) {
        self.state
            .db
            .execute_unprepared(statement)
            .await
            .expect("sql runs");
    }
}

/// Reads a response as JSON, asserting the status first (with the body in the message).
pub async fn expect(res: Response, status: StatusCode) -> Value {
    let got = res.status();
    let text = res.text().await.unwrap_or_default();
    assert_eq!(got, status, "body: {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// A work order raised by the demo ICU nurse and driven to `status` by the facility manager
/// (assigning the demo technician) and the technician. Returns its id.
pub async fn work_order_in(app: &TestApp, status: &str) -> String {
    let staff = app.token("staff").await;
    let res = app
        .post(
            "/api/v1/work-orders",
            &staff,
            json!({ "title": "Suction unit not holding vacuum", "priority": "high" }),
        )
        .await;
    let wo = expect(res, StatusCode::CREATED).await;
    let id = wo["id"].as_str().expect("id").to_string();
    let path = format!("/api/v1/work-orders/{id}");
    let manager = app.token("facility_manager").await;
    let tech = app.token("technician").await;
    let technician_id = app.user_id("technician@demo.hmms").await;
    let step = |token: String, body: Value| {
        let path = path.clone();
        async move { expect(app.patch(&path, &token, body).await, StatusCode::OK).await }
    };
    match status {
        "pending" => {}
        "cancelled" => {
            step(
                manager.clone(),
                json!({ "status": "cancelled", "reason": "Duplicate" }),
            )
            .await;
        }
        _ => {
            step(manager.clone(), json!({ "assigneeId": technician_id })).await;
            if status != "assigned" {
                step(tech.clone(), json!({ "status": "in_progress" })).await;
            }
            if status == "on_hold" {
                step(
                    tech.clone(),
                    json!({ "status": "on_hold", "holdReason": "awaiting_parts" }),
                )
                .await;
            }
            if status == "completed" || status == "closed" {
                let res = app
                    .post(
                        &format!("{path}/complete"),
                        &tech,
                        json!({ "resolutionCategory": "repaired" }),
                    )
                    .await;
                expect(res, StatusCode::OK).await;
            }
            if status == "closed" {
                expect(
                    app.post(&format!("{path}/approve-close"), &manager, json!({}))
                        .await,
                    StatusCode::OK,
                )
                .await;
            }
        }
    }
    let now = expect(app.get(&path, &app.admin().await).await, StatusCode::OK).await;
    assert_eq!(now["status"], status, "fixture reached {status}");
    id
}

/// A second server on the same database and keys (another instance behind a load balancer).
pub struct SecondServer {
    pub base: String,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl TestApp {
    pub async fn second_server(&self) -> SecondServer {
        let state = hmms_server::open(self.state.config.clone(), Clock::default())
            .await
            .expect("second server opens");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = hmms_server::serve(state, listener, async {
                let _ = rx.await;
            })
            .await;
        });
        SecondServer {
            base: format!("http://{addr}"),
            _stop: tx,
        }
    }
}

/// A Server-Sent-Events client reading one stream.
pub struct EventStream {
    stream: std::pin::Pin<Box<dyn futures::Stream<Item = reqwest::Result<bytes::Bytes>> + Send>>,
    buf: String,
}

/// One event: its id, type and data.
#[derive(Debug, Clone)]
pub struct Received {
    pub id: i64,
    pub event: String,
    pub data: Value,
}

impl EventStream {
    pub async fn open(
        client: &reqwest::Client,
        base: &str,
        token: &str,
        last_event_id: Option<i64>,
    ) -> EventStream {
        let mut req = client
            .get(format!("{base}/api/v1/events"))
            .bearer_auth(token);
        if let Some(id) = last_event_id {
            req = req.header("Last-Event-ID", id.to_string());
        }
        let res = req.send().await.expect("stream opens");
        assert_eq!(res.status(), StatusCode::OK);
        assert!(
            res.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/event-stream")
        );
        EventStream {
            stream: Box::pin(res.bytes_stream()),
            buf: String::new(),
        }
    }

    /// The next event within `secs` seconds, or `None`.
    pub async fn next(&mut self, secs: u64) -> Option<Received> {
        use futures::StreamExt;
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(secs);
        loop {
            while let Some(end) = self.buf.find("\n\n") {
                let block: String = self.buf[..end].to_string();
                self.buf.drain(..end + 2);
                let (mut id, mut event, mut data) = (None, String::new(), String::new());
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("id:") {
                        id = v.trim().parse().ok();
                    } else if let Some(v) = line.strip_prefix("event:") {
                        event = v.trim().to_string();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.trim());
                    }
                }
                if let Some(id) = id {
                    return Some(Received {
                        id,
                        event,
                        data: serde_json::from_str(&data).unwrap_or(Value::Null),
                    });
                }
            }
            let chunk = tokio::time::timeout_at(deadline, self.stream.next())
                .await
                .ok()??
                .ok()?;
            self.buf.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
}
