//! Spare parts and stores: the ledger never goes negative, balances always equal the sum of
//! the ledger, movements are all-or-nothing and exactly-once, low stock is announced once per
//! crossing, and nobody reaches another hospital's stores by naming them.

use std::collections::HashMap;

use hmms_store::entities::{stock_balance, stock_entry};
use rand::{Rng, SeedableRng};
use reqwest::{Method, StatusCode};
use sea_orm::{ConnectionTrait, EntityTrait};
use serde_json::{Value, json};

use crate::both;
use crate::helpers::{TestApp, expect, work_order_in};

fn id(v: &Value) -> String {
    v["id"].as_str().expect("id").to_string()
}

pub(crate) async fn part(app: &TestApp, number: &str, decimals: i64) -> Value {
    let procurement = app.token("procurement").await;
    expect(
        app.post(
            "/api/v1/parts",
            &procurement,
            json!({ "partNumber": number, "name": format!("Part {number}"), "unit": if decimals > 0 { "m" } else { "each" },
                    "decimals": decimals, "category": "Ventilator spares", "critical": true }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await
}

/// A store at the site with `code`, with its first bin's id.
pub(crate) async fn store_at(app: &TestApp, site: &str, code: &str) -> (String, String) {
    let procurement = app.token("procurement").await;
    let s = expect(
        app.post(
            "/api/v1/stores",
            &procurement,
            json!({ "siteId": app.site_id(site).await, "code": code, "name": format!("Store {code}"), "kind": "main" }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    (id(&s), s["bins"][0]["id"].as_str().unwrap().to_string())
}

pub(crate) async fn move_stock(app: &TestApp, token: &str, body: Value) -> reqwest::Response {
    app.post("/api/v1/stock-movements", token, body).await
}

pub(crate) async fn receive(
    app: &TestApp,
    part: &str,
    bin: &str,
    quantity: &str,
    unit_cost: i64,
) -> Value {
    let procurement = app.token("procurement").await;
    expect(
        move_stock(
            app,
            &procurement,
            json!({ "kind": "receipt", "partId": part, "binId": bin, "quantity": quantity,
                    "unitCostMinor": unit_cost, "reference": "DN-4471" }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await
}

async fn stock_of(app: &TestApp, token: &str, part: &str) -> Value {
    expect(
        app.get(&format!("/api/v1/parts/{part}/stock"), token).await,
        StatusCode::OK,
    )
    .await
}

async fn entries(app: &TestApp) -> Vec<stock_entry::Model> {
    stock_entry::Entity::find()
        .all(&app.state.db)
        .await
        .unwrap()
}

/// Every balance equals the sum of its bin's ledger, in quantity and value; none is negative.
async fn assert_balances_are_the_ledger(app: &TestApp, step: &str) {
    let mut sums: HashMap<(uuid::Uuid, uuid::Uuid), (i64, i64)> = HashMap::new();
    for e in entries(app).await {
        let s = sums.entry((e.part_id, e.bin_id)).or_default();
        s.0 += e.quantity;
        s.1 += e.value_minor;
    }
    let balances = stock_balance::Entity::find()
        .all(&app.state.db)
        .await
        .unwrap();
    for b in &balances {
        assert!(
            b.on_hand >= 0 && b.value_minor >= 0,
            "{step}: negative {b:?}"
        );
        assert_eq!(
            sums.get(&(b.part_id, b.bin_id))
                .copied()
                .unwrap_or_default(),
            (b.on_hand, b.value_minor),
            "{step}: balance is not its ledger"
        );
        if b.on_hand == 0 {
            assert_eq!(b.value_minor, 0, "{step}: value left in an empty bin");
        }
    }
    assert_eq!(
        sums.len(),
        balances.len(),
        "{step}: entries without a balance"
    );
}

async fn parts_go_in_and_out_through_the_ledger(app: TestApp) {
    let procurement = app.token("procurement").await;
    let tech = app.token("technician").await;
    let manager = app.token("facility_manager").await;
    let valve = part(&app, "VLV-EXH-001", 0).await;
    let valve_id = id(&valve);
    assert_eq!(valve["onHand"], "0");
    let (store, bin) = store_at(&app, "SMGH", "SMGH-MAIN").await;

    // Part numbers are unique in the catalogue.
    let dup = app
        .post(
            "/api/v1/parts",
            &procurement,
            json!({ "partNumber": "VLV-EXH-001", "name": "Again" }),
        )
        .await;
    expect(dup, StatusCode::CONFLICT).await;

    let r = receive(&app, &valve_id, &bin, "10", 1250).await;
    assert_eq!(r["entries"][0]["onHandAfter"], "10");
    assert_eq!(r["entries"][0]["valueMinor"], 12500);

    // The technician issues three to the work they are doing, and returns one.
    let wo = work_order_in(&app, "in_progress").await;
    let issued = expect(
        move_stock(
            &app,
            &tech,
            json!({ "kind": "issue", "partId": valve_id, "binId": bin, "quantity": 3, "workOrderId": wo }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(issued["entries"][0]["quantity"], "-3");
    assert_eq!(issued["entries"][0]["valueMinor"], -3750);
    assert_eq!(issued["entries"][0]["actorName"], "Grace Wanjiru");
    // The ledger names the work by its code, as people read it.
    let code = app.get_ok(&format!("/api/v1/work-orders/{wo}")).await["code"].clone();
    assert!(code.as_str().unwrap().starts_with("WO-"));
    assert_eq!(issued["entries"][0]["workOrderCode"], code);
    let returned = expect(
        move_stock(
            &app,
            &tech,
            json!({ "kind": "return", "partId": valve_id, "binId": bin, "quantity": "1", "workOrderId": wo }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(returned["entries"][0]["valueMinor"], 1250);
    // More cannot come back than went out.
    let too_many = move_stock(
        &app,
        &tech,
        json!({ "kind": "return", "partId": valve_id, "binId": bin, "quantity": "3", "workOrderId": wo }),
    )
    .await;
    expect(too_many, StatusCode::CONFLICT).await;
    // The work order's own view: two used at the ledger's cost, both movements listed; staff,
    // who may see the work order but not stock, are refused.
    let used = expect(
        app.get(&format!("/api/v1/work-orders/{wo}/stock"), &tech)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(used["used"][0]["partNumber"], "VLV-EXH-001");
    assert_eq!(used["used"][0]["quantity"], "2");
    assert_eq!(used["valueMinor"], 2500);
    assert_eq!(used["entries"].as_array().unwrap().len(), 2);
    assert_eq!(used["entries"][0]["kind"], "issue");
    assert_eq!(used["entries"][1]["kind"], "return");
    assert_eq!(used["entries"][0]["storeName"], "Store SMGH-MAIN");
    // And the work order's cost counts them at that value.
    let w = app.get_ok(&format!("/api/v1/work-orders/{wo}")).await;
    assert_eq!(w["partsCostMinor"], 2500);
    let staff = app.token("staff").await;
    expect(
        app.get(&format!("/api/v1/work-orders/{wo}/stock"), &staff)
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;

    // Taking more than is there is refused and writes nothing.
    let before = entries(&app).await.len();
    let res = move_stock(
        &app,
        &tech,
        json!({ "kind": "issue", "partId": valve_id, "binId": bin, "quantity": "9", "workOrderId": wo }),
    )
    .await;
    let problem = expect(res, StatusCode::CONFLICT).await;
    assert!(
        problem["detail"].as_str().unwrap().contains("Only 8 each"),
        "{problem}"
    );
    assert_eq!(entries(&app).await.len(), before);

    // The technician receives nothing, and issues only to work that is theirs and open.
    let res = move_stock(
        &app,
        &tech,
        json!({ "kind": "receipt", "partId": valve_id, "binId": bin, "quantity": "1", "unitCostMinor": 1 }),
    )
    .await;
    expect(res, StatusCode::FORBIDDEN).await;
    let unassigned = work_order_in(&app, "pending").await;
    let res = move_stock(
        &app,
        &tech,
        json!({ "kind": "issue", "partId": valve_id, "binId": bin, "quantity": "1", "workOrderId": unassigned }),
    )
    .await;
    // Work the technician may not see is named, not forbidden: it is a bad reference.
    let p = expect(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(p["errors"][0]["field"], "workOrderId");
    let closed = work_order_in(&app, "closed").await;
    let res = move_stock(
        &app,
        &tech,
        json!({ "kind": "issue", "partId": valve_id, "binId": bin, "quantity": "1", "workOrderId": closed }),
    )
    .await;
    expect(res, StatusCode::CONFLICT).await;

    // Transfers move stock and its value between bins together.
    let bin2 = id(&expect(
        app.post(
            &format!("/api/v1/stores/{store}/bins"),
            &procurement,
            json!({ "code": "a-03" }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await);
    let t = expect(
        move_stock(
            &app,
            &procurement,
            json!({ "kind": "transfer", "partId": valve_id, "binId": bin, "toBinId": bin2, "quantity": "2" }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(t["entries"].as_array().unwrap().len(), 2);
    assert_eq!(t["entries"][1]["binCode"], "A-03");
    assert_eq!(t["entries"][0]["movementId"], t["entries"][1]["movementId"]);

    // A count posts the difference; a write-off needs its reason.
    let c = expect(
        move_stock(
            &app,
            &procurement,
            json!({ "kind": "count", "partId": valve_id, "binId": bin2, "countedQuantity": "1" }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(c["entries"][0]["quantity"], "-1");
    let res = move_stock(
        &app,
        &procurement,
        json!({ "kind": "write_off", "partId": valve_id, "binId": bin, "quantity": "1" }),
    )
    .await;
    let p = expect(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(p["errors"][0]["field"], "writeOffReason");
    expect(
        move_stock(
            &app,
            &procurement,
            json!({ "kind": "write_off", "partId": valve_id, "binId": bin, "quantity": "1", "writeOffReason": "damaged" }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;

    // 10 in, 3 out, 1 back, 1 counted missing, 1 written off: 6 left, at 12.50 each.
    let s = stock_of(&app, &manager, &valve_id).await;
    assert_eq!(s["onHand"], "6");
    assert_eq!(s["valueMinor"], 7500);
    assert_eq!(s["stores"][0]["bins"].as_array().unwrap().len(), 2);
    let got = expect(
        app.get(&format!("/api/v1/parts/{valve_id}"), &manager)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(got["onHand"], "6");

    // The ledger reads newest first, with each bin's running balance, in pages.
    let page = expect(
        app.get(
            &format!("/api/v1/parts/{valve_id}/ledger?limit=3"),
            &manager,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(page["items"][0]["kind"], "write_off");
    assert_eq!(page["items"][0]["reason"], "damaged");
    assert_eq!(page["items"][0]["onHandAfter"], "5");
    let next = page["nextCursor"].as_str().unwrap();
    let rest = expect(
        app.get(
            &format!("/api/v1/parts/{valve_id}/ledger?limit=50&cursor={next}"),
            &manager,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(rest["items"].as_array().unwrap().len(), 4);
    assert_eq!(rest["items"][3]["kind"], "receipt");
    assert_balances_are_the_ledger(&app, "end").await;

    // The database itself refuses to change or delete a ledger entry.
    let rewrite = app
        .state
        .db
        .execute_unprepared("UPDATE stock_entries SET quantity = 1000000")
        .await;
    assert!(rewrite.is_err(), "a ledger entry was rewritten");
    let delete = app
        .state
        .db
        .execute_unprepared("DELETE FROM stock_entries")
        .await;
    assert!(delete.is_err(), "the ledger was deleted");

    // Its unit is fixed once stock has moved; staff and vendors see nothing of stock.
    let res = app
        .patch(
            &format!("/api/v1/parts/{valve_id}"),
            &procurement,
            json!({ "unit": "box" }),
        )
        .await;
    expect(res, StatusCode::CONFLICT).await;
    for role in ["staff", "vendor"] {
        let t = app.token(role).await;
        expect(app.get("/api/v1/parts", &t).await, StatusCode::FORBIDDEN).await;
        expect(
            app.get(&format!("/api/v1/parts/{valve_id}/stock"), &t)
                .await,
            StatusCode::FORBIDDEN,
        )
        .await;
    }
}
both!(parts_go_in_and_out_through_the_ledger);

async fn quantities_are_exact_in_the_parts_unit(app: TestApp) {
    let procurement = app.token("procurement").await;
    let cable = id(&part(&app, "CBL-O2-6MM", 2).await);
    let whole = id(&part(&app, "FUSE-2A", 0).await);
    let (_, bin) = store_at(&app, "SMGH", "SMGH-MAIN").await;
    receive(&app, &cable, &bin, "12.5", 480).await;
    for (p, q, field) in [
        (&whole, json!("1.5"), "quantity"),
        (&cable, json!("0.125"), "quantity"),
        (&cable, json!("-1"), "quantity"),
        (&cable, json!("0"), "quantity"),
        (&cable, json!(true), ""),
    ] {
        let res = move_stock(
            &app,
            &procurement,
            json!({ "kind": "receipt", "partId": p, "binId": bin, "quantity": q, "unitCostMinor": 100 }),
        )
        .await;
        let status = res.status();
        assert!(
            status == StatusCode::UNPROCESSABLE_ENTITY || status == StatusCode::BAD_REQUEST,
            "{q} accepted: {status}"
        );
        if !field.is_empty() {
            let p = expect(res, StatusCode::UNPROCESSABLE_ENTITY).await;
            assert_eq!(p["errors"][0]["field"], field, "{p}");
        }
    }
    let moved = expect(
        move_stock(
            &app,
            &procurement,
            json!({ "kind": "adjustment", "partId": cable, "binId": bin, "quantity": "-0.75", "reason": "Cut for the theatre pendant" }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(moved["entries"][0]["onHandAfter"], "11.75");
    // 12.5 m at 4.80: 6000; 0.75 m leave at the average cost, 360.
    assert_eq!(moved["entries"][0]["valueMinor"], -360);
    let s = stock_of(&app, &procurement, &cable).await;
    assert_eq!(s["onHand"], "11.75");
    assert_eq!(s["valueMinor"], 5640);
}
both!(quantities_are_exact_in_the_parts_unit);

async fn a_hundred_simultaneous_issues_of_ten_parts_take_exactly_ten(app: TestApp) {
    let valve = id(&part(&app, "VLV-EXH-002", 0).await);
    let (_, bin) = store_at(&app, "SMGH", "SMGH-MAIN").await;
    receive(&app, &valve, &bin, "10", 900).await;
    let wo = work_order_in(&app, "in_progress").await;
    let tech = app.token("technician").await;
    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let client = app.client.clone();
            let url = app.url("/api/v1/stock-movements");
            let tech = tech.clone();
            let body = json!({ "kind": "issue", "partId": valve, "binId": bin, "quantity": "1", "workOrderId": wo });
            tokio::spawn(async move {
                client
                    .post(url)
                    .bearer_auth(tech)
                    .json(&body)
                    .send()
                    .await
                    .unwrap()
                    .status()
            })
        })
        .collect();
    let mut by_status: HashMap<u16, usize> = HashMap::new();
    for t in tasks {
        *by_status.entry(t.await.unwrap().as_u16()).or_default() += 1;
    }
    assert_eq!(by_status.get(&201), Some(&10), "{by_status:?}");
    assert_eq!(by_status.get(&409), Some(&90), "{by_status:?}");
    let s = stock_of(&app, &tech, &valve).await;
    assert_eq!(s["onHand"], "0");
    assert_eq!(s["valueMinor"], 0);
    assert_balances_are_the_ledger(&app, "after the rush").await;
}
both!(a_hundred_simultaneous_issues_of_ten_parts_take_exactly_ten);

async fn random_movements_keep_every_balance_equal_to_its_ledger(app: TestApp) {
    let procurement = app.token("procurement").await;
    let parts = [
        id(&part(&app, "RND-A", 0).await),
        id(&part(&app, "RND-B", 3).await),
    ];
    let (store1, bin1) = store_at(&app, "SMGH", "RND-1").await;
    let (_, bin2) = store_at(&app, "SMGH", "RND-2").await;
    let bin3 = id(&expect(
        app.post(
            &format!("/api/v1/stores/{store1}/bins"),
            &procurement,
            json!({ "code": "SHELF-2" }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await);
    let bins = [bin1, bin2, bin3];
    let wo = work_order_in(&app, "in_progress").await;
    let mut rng = rand::rngs::StdRng::seed_from_u64(20261206);
    let (mut posted, mut refused) = (0, 0);
    for step in 0..70 {
        let p = &parts[rng.gen_range(0..2)];
        let b = &bins[rng.gen_range(0..3)];
        let q = format!("{}", rng.gen_range(1..6));
        let body = match rng.gen_range(0..7) {
            0 | 1 => {
                json!({ "kind": "receipt", "partId": p, "binId": b, "quantity": q, "unitCostMinor": rng.gen_range(1..5000) })
            }
            2 => {
                json!({ "kind": "issue", "partId": p, "binId": b, "quantity": q, "workOrderId": wo })
            }
            3 => {
                json!({ "kind": "return", "partId": p, "binId": b, "quantity": "1", "workOrderId": wo })
            }
            4 => {
                let to = &bins[rng.gen_range(0..3)];
                json!({ "kind": "transfer", "partId": p, "binId": b, "toBinId": to, "quantity": q })
            }
            5 => {
                let sign = if rng.gen_bool(0.5) { "-" } else { "" };
                json!({ "kind": "adjustment", "partId": p, "binId": b, "quantity": format!("{sign}{q}"), "reason": "Found on the shelf" })
            }
            _ => {
                json!({ "kind": "count", "partId": p, "binId": b, "countedQuantity": format!("{}", rng.gen_range(0..8)) })
            }
        };
        let res = move_stock(&app, &procurement, body.clone()).await;
        match res.status() {
            StatusCode::CREATED => posted += 1,
            // Not enough stock, nothing out on the work order, or a transfer to the same bin.
            StatusCode::CONFLICT | StatusCode::UNPROCESSABLE_ENTITY => refused += 1,
            other => panic!("step {step}: {body} answered {other}"),
        }
        assert_balances_are_the_ledger(&app, &format!("step {step}")).await;
    }
    assert!(
        posted > 35 && refused > 3,
        "posted {posted}, refused {refused}"
    );
}
both!(random_movements_keep_every_balance_equal_to_its_ledger);

async fn a_transfer_that_fails_between_its_legs_changes_nothing(app: TestApp) {
    let procurement = app.token("procurement").await;
    let valve = id(&part(&app, "VLV-EXH-003", 0).await);
    let (_, from) = store_at(&app, "SMGH", "FROM").await;
    let (_, to) = store_at(&app, "SMGH", "TO").await;
    receive(&app, &valve, &from, "5", 1000).await;
    let before_entries = entries(&app).await.len();
    let before = stock_balance::Entity::find()
        .all(&app.state.db)
        .await
        .unwrap();
    // The database fails the second leg: the first leg is already written in the transaction.
    match app.backend {
        crate::helpers::Backend::Sqlite => {
            app.sql(
                "CREATE TRIGGER crash_between_legs BEFORE INSERT ON stock_entries \
                 WHEN NEW.kind = 'transfer_in' BEGIN SELECT RAISE(ABORT, 'killed'); END",
            )
            .await
        }
        crate::helpers::Backend::Postgres => {
            app.sql(
                "CREATE FUNCTION crash_between_legs() RETURNS trigger AS $$ \
                 BEGIN IF NEW.kind = 'transfer_in' THEN RAISE EXCEPTION 'killed'; END IF; RETURN NEW; END; \
                 $$ LANGUAGE plpgsql",
            )
            .await;
            app.sql(
                "CREATE TRIGGER crash_between_legs BEFORE INSERT ON stock_entries \
                 FOR EACH ROW EXECUTE FUNCTION crash_between_legs()",
            )
            .await
        }
    }
    let res = move_stock(
        &app,
        &procurement,
        json!({ "kind": "transfer", "partId": valve, "binId": from, "toBinId": to, "quantity": "2" }),
    )
    .await;
    assert!(res.status().is_server_error(), "{}", res.status());
    assert_eq!(entries(&app).await.len(), before_entries);
    let after = stock_balance::Entity::find()
        .all(&app.state.db)
        .await
        .unwrap();
    assert_eq!(before, after, "a half transfer was written");
    let s = stock_of(&app, &procurement, &valve).await;
    assert_eq!(s["onHand"], "5");
    assert_eq!(s["stores"].as_array().unwrap().len(), 1);
}
both!(a_transfer_that_fails_between_its_legs_changes_nothing);

async fn an_issue_replayed_from_the_offline_queue_is_applied_once(app: TestApp) {
    let valve = id(&part(&app, "VLV-EXH-004", 0).await);
    let (_, bin) = store_at(&app, "SMGH", "SMGH-MAIN").await;
    receive(&app, &valve, &bin, "10", 700).await;
    let wo = work_order_in(&app, "in_progress").await;
    let tech = app.token("technician").await;
    let body = json!({ "kind": "issue", "partId": valve, "binId": bin, "quantity": "2", "workOrderId": wo });
    for replays in 1..=5 {
        let key = uuid::Uuid::now_v7().to_string();
        let mut answers = vec![];
        for _ in 0..replays {
            let res = app
                .client
                .post(app.url("/api/v1/stock-movements"))
                .bearer_auth(&tech)
                .header("Idempotency-Key", &key)
                .json(&body)
                .send()
                .await
                .unwrap();
            answers.push(expect(res, StatusCode::CREATED).await);
        }
        assert!(answers.windows(2).all(|w| w[0] == w[1]), "replays differ");
    }
    // Five keys, each sent one to five times: five issues of two.
    let s = stock_of(&app, &tech, &valve).await;
    assert_eq!(s["onHand"], "0");
    assert_eq!(entries(&app).await.len(), 6);
}
both!(an_issue_replayed_from_the_offline_queue_is_applied_once);

async fn notifications_of(app: &TestApp, role: &str) -> usize {
    let t = app.token(role).await;
    let list = expect(
        app.get("/api/v1/notifications?limit=200", &t).await,
        StatusCode::OK,
    )
    .await;
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "inventory_low")
        .count()
}

async fn low_stock_is_announced_once_per_crossing(app: TestApp) {
    let procurement = app.token("procurement").await;
    let valve = id(&part(&app, "VLV-EXH-005", 0).await);
    let (store, bin) = store_at(&app, "SMGH", "SMGH-MAIN").await;
    receive(&app, &valve, &bin, "10", 500).await;
    let res = app
        .request(
            Method::PUT,
            &format!("/api/v1/parts/{valve}/levels/{store}"),
            Some(&procurement),
            Some(json!({ "reorderPoint": "4", "maximum": "20", "leadTimeDays": 14 })),
        )
        .await;
    let s = expect(res, StatusCode::OK).await;
    assert_eq!(s["stores"][0]["reorderPoint"], "4");
    assert_eq!(s["stores"][0]["low"], false);
    let bad = app
        .request(
            Method::PUT,
            &format!("/api/v1/parts/{valve}/levels/{store}"),
            Some(&procurement),
            Some(json!({ "reorderPoint": "4", "maximum": "3" })),
        )
        .await;
    expect(bad, StatusCode::UNPROCESSABLE_ENTITY).await;

    let wo = work_order_in(&app, "in_progress").await;
    let tech = app.token("technician").await;
    let issue = |q: &'static str| {
        let body = json!({ "kind": "issue", "partId": valve, "binId": bin, "quantity": q, "workOrderId": wo });
        let app = &app;
        let tech = tech.clone();
        async move {
            expect(move_stock(app, &tech, body).await, StatusCode::CREATED).await;
        }
    };
    issue("5").await; // 5 left: above the reorder point
    assert_eq!(notifications_of(&app, "procurement").await, 0);
    issue("1").await; // 4: the crossing
    issue("1").await; // 3: still low, no second alert
    assert_eq!(notifications_of(&app, "procurement").await, 1);
    assert_eq!(notifications_of(&app, "facility_manager").await, 1);
    assert_eq!(notifications_of(&app, "technician").await, 0);
    let list = expect(
        app.get("/api/v1/stock/reorder", &procurement).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(list["items"][0]["partNumber"], "VLV-EXH-005");
    assert_eq!(list["items"][0]["available"], "3");
    assert_eq!(list["items"][0]["suggestedQuantity"], "17");
    let low = expect(
        app.get("/api/v1/parts?low=true", &procurement).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(low["items"].as_array().unwrap().len(), 1);

    // Restocked, then down again: a second crossing, a second alert.
    receive(&app, &valve, &bin, "10", 500).await;
    let list = expect(
        app.get("/api/v1/stock/reorder", &procurement).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 0);
    issue("9").await;
    assert_eq!(notifications_of(&app, "procurement").await, 2);
    let db = &app.state.db;
    let events = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM domain_events WHERE event_type = 'INVENTORY_LOW'",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap();
    assert_eq!(events, 2);
}
both!(low_stock_is_announced_once_per_crossing);

async fn another_hospitals_stores_cannot_be_reached_by_naming_them(app: TestApp) {
    let procurement = app.token("procurement").await;
    let manager = app.token("facility_manager").await;
    let tech = app.token("technician").await;
    let valve = id(&part(&app, "VLV-EXH-006", 0).await);
    let (smgh_store, smgh_bin) = store_at(&app, "SMGH", "SMGH-MAIN").await;
    let (ldh_store, ldh_bin) = store_at(&app, "LDH", "LDH-MAIN").await;
    receive(&app, &valve, &ldh_bin, "4", 300).await;
    receive(&app, &valve, &smgh_bin, "2", 300).await;

    // St. Mary's manager and technician see their own store only.
    for t in [&manager, &tech] {
        let stores = expect(app.get("/api/v1/stores", t).await, StatusCode::OK).await;
        let ids: Vec<&str> = stores["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, vec![smgh_store.as_str()]);
        expect(
            app.get(&format!("/api/v1/stores/{ldh_store}"), t).await,
            StatusCode::NOT_FOUND,
        )
        .await;
        let s = stock_of(&app, t, &valve).await;
        assert_eq!(s["onHand"], "2", "Lakeside's stock counted for St. Mary's");
        let ledger = expect(
            app.get(&format!("/api/v1/parts/{valve}/ledger"), t).await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(ledger["items"].as_array().unwrap().len(), 1);
    }
    // Procurement sees both.
    let s = stock_of(&app, &procurement, &valve).await;
    assert_eq!(s["onHand"], "6");

    // Naming Lakeside's bin in a movement answers as a bin that does not exist.
    let wo = work_order_in(&app, "in_progress").await;
    let res = move_stock(
        &app,
        &tech,
        json!({ "kind": "issue", "partId": valve, "binId": ldh_bin, "quantity": "1", "workOrderId": wo }),
    )
    .await;
    let p = expect(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(p["errors"][0]["field"], "binId");
    // A store keeper of St. Mary's (a custom role) cannot pull Lakeside's stock over either.
    let admin = app.admin().await;
    let keeper = store_keeper(&app, "SMGH").await;
    let res = move_stock(
        &app,
        &keeper,
        json!({ "kind": "transfer", "partId": valve, "binId": ldh_bin, "toBinId": smgh_bin, "quantity": "4" }),
    )
    .await;
    expect(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    let res = move_stock(
        &app,
        &keeper,
        json!({ "kind": "transfer", "partId": valve, "binId": smgh_bin, "toBinId": ldh_bin, "quantity": "1" }),
    )
    .await;
    let p = expect(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(p["errors"][0]["field"], "toBinId");
    let res = app
        .post(
            "/api/v1/stores",
            &keeper,
            json!({ "siteId": app.site_id("LDH").await, "code": "MINE", "name": "Mine", "kind": "satellite" }),
        )
        .await;
    let p = expect(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(p["errors"][0]["field"], "siteId");
    let res = app
        .request(
            Method::PUT,
            &format!("/api/v1/parts/{valve}/levels/{ldh_store}"),
            Some(&keeper),
            Some(json!({ "reorderPoint": "1", "maximum": "5" })),
        )
        .await;
    expect(res, StatusCode::NOT_FOUND).await;
    // Lakeside's stock is untouched.
    let s = stock_of(&app, &procurement, &valve).await;
    assert_eq!(s["onHand"], "6");
    // Nor can St. Mary's manager read what a Lakeside work order used by naming it.
    let ldh_work = expect(
        app.post(
            "/api/v1/work-orders",
            &admin,
            json!({ "title": "Autoclave door seal", "departmentId": app.department_id("LDH", "MAT").await }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    expect(
        app.get(
            &format!(
                "/api/v1/work-orders/{}/stock",
                ldh_work["id"].as_str().unwrap()
            ),
            &manager,
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
}
both!(another_hospitals_stores_cannot_be_reached_by_naming_them);

/// A store keeper of one site: a custom role with `inventory.adjust`, scoped to that site.
async fn store_keeper(app: &TestApp, site: &str) -> String {
    let admin = app.admin().await;
    let roles = expect(app.get("/api/v1/roles", &admin).await, StatusCode::OK).await;
    let exists = roles
        .as_array()
        .or(roles["items"].as_array())
        .is_some_and(|r| r.iter().any(|r| r["key"] == "store_keeper"));
    if !exists {
        expect(
            app.post(
                "/api/v1/roles",
                &admin,
                json!({ "key": "store_keeper", "name": "Store keeper", "defaultScope": "site",
                        "permissions": ["org.read", "inventory.read", "inventory.adjust"] }),
            )
            .await,
            StatusCode::CREATED,
        )
        .await;
    }
    let email = format!("stores-{}@demo.hmms", site.to_lowercase());
    expect(
        app.post(
            "/api/v1/users",
            &admin,
            json!({ "email": email, "name": format!("Store keeper {site}"), "role": "store_keeper",
                    "siteId": app.site_id(site).await, "password": hmms_demo::DEMO_PASSWORD }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    app.sign_in(&email, hmms_demo::DEMO_PASSWORD).await["accessToken"]
        .as_str()
        .unwrap()
        .to_string()
}

const SHEET: &str = "part_number,name,category,unit,decimals,critical,store_code,bin_code,quantity,unit_cost,reorder_point,maximum,lead_time_days\n\
VLV-EXH-100,Exhalation valve,Ventilator spares,each,0,yes,SMGH-MAIN,A-01,6,2450.00,2,10,21\n\
VLV-EXH-100,Exhalation valve,Ventilator spares,each,0,yes,SMGH-MAIN,B-04,2,2450.00,,,\n\
TUB-O2-2M,Oxygen tubing,Consumables,m,1,no,SMGH-MAIN,,12.5,3.20,,,\n\
FLT-HEPA,=HEPA filter,,,,,,,,,,,\n";

async fn part_numbered(app: &TestApp, token: &str, number: &str) -> Value {
    let page = expect(
        app.get(&format!("/api/v1/parts?q={number}"), token).await,
        StatusCode::OK,
    )
    .await;
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["partNumber"] == number)
        .cloned()
        .unwrap_or_else(|| panic!("no part {number} in {page}"))
}

async fn import_report(app: &TestApp, token: &str, sheet: &str) -> (u64, u64, u64) {
    let r = expect(
        app.post_csv("/api/v1/parts/import", token, sheet).await,
        StatusCode::OK,
    )
    .await;
    (
        r["created"].as_u64().unwrap(),
        r["updated"].as_u64().unwrap(),
        r["skipped"].as_u64().unwrap(),
    )
}

async fn a_stock_book_imports_with_opening_balances_and_exports_back_unchanged(app: TestApp) {
    let procurement = app.token("procurement").await;
    store_at(&app, "SMGH", "SMGH-MAIN").await;
    assert_eq!(import_report(&app, &procurement, SHEET).await, (3, 0, 0));

    // Opening balances are receipts at the sheet's cost, into bins the sheet named.
    let valve = part_numbered(&app, &procurement, "VLV-EXH-100").await;
    assert_eq!(valve["onHand"], "8");
    assert_eq!(valve["valueMinor"], 8 * 245_000);
    assert_eq!(valve["critical"], true);
    let stock = stock_of(&app, &procurement, &id(&valve)).await;
    let store = &stock["stores"][0];
    let bins: Vec<(&str, &str)> = store["bins"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["binCode"].as_str().unwrap(),
                b["onHand"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(bins, vec![("A-01", "6"), ("B-04", "2")], "{stock}");
    assert_eq!(
        (&store["reorderPoint"], &store["maximum"]),
        (&json!("2"), &json!("10"))
    );
    let ledger = expect(
        app.get(
            &format!("/api/v1/parts/{}/ledger", id(&valve)),
            &procurement,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    for e in ledger["items"].as_array().unwrap() {
        assert_eq!(
            (&e["kind"], &e["reason"]),
            (&json!("receipt"), &json!("Opening balance"))
        );
    }
    let tubing = part_numbered(&app, &procurement, "TUB-O2-2M").await;
    assert_eq!(
        (&tubing["onHand"], &tubing["unit"]),
        (&json!("12.5"), &json!("m"))
    );
    assert_eq!(tubing["valueMinor"], 4000);
    // A formula-looking name is kept as typed.
    let filter = part_numbered(&app, &procurement, "FLT-HEPA").await;
    assert_eq!(
        (&filter["name"], &filter["onHand"]),
        (&json!("=HEPA filter"), &json!("0"))
    );
    assert_balances_are_the_ledger(&app, "after the import").await;
    let written = entries(&app).await.len();
    assert_eq!(written, 3);

    // The same sheet again, and the export, change nothing.
    assert_eq!(import_report(&app, &procurement, SHEET).await, (0, 0, 0));
    let res = app.get("/api/v1/parts/export.csv", &procurement).await;
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let export = res.text().await.unwrap();
    // One row per bin; the store's levels on its first row.
    for row in [
        "VLV-EXH-100,Exhalation valve,Ventilator spares,each,0,,,,yes,yes,SMGH-MAIN,A-01,6,2450.00,2,10,21\r\n",
        "VLV-EXH-100,Exhalation valve,Ventilator spares,each,0,,,,yes,yes,SMGH-MAIN,B-04,2,2450.00,,,\r\n",
        "TUB-O2-2M,Oxygen tubing,Consumables,m,1,,,,no,yes,SMGH-MAIN,GENERAL,12.5,3.20,,,\r\n",
    ] {
        assert!(export.contains(row), "{row} not in {export}");
    }
    assert!(
        export.contains("'=HEPA filter"),
        "a formula escaped: {export}"
    );
    assert_eq!(import_report(&app, &procurement, &export).await, (0, 0, 0));
    assert_eq!(entries(&app).await.len(), written);

    // A quantity that differs from stock that has moved is refused, and nothing of the sheet
    // is written — not even its valid new part.
    let sheet = "part_number,name,store_code,bin_code,quantity,unit_cost\n\
                 BAT-9V,9 V battery,SMGH-MAIN,,10,1.50\n\
                 VLV-EXH-100,Exhalation valve,SMGH-MAIN,A-01,5,2450.00\n";
    let p = expect(
        app.post_csv("/api/v1/parts/import", &procurement, sheet)
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "row 2: quantity", "{p}");
    assert!(
        p["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("record a count"),
        "{p}"
    );
    let none = expect(
        app.get("/api/v1/parts?q=BAT-9V", &procurement).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(none["items"].as_array().unwrap().len(), 0);
    // With "import the valid rows", the battery goes in and the valve row is left out.
    let r = expect(
        app.post_csv("/api/v1/parts/import?partial=true", &procurement, sheet)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (&r["created"], &r["skipped"], &r["errors"][0]["row"]),
        (&json!(1), &json!(1), &json!(2))
    );
    assert_eq!(
        part_numbered(&app, &procurement, "BAT-9V").await["onHand"],
        "10"
    );
    assert_eq!(
        part_numbered(&app, &procurement, "VLV-EXH-100").await["onHand"],
        "8"
    );

    // Each problem names its row and column; a bad header names the columns.
    let sheet = "part_number,name,unit,decimals,store_code,quantity,unit_cost,reorder_point,maximum\n\
                 TUB-O2-2M,Oxygen tubing,each,0,,,,,\n\
                 GAS-1,Gasket,each,0,SMGH-MAIN,4,,,\n\
                 GAS-2,Gasket,each,5,SMGH-MAIN,,,6,4\n\
                 GAS-3,,each,0,NOWHERE,1,1.00,,\n";
    let p = expect(
        app.post_csv("/api/v1/parts/import", &procurement, sheet)
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for f in [
        "row 1: unit",
        "row 2: unit_cost",
        "row 3: decimals",
        "row 4: name",
        "row 4: store_code",
    ] {
        assert!(fields.contains(&f), "{f} missing from {p}");
    }
    let p = expect(
        app.post_csv("/api/v1/parts/import", &procurement, "part,name\nX,Y\n")
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "file");
    assert!(
        p["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("unknown: part")
    );
    let res = app
        .request(
            Method::POST,
            "/api/v1/parts/import",
            Some(&procurement),
            Some(json!({})),
        )
        .await;
    expect(res, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
    assert_balances_are_the_ledger(&app, "after the refused sheets").await;
}
both!(a_stock_book_imports_with_opening_balances_and_exports_back_unchanged);

async fn a_sheet_cannot_stock_or_read_another_hospitals_store(app: TestApp) {
    let procurement = app.token("procurement").await;
    store_at(&app, "SMGH", "SMGH-MAIN").await;
    store_at(&app, "LDH", "LDH-MAIN").await;
    let sheet = "part_number,name,store_code,quantity,unit_cost\n\
                 VLV-EXH-200,Exhalation valve,LDH-MAIN,4,10.00\n\
                 VLV-EXH-200,Exhalation valve,SMGH-MAIN,1,10.00\n";
    assert_eq!(import_report(&app, &procurement, sheet).await, (1, 0, 0));
    let keeper = store_keeper(&app, "SMGH").await;
    // St. Mary's store keeper names Lakeside's store: as unknown as a store that does not exist.
    let theirs = "part_number,name,store_code,bin_code,quantity,unit_cost,reorder_point,maximum\n\
                  VLV-EXH-201,Exhalation valve,LDH-MAIN,NEW,9,10.00,1,5\n";
    let p = expect(
        app.post_csv("/api/v1/parts/import", &keeper, theirs).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "row 1: store_code", "{p}");
    assert_eq!(p["errors"][0]["message"], "no store LDH-MAIN you may stock");
    let r = expect(
        app.post_csv("/api/v1/parts/import?partial=true", &keeper, theirs)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!((&r["created"], &r["skipped"]), (&json!(0), &json!(1)));
    // Lakeside's stock is untouched; its bin NEW was not created.
    let valve = part_numbered(&app, &procurement, "VLV-EXH-200").await;
    assert_eq!(valve["onHand"], "5");
    let stock = stock_of(&app, &procurement, &id(&valve)).await;
    assert!(
        !stock.to_string().contains("\"NEW\""),
        "a bin was made in Lakeside's store: {stock}"
    );
    // The keeper's export holds St. Mary's stock only.
    let export = app
        .get("/api/v1/parts/export.csv", &keeper)
        .await
        .text()
        .await
        .unwrap();
    assert!(export.contains("SMGH-MAIN"), "{export}");
    assert!(!export.contains("LDH-MAIN"), "{export}");
    // Staff and vendors read nothing of the catalogue.
    for role in ["staff", "vendor"] {
        let t = app.token(role).await;
        expect(
            app.get("/api/v1/parts/export.csv", &t).await,
            StatusCode::FORBIDDEN,
        )
        .await;
    }
}
both!(a_sheet_cannot_stock_or_read_another_hospitals_store);

async fn stock_is_valued_by_store_and_category_within_reach(app: TestApp) {
    let procurement = app.token("procurement").await;
    let manager = app.token("facility_manager").await;
    let valve = id(&part(&app, "VLV-EXH-300", 0).await); // Ventilator spares
    let cable = id(&part(&app, "CBL-300", 1).await);
    let (_, smgh_bin) = store_at(&app, "SMGH", "SMGH-MAIN").await;
    let (_, ward_bin) = store_at(&app, "SMGH", "SMGH-WARD").await;
    let (_, ldh_bin) = store_at(&app, "LDH", "LDH-MAIN").await;
    receive(&app, &valve, &smgh_bin, "4", 2500).await; // 10,000
    receive(&app, &cable, &smgh_bin, "10.5", 200).await; // 2,100
    receive(&app, &valve, &ldh_bin, "2", 2500).await; // 5,000
    // An uncategorised part, then taken out entirely: worth nothing, not listed.
    let admin = app.admin().await;
    let plain = expect(
        app.post(
            "/api/v1/parts",
            &procurement,
            json!({ "partNumber": "MISC-1", "name": "Spacer" }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    receive(&app, &id(&plain), &ward_bin, "3", 100).await;
    let wo = work_order_in(&app, "in_progress").await;
    expect(
        move_stock(
            &app,
            &admin,
            json!({ "kind": "issue", "partId": id(&plain), "binId": ward_bin, "quantity": "3", "workOrderId": wo }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;

    let all = expect(
        app.get("/api/v1/stock/value", &procurement).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(all["totalMinor"], 17_100, "{all}");
    let stores: Vec<(&str, i64, i64)> = all["stores"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["storeCode"].as_str().unwrap(),
                s["valueMinor"].as_i64().unwrap(),
                s["parts"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        stores,
        vec![
            ("SMGH-MAIN", 12_100, 2),
            ("LDH-MAIN", 5_000, 1),
            ("SMGH-WARD", 0, 0)
        ]
    );
    // Both test parts are "Ventilator spares"; the valve is held at two hospitals, counted once.
    assert_eq!(
        all["categories"],
        json!([{ "category": "Ventilator spares", "valueMinor": 17_100, "parts": 2 }])
    );

    // St. Mary's manager values St. Mary's stores only.
    let mine = expect(
        app.get("/api/v1/stock/value", &manager).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(mine["totalMinor"], 12_100, "{mine}");
    assert!(!mine.to_string().contains("LDH-MAIN"), "{mine}");
    assert_eq!(mine["categories"][0]["valueMinor"], 12_100);
    // Every figure is the ledger's.
    let ledger: i64 = entries(&app).await.iter().map(|e| e.value_minor).sum();
    assert_eq!(ledger, 17_100);
}
both!(stock_is_valued_by_store_and_category_within_reach);

async fn an_issue_the_bin_cannot_fill_is_recorded_as_a_stock_out_once(app: TestApp) {
    let valve = id(&part(&app, "VLV-EXH-400", 0).await);
    let (_, bin) = store_at(&app, "SMGH", "SMGH-MAIN").await;
    let (_, ldh_bin) = store_at(&app, "LDH", "LDH-MAIN").await;
    receive(&app, &valve, &bin, "1", 700).await;
    let wo = work_order_in(&app, "in_progress").await;
    let tech = app.token("technician").await;
    let manager = app.token("facility_manager").await;
    let procurement = app.token("procurement").await;
    // Asking for three where there is one: refused, sent five times from the offline queue.
    let key = uuid::Uuid::now_v7().to_string();
    for _ in 0..5 {
        let res = app
            .client
            .post(app.url("/api/v1/stock-movements"))
            .bearer_auth(&tech)
            .header("Idempotency-Key", &key)
            .json(&json!({ "kind": "issue", "partId": valve, "binId": bin, "quantity": "3", "workOrderId": wo }))
            .send()
            .await
            .unwrap();
        expect(res, StatusCode::CONFLICT).await;
    }
    // The one that is there is taken: no stock-out. Another asked of an empty bin: one more.
    for (quantity, status) in [("1", StatusCode::CREATED), ("1", StatusCode::CONFLICT)] {
        expect(
            move_stock(
                &app,
                &tech,
                json!({ "kind": "issue", "partId": valve, "binId": bin, "quantity": quantity, "workOrderId": wo }),
            )
            .await,
            status,
        )
        .await;
    }
    // Nothing else is a stock-out: a refused write-off is a mistake, not a demand.
    expect(
        move_stock(
            &app,
            &procurement,
            json!({ "kind": "write_off", "partId": valve, "binId": bin, "quantity": "9", "writeOffReason": "damaged" }),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    let outs = expect(
        app.get("/api/v1/stock/outs", &manager).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(outs["total"], 2, "{outs}");
    let rows: Vec<(&str, &str, &str)> = outs["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["requested"].as_str().unwrap(),
                o["onHand"].as_str().unwrap(),
                o["actorName"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![("1", "0", "Grace Wanjiru"), ("3", "1", "Grace Wanjiru")],
        "newest first"
    );
    assert_eq!(outs["items"][0]["storeCode"], "SMGH-MAIN");
    assert!(outs["items"][0]["workOrderCode"].is_string());
    // The ledger holds the receipt and the one issue; nothing of the refusals.
    assert_eq!(entries(&app).await.len(), 2);
    assert_balances_are_the_ledger(&app, "after the stock-outs").await;

    // A stock-out at Lakeside is not St. Mary's to see.
    let admin = app.admin().await;
    let ldh_work = expect(
        app.post(
            "/api/v1/work-orders",
            &admin,
            json!({ "title": "Autoclave door seal", "departmentId": app.department_id("LDH", "MAT").await }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    expect(
        move_stock(
            &app,
            &admin,
            json!({ "kind": "issue", "partId": valve, "binId": ldh_bin, "quantity": "1", "workOrderId": ldh_work["id"] }),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    let all = expect(
        app.get("/api/v1/stock/outs", &procurement).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(all["total"], 3);
    let mine = expect(
        app.get("/api/v1/stock/outs", &manager).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(mine["total"], 2);
    // Filters: by part, by period, and paging.
    let page = expect(
        app.get(
            &format!("/api/v1/stock/outs?partId={valve}&limit=1"),
            &procurement,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (page["items"].as_array().unwrap().len(), &page["total"]),
        (1, &json!(3))
    );
    let next = page["nextCursor"].as_str().unwrap();
    let page2 = expect(
        app.get(
            &format!("/api/v1/stock/outs?partId={valve}&limit=1&cursor={next}"),
            &procurement,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_ne!(page2["items"][0]["id"], page["items"][0]["id"]);
    let none = expect(
        app.get(
            "/api/v1/stock/outs?from=2000-01-01T00:00:00Z&to=2000-02-01T00:00:00Z",
            &procurement,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(none["total"], 0);
    let p = expect(
        app.get(
            "/api/v1/stock/outs?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z",
            &procurement,
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "to");
}
both!(an_issue_the_bin_cannot_fill_is_recorded_as_a_stock_out_once);
