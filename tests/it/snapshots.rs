//! Golden answers of every dialect: the success and error envelopes a front end reads, as
//! snapshots (`tests/it/snapshots/`), so any change to a contract shows in review. Both
//! engines write the same snapshot: an answer that differs between SQLite and PostgreSQL
//! fails one of them.
//!
//! Values that differ from run to run (times, ids of requests, tokens) are replaced by a
//! marker naming what they were; everything else is compared byte for byte. Update a
//! snapshot on purpose with `INSTA_UPDATE=always scripts/test --test it snapshots` and
//! review the diff.

use reqwest::Method;
use serde_json::{Map, Value, json};

use crate::db_test;
use crate::support::http::{Call, Resp};
use crate::support::{ADMIN_PASSWORD, Backend, TestApp};

/// Keys whose values change from run to run.
const VOLATILE: &[&str] = &[
    "timestamp",
    "request_id",
    "token",
    "refresh_token",
    "cookie_value",
    "created_at",
    "updated_at",
    "last_login",
    "last_login_at",
    "date_joined",
    "expires_at",
    "server_time",
    "uptime",
    "memory_usage",
    "cpu_usage",
    "disk_usage",
    "goroutines",
];

fn redact(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if VOLATILE.contains(&key.as_str()) && !v.is_null() {
                    *v = Value::String(format!("[{key}]"));
                } else {
                    redact(v);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact),
        _ => {}
    }
}

/// The answers of one dialect, case by case, in the order they were made.
#[derive(Default)]
struct Golden(Map<String, Value>);

impl Golden {
    async fn record(&mut self, case: &str, call: Call) -> Resp {
        let r = call.send().await;
        let mut body = if r.json.is_null() && !r.bytes.is_empty() {
            Value::String(r.text())
        } else {
            r.json.clone()
        };
        redact(&mut body);
        self.0.insert(
            case.to_owned(),
            json!({"status": r.status.as_u16(), "body": body}),
        );
        r
    }

    fn into_value(self) -> Value {
        Value::Object(self.0)
    }
}

async fn ops_v1_answers(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut g = Golden::default();
    let user = json!({"name": "alice", "password": "secret12", "password_confirm": "secret12",
                      "email": "alice@example.com"});
    g.record("register", app.post("/api/v1/users/register").json(&user))
        .await;
    g.record(
        "register duplicate",
        app.post("/api/v1/users/register").json(&user),
    )
    .await;
    g.record(
        "register short name",
        app.post("/api/v1/users/register")
            .json(&json!({"name": "al", "password": "secret12", "password_confirm": "secret12"})),
    )
    .await;
    g.record(
        "register malformed json",
        app.post("/api/v1/users/register")
            .body("application/json", "{\"name\":"),
    )
    .await;
    g.record(
        "login wrong password",
        app.post("/api/v1/users/login")
            .json(&json!({"name": "alice", "password": "wrong-one"})),
    )
    .await;
    let login = g
        .record(
            "login",
            app.post("/api/v1/users/login")
                .json(&json!({"name": "alice", "password": "secret12"})),
        )
        .await;
    let token = login.json["data"]["cookie_value"]
        .as_str()
        .expect("token")
        .to_owned();
    g.record("profile without token", app.get("/api/v1/users/profile"))
        .await;
    g.record("profile", app.get("/api/v1/users/profile").bearer(&token))
        .await;
    g.record(
        "purchase list empty",
        app.get("/api/v1/purchase/orders").bearer(&token),
    )
    .await;
    g.record(
        "purchase entries out of range",
        app.get("/api/v1/purchase/orders")
            .query(&[("entries", "301")])
            .bearer(&token),
    )
    .await;
    g.record(
        "purchase order missing",
        app.get("/api/v1/purchase/orders/999").bearer(&token),
    )
    .await;
    g.record(
        "file missing",
        app.get("/api/v1/files/info/999").bearer(&token),
    )
    .await;
    g.record("unknown route", app.get("/api/v1/no-such-route"))
        .await;
    insta::assert_json_snapshot!("ops_v1", g.into_value());
}

