//! The two wire forms of a Character (issue 19), replayed from fixtures that hold the exact
//! request bodies and answers of each client version: `fixtures/hanzi_client_2024.json` (the
//! document's Character, `dialects.hanzi.wire: seed`) and `fixtures/hanzi_client_2026.json`
//! (the back end's raw rows, `wire: rows`). Each goes create → list → allocate + update →
//! update → batch create → batch update → read back (one, all, pages) → delete. Raw rows are
//! compared with their `glyphs` string read as JSON (the server answers it in canonical form).

use ops::config::HanziWire;
use reqwest::Method;
use serde_json::{Value, json};

use crate::db_test;
use crate::hanzi_users::{admin_token, err, send};
use crate::support::{Backend, TestApp};

const CLIENT_2024: &str = include_str!("fixtures/hanzi_client_2024.json");
const CLIENT_2026: &str = include_str!("fixtures/hanzi_client_2026.json");

async fn spawn(b: Backend, wire: HanziWire) -> TestApp {
    TestApp::spawn_with(b, |c| c.dialects.hanzi.wire = wire).await
}

/// Reads every raw row's `glyphs` string as the JSON it holds, so rows compare by meaning:
/// the server answers that string in canonical form (sorted keys), the client `JSON.parse`s it.
fn parsed_glyphs(v: &Value) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, x)| match (k.as_str(), x) {
                    ("glyphs", Value::String(text)) => (
                        k.clone(),
                        json!({"json": serde_json::from_str::<Value>(text).expect("glyph JSON")}),
                    ),
                    _ => (k.clone(), parsed_glyphs(x)),
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(parsed_glyphs).collect()),
        other => other.clone(),
    }
}

#[track_caller]
fn expect(r: &crate::support::http::Resp, answer: &Value) {
    r.assert_status(200);
    assert_eq!(
        parsed_glyphs(&r.json),
        parsed_glyphs(answer),
        "{}",
        r.text()
    );
}

/// Plays one fixture against a server configured with its wire form.
async fn replay(b: Backend, fixture: &str) {
    let fx: Value = serde_json::from_str(fixture).expect("fixture is JSON");
    let wire = match fx["wire"].as_str() {
        Some("rows") => HanziWire::Rows,
        _ => HanziWire::Seed,
    };
    let app = spawn(b, wire).await;
    let token = admin_token(&app).await;
    let at = |c: &Value| format!("/repertoire/{}", c["unicode"]);

    let created = fx["create"].as_array().expect("create");
    for c in created {
        let r = send(&app, Method::POST, &at(c), Some(c), Some(&token)).await;
        expect(&r, &c["unicode"]);
    }
    let r = send(
        &app,
        Method::GET,
        "/repertoire?page=1&size=16384",
        None,
        None,
    )
    .await;
    expect(
        &r,
        &json!({"total": created.len(), "page": 1, "size": 16384, "items": created}),
    );

    // Private-use allocation, then the client stores its glyph there.
    let alloc = &fx["allocate"];
    let r = send(
        &app,
        Method::POST,
        "/repertoire",
        Some(&alloc["request"]),
        Some(&token),
    )
    .await;
    expect(&r, &alloc["answer"]);
    let put = &alloc["then_put"];
    let r = send(&app, Method::PUT, &at(put), Some(put), Some(&token)).await;
    expect(&r, &json!(true));
    let r = send(&app, Method::GET, &at(put), None, None).await;
    expect(&r, put);

    let update = &fx["update"];
    let r = send(&app, Method::PUT, &at(update), Some(update), Some(&token)).await;
    expect(&r, &json!(true));
    let r = send(&app, Method::GET, &at(update), None, None).await;
    expect(&r, update);

    for (method, key) in [
        (Method::POST, "batch_create"),
        (Method::PUT, "batch_update"),
    ] {
        let r = send(
            &app,
            method,
            "/repertoire/batch",
            Some(&fx[key]),
            Some(&token),
        )
        .await;
        expect(&r, &json!(true));
    }

    // Read back: everything exactly as the client wrote it, whole and in pages.
    let all = fx["all"].as_array().expect("all");
    let r = send(&app, Method::GET, "/repertoire/all", None, None).await;
    expect(&r, &fx["all"]);
    for c in all {
        let r = send(&app, Method::GET, &at(c), None, None).await;
        expect(&r, c);
    }
    for (page, items) in all.chunks(2).enumerate() {
        let path = format!("/repertoire?page={}&size=2", page + 1);
        let r = send(&app, Method::GET, &path, None, None).await;
        expect(
            &r,
            &json!({"total": all.len(), "page": page + 1, "size": 2, "items": items}),
        );
    }

    // The last character references the second: refused alone, allowed together.
    let (second, last) = (&all[1]["unicode"], &all[all.len() - 1]["unicode"]);
    let r = send(
        &app,
        Method::DELETE,
        &format!("/repertoire/{second}"),
        None,
        Some(&token),
    )
    .await;
    err(&r, 200, "AUTH-10000002");
    let r = send(
        &app,
        Method::DELETE,
        "/repertoire/batch",
        Some(&json!([last, second])),
        Some(&token),
    )
    .await;
    expect(&r, &json!(true));
    let left: Vec<&Value> = all
        .iter()
        .filter(|c| &c["unicode"] != second && &c["unicode"] != last)
        .collect();
    let r = send(&app, Method::GET, "/repertoire/all", None, None).await;
    expect(&r, &json!(left));
}

