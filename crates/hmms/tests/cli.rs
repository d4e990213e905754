//! The `hmms` binary as an operator uses it: first start, the demo guard, configuration,
//! audit verification and graceful shutdown — on SQLite and on PostgreSQL.

// A test states what it expects by unwrapping: a failure there is the test failing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use hmms_store::sea_orm::{ConnectionTrait, Database};
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_hmms");

fn pg_admin_url() -> String {
    std::env::var("HMMS_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

/// A data folder and database for one test; the PostgreSQL database is dropped afterwards.
struct Env {
    dir: tempfile::TempDir,
    url: String,
    pg_name: Option<String>,
}

impl Drop for Env {
    fn drop(&mut self) {
        if let Some(name) = &self.pg_name {
            block_on(async {
                if let Ok(db) = Database::connect(pg_admin_url()).await {
                    let _ = db
                        .execute_unprepared(&format!(
                            "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                        ))
                        .await;
                }
            });
        }
    }
}

fn env(postgres: bool) -> Option<Env> {
    let dir = tempfile::tempdir().unwrap();
    if !postgres {
        let url = format!("sqlite://{}", dir.path().join("hmms.db").display());
        return Some(Env {
            dir,
            url,
            pg_name: None,
        });
    }
    let name = format!("hmms_cli_{}", uuid::Uuid::new_v4().simple());
    let created = block_on(async {
        let admin = Database::connect(pg_admin_url()).await?;
        admin
            .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
            .await?;
        admin.close().await
    });
    if let Err(e) = created {
        if std::env::var("HMMS_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
            panic!("PostgreSQL is required but unreachable: {e}");
        }
        eprintln!(
            "SKIPPED (PostgreSQL half): no PostgreSQL at {} ({e})",
            pg_admin_url()
        );
        return None;
    }
    let base = pg_admin_url();
    let url = format!("{}/{name}", base.rsplit_once('/').unwrap().0);
    Some(Env {
        dir,
        url,
        pg_name: Some(name),
    })
}

impl Env {
    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(BIN);
        c.args(args)
            .current_dir(self.dir.path())
            .env("HMMS_DATA_DIR", self.dir.path().join("data"))
            .env("HMMS_DATABASE_URL", &self.url)
            .env("HMMS_LOG", "warn")
            .env_remove("HMMS_CONFIG");
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().unwrap()
    }

    /// Starts `hmms serve` on a free port; returns the child, its base URL and what it printed
    /// before listening.
    fn serve(&self, extra: &[&str]) -> (Server, String, Vec<String>) {
        let mut args = vec!["serve", "--listen", "127.0.0.1:0"];
        args.extend_from_slice(extra);
        let mut server = Server(
            self.cmd(&args)
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
        );
        let stdout = server.0.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut lines = vec![];
        loop {
            let line = rx
                .recv_timeout(Duration::from_secs(60))
                .expect("the server prints its address");
            if let Some(rest) = line.strip_prefix("HMMS is listening on ") {
                let base = rest.split_whitespace().next().unwrap().to_string();
                return (server, base, lines);
            }
            lines.push(line);
        }
    }
}

/// Starts a prepared `hmms serve` command and waits for it to listen.
fn spawn_and_wait(mut cmd: Command) -> (Server, String) {
    let mut server = Server(
        cmd.stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let stdout = BufReader::new(server.0.stdout.take().unwrap());
    for line in stdout.lines().map_while(Result::ok) {
        if let Some(rest) = line.strip_prefix("HMMS is listening on ") {
            let base = rest.split_whitespace().next().unwrap().to_string();
            return (server, base);
        }
    }
    panic!("the server exited before listening");
}

/// A running server process; killed if a test ends without stopping it.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        if self.0.try_wait().ok().flatten().is_none() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

/// Sends SIGTERM and waits for the exit status.
fn stop(mut server: Server) -> std::process::ExitStatus {
    Command::new("kill")
        .args(["-TERM", &server.0.id().to_string()])
        .status()
        .unwrap();
    for _ in 0..100 {
        if let Some(status) = server.0.try_wait().unwrap() {
            return status;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("the server did not stop within 10 s of SIGTERM");
}

fn login(base: &str, email: &str, password: &str) -> (u16, Value) {
    let res = reqwest::blocking::Client::new()
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({ "email": email, "password": password }))
        .send()
        .unwrap();
    (res.status().as_u16(), res.json().unwrap_or(Value::Null))
}

fn first_start_creates_an_administrator_once(postgres: bool) {
    let Some(env) = env(postgres) else { return };
    let (child, base, printed) = env.serve(&[]);
    let text = printed.join("\n");
    let password = printed
        .iter()
        .find_map(|l| l.trim().strip_prefix("password: "))
        .unwrap_or_else(|| panic!("a one-time password in: {text}"))
        .to_string();
    let data = env.dir.path().join("data");
    assert!(data.join("files").is_dir());
    let secrets = std::fs::read_to_string(data.join("secrets.toml")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(data.join("secrets.toml"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "secrets are readable by the owner only");
    }
    if !postgres {
        assert!(env.dir.path().join("hmms.db").exists());
    }
    let ready: Value = reqwest::blocking::get(format!("{base}/health/ready"))
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(ready["status"], "ready");
    let (status, body) = login(&base, "admin@hmms.local", &password);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["mustChangePassword"], true);
    assert_eq!(body["twoFactorEnrolmentRequired"], true);
    let token = body["tokens"]["accessToken"].as_str().unwrap().to_string();
    assert!(stop(child).success(), "SIGTERM is a clean shutdown");

    // Second start: no new administrator, same keys (an earlier token still verifies).
    let (child, base, printed) = env.serve(&[]);
    assert!(
        !printed.join("\n").contains("password:"),
        "the password is printed only once"
    );
    assert_eq!(
        std::fs::read_to_string(data.join("secrets.toml")).unwrap(),
        secrets
    );
    let me = reqwest::blocking::Client::new()
        .get(format!("{base}/api/v1/auth/me"))
        .bearer_auth(&token)
        .send()
        .unwrap();
    assert_eq!(me.status().as_u16(), 200);
    assert!(stop(child).success());
}

#[test]
fn first_start_creates_an_administrator_once_sqlite() {
    first_start_creates_an_administrator_once(false);
}
#[test]
fn first_start_creates_an_administrator_once_postgres() {
    first_start_creates_an_administrator_once(true);
}

fn the_demo_loads_only_into_an_empty_database(postgres: bool) {
    let Some(env) = env(postgres) else { return };
    // Another hospital's data: the demo must not touch it.
    let out = env.run(&[
        "user",
        "create",
        "--email",
        "head.biomed@hospital.org",
        "--role",
        "admin",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = env.run(&["serve", "--demo", "--listen", "127.0.0.1:0"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("needs an empty database") && err.contains("Nothing was changed"),
        "{err}"
    );
    let verify = String::from_utf8_lossy(&env.run(&["audit", "verify"]).stdout).to_string();
    assert!(
        verify.contains("1 entries verified"),
        "only the CLI user's entry: {verify}"
    );

    let Some(fresh) = self::env(postgres) else {
        return;
    };
    let (child, base, printed) = fresh.serve(&["--demo"]);
    assert!(printed.join("\n").contains("Loaded the demo hospital"));
    assert_eq!(login(&base, "staff@demo.hmms", "demo-password-2026").0, 200);
    assert!(stop(child).success());
    let (child, base, printed) = fresh.serve(&["--demo"]);
    assert!(printed.join("\n").contains("already loaded"));
    assert_eq!(
        login(&base, "technician@demo.hmms", "demo-password-2026").0,
        200
    );
    assert!(stop(child).success());
}

#[test]
fn the_demo_loads_only_into_an_empty_database_sqlite() {
    the_demo_loads_only_into_an_empty_database(false);
}
#[test]
fn the_demo_loads_only_into_an_empty_database_postgres() {
    the_demo_loads_only_into_an_empty_database(true);
}

fn audit_verify_names_the_first_broken_entry(postgres: bool) {
    let Some(env) = env(postgres) else { return };
    for (i, role) in ["admin", "technician", "staff"].iter().enumerate() {
        let email = format!("person{i}@hospital.org");
        assert!(
            env.run(&["user", "create", "--email", &email, "--role", role])
                .status
                .success()
        );
    }
    let ok = env.run(&["audit", "verify"]);
    assert!(ok.status.success());
    assert!(String::from_utf8_lossy(&ok.stdout).contains("3 entries verified"));
    block_on(async {
        let db = Database::connect(&env.url).await.unwrap();
        db.execute_unprepared("UPDATE audit_log SET action = 'user.deleted' WHERE seq = 2")
            .await
            .unwrap();
    });
    let bad = env.run(&["audit", "verify"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("entry 2"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
}

#[test]
fn audit_verify_names_the_first_broken_entry_sqlite() {
    audit_verify_names_the_first_broken_entry(false);
}
#[test]
fn audit_verify_names_the_first_broken_entry_postgres() {
    audit_verify_names_the_first_broken_entry(true);
}

fn config_is_printed_with_secrets_redacted(postgres: bool) {
    let Some(env) = env(postgres) else { return };
    let out = env
        .cmd(&["config"])
        .env(
            "HMMS_JWT_SECRET",
            "a-very-secret-signing-key-of-enough-length",
        )
        .env(
            "HMMS_DATABASE_URL",
            "postgres://hmms:db-password@db.internal:5432/hmms",
        )
        .env("HMMS_LISTEN", "0.0.0.0:9090")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(text.contains("listen = \"0.0.0.0:9090\""), "{text}");
    assert!(text.contains("<redacted>"));
    assert!(!text.contains("a-very-secret-signing-key"));
    assert!(!text.contains("db-password"));
    // hmms.toml is read too, and the environment wins over it.
    std::fs::write(
        env.dir.path().join("hmms.toml"),
        "listen = \"127.0.0.1:7000\"\nlog_format = \"json\"\n",
    )
    .unwrap();
    let text = String::from_utf8_lossy(&env.run(&["config"]).stdout).to_string();
    assert!(
        text.contains("listen = \"127.0.0.1:7000\"") && text.contains("log_format = \"json\""),
        "{text}"
    );
    let bad = env
        .cmd(&["config"])
        .env("HMMS_LOG_FORMAT", "xml")
        .output()
        .unwrap();
    assert!(!bad.status.success());
}

#[test]
fn config_is_printed_with_secrets_redacted_sqlite() {
    config_is_printed_with_secrets_redacted(false);
}
#[test]
fn config_is_printed_with_secrets_redacted_postgres() {
    config_is_printed_with_secrets_redacted(true);
}

fn in_flight(base: &str) -> u64 {
    let text = reqwest::blocking::get(format!("{base}/metrics"))
        .unwrap()
        .text()
        .unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix("hmms_http_requests_in_flight "))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0)
}

fn requests_in_flight_finish_after_sigterm(postgres: bool) {
    let Some(env) = env(postgres) else { return };
    // A costlier password hash keeps sign-ins in flight for a good while.
    let mut cmd = env.cmd(&["serve", "--listen", "127.0.0.1:0", "--demo"]);
    cmd.env("HMMS_ARGON2_MEMORY_KIB", "65536")
        .env("HMMS_ARGON2_ITERATIONS", "4");
    let (server, base) = spawn_and_wait(cmd);
    let ready = std::sync::Arc::new(std::sync::Barrier::new(9));
    let workers: Vec<_> = (0..8)
        .map(|_| {
            let (base, ready) = (base.clone(), ready.clone());
            std::thread::spawn(move || {
                // One connection per client, accepted by the server before the sign-in is sent.
                let client = reqwest::blocking::Client::new();
                assert!(
                    client
                        .get(format!("{base}/health/live"))
                        .send()
                        .unwrap()
                        .status()
                        .is_success()
                );
                ready.wait();
                let res = client
                    .post(format!("{base}/api/v1/auth/login"))
                    .json(&json!({ "email": "staff@demo.hmms", "password": "demo-password-2026" }))
                    .send()
                    .unwrap();
                res.status().as_u16()
            })
        })
        .collect();
    ready.wait();
    // All eight sign-ins (and this metrics request) are being answered.
    let started = std::time::Instant::now();
    while in_flight(&base) < 9 {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the sign-ins never were all in flight"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    let status = stop(server);
    let answers: Vec<u16> = workers.into_iter().map(|w| w.join().unwrap()).collect();
    assert!(status.success());
    assert_eq!(
        answers,
        vec![200; 8],
        "every request in flight was answered"
    );
}

#[test]
fn requests_in_flight_finish_after_sigterm_sqlite() {
    requests_in_flight_finish_after_sigterm(false);
}
#[test]
fn requests_in_flight_finish_after_sigterm_postgres() {
    requests_in_flight_finish_after_sigterm(true);
}

fn scale_adds_benchmark_data(postgres: bool) {
    let Some(env) = env(postgres) else { return };
    // Nothing to add: loads the demo alone, whose size depends on today's date (its
    // preventive maintenance follows the calendar).
    let out = env.run(&["demo", "--scale", "--assets", "0", "--work-orders", "0"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let demo = block_on(async {
        let db = Database::connect(&env.url).await.unwrap();
        let row = db
            .query_one_raw(hmms_store::sea_orm::Statement::from_string(
                db.get_database_backend(),
                "SELECT COUNT(*) AS n FROM work_orders",
            ))
            .await
            .unwrap()
            .unwrap();
        row.try_get::<i64>("", "n").unwrap()
    });
    assert!(demo >= 300, "the demo's year of work: {demo}");
    let out = env.run(&[
        "demo",
        "--scale",
        "--assets",
        "1200",
        "--work-orders",
        "2500",
        "--pm-plans",
        "150",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("Added 1200 assets, 2500 work orders, 150 preventive plans, 0 parts"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // Run twice: it appends, and the numbering (of codes and tags) continues without clashes.
    let out = env.run(&[
        "demo",
        "--scale",
        "--assets",
        "300",
        "--work-orders",
        "500",
        "--pm-plans",
        "100",
        "--parts",
        "200",
        "--stock-entries",
        "3000",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (total, codes, assets, tags, on_scaled, plans, stock) = block_on(async {
        let db = Database::connect(&env.url).await.unwrap();
        let backend = db.get_database_backend();
        // The generated ledger obeys the ledger's rule: every balance is the sum of its entries.
        let stock = db
            .query_one_raw(hmms_store::sea_orm::Statement::from_string(
                backend,
                "SELECT (SELECT COUNT(*) FROM parts WHERE part_number LIKE 'SCL-%') AS p,                  (SELECT COUNT(*) FROM stock_entries e JOIN parts x ON x.id = e.part_id                   WHERE x.part_number LIKE 'SCL-%') AS e,                  (SELECT COUNT(*) FROM stock_balances b WHERE b.on_hand <>                   (SELECT COALESCE(SUM(quantity), 0) FROM stock_entries e                    WHERE e.bin_id = b.bin_id AND e.part_id = b.part_id) OR b.value_minor <>                   (SELECT COALESCE(SUM(value_minor), 0) FROM stock_entries e                    WHERE e.bin_id = b.bin_id AND e.part_id = b.part_id) OR b.on_hand < 0) AS wrong",
            ))
            .await
            .unwrap()
            .unwrap();
        let stock = (
            stock.try_get::<i64>("", "p").unwrap(),
            stock.try_get::<i64>("", "e").unwrap(),
            stock.try_get::<i64>("", "wrong").unwrap(),
        );
        let row = db
            .query_one_raw(hmms_store::sea_orm::Statement::from_string(
                backend,
                // Codes are numbered per site.
                "SELECT COUNT(*) AS n, (SELECT COUNT(*) FROM (SELECT DISTINCT site_id, code \
                 FROM work_orders) d) AS c FROM work_orders",
            ))
            .await
            .unwrap()
            .unwrap();
        let assets = db
            .query_one_raw(hmms_store::sea_orm::Statement::from_string(
                backend,
                "SELECT COUNT(*) AS n, COUNT(DISTINCT tag) AS c FROM assets",
            ))
            .await
            .unwrap()
            .unwrap();
        // Work orders land on the generated equipment too, not only on the demo's own.
        let on_scaled = db
            .query_one_raw(hmms_store::sea_orm::Statement::from_string(
                backend,
                "SELECT COUNT(*) AS n FROM work_orders w JOIN assets a ON a.id = w.asset_id \
                 WHERE a.tag LIKE '%-S%'",
            ))
            .await
            .unwrap()
            .unwrap();
        // One plan per generated asset, each with its schedule, never two on one asset.
        let plans = db
            .query_one_raw(hmms_store::sea_orm::Statement::from_string(
                backend,
                "SELECT COUNT(*) AS n, COUNT(DISTINCT p.asset_id) AS a, COUNT(t.id) AS t \
                 FROM pm_plans p LEFT JOIN pm_targets t ON t.plan_id = p.id \
                 WHERE p.target_kind = 'asset'",
            ))
            .await
            .unwrap()
            .unwrap();
        (
            row.try_get::<i64>("", "n").unwrap(),
            row.try_get::<i64>("", "c").unwrap(),
            assets.try_get::<i64>("", "n").unwrap(),
            assets.try_get::<i64>("", "c").unwrap(),
            on_scaled.try_get::<i64>("", "n").unwrap(),
            (
                plans.try_get::<i64>("", "n").unwrap(),
                plans.try_get::<i64>("", "a").unwrap(),
                plans.try_get::<i64>("", "t").unwrap(),
            ),
            stock,
        )
    });
    assert_eq!(
        stock,
        (200, 3000, 0),
        "(parts, entries, balances that are not their ledger)"
    );
    assert_eq!(plans, (250, 250, 250), "(plans, assets, schedules)");
    assert_eq!(
        assets,
        441 + 1200 + 300,
        "the demo's equipment plus both runs"
    );
    assert_eq!(tags, assets, "every tag is unique");
    assert!(
        on_scaled > 1000,
        "{on_scaled} work orders on generated assets"
    );
    assert_eq!(
        total,
        demo + 2500 + 500,
        "the demo's year of work plus both scale runs"
    );
    assert_eq!(codes, total);
}

#[test]
fn scale_adds_benchmark_data_sqlite() {
    scale_adds_benchmark_data(false);
}
#[test]
fn scale_adds_benchmark_data_postgres() {
    scale_adds_benchmark_data(true);
}
