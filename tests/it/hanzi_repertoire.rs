//! `hanzi` repertoire routes and the import command (issue 6).

use reqwest::Method;
use serde_json::{Value, json};

use crate::db_test;
use crate::hanzi_users::{admin_token, err, login, register, send};
use crate::support::{Backend, TestApp};

/// A full Character at `unicode` whose glyphs reference `refs` (as a compound).
fn character(unicode: u32, refs: &[char]) -> Value {
    let glyphs = if refs.is_empty() {
        json!([{"type": "basic_component", "strokes": [{"feature": "横", "start": [0, 0], "curveList": [{"command": "h", "parameterList": [20]}]}]}])
    } else {
        let op = if refs.len() == 3 { "⿳" } else { "⿰" };
        let operands: Vec<String> = refs.iter().map(|c| c.to_string()).collect();
        json!([{"type": "compound", "operator": op, "operandList": operands, "tags": ["G"]}])
    };
    json!({
        "unicode": unicode, "tygf": 1, "gb2312": true, "readings": [{"pinyin": "yi1", "importance": 100}],
        "glyphs": glyphs, "name": null, "gf0014_id": 12, "gf3001_id": null, "ambiguous": false
    })
}

async fn create(app: &TestApp, token: &str, c: &Value) {
    let path = format!("/repertoire/{}", c["unicode"]);
    let r = send(app, Method::POST, &path, Some(c), Some(token)).await;
    assert_eq!(r.json, c["unicode"], "{}", r.text());
}

async fn get(app: &TestApp, unicode: u32) -> Value {
    send(
        app,
        Method::GET,
        &format!("/repertoire/{unicode}"),
        None,
        None,
    )
    .await
    .json
    .clone()
}

async fn stored_count(app: &TestApp) -> i64 {
    ops::domain::glyphs::store::count(&app.db().await)
        .await
        .unwrap()
}

async fn a_character_round_trips_with_references_stored_as_numbers(b: Backend) {
    let app = TestApp::spawn(b).await;
    let admin = admin_token(&app).await;
    let ming = character(0x660E, &['日', '月']);
    create(&app, &admin, &ming).await;
    assert_eq!(get(&app, 0x660E).await, ming);
    let stored: String = sqlx::query_scalar("SELECT data FROM glyph_characters WHERE unicode = $1")
        .bind(0x660E_i64)
        .fetch_one(app.db().await.pool())
        .await
        .unwrap();
    let stored: Value = serde_json::from_str(&stored).unwrap();
    assert_eq!(stored["glyphs"][0]["operandList"], json!([0x65E5, 0x6708]));
    // Every glyph variant; readings and gb2312 in their other forms come back as sent.
    let mut all = character(0x4E01, &[]);
    all["readings"] = json!(["ding1", "zheng1"]);
    all["gb2312"] = json!(2);
    all["glyphs"] = json!([
        {"type": "basic_component", "strokes": [{"feature": "横", "start": [0, 0], "curveList": []}]},
        {"type": "derived_component", "source": "一", "strokes": [{"feature": "reference", "index": 0}], "tags": ["T"]},
        {"type": "spliced_component", "operator": "⿰", "operandList": ["一", "丨"]},
        {"type": "identity", "source": "𠀀"},
        {"type": "compound", "operator": "⿻", "operandList": ["一", "亅"], "order": [{"index": 0, "strokes": 1}], "parameters": {"gap2": 10}}
    ]);
    create(&app, &admin, &all).await;
    assert_eq!(get(&app, 0x4E01).await, all);
    // PUT replaces it.
    let mut changed = all.clone();
    changed["tygf"] = json!(3);
    changed["glyphs"] = json!([{"type": "identity", "source": "丁"}]);
    let r = send(
        &app,
        Method::PUT,
        "/repertoire/19969",
        Some(&changed),
        Some(&admin),
    )
    .await;
    assert_eq!(r.json, json!(true), "{}", r.text());
    assert_eq!(get(&app, 0x4E01).await, changed);
}