async fn admin_v1_answers(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut g = Golden::default();
    g.record(
        "login wrong password",
        app.post("/admin/v1/auth/login")
            .json(&json!({"username": "admin", "password": "wrong-one"})),
    )
    .await;
    let login = g
        .record(
            "login",
            app.post("/admin/v1/auth/login")
                .json(&json!({"username": "admin", "password": ADMIN_PASSWORD})),
        )
        .await;
    let token = login.json["data"]["token"]
        .as_str()
        .expect("token")
        .to_owned();
    g.record("users without token", app.get("/admin/v1/users"))
        .await;
    g.record("users", app.get("/admin/v1/users").bearer(&token))
        .await;
    g.record(
        "users bad page_size",
        app.get("/admin/v1/users")
            .query(&[("page_size", "1000")])
            .bearer(&token),
    )
    .await;
    g.record(
        "users wrong query type",
        app.get("/admin/v1/users")
            .query(&[("page", "first")])
            .bearer(&token),
    )
    .await;
    g.record(
        "create user invalid",
        app.post("/admin/v1/users")
            .json(&json!({"username": "x", "password": "1", "email": "not-an-email"}))
            .bearer(&token),
    )
    .await;
    g.record(
        "create user wrong types",
        app.post("/admin/v1/users")
            .json(&json!({"username": 5, "password": true}))
            .bearer(&token),
    )
    .await;
    g.record(
        "create user malformed json",
        app.post("/admin/v1/users")
            .body("application/json", "{")
            .bearer(&token),
    )
    .await;
    g.record(
        "user missing",
        app.get("/admin/v1/users/999").bearer(&token),
    )
    .await;
    g.record("roles", app.get("/admin/v1/roles").bearer(&token))
        .await;
    g.record(
        "unknown route",
        app.get("/admin/v1/no-such-route").bearer(&token),
    )
    .await;
    insta::assert_json_snapshot!("admin_v1", g.into_value());
}

async fn hanzi_answers(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut g = Golden::default();
    let text = |call: Call, body: &Value| call.body("text/plain;charset=UTF-8", body.to_string());
    g.record(
        "login unknown user",
        text(
            app.post("/hanzi/login"),
            &json!({"username": "nobody", "password": "whatever1"}),
        ),
    )
    .await;
    g.record(
        "login wrong password",
        text(
            app.post("/hanzi/login"),
            &json!({"username": "admin", "password": "wrong-one"}),
        ),
    )
    .await;
    let login = g
        .record(
            "login",
            text(
                app.post("/hanzi/login"),
                &json!({"username": "admin", "password": ADMIN_PASSWORD}),
            ),
        )
        .await;
    let token = login.json["token"].as_str().expect("token").to_owned();
    g.record(
        "register",
        text(
            app.post("/hanzi/users"),
            &json!({"id": "writer", "name": "Writer", "email": "w@example.com",
                    "password": "secret12"}),
        ),
    )
    .await;
    g.record(
        "register bad id",
        text(
            app.post("/hanzi/users"),
            &json!({"id": "1bad", "name": "Bad", "email": "b@example.com",
                    "password": "secret12"}),
        ),
    )
    .await;
    g.record(
        "glyph missing",
        app.call(Method::GET, "/hanzi/repertoire/19968"),
    )
    .await;
    g.record(
        "create glyph",
        text(
            app.post("/hanzi/repertoire/19968").bearer(&token),
            &json!({"unicode": 19968, "tygf": 1, "gb2312": true, "readings": ["yī"],
                    "glyphs": [], "name": null, "gf0014_id": null, "ambiguous": false}),
        ),
    )
    .await;
    g.record(
        "create glyph without token",
        text(
            app.post("/hanzi/repertoire/19969"),
            &json!({"unicode": 19969, "tygf": 0, "gb2312": false, "readings": [],
                    "glyphs": [], "name": null, "gf0014_id": null, "ambiguous": false}),
        ),
    )
    .await;
    g.record("glyph", app.call(Method::GET, "/hanzi/repertoire/19968"))
        .await;
    g.record("unknown route", app.get("/hanzi/no-such-route"))
        .await;
    insta::assert_json_snapshot!("hanzi", g.into_value());
}

async fn account_answers(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut g = Golden::default();
    g.record(
        "login wrong password",
        app.post("/account/login/")
            .json(&json!({"username": "admin", "password": "wrong-one"})),
    )
    .await;
    let login = g
        .record(
            "login",
            app.post("/account/login/")
                .json(&json!({"username": "admin", "password": ADMIN_PASSWORD})),
        )
        .await;
    let token = login.json["data"]["token"]
        .as_str()
        .expect("token")
        .to_owned();
    g.record("users without login", app.get("/account/user/"))
        .await;
    g.record(
        "create user",
        app.post("/account/user/")
            .json(
                &json!({"username": "bob", "password": "secret12", "email": "bob@example.com",
                          "first_name": "Bob", "last_name": "Li"}),
            )
            .bearer(&token),
    )
    .await;
    g.record(
        "create user invalid",
        app.post("/account/user/")
            .json(&json!({"username": "", "password": "1", "email": "nope"}))
            .bearer(&token),
    )
    .await;
    g.record(
        "users page",
        app.get("/account/user/")
            .query(&[("page", "1")])
            .bearer(&token),
    )
    .await;
    g.record("groups", app.get("/account/group/").bearer(&token))
        .await;
    g.record("user missing", app.get("/account/user/999/").bearer(&token))
        .await;
    g.record(
        "unknown route",
        app.get("/account/no-such-route/").bearer(&token),
    )
    .await;
    insta::assert_json_snapshot!("account", g.into_value());
}

db_test!(
    ops_v1_answers,
    admin_v1_answers,
    hanzi_answers,
    account_answers
);
