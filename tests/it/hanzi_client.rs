//! Replays the original web client's own sequence against `/hanzi` (issue 6): every body is
//! sent as `text/plain`, passwords are base64(md5(password)), characters use the client's
//! default glyphs (which reference 一 before it exists).

use base64::Engine;
use md5::{Digest, Md5};
use reqwest::Method;
use serde_json::{Value, json};

use crate::db_test;
use crate::hanzi_users::{err, send};
use crate::support::{Backend, TestApp};

fn client_password(pw: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(Md5::digest(pw.as_bytes()))
}

/// The client's `创建原始汉字数据(unicode, [glyph], name)` plus `readings: []`.
fn client_character(unicode: i64, glyph: Value, name: Option<&str>) -> Value {
    json!({
        "unicode": unicode, "tygf": 0, "gb2312": false, "readings": [],
        "gf0014_id": null, "gf3001_id": null, "ambiguous": false,
        "name": name, "glyphs": [glyph]
    })
}

/// The client's default derived component (`模拟衍生部件`).
fn default_derived() -> Value {
    json!({"type": "derived_component", "source": "一", "strokes": [{"feature": "reference", "index": 0}]})
}

/// The client's default compound (`模拟复合体("⿰")`).
fn default_compound() -> Value {
    json!({"type": "compound", "operator": "⿰", "operandList": ["一", "一"]})
}

async fn the_real_clients_sequence_works_unchanged(b: Backend) {
    // A fresh deployment without the bootstrap admin: the first sign-up is the super admin.
    let app = TestApp::spawn_with(b, |c| c.bootstrap.admin = false).await;
    let password = client_password("my secret password");
    let sign_up =
        json!({"id": "chai", "name": "拆字人", "email": "chai@example.com", "password": password});
    let r = send(&app, Method::POST, "/users", Some(&sign_up), None).await;
    assert_eq!(r.json, json!(true), "{}", r.text());

    let r = send(
        &app,
        Method::POST,
        "/login",
        Some(&json!({"username": "chai", "password": password})),
        None,
    )
    .await;
    assert_eq!(r.json["user"]["id"], "chai");
    assert_eq!(r.json["user"]["role"], 2);
    let token = r.json["token"].as_str().expect("token").to_owned();

    // A named component gets a private-use code point.
    let r = send(
        &app,
        Method::POST,
        "/repertoire",
        Some(&json!({"type": "component", "name": "丷头"})),
        Some(&token),
    )
    .await;
    let pua = r.json.as_i64().unwrap_or_else(|| panic!("{}", r.text()));
    assert!((0xE000..=0xE7FF).contains(&pua), "{pua:#x}");
    // The client then stores its default glyph there.
    let named = client_character(pua, default_derived(), Some("丷头"));
    let r = send(
        &app,
        Method::PUT,
        &format!("/repertoire/{pua}"),
        Some(&named),
        Some(&token),
    )
    .await;
    assert_eq!(r.json, json!(true), "{}", r.text());

    // A single character is created in full at its own code point (references 一, not loaded).
    let ding = client_character(0x4E01, default_compound(), None);
    let r = send(
        &app,
        Method::POST,
        "/repertoire/19969",
        Some(&ding),
        Some(&token),
    )
    .await;
    assert_eq!(r.json, json!(0x4E01), "{}", r.text());
    let yi = client_character(
        0x4E00,
        json!({"type": "basic_component", "strokes": [{"feature": "横", "start": [0, 0], "curveList": [{"command": "h", "parameterList": [20]}]}]}),
        None,
    );
    let r = send(
        &app,
        Method::POST,
        "/repertoire/19968",
        Some(&yi),
        Some(&token),
    )
    .await;
    assert_eq!(r.json, json!(0x4E00), "{}", r.text());

    // Editing: PUT the whole character back.
    let mut edited = ding.clone();
    edited["glyphs"] = json!([{"type": "compound", "operator": "⿱", "operandList": ["一", char::from_u32(pua as u32).unwrap().to_string()]}]);
    let r = send(
        &app,
        Method::PUT,
        "/repertoire/19969",
        Some(&edited),
        Some(&token),
    )
    .await;
    assert_eq!(r.json, json!(true), "{}", r.text());

    // Loading: the whole repertoire, then the paged form the client also uses.
    let r = send(&app, Method::GET, "/repertoire/all", None, Some(&token)).await;
    let all = r.json.as_array().expect("array").clone();
    assert_eq!(all, vec![yi.clone(), edited.clone(), named.clone()]);
    let r = send(
        &app,
        Method::GET,
        "/repertoire?page=1&size=16384",
        None,
        Some(&token),
    )
    .await;
    assert_eq!(r.json["total"], 3);
    assert_eq!(r.json["items"], json!(all));
    let r = send(
        &app,
        Method::GET,
        "/repertoire?page=2&size=16384",
        None,
        Some(&token),
    )
    .await;
    assert_eq!(r.json["items"], json!([]));

    // 一 is referenced by 丁 and by the named component: refused until they go.
    let r = send(
        &app,
        Method::DELETE,
        "/repertoire/19968",
        None,
        Some(&token),
    )
    .await;
    err(&r, 200, "AUTH-10000002");
    let r = send(
        &app,
        Method::DELETE,
        &format!("/repertoire/{pua}"),
        None,
        Some(&token),
    )
    .await;
    err(&r, 200, "AUTH-10000002");
    let r = send(
        &app,
        Method::DELETE,
        "/repertoire/19969",
        None,
        Some(&token),
    )
    .await;
    assert_eq!(r.json, json!(true));
    let r = send(
        &app,
        Method::DELETE,
        &format!("/repertoire/{pua}"),
        None,
        Some(&token),
    )
    .await;
    assert_eq!(r.json, json!(true));
    let r = send(
        &app,
        Method::DELETE,
        "/repertoire/19968",
        None,
        Some(&token),
    )
    .await;
    assert_eq!(r.json, json!(true));
    let r = send(&app, Method::GET, "/repertoire/all", None, None).await;
    assert_eq!(r.json, json!([]));
}

db_test!(the_real_clients_sequence_works_unchanged);