async fn invalid_characters_are_refused_and_nothing_is_stored(b: Backend) {
    let app = TestApp::spawn(b).await;
    let admin = admin_token(&app).await;
    let good = character(0x660E, &['日', '月']);
    let mut cases: Vec<Value> = Vec::new();
    for (pointer, bad) in [
        ("/glyphs/0/operator", json!("+")),
        ("/glyphs/0/operator", json!("⿼")),
        ("/glyphs/0/type", json!("stroke")),
        ("/glyphs/0/operandList", json!(["日月", "月"])),
        // References may be code points too, but only valid ones.
        ("/glyphs/0/operandList", json!([0xD800, 0x6708])),
        ("/glyphs/0/operandList", json!([-1, 0x6708])),
        ("/tygf", json!(4)),
        ("/tygf", json!(-1)),
        ("/gb2312", json!(3)),
        ("/readings", json!([{"importance": 1}])),
        ("/ambiguous", json!("no")),
        ("/unicode", json!(0x6709)),
    ] {
        let mut c = good.clone();
        *c.pointer_mut(pointer).unwrap() = bad;
        cases.push(c);
    }
    // (`readings` may be absent: the raw-row form has none.)
    for field in ["glyphs", "tygf", "unicode", "name"] {
        let mut c = good.clone();
        c.as_object_mut().unwrap().remove(field);
        cases.push(c);
    }
    for body in &cases {
        let r = send(
            &app,
            Method::POST,
            "/repertoire/26126",
            Some(body),
            Some(&admin),
        )
        .await;
        err(&r, 200, "RES-10000002");
    }
    let r = app
        .post("/hanzi/repertoire/26126")
        .bearer(&admin)
        .body("text/plain", "{\"unicode\": 26126,")
        .send()
        .await;
    let code = r.json["err"].as_str().unwrap_or_default().to_owned();
    assert!(
        code == "RES-10000002" || code == "SYS-10000001",
        "{}",
        r.text()
    );
    assert_eq!(r.status, 200);
    assert_eq!(stored_count(&app).await, 0);
    // PUT checks the same, on an existing character, and changes nothing.
    create(&app, &admin, &good).await;
    for body in &cases {
        let r = send(
            &app,
            Method::PUT,
            "/repertoire/26126",
            Some(body),
            Some(&admin),
        )
        .await;
        err(&r, 200, "RES-10000002");
    }
    assert_eq!(get(&app, 0x660E).await, good);
}

async fn missing_existing_and_malformed_code_points(b: Backend) {
    let app = TestApp::spawn(b).await;
    let admin = admin_token(&app).await;
    let r = send(&app, Method::GET, "/repertoire/19968", None, None).await;
    assert_eq!(err(&r, 200, "DB-10000001"), "字形数据不存在");
    let c = character(0x4E00, &[]);
    create(&app, &admin, &c).await;
    let r = send(
        &app,
        Method::POST,
        "/repertoire/19968",
        Some(&c),
        Some(&admin),
    )
    .await;
    err(&r, 200, "DB-10000002");
    let r = send(
        &app,
        Method::PUT,
        "/repertoire/19969",
        Some(&character(0x4E01, &[])),
        Some(&admin),
    )
    .await;
    err(&r, 200, "DB-10000001");
    let r = send(
        &app,
        Method::DELETE,
        "/repertoire/19969",
        None,
        Some(&admin),
    )
    .await;
    err(&r, 200, "DB-10000001");
    for bad in ["abc", "-1", "55296", "1114112", "1e3"] {
        let r = send(&app, Method::GET, &format!("/repertoire/{bad}"), None, None).await;
        err(&r, 200, "RES-10000002");
    }
}

