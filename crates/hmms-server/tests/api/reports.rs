//! Key figures: each checked against figures worked out by hand on a small fixed set of work in
//! a department of its own, and never counting what the reader may not see.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::helpers::{TestApp, expect};
use crate::inventory::{move_stock, part, receive, store_at};

fn id(v: &Value) -> String {
    v["id"].as_str().expect("id").to_string()
}

fn at(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The figure `key` of a KPI answer: (value, counted).
fn figure(k: &Value, key: &str) -> (Value, i64) {
    let f = k["figures"]
        .as_array()
        .expect("figures")
        .iter()
        .find(|f| f["key"] == key)
        .unwrap_or_else(|| panic!("no figure {key} in {k}"));
    assert!(
        f["formula"].as_str().is_some_and(|s| !s.is_empty()),
        "{key} carries its definition"
    );
    (f["value"].clone(), f["counted"].as_i64().expect("counted"))
}

async fn step(app: &TestApp, token: &str, path: &str, body: Value) -> Value {
    expect(app.post(path, token, body).await, StatusCode::OK).await
}

async fn raise(app: &TestApp, body: Value) -> String {
    let manager = app.token("facility_manager").await;
    let wo = expect(
        app.post("/api/v1/work-orders", &manager, body).await,
        StatusCode::CREATED,
    )
    .await;
    format!("/api/v1/work-orders/{}", id(&wo))
}

async fn start(app: &TestApp, path: &str) {
    let tech = app.token("technician").await;
    expect(
        app.patch(path, &tech, json!({ "status": "in_progress" }))
            .await,
        StatusCode::OK,
    )
    .await;
}

async fn log(app: &TestApp, path: &str, minutes: i64) {
    let tech = app.token("technician").await;
    expect(
        app.post(
            &format!("{path}/time-logs"),
            &tech,
            json!({ "minutes": minutes }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
}

async fn complete(app: &TestApp, path: &str, downtime: i64) {
    let tech = app.token("technician").await;
    step(
        app,
        &tech,
        &format!("{path}/complete"),
        json!({ "resolutionCategory": "repaired", "downtimeMinutes": downtime }),
    )
    .await;
}

async fn by_breakdown(app: &TestApp, token: &str, period: &str, by: &str) -> Value {
    expect(
        app.get(
            &format!("/api/v1/reports/breakdown?{period}&by={by}"),
            token,
        )
        .await,
        StatusCode::OK,
    )
    .await
}

async fn key_figures_match_the_hand_computed_ones(app: TestApp) {
    let admin = app.admin().await;
    expect(
        app.patch(
            "/api/v1/organization",
            &admin,
            json!({ "labourRateMinor": 120_000 }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let smgh = app.site_id("SMGH").await;
    let ward = id(&expect(
        app.post(
            "/api/v1/departments",
            &admin,
            json!({ "siteId": smgh, "name": "Reports ward", "code": "RPW" }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await);
    // Monitor 1 is a bedside monitor (a kind of monitor) of medium risk; monitor 2 is high-risk
    // and of no class.
    let monitors = id(&expect(
        app.post(
            "/api/v1/equipment-classes",
            &admin,
            json!({ "code": "RPW-MON", "name": "Monitors" }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await);
    let bedside = id(&expect(
        app.post(
            "/api/v1/equipment-classes",
            &admin,
            json!({ "code": "RPW-BED", "name": "Bedside monitors", "parentId": monitors }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await);
    let manager = app.token("facility_manager").await;
    let mut assets = vec![];
    for (tag, class, risk) in [
        ("RPW-1", Some(bedside.as_str()), "medium"),
        ("RPW-2", None, "high"),
    ] {
        let a = expect(
            app.post(
                "/api/v1/assets",
                &manager,
                json!({ "tag": tag, "name": "Patient monitor", "departmentId": ward, "status": "in_service",
                        "classId": class, "riskClass": risk }),
            )
            .await,
            StatusCode::CREATED,
        )
        .await;
        assets.push(id(&a));
    }
    let tech_id = app.user_id("technician@demo.hmms").await;
    let valve = id(&part(&app, "RPT-VALVE", 0).await);
    let (_, bin) = store_at(&app, "SMGH", "RPT").await;
    receive(&app, &valve, &bin, "2", 2_500).await;

    let t0 = app.state.clock.now();
    // 1. A high-priority repair of monitor 1: answered at once, an hour of labour, one valve
    //    from the store and a €50 part bought outside, done in 3 h with 2 h of downtime.
    let wo1 = raise(
        &app,
        json!({ "title": "Monitor 1 blank screen", "assetId": assets[0], "assigneeId": tech_id, "priority": "high" }),
    )
    .await;
    start(&app, &wo1).await;
    let tech = app.token("technician").await;
    let wo1_id = wo1.rsplit('/').next().expect("id").to_string();
    expect(
        move_stock(
            &app,
            &tech,
            json!({ "kind": "issue", "partId": valve, "binId": bin, "quantity": 1, "workOrderId": wo1_id }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    expect(
        app.post(
            &format!("{wo1}/parts"),
            &tech,
            json!({ "description": "Fuse", "quantity": 1, "unitCostMinor": 5_000 }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    app.advance(Duration::hours(3));
    // Logged as it ends: an hour that started inside the period (a log's start is its end
    // less its minutes).
    log(&app, &wo1, 60).await;
    complete(&app, &wo1, 120).await;
    let manager = app.token("facility_manager").await;
    step(&app, &manager, &format!("{wo1}/approve-close"), json!({})).await;

    // 2. Monitor 1 fails again an hour later (a repeat): critical, answered after 30 min (its
    //    response deadline is 15), a valve asked for that the store no longer holds (a
    //    stock-out), completed after an hour, sent back once, completed again.
    app.advance(Duration::hours(1));
    let wo2 = raise(
        &app,
        json!({ "title": "Monitor 1 blank again", "assetId": assets[0], "assigneeId": tech_id, "priority": "critical" }),
    )
    .await;
    app.advance(Duration::minutes(30));
    start(&app, &wo2).await;
    let tech = app.token("technician").await;
    let wo2_id = wo2.rsplit('/').next().expect("id").to_string();
    expect(
        move_stock(
            &app,
            &tech,
            json!({ "kind": "issue", "partId": valve, "binId": bin, "quantity": 5, "workOrderId": wo2_id }),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    app.advance(Duration::minutes(30));
    complete(&app, &wo2, 60).await;
    let manager = app.token("facility_manager").await;
    step(
        &app,
        &manager,
        &format!("{wo2}/reject"),
        json!({ "reason": "Still blanks on battery" }),
    )
    .await;
    complete(&app, &wo2, 60).await;

    // 3. Planned work on monitor 2, half an hour logged, still open.
    let wo3 = raise(
        &app,
        json!({ "title": "Monitor 2 safety test", "assetId": assets[1], "assigneeId": tech_id, "type": "preventive" }),
    )
    .await;
    start(&app, &wo3).await;
    log(&app, &wo3, 30).await;

    app.advance(Duration::hours(5));
    let manager = app.token("facility_manager").await;
    let k = expect(
        app.get(
            &format!(
                "/api/v1/reports/kpis?from={}&to={}&departmentId={ward}",
                at(t0),
                at(t0 + Duration::hours(10))
            ),
            &manager,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    // Repairs took 3 h and 1 h.
    assert_eq!(figure(&k, "mttr"), (json!(2.0), 2));
    assert_eq!(figure(&k, "downtime"), (json!(3.0), 2));
    // Two monitors for 10 h less 3 h down = 17 h in use, over 2 failures; 17 of 20 h available.
    assert_eq!(figure(&k, "mtbf"), (json!(8.5), 2));
    assert_eq!(figure(&k, "availability"), (json!(85.0), 2));
    assert_eq!(figure(&k, "repeat_failures"), (json!(1.0), 2));
    // The second repair was sent back.
    assert_eq!(figure(&k, "first_time_fix"), (json!(50.0), 2));
    assert_eq!(figure(&k, "sla_response"), (json!(50.0), 2));
    assert_eq!(figure(&k, "sla_resolution"), (json!(100.0), 2));
    // Answered after 0, 30 and 0 minutes: 10 minutes, 0.2 h.
    assert_eq!(figure(&k, "mean_time_to_respond"), (json!(0.2), 3));
    // 30 of 90 minutes logged were planned.
    assert_eq!(figure(&k, "planned_work").0, json!(33.3));
    assert_eq!(figure(&k, "backlog"), (json!(1.0), 1));
    // An hour at 1,200.00, the valve at 25.00 and the fuse at 50.00; the open job costs nothing yet.
    assert_eq!(figure(&k, "maintenance_cost"), (json!(127_500.0), 2));
    assert_eq!(
        k["cost"],
        json!({ "labourMinor": 120_000, "partsMinor": 7_500, "vendorMinor": 0, "totalMinor": 127_500 })
    );
    // One issue made, one refused.
    assert_eq!(figure(&k, "stock_outs"), (json!(50.0), 2));
    // Nothing preventive was due in the ward: no figure rather than 0% or 100%.
    assert_eq!(figure(&k, "pm_compliance"), (Value::Null, 0));
    assert_eq!(
        k["slaByPriority"],
        json!([
            { "priority": "critical", "completed": 1, "responseMet": 0, "resolutionMet": 1, "responsePercent": 0.0, "resolutionPercent": 100.0 },
            { "priority": "high", "completed": 1, "responseMet": 1, "resolutionMet": 1, "responsePercent": 100.0, "resolutionPercent": 100.0 },
        ])
    );
    assert_eq!(
        k["backlog"],
        json!([{ "departmentId": ward, "departmentName": "Reports ward", "open": 1, "byAge": [1, 0, 0, 0] }])
    );
    assert_eq!(k["ageBuckets"], json!(["0-7", "8-30", "31-90", "90+"]));

    // By equipment: the monitors class holds monitor 1 (through its subclass) and its two
    // repairs; one monitor for 10 h, 3 h down.
    let period = format!(
        "from={}&to={}&departmentId={ward}",
        at(t0),
        at(t0 + Duration::hours(10))
    );
    let by = |filter: String| {
        let app = &app;
        let manager = manager.clone();
        let period = period.clone();
        async move {
            expect(
                app.get(&format!("/api/v1/reports/kpis?{period}&{filter}"), &manager)
                    .await,
                StatusCode::OK,
            )
            .await
        }
    };
    let class = by(format!("classId={monitors}")).await;
    assert_eq!(figure(&class, "mttr"), (json!(2.0), 2));
    assert_eq!(figure(&class, "availability"), (json!(70.0), 1));
    assert_eq!(figure(&class, "backlog"), (json!(0.0), 0));
    assert_eq!(figure(&class, "stock_outs"), (json!(50.0), 2));
    let high = by("riskClass=high".into()).await;
    assert_eq!(figure(&high, "mttr"), (Value::Null, 0));
    assert_eq!(figure(&high, "availability"), (json!(100.0), 1));
    assert_eq!(figure(&high, "backlog"), (json!(1.0), 1));
    assert_eq!(figure(&high, "planned_work").0, json!(100.0));
    let medium = by("riskClass=medium".into()).await;
    assert_eq!(figure(&medium, "mttr"), (json!(2.0), 2));
    for (bad, field) in [
        (format!("classId={ward}"), "classId"),
        ("riskClass=extreme".to_string(), "riskClass"),
    ] {
        let p = expect(
            app.get(&format!("/api/v1/reports/kpis?{period}&{bad}"), &manager)
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(p["errors"][0]["field"], field, "{p}");
    }

    // The same figures per asset, class and department (issue 15: per asset/class/department).
    let rows = |b: &Value| b["rows"].as_array().expect("rows").clone();
    let by_asset = by_breakdown(&app, &manager, &period, "asset").await;
    assert_eq!(
        rows(&by_asset),
        vec![json!({
            "id": assets[0], "name": "RPW-1 · Patient monitor", "completed": 2, "repairs": 2,
            "mttrHours": 2.0, "failures": 2, "mtbfHours": 3.5, "downtimeHours": 3.0, "assets": 1,
            "availabilityPercent": 70.0, "labourMinor": 120_000, "partsMinor": 7_500,
            "vendorMinor": 0, "costMinor": 127_500
        })],
        "monitor 2 has no completed work or failures to list"
    );
    let by_class = rows(&by_breakdown(&app, &manager, &period, "class").await);
    assert_eq!(
        by_class
            .iter()
            .map(|r| (
                r["name"].clone(),
                r["repairs"].clone(),
                r["assets"].clone(),
                r["availabilityPercent"].clone(),
                r["costMinor"].clone()
            ))
            .collect::<Vec<_>>(),
        vec![
            (
                json!("Bedside monitors"),
                json!(2),
                json!(1),
                json!(70.0),
                json!(127_500)
            ),
            (Value::Null, json!(0), json!(1), json!(100.0), json!(0)),
        ]
    );
    let by_department = rows(&by_breakdown(&app, &manager, &period, "department").await);
    assert_eq!(by_department.len(), 1);
    assert_eq!(by_department[0]["name"], "Reports ward");
    assert_eq!(by_department[0]["mtbfHours"], 8.5);
    assert_eq!(by_department[0]["availabilityPercent"], 85.0);
    assert_eq!(by_department[0]["costMinor"], 127_500);
    let p = expect(
        app.get(
            &format!("/api/v1/reports/breakdown?{period}&by=bed"),
            &manager,
        )
        .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(
        p["detail"].as_str().unwrap_or_default().contains("bed"),
        "{p}"
    );

    // A period before any of it counts nothing.
    let before = expect(
        app.get(
            &format!(
                "/api/v1/reports/kpis?from={}&to={}&departmentId={ward}",
                at(t0 - Duration::days(2)),
                at(t0 - Duration::days(1))
            ),
            &manager,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(figure(&before, "mttr"), (Value::Null, 0));
    assert_eq!(figure(&before, "stock_outs"), (Value::Null, 0));

    exports_hold_the_same_figures(&app, &manager, &period, t0).await;
}
both!(key_figures_match_the_hand_computed_ones);

/// The sheet `name` of a workbook, as rows of cells.
fn sheet(book: &[u8], name: &str) -> Vec<Vec<calamine::Data>> {
    use calamine::Reader;
    let mut xlsx: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(book.to_vec())).expect("an XLSX");
    let range = xlsx.worksheet_range(name).expect("the sheet");
    range.rows().map(|r| r.to_vec()).collect()
}

/// The row of a sheet whose first cell is `first`.
fn row_of(rows: &[Vec<calamine::Data>], first: &str) -> Vec<calamine::Data> {
    rows.iter()
        .find(|r| {
            r.first()
                .is_some_and(|c| *c == calamine::Data::String(first.into()))
        })
        .unwrap_or_else(|| panic!("no row {first} in {rows:?}"))
        .clone()
}

/// A file the API serves, checked to be an attachment of `content_type` named `name`.
async fn download(
    app: &TestApp,
    token: &str,
    path: &str,
    content_type: &str,
    name: &str,
) -> Vec<u8> {
    let res = app.get(path, token).await;
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    let headers = res.headers().clone();
    assert!(
        headers["content-type"]
            .to_str()
            .is_ok_and(|t| t.starts_with(content_type)),
        "{headers:?}"
    );
    assert_eq!(
        headers["content-disposition"].to_str().ok(),
        Some(format!("attachment; filename=\"{name}\"").as_str()),
        "named for the hospital's day the period starts"
    );
    res.bytes().await.expect("body").to_vec()
}

/// The XLSX and CSV files carry the figures the screen shows, as numbers a spreadsheet sums,
/// under a heading naming the organization, the department and who made them.
async fn exports_hold_the_same_figures(
    app: &TestApp,
    manager: &str,
    period: &str,
    from: DateTime<Utc>,
) {
    use calamine::Data;
    // The demo hospitals are in Nairobi.
    let zone: chrono_tz::Tz = "Africa/Nairobi".parse().expect("zone");
    let day = from.with_timezone(&zone).format("%Y-%m-%d");
    const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    let book = download(
        app,
        manager,
        &format!("/api/v1/reports/kpis.xlsx?{period}"),
        XLSX,
        &format!("key-figures-{day}.xlsx"),
    )
    .await;
    let figures = sheet(&book, "Key figures");
    assert_eq!(figures[0][0], Data::String("Key figures".into()));
    assert_eq!(
        row_of(&figures, "Department")[1],
        Data::String("Reports ward".into())
    );
    assert!(
        row_of(&figures, "Generated")[1]
            .to_string()
            .contains("Peter Kamau"),
        "{figures:?}"
    );
    let mttr = row_of(&figures, "Mean time to repair");
    assert_eq!(
        (mttr[1].clone(), mttr[3].clone()),
        (Data::Float(2.0), Data::Float(2.0))
    );
    // Percentages are fractions formatted as %, so a spreadsheet computes with them.
    assert_eq!(row_of(&figures, "Availability")[1], Data::Float(0.85));
    // No preventive work was due: an empty cell, not 0.
    assert_eq!(row_of(&figures, "PM compliance")[1], Data::Empty);
    let cost = sheet(&book, "Cost");
    assert_eq!(row_of(&cost, "Total")[1], Data::Float(1275.0));
    let sla = sheet(&book, "SLA by priority");
    assert_eq!(row_of(&sla, "Critical")[3], Data::Float(0.0));
    let backlog = sheet(&book, "Backlog");
    assert_eq!(row_of(&backlog, "Reports ward")[1], Data::Float(1.0));

    let book = download(
        app,
        manager,
        &format!("/api/v1/reports/breakdown.xlsx?{period}&by=asset"),
        XLSX,
        &format!("breakdown-asset-{day}.xlsx"),
    )
    .await;
    let rows = sheet(&book, "Breakdown");
    let monitor = row_of(&rows, "RPW-1 · Patient monitor");
    assert_eq!(monitor[3], Data::Float(2.0), "MTTR");
    assert_eq!(monitor[8], Data::Float(0.7), "availability");
    assert_eq!(monitor[12], Data::Float(1275.0), "total cost");

    let csv = download(
        app,
        manager,
        &format!("/api/v1/reports/breakdown.csv?{period}&by=asset"),
        "text/csv",
        &format!("breakdown-asset-{day}.csv"),
    )
    .await;
    let csv = String::from_utf8(csv).expect("UTF-8");
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some(
            "Equipment,Completed,Repairs,MTTR (h),Failures,MTBF (h),Downtime (h),Equipment in use,Availability,Labour,Parts,Contractors,Total cost"
        )
    );
    assert_eq!(
        lines.next(),
        Some("RPW-1 · Patient monitor,2,2,2,2,3.5,3,1,70,1200.00,75.00,0.00,1275.00")
    );
    assert_eq!(lines.next(), None);

    // The same figures on paper, under the organization's name as typed (any alphabet).
    let admin = app.admin().await;
    let hospital = "Hôpital Saint-Émile — Ελπίδα · Київ";
    expect(
        app.patch("/api/v1/organization", &admin, json!({ "name": hospital }))
            .await,
        StatusCode::OK,
    )
    .await;
    let pdf = download(
        app,
        manager,
        &format!("/api/v1/reports/kpis.pdf?{period}"),
        "application/pdf",
        &format!("key-figures-{day}.pdf"),
    )
    .await;
    let text = pdf_text(&pdf, None);
    for expected in [
        "Key figures",
        hospital,
        "Reports ward",
        "Peter Kamau",
        "SLA by priority",
        "Backlog",
        "Page 1 of ",
    ] {
        assert!(text.contains(expected), "no {expected:?} in\n{text}");
    }
    assert_eq!(
        figures_after(&text, "Mean time to repair")[..3],
        ["2.0", "hours", "2"],
        "value, unit, counted"
    );
    assert_eq!(figures_after(&text, "Availability")[0], "85.0%");
    assert_eq!(figures_after(&text, "Total")[0], "1,275.00");
    assert!(text.contains("Amounts in"), "the currency is named");

    let pdf = download(
        app,
        manager,
        &format!("/api/v1/reports/breakdown.pdf?{period}&by=asset"),
        "application/pdf",
        &format!("breakdown-asset-{day}.pdf"),
    )
    .await;
    let text = pdf_text(&pdf, None);
    assert_eq!(
        figures_after(&text, "RPW-1 · Patient monitor"),
        [
            "2", "2", "2.0", "2", "3.5", "3.0", "1", "70.0%", "1,200.00", "75.00", "0.00",
            "1,275.00"
        ]
    );
    // A wide table is printed landscape.
    assert!(
        pdf_info(&pdf).contains("841.89 x 595.28 pts (A4)"),
        "{}",
        pdf_info(&pdf)
    );
}

/// The text of a PDF as `pdftotext -layout` reads it (of one page, or all).
fn pdf_text(pdf: &[u8], page: Option<usize>) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("report.pdf");
    std::fs::write(&path, pdf).expect("write");
    let mut cmd = std::process::Command::new("pdftotext");
    cmd.arg("-layout");
    if let Some(n) = page {
        cmd.args(["-f", &n.to_string(), "-l", &n.to_string()]);
    }
    let out = cmd
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext is missing: apt-get install -y poppler-utils");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// What `pdfinfo` says of a PDF (pages, page size); it fails on a malformed file.
fn pdf_info(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("report.pdf");
    std::fs::write(&path, pdf).expect("write");
    let out = std::process::Command::new("pdfinfo")
        .arg(&path)
        .output()
        .expect("pdfinfo is missing: apt-get install -y poppler-utils");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// The words after `first` on the line that starts with it.
fn figures_after<'a>(text: &'a str, first: &str) -> Vec<&'a str> {
    let line = text
        .lines()
        .map(str::trim_start)
        .find(|l| l.starts_with(first))
        .unwrap_or_else(|| panic!("no line {first:?} in\n{text}"));
    line[first.len()..].split_whitespace().collect()
}

/// A report longer than a page: every page carries the table's header, what the document is,
/// and "Page X of Y".
async fn long_reports_repeat_their_header_on_every_page(app: TestApp) {
    let admin = app.admin().await;
    let now = app.state.clock.now();
    let period = format!("from={}&to={}", at(now - Duration::days(365)), at(now));
    let res = app
        .get(
            &format!("/api/v1/reports/breakdown.pdf?{period}&by=asset"),
            &admin,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let pdf = res.bytes().await.expect("body").to_vec();
    let info = pdf_info(&pdf);
    let pages: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("{info}"));
    // The demo year's 100 costliest pieces of equipment do not fit on one page.
    assert!(pages >= 2, "{info}");
    let rows: usize = (1..=pages)
        .map(|n| {
            let page = pdf_text(&pdf, Some(n));
            assert!(
                page.contains(&format!("Page {n} of {pages}")),
                "page {n}:\n{page}"
            );
            assert!(
                page.contains("Total cost"),
                "page {n} repeats the header:\n{page}"
            );
            assert!(
                page.contains("Key figures by equipment"),
                "page {n}:\n{page}"
            );
            // Equipment rows are "TAG · Name"; the running title is not a row.
            page.lines()
                .filter(|l| l.contains(" · ") && !l.contains("Key figures by"))
                .count()
        })
        .sum();
    // Every row is printed once: as many as the breakdown has.
    let b = expect(
        app.get(
            &format!("/api/v1/reports/breakdown?{period}&by=asset"),
            &admin,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let named = b["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .filter(|r| r["name"].as_str().is_some_and(|n| n.contains(" · ")))
        .count();
    assert!(named > 30, "{b}");
    assert_eq!(rows, named);
}
both!(long_reports_repeat_their_header_on_every_page, full_demo);

async fn figures_never_count_another_hospitals_work(app: TestApp) {
    let admin = app.admin().await;
    let lakeside_dept = app.department_id("LDH", "MAT").await;
    let lakeside = app.site_id("LDH").await;
    let smgh = app.site_id("SMGH").await;
    let wo = expect(
        app.post(
            "/api/v1/work-orders",
            &admin,
            json!({ "title": "Autoclave door seal", "departmentId": lakeside_dept }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(wo["siteId"], lakeside.as_str());
    let now = app.state.clock.now();
    let period = format!(
        "from={}&to={}",
        at(now - Duration::days(30)),
        at(now + Duration::days(1))
    );
    let admin_view = expect(
        app.get(&format!("/api/v1/reports/kpis?{period}"), &admin)
            .await,
        StatusCode::OK,
    )
    .await;
    let departments = |k: &Value| -> Vec<String> {
        k["backlog"]
            .as_array()
            .expect("backlog")
            .iter()
            .filter_map(|b| b["departmentId"].as_str().map(String::from))
            .collect()
    };
    assert!(departments(&admin_view).contains(&lakeside_dept));

    // St. Mary's manager: not in the figures, and not by naming it either.
    let manager = app.token("facility_manager").await;
    let own = expect(
        app.get(&format!("/api/v1/reports/kpis?{period}"), &manager)
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(!departments(&own).contains(&lakeside_dept), "{own}");
    let p = expect(
        app.get(
            &format!("/api/v1/reports/kpis?{period}&siteId={lakeside}"),
            &manager,
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "siteId", "{p}");
    let p = expect(
        app.get(
            &format!("/api/v1/reports/kpis?{period}&departmentId={lakeside_dept}"),
            &manager,
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "departmentId", "{p}");
    // A department of one hospital with the other named as the site.
    let p = expect(
        app.get(
            &format!("/api/v1/reports/kpis?{period}&siteId={smgh}&departmentId={lakeside_dept}"),
            &admin,
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "departmentId", "{p}");

    // Nor in a breakdown by hospital, where Lakeside's equipment counts for who may see it.
    expect(
        app.post(
            "/api/v1/assets",
            &admin,
            json!({ "tag": "LDH-RPT-1", "name": "Autoclave", "departmentId": lakeside_dept, "status": "in_service" }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let sites = |b: &Value| -> Vec<String> {
        b["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .filter_map(|r| r["id"].as_str().map(String::from))
            .collect()
    };
    let own = by_breakdown(&app, &manager, &period, "site").await;
    assert!(!sites(&own).contains(&lakeside), "{own}");
    assert!(sites(&by_breakdown(&app, &admin, &period, "site").await).contains(&lakeside));
    // Nor in the files: naming Lakeside's hospital or department is refused as on screen.
    for path in [
        format!("/api/v1/reports/breakdown?{period}&by=site&siteId={lakeside}"),
        format!("/api/v1/reports/kpis.xlsx?{period}&siteId={lakeside}"),
        format!("/api/v1/reports/breakdown.xlsx?{period}&by=asset&departmentId={lakeside_dept}"),
        format!("/api/v1/reports/breakdown.csv?{period}&by=site&siteId={lakeside}"),
        format!("/api/v1/reports/kpis.pdf?{period}&departmentId={lakeside_dept}"),
        format!("/api/v1/reports/breakdown.pdf?{period}&by=department&siteId={lakeside}"),
    ] {
        expect(
            app.get(&path, &manager).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let csv = app
        .get(
            &format!("/api/v1/reports/breakdown.csv?{period}&by=site"),
            &manager,
        )
        .await
        .text()
        .await
        .expect("CSV");
    assert!(!csv.contains("Lakeside"), "{csv}");
    let res = app
        .get(
            &format!("/api/v1/reports/breakdown.pdf?{period}&by=site"),
            &manager,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let pdf = pdf_text(&res.bytes().await.expect("PDF"), None);
    assert!(
        pdf.contains("Peter Kamau") && !pdf.contains("Lakeside"),
        "{pdf}"
    );

    // A reversed or too long period.
    for bad in [
        format!("from={}&to={}", at(now), at(now - Duration::days(1))),
        format!("from={}&to={}", at(now - Duration::days(4 * 366)), at(now)),
    ] {
        let p = expect(
            app.get(&format!("/api/v1/reports/kpis?{bad}"), &manager)
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(p["errors"][0]["field"], "to", "{p}");
    }
    let p = expect(
        app.get(
            "/api/v1/reports/kpis?from=0001-01-01T00:00:00Z&to=2027-01-01T00:00:00Z",
            &manager,
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "from", "{p}");
    // Technicians read their work, not the hospital's figures.
    let tech = app.token("technician").await;
    expect(
        app.get(&format!("/api/v1/reports/kpis?{period}"), &tech)
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
}
both!(figures_never_count_another_hospitals_work);