async fn the_2024_client_round_trips_the_documents_character(b: Backend) {
    replay(b, CLIENT_2024).await;
}

async fn the_2026_client_round_trips_raw_rows(b: Backend) {
    replay(b, CLIENT_2026).await;
}

/// The raw row's `glyphs` string comes back as compact JSON of the same glyphs, and the rest
/// of the row exactly as written.
async fn a_rows_glyph_string_reads_back_as_the_same_json(b: Backend) {
    let app = spawn(b, HanziWire::Rows).await;
    let token = admin_token(&app).await;
    let fx: Value = serde_json::from_str(CLIENT_2026).unwrap();
    let row = &fx["update"];
    let r = send(
        &app,
        Method::POST,
        "/repertoire/19969",
        Some(row),
        Some(&token),
    )
    .await;
    expect(&r, &json!(19969));
    let r = send(&app, Method::GET, "/repertoire/19969", None, None).await;
    let sent: Value = serde_json::from_str(row["glyphs"].as_str().unwrap()).unwrap();
    assert_eq!(r.json["glyphs"], json!(sent.to_string()));
    let mut rest = r.json.clone();
    rest["glyphs"] = row["glyphs"].clone();
    assert_eq!(&rest, row);
}

/// Whatever the answer form, both input forms are accepted and mean the same character.
async fn either_form_is_accepted_whatever_the_wire(b: Backend) {
    let rows: Value = serde_json::from_str(CLIENT_2026).unwrap();
    let seed: Value = serde_json::from_str(CLIENT_2024).unwrap();
    for wire in [HanziWire::Seed, HanziWire::Rows] {
        let app = spawn(b, wire).await;
        let token = admin_token(&app).await;
        // 丁 sent in the raw-row form, 丷头 in the document's form.
        let ding = &rows["create"][1];
        let r = send(
            &app,
            Method::POST,
            "/repertoire/19969",
            Some(ding),
            Some(&token),
        )
        .await;
        expect(&r, &json!(19969));
        let pua = &seed["allocate"]["then_put"];
        let r = send(
            &app,
            Method::POST,
            "/repertoire/57344",
            Some(pua),
            Some(&token),
        )
        .await;
        expect(&r, &json!(57344));
        let r = send(&app, Method::GET, "/repertoire/all", None, None).await;
        let items = r.json.as_array().expect("array");
        match wire {
            HanziWire::Rows => {
                assert_eq!(parsed_glyphs(&items[0]), parsed_glyphs(ding));
                assert_eq!(
                    parsed_glyphs(&items[1]),
                    parsed_glyphs(&rows["allocate"]["then_put"])
                );
            }
            HanziWire::Seed => {
                let mut ding_seed = seed["create"][1].clone();
                ding_seed["readings"] = json!([]);
                ding_seed["gb2312"] = json!(1);
                ding_seed["ambiguous"] = json!(0);
                ding_seed["gf3001_id"] = json!(3);
                assert_eq!(&items[0], &ding_seed);
                assert_eq!(&items[1], pua);
            }
        }
    }
}