async fn reads_are_public_and_writes_need_role_one(b: Backend) {
    let app = TestApp::spawn(b).await;
    register(&app, "alice", "secret12").await;
    let alice = login(&app, "alice", "secret12").await;
    let c = character(0x4E00, &[]);
    let writes: Vec<(Method, &str, Option<Value>)> = vec![
        (
            Method::POST,
            "/repertoire",
            Some(json!({"type": "component", "name": "x"})),
        ),
        (
            Method::PUT,
            "/repertoire",
            Some(json!({"old": 1, "new": 2})),
        ),
        (Method::POST, "/repertoire/19968", Some(c.clone())),
        (Method::PUT, "/repertoire/19968", Some(c.clone())),
        (Method::DELETE, "/repertoire/19968", None),
        (Method::POST, "/repertoire/batch", Some(json!([c.clone()]))),
        (Method::PUT, "/repertoire/batch", Some(json!([c.clone()]))),
        (Method::DELETE, "/repertoire/batch", Some(json!([19968]))),
    ];
    for (method, path, body) in &writes {
        let r = send(&app, method.clone(), path, body.as_ref(), None).await;
        err(&r, 401, "AUTH-10000001");
        let r = send(&app, method.clone(), path, body.as_ref(), Some(&alice)).await;
        err(&r, 403, "AUTH-10000002");
    }
    assert_eq!(stored_count(&app).await, 0);
    for path in ["/repertoire", "/repertoire/all"] {
        send(&app, Method::GET, path, None, None)
            .await
            .assert_status(200);
    }
}

async fn private_use_code_points_are_allocated_lowest_first(b: Backend) {
    let app = TestApp::spawn(b).await;
    let admin = admin_token(&app).await;
    let alloc = |kind: &str, n: usize| json!({"type": kind, "name": format!("{kind} 部件 {n}")});
    let mut got = Vec::new();
    for (n, kind) in ["component", "component", "compound", "derived_component"]
        .into_iter()
        .enumerate()
    {
        let r = send(
            &app,
            Method::POST,
            "/repertoire",
            Some(&alloc(kind, n)),
            Some(&admin),
        )
        .await;
        got.push(r.json.as_i64().unwrap_or_else(|| panic!("{}", r.text())));
    }
    assert_eq!(got, [0xE000, 0xE001, 0xE800, 0xE801]);
    let placeholder = get(&app, 0xE000).await;
    assert_eq!(placeholder["name"], "component 部件 0");
    assert_eq!(placeholder["glyphs"], json!([]));
    assert_eq!(placeholder["unicode"], 0xE000);
    // A freed code point is reused; one referenced by a glyph counts as taken.
    send(
        &app,
        Method::DELETE,
        "/repertoire/57344",
        None,
        Some(&admin),
    )
    .await;
    create(&app, &admin, &character(0x4E00, &['\u{E000}', '\u{E002}'])).await;
    let r = send(
        &app,
        Method::POST,
        "/repertoire",
        Some(&alloc("component", 9)),
        Some(&admin),
    )
    .await;
    assert_eq!(r.json, json!(0xE003));
    for bad in [
        json!({"name": "x"}),
        json!({"type": 1, "name": "x"}),
        json!([1]),
    ] {
        let r = send(&app, Method::POST, "/repertoire", Some(&bad), Some(&admin)).await;
        err(&r, 200, "RES-10000002");
    }
}

