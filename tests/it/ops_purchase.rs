//! `ops_v1` purchase orders (issue 4): both route forms, ownership, validation codes, literal
//! search, paging edges, full replace, delete, photos and atomic creation.

use serde_json::{Value, json};

use crate::db_test;
use crate::ops_files::{png_of, upload};
use crate::support::{ADMIN_PASSWORD, Backend, TestApp};

const ORDERS: &str = "/api/v1/purchase/orders";

/// Registers `name` and logs in; answers `(user_id, token)`.
async fn user(app: &TestApp, name: &str) -> (i64, String) {
    let body = json!({"name": name, "password": "secret12", "password_confirm": "secret12"});
    let id = app
        .post("/api/v1/users/register")
        .json(&body)
        .send()
        .await
        .ops(200, "0")["user_id"]
        .as_i64()
        .unwrap();
    (id, login(app, name, "secret12").await)
}

async fn login(app: &TestApp, name: &str, password: &str) -> String {
    app.post("/api/v1/users/login")
        .json(&json!({"name": name, "password": password}))
        .send()
        .await
        .ops(200, "0")["cookie_value"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn admin(app: &TestApp) -> String {
    login(app, "admin", ADMIN_PASSWORD).await
}

/// The manual's create body.
fn manual_order() -> Value {
    json!({
        "costs": [
            {"cost": 1200, "costt": 1200, "currencytype": "CNY", "int": 2, "type": "服务器"},
            {"cost": 300, "costt": 300, "currencytype": "CNY", "int": 1, "type": "内存条"}
        ],
        "title": "服务器硬件采购",
        "order_status": "pending",
        "part_name": "服务器配件",
        "remark": "需要尽快发货",
        "link": "https://example.com/product/123",
        "photos": [],
        "styles": "{\"priority\": \"high\"}",
        "tracking_number": "TN123456789",
        "update_time": "2026-03-31T18:00:00"
    })
}

/// A small valid order with this title.
fn order_titled(title: &str) -> Value {
    json!({"title": title, "costs": [{"cost": 100, "int": 1, "currencytype": "CNY"}]})
}

async fn create(app: &TestApp, token: &str, body: &Value) -> i64 {
    app.post(ORDERS)
        .bearer(token)
        .json(body)
        .send()
        .await
        .ops(200, "0")["order_id"]
        .as_i64()
        .unwrap()
}

async fn detail(app: &TestApp, token: &str, id: i64) -> Value {
    app.get(&format!("{ORDERS}/{id}"))
        .bearer(token)
        .send()
        .await
        .ops(200, "0")
        .clone()
}

/// `GET /purchase/orders` with these query parameters; answers `data`.
async fn list(app: &TestApp, token: &str, query: &[(&str, &str)]) -> Value {
    app.get(ORDERS)
        .bearer(token)
        .query(query)
        .send()
        .await
        .ops(200, "0")
        .clone()
}

fn ids(data: &Value) -> Vec<i64> {
    data["all_orders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_i64().unwrap())
        .collect()
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    let db = app.db().await;
    let n = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_one(db.pool())
        .await
        .unwrap();
    db.close().await;
    n
}

async fn stored_rows(app: &TestApp) -> (i64, i64, i64) {
    (
        count(app, "SELECT COUNT(*) FROM purchase_orders").await,
        count(app, "SELECT COUNT(*) FROM purchase_costs").await,
        count(app, "SELECT COUNT(*) FROM purchase_search").await,
    )
}

/// A file record in the file store's `files` table. The table belongs to the file store;
/// it is created here only when this branch runs without it.
async fn create_answers_id_total_and_time_and_detail_has_every_field(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (alice_id, alice) = user(&app, "alice").await;
    let r = app
        .post("/api/v1/purchase/addorder")
        .bearer(&alice)
        .json(&manual_order())
        .send()
        .await;
    assert_eq!(r.json["message"], "订单创建成功");
    let created = r.ops(200, "0").clone();
    assert_eq!(created["total_cost"], 2700);
    let created_at = created["created_at"].as_str().unwrap();
    assert!(chrono::DateTime::parse_from_rfc3339(created_at).is_ok() && created_at.ends_with('Z'));
    let id = created["order_id"].as_i64().unwrap();

    let d = detail(&app, &alice, id).await;
    let o = &d["order"];
    assert_eq!(o["id"], id);
    assert_eq!(o["user_id"], alice_id);
    assert_eq!(o["title"], "服务器硬件采购");
    assert_eq!(o["remark"], "需要尽快发货");
    assert_eq!(o["photos"], json!([]));
    assert_eq!(o["link"], "https://example.com/product/123");
    assert_eq!(o["part_name"], "服务器配件");
    assert_eq!(o["styles"], "{\"priority\": \"high\"}");
    assert_eq!(o["update_time"], "2026-03-31T18:00:00Z");
    assert_eq!(o["tracking_number"], "TN123456789");
    assert_eq!(o["order_status"], "pending");
    assert_eq!(o["created_at"], created["created_at"]);
    assert_eq!(o["total_cost"], 2700);
    let costs = d["costs"].as_array().unwrap();
    assert_eq!(costs.len(), 2);
    assert_eq!(costs[0]["order_id"], id);
    assert_eq!(costs[0]["user_id"], alice_id);
    assert_eq!(
        (&costs[0]["price"], &costs[0]["quantity"]),
        (&json!(1200), &json!(2))
    );
    assert_eq!(costs[0]["costt"], 1200);
    assert_eq!(costs[0]["currencytype"], "CNY");
    assert_eq!(costs[0]["type"], "服务器");
    assert!(costs[0]["id"].as_i64().unwrap() > 0);
    assert!(costs[0]["created_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(
        (&costs[1]["price"], &costs[1]["type"]),
        (&json!(300), &json!("内存条"))
    );

    // The REST form creates the same way; numeric currencies are stored as their code and
    // `costt` is kept exactly as sent.
    let body = json!({
        "title": "REST", "order_status": "shipped",
        "costs": [
            {"cost": 5, "int": 3, "currencytype": 2, "costt": "15.00"},
            {"cost": 7, "int": 1, "currencytype": "4"},
            {"cost": 1, "int": 1, "currencytype": "hkd", "costt": {"note": "x"}}
        ]
    });
    let r = app.post(ORDERS).bearer(&alice).json(&body).send().await;
    assert_eq!(r.ops(200, "0")["total_cost"], 23);
    let id2 = r.json["data"]["order_id"].as_i64().unwrap();
    assert!(id2 > id);
    let d = detail(&app, &alice, id2).await;
    assert_eq!(d["order"]["order_status"], "shipped");
    let currencies: Vec<&Value> = d["costs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["currencytype"])
        .collect();
    assert_eq!(currencies, [&json!("MOP"), &json!("USD"), &json!("HKD")]);
    assert_eq!(d["costs"][0]["costt"], "15.00");
    assert_eq!(d["costs"][1]["costt"], Value::Null);
    assert_eq!(d["costs"][2]["costt"], json!({"note": "x"}));
    // Absent fields: empty text, no photos, pending… and an update time of the write.
    let minimal = create(&app, &alice, &order_titled("min")).await;
    let d = detail(&app, &alice, minimal).await;
    assert_eq!(d["order"]["order_status"], "pending");
    assert_eq!(d["order"]["part_name"], "");
    assert!(d["order"]["update_time"].as_str().unwrap().ends_with('Z'));
}

async fn update_time_accepts_every_documented_format(b: Backend) {
    let app = TestApp::spawn_with(b, |c| c.server.timezone = "Asia/Shanghai".into()).await;
    let (_, alice) = user(&app, "alice").await;
    for (input, expected) in [
        ("2026-03-31T18:00:00Z", "2026-03-31T18:00:00Z"),
        ("2026-03-31T20:00:00+02:00", "2026-03-31T18:00:00Z"),
        ("2026-03-31T18:00:00", "2026-03-31T10:00:00Z"),
        ("2026-03-31 18:00:00", "2026-03-31T10:00:00Z"),
        ("2026-03-31 18:00", "2026-03-31T10:00:00Z"),
        ("2026-03-31", "2026-03-30T16:00:00Z"),
    ] {
        let mut body = order_titled("t");
        body["update_time"] = json!(input);
        let id = create(&app, &alice, &body).await;
        assert_eq!(
            detail(&app, &alice, id).await["order"]["update_time"],
            expected,
            "{input}"
        );
    }
    let mut body = order_titled("t");
    body["update_time"] = json!("31/03/2026");
    let r = app.post(ORDERS).bearer(&alice).json(&body).send().await;
    r.ops(400, "-2");
    assert!(r.json["message"].as_str().unwrap().contains("update_time"));
}

async fn both_list_forms_answer_the_same_page_newest_first(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (alice_id, alice) = user(&app, "alice").await;
    let mut created = Vec::new();
    for i in 0..3 {
        created.push(create(&app, &alice, &order_titled(&format!("order {i}"))).await);
    }
    let rest = list(&app, &alice, &[]).await;
    assert_eq!(rest["all_count"], 3);
    created.reverse();
    assert_eq!(ids(&rest), created);
    let item = &rest["all_orders"][0];
    for key in [
        "id",
        "user_id",
        "title",
        "part_name",
        "order_status",
        "tracking_number",
        "photos",
        "created_at",
        "update_time",
    ] {
        assert!(item.get(key).is_some(), "list item has {key}: {item}");
    }
    assert_eq!(item["user_id"], alice_id);
    assert_eq!(item["title"], "order 2");
    assert_eq!(item["total_cost"], 100);
    let compat = app
        .post("/api/v1/purchase/getorders")
        .bearer(&alice)
        .json(&json!({"search": "", "page": 1, "entries": 20}))
        .send()
        .await;
    assert_eq!(compat.json["message"], "Success");
    assert_eq!(compat.ops(200, "0"), &rest);
    // An empty body means the defaults; the token may travel in the body.
    let empty = app
        .post("/api/v1/purchase/getorders")
        .bearer(&alice)
        .send()
        .await;
    assert_eq!(empty.ops(200, "0"), &rest);
    let in_body = app
        .post("/api/v1/purchase/getorders")
        .json(&json!({"userCookieValue": alice, "page": 1}))
        .send()
        .await;
    assert_eq!(in_body.ops(200, "0"), &rest);
}

async fn paging_answers_the_last_page_and_nothing_beyond(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (_, alice) = user(&app, "alice").await;
    let mut created = Vec::new();
    for i in 0..5 {
        created.push(create(&app, &alice, &order_titled(&format!("o{i}"))).await);
    }
    created.reverse();
    let page = |p: &'static str| [("page", p), ("entries", "2")];
    assert_eq!(ids(&list(&app, &alice, &page("1")).await), created[0..2]);
    assert_eq!(ids(&list(&app, &alice, &page("2")).await), created[2..4]);
    let last = list(&app, &alice, &page("3")).await;
    assert_eq!(ids(&last), created[4..5]);
    assert_eq!(last["all_count"], 5);
    let beyond = list(&app, &alice, &page("4")).await;
    assert_eq!(beyond["all_count"], 5);
    assert_eq!(beyond["all_orders"], json!([]));
    assert_eq!(
        list(&app, &alice, &[("page", "99999")]).await["all_orders"],
        json!([])
    );
    // The same edges with a search (all five titles contain "o").
    let searched = |p: &'static str| [("page", p), ("entries", "2"), ("search", "o")];
    let last = list(&app, &alice, &searched("3")).await;
    assert_eq!(
        (ids(&last), last["all_count"].clone()),
        (created[4..5].to_vec(), json!(5))
    );
    let beyond = list(&app, &alice, &searched("4")).await;
    assert_eq!(
        (ids(&beyond), beyond["all_count"].clone()),
        (vec![], json!(5))
    );
    // The body form takes numbers, or numeric strings.
    let r = app
        .post("/api/v1/purchase/getorders")
        .bearer(&alice)
        .json(&json!({"page": "3", "entries": "2"}))
        .send()
        .await;
    assert_eq!(ids(r.ops(200, "0")), created[4..5]);
    assert_eq!(
        ids(&list(&app, &alice, &[("entries", "300")]).await).len(),
        5
    );
    for (query, field) in [
        (vec![("page", "0")], "page"),
        (vec![("page", "-1")], "page"),
        (vec![("page", "abc")], "page"),
        (vec![("entries", "0")], "entries"),
        (vec![("entries", "301")], "entries"),
        (vec![("entries", "1.5")], "entries"),
    ] {
        let r = app.get(ORDERS).bearer(&alice).query(&query).send().await;
        r.ops(400, "-2");
        assert!(
            r.json["message"].as_str().unwrap().contains(field),
            "{query:?}: {}",
            r.text()
        );
    }
    for body in [
        json!({"page": 0}),
        json!({"entries": 301}),
        json!({"page": "x"}),
        json!({"entries": 2.5}),
        json!({"page": [1]}),
    ] {
        app.post("/api/v1/purchase/getorders")
            .bearer(&alice)
            .json(&body)
            .send()
            .await
            .ops(400, "-2");
    }
}

async fn search_covers_four_fields_case_insensitively_in_any_script(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (_, alice) = user(&app, "alice").await;
    let by_title = create(&app, &alice, &order_titled("Dell PowerEdge Server")).await;
    let mut body = order_titled("other");
    body["part_name"] = json!("固态硬盘");
    let by_part = create(&app, &alice, &body).await;
    let mut body = order_titled("other");
    body["remark"] = json!("Deliver to WAREHOUSE seven");
    let by_remark = create(&app, &alice, &body).await;
    let mut body = order_titled("other");
    body["tracking_number"] = json!("SF1234567890");
    let by_tracking = create(&app, &alice, &body).await;
    let mut body = order_titled("nothing here");
    body["link"] = json!("https://server.example.com/固态硬盘");
    body["styles"] = json!("warehouse");
    create(&app, &alice, &body).await;

    for (term, expected) in [
        ("server", vec![by_title]),
        ("SERVER", vec![by_title]),
        ("  poweredge ", vec![by_title]),
        ("固态硬盘", vec![by_part]),
        ("硬盘", vec![by_part]),
        ("盘", vec![by_part]),
        ("warehouse", vec![by_remark]),
        ("4567", vec![by_tracking]),
        ("sf12", vec![by_tracking]),
        ("7", vec![by_tracking]),
        ("no such thing", vec![]),
    ] {
        let data = list(&app, &alice, &[("search", term)]).await;
        assert_eq!(ids(&data), expected, "{term:?}");
        assert_eq!(data["all_count"], expected.len(), "{term:?}");
        let compat = app
            .post("/api/v1/purchase/getorders")
            .bearer(&alice)
            .json(&json!({"search": term}))
            .send()
            .await;
        assert_eq!(compat.ops(200, "0"), &data, "{term:?}");
    }
    // Fields are searched one by one, not across their boundary.
    let data = list(&app, &alice, &[("search", "server\nother")]).await;
    assert_eq!(data["all_count"], 0);
    let r = app
        .get(ORDERS)
        .bearer(&alice)
        .query(&[("search", &"x".repeat(101))])
        .send()
        .await;
    r.ops(400, "-2");
}

async fn search_matches_sql_and_like_metacharacters_literally(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (_, alice) = user(&app, "alice").await;
    let mut id = std::collections::HashMap::new();
    for title in [
        "50% off", "5000 off", "a_b", "axb", "o'brien", "c:\\path", "c:/path", "abc_def",
        "abcxdef", "100%",
    ] {
        id.insert(title, create(&app, &alice, &order_titled(title)).await);
    }
    for (term, expected) in [
        ("%", vec!["100%", "50% off"]),
        ("_", vec!["abc_def", "a_b"]),
        ("'", vec!["o'brien"]),
        ("\\", vec!["c:\\path"]),
        ("50%", vec!["50% off"]),
        ("0% off", vec!["50% off"]),
        ("a_b", vec!["a_b"]),
        ("abc_def", vec!["abc_def"]),
        ("c_d", vec!["abc_def"]),
        (":\\pa", vec!["c:\\path"]),
        ("%%", vec![]),
        ("' OR '1'='1", vec![]),
        ("x'; DROP TABLE purchase_orders; --", vec![]),
    ] {
        let data = list(&app, &alice, &[("search", term)]).await;
        // Newest first: the expected titles are listed newest first.
        let want: Vec<i64> = expected.iter().map(|t| id[t]).collect();
        assert_eq!(ids(&data), want, "{term:?}");
    }
    assert_eq!(list(&app, &alice, &[]).await["all_count"], 10);
}

async fn users_see_and_change_only_their_own_orders(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (alice_id, alice) = user(&app, "alice").await;
    let (bob_id, bob) = user(&app, "bob").await;
    let alices = create(&app, &alice, &order_titled("alice's")).await;
    let bobs = create(&app, &bob, &order_titled("bob's")).await;
    let before = detail(&app, &alice, alices).await;

    let path = format!("{ORDERS}/{alices}");
    app.get(&path).bearer(&bob).send().await.ops(404, "-200");
    app.put(&path)
        .bearer(&bob)
        .json(&order_titled("hijacked"))
        .send()
        .await
        .ops(404, "-200");
    app.delete(&path).bearer(&bob).send().await.ops(404, "-200");
    assert_eq!(detail(&app, &alice, alices).await, before);

    // Lists: own orders only, whatever user_id a non-admin asks for.
    assert_eq!(ids(&list(&app, &bob, &[]).await), [bobs]);
    let uid = alice_id.to_string();
    let filtered = list(&app, &bob, &[("user_id", uid.as_str())]).await;
    assert_eq!(ids(&filtered), [bobs]);
    let r = app
        .post("/api/v1/purchase/getorders")
        .bearer(&bob)
        .json(&json!({"user_id": alice_id}))
        .send()
        .await;
    assert_eq!(ids(r.ops(200, "0")), [bobs]);
    assert_eq!(
        list(&app, &bob, &[("search", "alice")]).await["all_count"],
        0
    );

    // Admins see everything, may filter by owner, and may change any order.
    let root = admin(&app).await;
    let all = list(&app, &root, &[]).await;
    assert_eq!(all["all_count"], 2);
    assert_eq!(ids(&all), [bobs, alices]);
    assert_eq!(
        ids(&list(&app, &root, &[("user_id", uid.as_str())]).await),
        [alices]
    );
    assert_eq!(
        ids(&list(&app, &root, &[("search", "'s")]).await),
        [bobs, alices]
    );
    let bid = bob_id.to_string();
    let by_bob = list(&app, &root, &[("user_id", bid.as_str()), ("search", "bob")]).await;
    assert_eq!(ids(&by_bob), [bobs]);
    assert_eq!(detail(&app, &root, alices).await, before);
    let r = app
        .put(&path)
        .bearer(&root)
        .json(&order_titled("edited by admin"))
        .send()
        .await;
    assert_eq!(r.ops(200, "0")["order"]["user_id"], alice_id);
    assert_eq!(
        detail(&app, &alice, alices).await["order"]["title"],
        "edited by admin"
    );
    app.delete(&path).bearer(&root).send().await.ops(200, "0");
    app.get(&path).bearer(&alice).send().await.ops(404, "-200");
}

async fn bad_orders_answer_their_codes_and_store_nothing(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (_, alice) = user(&app, "alice").await;
    let line = |cost: Value, int: Value, currency: Value| json!({"title": "x", "costs": [{"cost": 1, "int": 1}, {"cost": cost, "int": int, "currencytype": currency}]});
    let cases = [
        (json!({"title": "x", "costs": []}), "-202"),
        (json!({"title": "x"}), "-202"),
        (json!({"title": "x", "costs": null}), "-202"),
        (json!({"title": "x", "costs": "many"}), "-202"),
        (line(json!(-1), json!(1), json!("CNY")), "-202"),
        (line(json!(1), json!(0), json!("CNY")), "-202"),
        (line(json!(1), json!(-2), json!("CNY")), "-202"),
        (line(json!(1), json!(1.5), json!("CNY")), "-202"),
        (line(json!(1.5), json!(1), json!("CNY")), "-202"),
        (line(json!("1"), json!(1), json!("CNY")), "-202"),
        (line(json!(1), json!(1), json!("EUR")), "-202"),
        (line(json!(1), json!(1), json!(5)), "-202"),
        (line(json!(1), json!(1), json!(0)), "-202"),
        (
            json!({"costs": [{"cost": 1, "int": 1, "type": "x".repeat(51)}]}),
            "-202",
        ),
        (
            json!({"costs": [{"cost": 1, "int": 1}], "order_status": "done"}),
            "-203",
        ),
        (
            json!({"costs": [{"cost": 1, "int": 1}], "order_status": 1}),
            "-203",
        ),
        (
            json!({"costs": [{"cost": 1, "int": 1}], "order_status": "PENDING"}),
            "-203",
        ),
        (
            json!({"costs": [{"cost": 1, "int": 1}], "title": "x".repeat(201)}),
            "-2",
        ),
        (
            json!({"costs": [{"cost": 1, "int": 1}], "tracking_number": "x".repeat(101)}),
            "-2",
        ),
        (
            json!({"costs": [{"cost": 1, "int": 1}], "photos": ["image_hash_1"]}),
            "-2",
        ),
        (
            json!({"costs": [{"cost": 1, "int": 1}], "photos": "abc"}),
            "-2",
        ),
        (json!({"costs": [{"cost": 1, "int": 1}], "title": 5}), "-2"),
        (json!([1, 2]), "-2"),
    ];
    for (body, code) in &cases {
        for path in [ORDERS, "/api/v1/purchase/addorder"] {
            let r = app.post(path).bearer(&alice).json(body).send().await;
            r.ops(400, code);
            assert!(!r.json["message"].as_str().unwrap().is_empty());
        }
    }
    let r = app
        .post(ORDERS)
        .bearer(&alice)
        .body("application/json", "{\"costs\": [")
        .send()
        .await;
    r.ops(400, "-2");
    // The message names the field.
    let r = app
        .post(ORDERS)
        .bearer(&alice)
        .json(&line(json!(-1), json!(1), json!("CNY")))
        .send()
        .await;
    assert!(
        r.json["message"]
            .as_str()
            .unwrap()
            .contains("costs[1].cost")
    );
    assert_eq!(stored_rows(&app).await, (0, 0, 0));
    assert_eq!(list(&app, &alice, &[]).await["all_count"], 0);
}

async fn replace_changes_every_field_and_replaces_the_cost_lines(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (_, alice) = user(&app, "alice").await;
    let id = create(&app, &alice, &manual_order()).await;
    let other = create(&app, &alice, &order_titled("untouched")).await;
    let old_costs: Vec<i64> = detail(&app, &alice, id).await["costs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    let body = json!({
        "title": "换新 Title",
        "order_status": "received",
        "part_name": "新零件",
        "tracking_number": "YT000",
        "update_time": "2026-04-01 08:30",
        "costs": [{"price": 999, "quantity": 3, "currencytype": "USD", "type": "new", "costt": 2997}]
    });
    let r = app
        .put(&format!("{ORDERS}/{id}"))
        .bearer(&alice)
        .json(&body)
        .send()
        .await;
    assert_eq!(r.json["message"], "订单更新成功");
    let d = r.ops(200, "0").clone();
    assert_eq!(d, detail(&app, &alice, id).await);
    let o = &d["order"];
    assert_eq!(o["title"], "换新 Title");
    assert_eq!(o["order_status"], "received");
    assert_eq!(o["total_cost"], 2997);
    assert_eq!(o["update_time"], "2026-04-01T08:30:00Z");
    // Full replace: what the body leaves out is reset.
    assert_eq!(o["remark"], "");
    assert_eq!(o["link"], "");
    assert_eq!(o["styles"], "");
    let costs = d["costs"].as_array().unwrap();
    assert_eq!(costs.len(), 1);
    assert!(!old_costs.contains(&costs[0]["id"].as_i64().unwrap()));
    assert_eq!(
        (
            &costs[0]["price"],
            &costs[0]["quantity"],
            &costs[0]["currencytype"]
        ),
        (&json!(999), &json!(3), &json!("USD"))
    );
    let sql = format!("SELECT COUNT(*) FROM purchase_costs WHERE order_id = {id}");
    assert_eq!(count(&app, &sql).await, 1);
    // The search follows the new text.
    assert_eq!(ids(&list(&app, &alice, &[("search", "换新")]).await), [id]);
    assert_eq!(
        list(&app, &alice, &[("search", "服务器硬件")]).await["all_count"],
        0
    );
    // A bad replacement changes nothing; an unknown order is -200.
    let bad = json!({"title": "bad", "costs": [{"cost": 1, "int": 0}]});
    app.put(&format!("{ORDERS}/{id}"))
        .bearer(&alice)
        .json(&bad)
        .send()
        .await
        .ops(400, "-202");
    assert_eq!(detail(&app, &alice, id).await, d);
    app.put(&format!("{ORDERS}/999999"))
        .bearer(&alice)
        .json(&order_titled("x"))
        .send()
        .await
        .ops(404, "-200");
    assert_eq!(
        detail(&app, &alice, other).await["order"]["title"],
        "untouched"
    );
    assert_eq!(list(&app, &alice, &[]).await["all_count"], 2);
}

async fn delete_removes_the_order_and_its_cost_lines(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (_, alice) = user(&app, "alice").await;
    let id = create(&app, &alice, &manual_order()).await;
    let kept = create(&app, &alice, &order_titled("kept")).await;
    assert_eq!(stored_rows(&app).await, (2, 3, 2));
    let r = app
        .delete(&format!("{ORDERS}/{id}"))
        .bearer(&alice)
        .send()
        .await;
    assert_eq!(r.json["message"], "订单删除成功");
    assert_eq!(r.ops(200, "0"), &Value::Null);
    assert_eq!(stored_rows(&app).await, (1, 1, 1));
    app.get(&format!("{ORDERS}/{id}"))
        .bearer(&alice)
        .send()
        .await
        .ops(404, "-200");
    app.delete(&format!("{ORDERS}/{id}"))
        .bearer(&alice)
        .send()
        .await
        .ops(404, "-200");
    let data = list(&app, &alice, &[]).await;
    assert_eq!(
        (data["all_count"].clone(), ids(&data)),
        (json!(1), vec![kept])
    );
    assert_eq!(
        list(&app, &alice, &[("search", "服务器")]).await["all_count"],
        0
    );
}

async fn photos_must_be_files_the_caller_may_see(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (_, alice) = user(&app, "alice").await;
    let (_, bob) = user(&app, "bob").await;
    // Real uploads through the file routes: the photo check reads the same records.
    let sha = |v: Value| v["sha256"].as_str().unwrap().to_owned();
    let own = sha(upload(&app, &alice, &png_of(300, 1), "own.png").await);
    let bobs = sha(upload(&app, &bob, &png_of(300, 2), "bobs.png").await);
    let unknown = "c3".repeat(32);
    let with = |photos: Value| {
        let mut body = order_titled("photos");
        body["photos"] = photos;
        body
    };
    let id = create(&app, &alice, &with(json!([own.to_uppercase(), own]))).await;
    let d = detail(&app, &alice, id).await;
    assert_eq!(d["order"]["photos"], json!([own, own]));
    assert_eq!(
        list(&app, &alice, &[]).await["all_orders"][0]["photos"],
        json!([own, own])
    );
    for photos in [json!([bobs]), json!([own, unknown])] {
        let r = app
            .post(ORDERS)
            .bearer(&alice)
            .json(&with(photos))
            .send()
            .await;
        r.ops(400, "-2");
        assert!(r.json["message"].as_str().unwrap().contains("photos"));
        app.put(&format!("{ORDERS}/{id}"))
            .bearer(&alice)
            .json(&with(json!([bobs])))
            .send()
            .await
            .ops(400, "-2");
    }
    assert_eq!(detail(&app, &alice, id).await, d);
    // An admin may attach any file record.
    let root = admin(&app).await;
    create(&app, &root, &with(json!([own, bobs]))).await;
    let r = app
        .post(ORDERS)
        .bearer(&root)
        .json(&with(json!([unknown])))
        .send()
        .await;
    r.ops(400, "-2");
}

async fn a_failure_in_the_middle_of_a_create_stores_nothing(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (_, alice) = user(&app, "alice").await;
    create(&app, &alice, &order_titled("first")).await;
    let before = stored_rows(&app).await;
    let db = app.db().await;
    // The order row is written before its cost lines: hiding the cost table makes the
    // create fail half-way.
    sqlx::query("ALTER TABLE purchase_costs RENAME TO purchase_costs_hidden")
        .execute(db.pool())
        .await
        .unwrap();
    let r = app
        .post(ORDERS)
        .bearer(&alice)
        .json(&manual_order())
        .send()
        .await;
    r.ops(500, "-201");
    assert_eq!(r.json["message"], "订单创建失败");
    assert!(!r.text().contains("purchase_costs"));
    sqlx::query("ALTER TABLE purchase_costs_hidden RENAME TO purchase_costs")
        .execute(db.pool())
        .await
        .unwrap();
    db.close().await;
    assert_eq!(stored_rows(&app).await, before);
    assert_eq!(list(&app, &alice, &[]).await["all_count"], 1);
    create(&app, &alice, &manual_order()).await;
    assert_eq!(list(&app, &alice, &[]).await["all_count"], 2);
}

async fn every_purchase_route_needs_a_token_and_a_valid_id(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (_, alice) = user(&app, "alice").await;
    let id = create(&app, &alice, &order_titled("x")).await;
    let one = format!("{ORDERS}/{id}");
    let body = order_titled("y");
    for r in [
        app.get(ORDERS).send().await,
        app.post(ORDERS).json(&body).send().await,
        app.post("/api/v1/purchase/getorders")
            .json(&json!({}))
            .send()
            .await,
        app.post("/api/v1/purchase/addorder")
            .json(&body)
            .send()
            .await,
        app.get(&one).send().await,
        app.put(&one).json(&body).send().await,
        app.delete(&one).send().await,
        app.get(ORDERS).bearer("garbage").send().await,
    ] {
        r.ops(401, "-3");
    }
    // Not canonical decimal: no order has that id (decisions §8).
    for bad in ["abc", "0", "-1", "1.5", "01"] {
        app.get(&format!("{ORDERS}/{bad}"))
            .bearer(&alice)
            .send()
            .await
            .ops(404, "-200");
    }
    app.get(&format!("{ORDERS}/999999"))
        .bearer(&alice)
        .send()
        .await
        .ops(404, "-200");
    // Trailing slashes route the same.
    app.get(&format!("{one}/"))
        .bearer(&alice)
        .send()
        .await
        .ops(200, "0");
    assert_eq!(list(&app, &alice, &[]).await["all_count"], 1);
}

/// A search asked again, or paged through, is answered from the kept matches (issue 17);
/// every create, replace and delete of the owner's orders shows in the very next answer.
async fn a_repeated_search_sees_every_write_at_once(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (_, alice) = user(&app, "alice").await;
    let (_, bob) = user(&app, "bob").await;
    let mut made = Vec::new();
    for i in 0..5 {
        made.push(create(&app, &alice, &order_titled(&format!("needle {i}"))).await);
    }
    create(&app, &alice, &order_titled("haystack")).await;
    let newest_first: Vec<i64> = made.iter().rev().copied().collect();
    let search = |page: &'static str| [("search", "needle"), ("entries", "2"), ("page", page)];
    for _ in 0..2 {
        let data = list(&app, &alice, &search("1")).await;
        assert_eq!(
            (ids(&data), data["all_count"].clone()),
            (newest_first[..2].to_vec(), json!(5))
        );
        let data = list(&app, &alice, &search("3")).await;
        assert_eq!(ids(&data), newest_first[4..].to_vec());
        assert!(ids(&list(&app, &alice, &search("4")).await).is_empty());
    }
    // Another owner's write changes nothing of alice's answer, and bob sees only his own.
    create(&app, &bob, &order_titled("needle of bob")).await;
    assert_eq!(list(&app, &bob, &search("1")).await["all_count"], 1);
    assert_eq!(list(&app, &alice, &search("1")).await["all_count"], 5);
    // Create: the new order leads.
    let newer = create(&app, &alice, &order_titled("needle new")).await;
    let data = list(&app, &alice, &search("1")).await;
    assert_eq!(
        (ids(&data)[0], data["all_count"].clone()),
        (newer, json!(6))
    );
    // Replace: an order that stops matching leaves the answer.
    app.put(&format!("{ORDERS}/{newer}"))
        .bearer(&alice)
        .json(&order_titled("no longer"))
        .send()
        .await
        .ops(200, "0");
    let data = list(&app, &alice, &search("1")).await;
    assert_eq!(
        (ids(&data), data["all_count"].clone()),
        (newest_first[..2].to_vec(), json!(5))
    );
    // Delete: gone from the next answer.
    app.delete(&format!("{ORDERS}/{}", newest_first[0]))
        .bearer(&alice)
        .send()
        .await
        .ops(200, "0");
    let data = list(&app, &alice, &search("1")).await;
    assert_eq!(
        (ids(&data), data["all_count"].clone()),
        (newest_first[1..3].to_vec(), json!(4))
    );
}

/// Concurrent writers queue for SQLite's one writer in the process (issue 17) instead of
/// failing or timing out: every create is answered and stored, each with its search row.
async fn concurrent_creates_all_succeed(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (_, alice) = user(&app, "alice").await;
    let calls = (0..24).map(|i| {
        let (app, alice) = (&app, &alice);
        async move { create(app, alice, &order_titled(&format!("parallel {i}"))).await }
    });
    let made = futures_util::future::join_all(calls).await;
    assert_eq!(made.len(), 24);
    assert_eq!(
        list(&app, &alice, &[("search", "parallel")]).await["all_count"],
        24
    );
    assert_eq!(stored_rows(&app).await.2, 24);
}

db_test!(
    create_answers_id_total_and_time_and_detail_has_every_field,
    update_time_accepts_every_documented_format,
    both_list_forms_answer_the_same_page_newest_first,
    paging_answers_the_last_page_and_nothing_beyond,
    search_covers_four_fields_case_insensitively_in_any_script,
    search_matches_sql_and_like_metacharacters_literally,
    users_see_and_change_only_their_own_orders,
    bad_orders_answer_their_codes_and_store_nothing,
    replace_changes_every_field_and_replaces_the_cost_lines,
    delete_removes_the_order_and_its_cost_lines,
    photos_must_be_files_the_caller_may_see,
    a_failure_in_the_middle_of_a_create_stores_nothing,
    every_purchase_route_needs_a_token_and_a_valid_id,
    a_repeated_search_sees_every_write_at_once,
    concurrent_creates_all_succeed,
);