/// A raw row with a bad reference or glyph string is refused and stores nothing.
async fn bad_rows_are_refused_and_nothing_is_stored(b: Backend) {
    let app = spawn(b, HanziWire::Rows).await;
    let token = admin_token(&app).await;
    let fx: Value = serde_json::from_str(CLIENT_2026).unwrap();
    let good = fx["create"][1].clone();
    for glyphs in [
        json!("[{\"type\":\"compound\",\"operator\":\"⿱\",\"operandList\":[55296,20101]}]"),
        json!("[{\"type\":\"compound\",\"operator\":\"⿱\",\"operandList\":[-1,20101]}]"),
        json!("[{\"type\":\"identity\",\"source\":1114112}]"),
        json!("[{\"type\":\"identity\",\"source\":\"一二\"}]"),
        json!("[{\"type\":\"compound\""),
        json!("{}"),
        json!(7),
    ] {
        let mut c = good.clone();
        c["glyphs"] = glyphs;
        let r = send(
            &app,
            Method::POST,
            "/repertoire/19969",
            Some(&c),
            Some(&token),
        )
        .await;
        let msg = err(&r, 200, "RES-10000002");
        assert!(msg.contains("glyphs"), "{msg}");
    }
    for (key, bad) in [
        ("ambiguous", json!(2)),
        ("gb2312", json!(3)),
        ("tygf", json!(4)),
    ] {
        let mut c = good.clone();
        c[key] = bad;
        let r = send(
            &app,
            Method::POST,
            "/repertoire/19969",
            Some(&c),
            Some(&token),
        )
        .await;
        err(&r, 200, "RES-10000002");
    }
    let r = send(&app, Method::GET, "/repertoire/all", None, None).await;
    expect(&r, &json!([]));
}

/// `/all` and the client's 16,384-item pages stream raw rows across store batches too.
async fn rows_stream_across_batches(b: Backend) {
    let app = spawn(b, HanziWire::Rows).await;
    let token = admin_token(&app).await;
    let glyphs = r#"[{"type":"compound","operator":"⿰","operandList":[19968,20008]}]"#;
    let rows: Vec<Value> = (0x4E00..0x4E00 + 2100)
        .map(|u| {
            json!({"unicode": u, "tygf": 1, "gb2312": 1, "glyphs": glyphs, "name": null,
                   "gf0014_id": null, "gf3001_id": null, "ambiguous": 0})
        })
        .collect();
    let r = send(
        &app,
        Method::POST,
        "/repertoire/batch",
        Some(&json!(rows)),
        Some(&token),
    )
    .await;
    expect(&r, &json!(true));
    let r = send(&app, Method::GET, "/repertoire/all", None, None).await;
    expect(&r, &json!(rows));
    let r = send(
        &app,
        Method::GET,
        "/repertoire?page=1&size=16384",
        None,
        None,
    )
    .await;
    expect(
        &r,
        &json!({"total": 2100, "page": 1, "size": 16384, "items": rows}),
    );
}

db_test!(
    the_2024_client_round_trips_the_documents_character,
    the_2026_client_round_trips_raw_rows,
    a_rows_glyph_string_reads_back_as_the_same_json,
    either_form_is_accepted_whatever_the_wire,
    bad_rows_are_refused_and_nothing_is_stored,
    rows_stream_across_batches,
);