/// The original kept allocated names in a unique column: a taken name is "create failed".
async fn private_use_allocation_refuses_a_taken_name(b: Backend) {
    let app = TestApp::spawn(b).await;
    let admin = admin_token(&app).await;
    let first = json!({"type": "component", "name": "丷头"});
    let r = send(
        &app,
        Method::POST,
        "/repertoire",
        Some(&first),
        Some(&admin),
    )
    .await;
    assert_eq!(r.json, json!(0xE000), "{}", r.text());
    for again in [first.clone(), json!({"type": "compound", "name": "丷头"})] {
        let r = send(
            &app,
            Method::POST,
            "/repertoire",
            Some(&again),
            Some(&admin),
        )
        .await;
        let msg = err(&r, 200, "DB-10000004");
        assert!(msg.contains("丷头"), "{msg}");
    }
    // Nothing was allocated by the refusals; other names (and names that only look alike in
    // a LIKE pattern) still are.
    let r = send(&app, Method::GET, "/repertoire/57345", None, None).await;
    err(&r, 200, "DB-10000001");
    for (name, expected) in [("丷", 0xE001), ("丷%", 0xE002), ("_头", 0xE003)] {
        let body = json!({"type": "component", "name": name});
        let r = send(&app, Method::POST, "/repertoire", Some(&body), Some(&admin)).await;
        assert_eq!(r.json, json!(expected), "{name}: {}", r.text());
    }
}

async fn a_full_private_use_range_is_sys_10000001(b: Backend) {
    let app = TestApp::spawn(b).await;
    let admin = admin_token(&app).await;
    let batch: Vec<Value> = (0xE000..0xE800).map(|u| character(u, &[])).collect();
    let r = send(
        &app,
        Method::POST,
        "/repertoire/batch",
        Some(&json!(batch)),
        Some(&admin),
    )
    .await;
    assert_eq!(r.json, json!(true), "{}", r.text());
    let r = send(
        &app,
        Method::POST,
        "/repertoire",
        Some(&json!({"type": "component", "name": "x"})),
        Some(&admin),
    )
    .await;
    err(&r, 200, "SYS-10000001");
    let r = send(
        &app,
        Method::POST,
        "/repertoire",
        Some(&json!({"type": "compound", "name": "x"})),
        Some(&admin),
    )
    .await;
    assert_eq!(r.json, json!(0xE800));
}

async fn the_repertoire_is_listed_in_pages_by_code_point(b: Backend) {
    let app = TestApp::spawn(b).await;
    let admin = admin_token(&app).await;
    let batch: Vec<Value> = [0x4E03, 0x4E00, 0x4E01]
        .iter()
        .map(|u| character(*u, &[]))
        .collect();
    send(
        &app,
        Method::POST,
        "/repertoire/batch",
        Some(&json!(batch)),
        Some(&admin),
    )
    .await;
    let r = send(&app, Method::GET, "/repertoire?page=1&size=2", None, None).await;
    assert_eq!(
        (
            r.json["total"].clone(),
            r.json["page"].clone(),
            r.json["size"].clone()
        ),
        (json!(3), json!(1), json!(2))
    );
    let codes: Vec<i64> = r.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["unicode"].as_i64().unwrap())
        .collect();
    assert_eq!(codes, [0x4E00, 0x4E01]);
    let r = send(&app, Method::GET, "/repertoire?page=2&size=2", None, None).await;
    assert_eq!(r.json["items"], json!([character(0x4E03, &[])]));
    let r = send(&app, Method::GET, "/repertoire?page=3&size=2", None, None).await;
    assert_eq!(
        r.json,
        json!({"total": 3, "page": 3, "size": 2, "items": []})
    );
    let r = send(
        &app,
        Method::GET,
        "/repertoire?page=1&size=16384",
        None,
        None,
    )
    .await;
    assert_eq!(r.json["items"].as_array().unwrap().len(), 3);
    let r = send(&app, Method::GET, "/repertoire", None, None).await;
    assert_eq!(r.json["size"], 20);
    for bad in [
        "/repertoire?page=0",
        "/repertoire?size=0",
        "/repertoire?size=x",
        "/repertoire?size=20000",
    ] {
        let r = send(&app, Method::GET, bad, None, None).await;
        err(&r, 200, "RES-10000002");
    }
}

async fn all_streams_every_character_as_one_array(b: Backend) {
    let app = TestApp::spawn(b).await;
    let admin = admin_token(&app).await;
    let r = send(&app, Method::GET, "/repertoire/all", None, None).await;
    assert_eq!(r.json, json!([]), "{}", r.text());
    // More than one streaming batch.
    let batch: Vec<Value> = (0x4E00..0x4E00 + 2500)
        .map(|u| character(u, &['一', '丨']))
        .collect();
    let r = send(
        &app,
        Method::POST,
        "/repertoire/batch",
        Some(&json!(batch)),
        Some(&admin),
    )
    .await;
    assert_eq!(r.json, json!(true));
    let r = send(&app, Method::GET, "/repertoire/all", None, None).await;
    r.assert_status(200);
    assert!(
        r.header("content-type")
            .unwrap()
            .starts_with("application/json")
    );
    let items = r.json.as_array().expect("an array");
    assert_eq!(items.len(), 2500);
    assert_eq!(items[0], batch[0]);
    assert_eq!(items[2499], batch[2499]);
    assert!(
        items
            .windows(2)
            .all(|w| w[0]["unicode"].as_i64() < w[1]["unicode"].as_i64())
    );
    // A page that spans several streaming batches holds exactly its rows.
    let r = send(
        &app,
        Method::GET,
        "/repertoire?page=2&size=1200",
        None,
        None,
    )
    .await;
    let page = r.json["items"].as_array().expect("items");
    assert_eq!((r.json["total"].clone(), page.len()), (json!(2500), 1200));
    assert_eq!((&page[0], &page[1199]), (&batch[1200], &batch[2399]));
    let r = send(
        &app,
        Method::GET,
        "/repertoire?page=3&size=1200",
        None,
        None,
    )
    .await;
    assert_eq!(r.json["items"].as_array().unwrap().len(), 100);
}

async fn a_referenced_character_cannot_be_deleted(b: Backend) {
    let app = TestApp::spawn(b).await;
    let admin = admin_token(&app).await;
    create(&app, &admin, &character(0x65E5, &[])).await;
    create(&app, &admin, &character(0x6708, &[])).await;
    create(&app, &admin, &character(0x660E, &['日', '月'])).await;
    // Referencing itself does not count.
    create(&app, &admin, &character(0x4E00, &['一', '一'])).await;
    let r = send(
        &app,
        Method::DELETE,
        "/repertoire/26085",
        None,
        Some(&admin),
    )
    .await;
    err(&r, 200, "AUTH-10000002");
    assert_eq!(get(&app, 0x65E5).await["unicode"], 0x65E5);
    let r = send(
        &app,
        Method::DELETE,
        "/repertoire/26126",
        None,
        Some(&admin),
    )
    .await;
    assert_eq!(r.json, json!(true));
    let r = send(
        &app,
        Method::DELETE,
        "/repertoire/26085",
        None,
        Some(&admin),
    )
    .await;
    assert_eq!(r.json, json!(true));
    let r = send(
        &app,
        Method::DELETE,
        "/repertoire/19968",
        None,
        Some(&admin),
    )
    .await;
    assert_eq!(r.json, json!(true));
    assert_eq!(stored_count(&app).await, 1);
}

async fn renumbering_moves_a_character_and_rewrites_its_references(b: Backend) {
    let app = TestApp::spawn(b).await;
    let admin = admin_token(&app).await;
    let r = send(
        &app,
        Method::POST,
        "/repertoire",
        Some(&json!({"type": "component", "name": "部件甲"})),
        Some(&admin),
    )
    .await;
    assert_eq!(r.json, json!(0xE000));
    create(&app, &admin, &character(0x4E00, &['\u{E000}', '丨'])).await;
    create(
        &app,
        &admin,
        &character(0x4E01, &['\u{E000}', '\u{E000}', '\u{E100}']),
    )
    .await;
    let r = send(
        &app,
        Method::PUT,
        "/repertoire",
        Some(&json!({"old": 0xE000, "new": 0xE100})),
        Some(&admin),
    )
    .await;
    assert_eq!(r.json, json!(true), "{}", r.text());
    let r = send(&app, Method::GET, "/repertoire/57344", None, None).await;
    err(&r, 200, "DB-10000001");
    let moved = get(&app, 0xE100).await;
    assert_eq!(
        (moved["unicode"].clone(), moved["name"].clone()),
        (json!(0xE100), json!("部件甲"))
    );
    assert_eq!(
        get(&app, 0x4E00).await["glyphs"][0]["operandList"],
        json!(["\u{E100}", "丨"])
    );
    assert_eq!(
        get(&app, 0x4E01).await["glyphs"][0]["operandList"],
        json!(["\u{E100}", "\u{E100}", "\u{E100}"])
    );
    // The references moved with it.
    let r = send(
        &app,
        Method::DELETE,
        "/repertoire/57600",
        None,
        Some(&admin),
    )
    .await;
    err(&r, 200, "AUTH-10000002");
    let r = send(
        &app,
        Method::PUT,
        "/repertoire",
        Some(&json!({"old": 0xE100, "new": 0x4E00})),
        Some(&admin),
    )
    .await;
    err(&r, 200, "DB-10000002");
    let r = send(
        &app,
        Method::PUT,
        "/repertoire",
        Some(&json!({"old": 0xE000, "new": 0xE001})),
        Some(&admin),
    )
    .await;
    err(&r, 200, "DB-10000001");
    for bad in [
        json!({"old": 0xE100, "new": 0xD800}),
        json!({"old": "a", "new": 1}),
        json!({"old": 0xE100}),
    ] {
        let r = send(&app, Method::PUT, "/repertoire", Some(&bad), Some(&admin)).await;
        err(&r, 200, "RES-10000002");
    }
    assert_eq!(get(&app, 0xE100).await["unicode"], 0xE100);
}

async fn a_batch_with_one_bad_item_changes_nothing(b: Backend) {
    let app = TestApp::spawn(b).await;
    let admin = admin_token(&app).await;
    create(&app, &admin, &character(0x4E00, &[])).await;
    let mut bad = character(0x4E02, &[]);
    bad["tygf"] = json!(9);
    let batch = json!([character(0x4E01, &[]), bad]);
    let r = send(
        &app,
        Method::POST,
        "/repertoire/batch",
        Some(&batch),
        Some(&admin),
    )
    .await;
    assert!(
        err(&r, 200, "RES-10000002").contains("[1].tygf"),
        "{}",
        r.text()
    );
    let batch = json!([character(0x4E01, &[]), character(0x4E00, &[])]);
    let r = send(
        &app,
        Method::POST,
        "/repertoire/batch",
        Some(&batch),
        Some(&admin),
    )
    .await;
    err(&r, 200, "DB-10000002");
    let r = send(
        &app,
        Method::POST,
        "/repertoire/batch",
        Some(&json!({"a": 1})),
        Some(&admin),
    )
    .await;
    err(&r, 200, "RES-10000002");
    assert_eq!(stored_count(&app).await, 1);
    let ok = json!([character(0x4E01, &['一', '丨']), character(0x4E02, &[])]);
    let r = send(
        &app,
        Method::POST,
        "/repertoire/batch",
        Some(&ok),
        Some(&admin),
    )
    .await;
    assert_eq!(r.json, json!(true));
    // Update: one missing character, nothing changes.
    let mut changed = character(0x4E02, &[]);
    changed["tygf"] = json!(3);
    let r = send(
        &app,
        Method::PUT,
        "/repertoire/batch",
        Some(&json!([changed, character(0x4E09, &[])])),
        Some(&admin),
    )
    .await;
    err(&r, 200, "DB-10000001");
    assert_eq!(get(&app, 0x4E02).await["tygf"], 1);
    let r = send(
        &app,
        Method::PUT,
        "/repertoire/batch",
        Some(&json!([changed])),
        Some(&admin),
    )
    .await;
    assert_eq!(r.json, json!(true));
    assert_eq!(get(&app, 0x4E02).await["tygf"], 3);
    // Delete: 一 is referenced by 丁 unless 丁 goes too.
    let r = send(
        &app,
        Method::DELETE,
        "/repertoire/batch",
        Some(&json!([0x4E00, 0x4E02])),
        Some(&admin),
    )
    .await;
    err(&r, 200, "AUTH-10000002");
    let r = send(
        &app,
        Method::DELETE,
        "/repertoire/batch",
        Some(&json!([0x4E02, 0x4E09])),
        Some(&admin),
    )
    .await;
    err(&r, 200, "DB-10000001");
    let r = send(
        &app,
        Method::DELETE,
        "/repertoire/batch",
        Some(&json!(["x"])),
        Some(&admin),
    )
    .await;
    err(&r, 200, "RES-10000002");
    assert_eq!(stored_count(&app).await, 3);
    let r = send(
        &app,
        Method::DELETE,
        "/repertoire/batch",
        Some(&json!([0x4E00, 0x4E01])),
        Some(&admin),
    )
    .await;
    assert_eq!(r.json, json!(true));
    assert_eq!(stored_count(&app).await, 1);
}

/// Runs `ops-server hanzi import FILE` against the test's database.
fn import(app: &TestApp, file: &std::path::Path) -> std::process::Output {
    let config = app.data_dir.join("cli-config.yaml");
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_ops-server"));
    cmd.arg("--config")
        .arg(&config)
        .arg("hanzi")
        .arg("import")
        .arg(file)
        .env("OPS__DATA_DIR", &app.data_dir)
        .env("OPS__DATABASE__PATH", &app.config.database.path)
        .env("OPS__LOG__LEVEL", "warn");
    if app.config.database.driver == ops::config::DatabaseDriver::Postgres {
        cmd.env("OPS__DATABASE__DRIVER", "postgres")
            .env("OPS__DATABASE__URL", &app.config.database.url);
    }
    cmd.output().expect("run ops-server")
}

async fn the_import_command_loads_a_file_all_or_nothing(b: Backend) {
    let app = TestApp::spawn(b).await;
    let good: Vec<Value> = vec![character(0x4E00, &[]), character(0x4E01, &['一', '亅'])];
    let file = app.data_dir.join("repertoire.json");
    let mut bad = good.clone();
    bad.push(json!({"unicode": 0x4E02, "tygf": 7}));
    std::fs::write(&file, serde_json::to_string(&bad).unwrap()).unwrap();
    let out = import(&app, &file);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    // The item and its code point, the field, and that nothing was stored.
    assert!(
        err.contains("[2]") && err.contains("U+4E02") && err.contains("nothing was stored"),
        "{err}"
    );
    assert_eq!(stored_count(&app).await, 0);
    std::fs::write(&file, serde_json::to_string(&good).unwrap()).unwrap();
    let out = import(&app, &file);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("imported 2"));
    let r = send(&app, Method::GET, "/repertoire/all", None, None).await;
    assert_eq!(r.json, json!(good));
    // Loading again collides with what is there: nothing changes.
    let out = import(&app, &file);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("U+4E00") && err.contains("already taken"),
        "{err}"
    );
    assert_eq!(stored_count(&app).await, 2);
}

db_test!(
    a_character_round_trips_with_references_stored_as_numbers,
    invalid_characters_are_refused_and_nothing_is_stored,
    missing_existing_and_malformed_code_points,
    reads_are_public_and_writes_need_role_one,
    private_use_code_points_are_allocated_lowest_first,
    private_use_allocation_refuses_a_taken_name,
    a_full_private_use_range_is_sys_10000001,
    the_repertoire_is_listed_in_pages_by_code_point,
    all_streams_every_character_as_one_array,
    a_referenced_character_cannot_be_deleted,
    renumbering_moves_a_character_and_rewrites_its_references,
    a_batch_with_one_bad_item_changes_nothing,
    the_import_command_loads_a_file_all_or_nothing,
);
