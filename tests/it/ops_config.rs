//! `ops_v1` `/system/config` (issue 4): admins read and change the runtime settings store;
//! a change takes effect on the next request; a bad change changes nothing.

use serde_json::{Value, json};

use crate::db_test;
use crate::support::{ADMIN_PASSWORD, Backend, TestApp};

const CONFIG: &str = "/api/v1/system/config";

async fn login(app: &TestApp, name: &str, password: &str) -> reqwest::StatusCode {
    app.post("/api/v1/users/login")
        .json(&json!({"name": name, "password": password}))
        .send()
        .await
        .status
}

async fn token(app: &TestApp, name: &str, password: &str) -> String {
    app.post("/api/v1/users/login")
        .json(&json!({"name": name, "password": password}))
        .send()
        .await
        .ops(200, "0")["cookie_value"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn register(app: &TestApp, name: &str) -> reqwest::StatusCode {
    let body = json!({"name": name, "password": "secret12", "password_confirm": "secret12"});
    app.post("/api/v1/users/register")
        .json(&body)
        .send()
        .await
        .status
}

async fn admin(app: &TestApp) -> String {
    token(app, "admin", ADMIN_PASSWORD).await
}

async fn config(app: &TestApp, token: &str) -> Value {
    app.get(CONFIG)
        .bearer(token)
        .send()
        .await
        .ops(200, "0")
        .clone()
}

async fn put(app: &TestApp, token: &str, body: &Value) -> crate::support::http::Resp {
    app.put(CONFIG).bearer(token).json(body).send().await
}

async fn only_admins_read_and_change_the_config(b: Backend) {
    let app = TestApp::spawn(b).await;
    assert!(register(&app, "alice").await.is_success());
    let alice = token(&app, "alice", "secret12").await;
    app.get(CONFIG).send().await.ops(401, "-3");
    app.put(CONFIG)
        .json(&json!({"site_name": "x"}))
        .send()
        .await
        .ops(401, "-3");
    app.get(CONFIG)
        .bearer("garbage")
        .send()
        .await
        .ops(401, "-3");
    app.get(CONFIG).bearer(&alice).send().await.ops(403, "-6");
    put(&app, &alice, &json!({"site_name": "hacked"}))
        .await
        .ops(403, "-6");
    let root = admin(&app).await;
    let c = config(&app, &root).await;
    assert_eq!(c["site_name"], app.config.site.name.as_str());
    assert_eq!(c["registration_open"], true);
    assert_eq!(c["file_max_size"], app.config.file.max_size);
    assert_eq!(
        c["file_allowed_types"],
        json!(["image/png", "image/jpeg", "image/gif", "image/webp"])
    );
    assert_eq!(
        c["session_ttl_hours"],
        app.config.security.session_ttl_hours
    );
    for key in [
        "captcha_enabled",
        "login_max_failures",
        "login_lockout_minutes",
        "operation_log_retention_days",
    ] {
        assert!(c.get(key).is_some(), "config has {key}: {c}");
    }
    // The token may also travel in the body; it is not taken for a setting.
    let r = app
        .put(CONFIG)
        .json(&json!({"userCookieValue": root, "site_name": "By Body"}))
        .send()
        .await;
    assert_eq!(r.ops(200, "0")["site_name"], "By Body");
    assert_eq!(config(&app, &root).await["site_name"], "By Body");
}

async fn a_change_answers_every_setting_and_persists(b: Backend) {
    let app = TestApp::spawn(b).await;
    let root = admin(&app).await;
    let before = config(&app, &root).await;
    let r = put(
        &app,
        &root,
        &json!({"site_name": "运营平台", "file_max_size": 1048576, "file_allowed_types": ["image/png"]}),
    )
    .await;
    assert_eq!(r.json["message"], "配置更新成功");
    let after = r.ops(200, "0").clone();
    let mut expected = before.clone();
    expected["site_name"] = json!("运营平台");
    expected["file_max_size"] = json!(1048576);
    expected["file_allowed_types"] = json!(["image/png"]);
    assert_eq!(after, expected);
    assert_eq!(config(&app, &root).await, expected);
    // An empty change changes nothing and still answers everything.
    assert_eq!(put(&app, &root, &json!({})).await.ops(200, "0"), &expected);
}

async fn a_bad_change_is_minus_2_and_changes_nothing(b: Backend) {
    let app = TestApp::spawn(b).await;
    let root = admin(&app).await;
    let before = config(&app, &root).await;
    for (body, field) in [
        (json!({"no_such_key": 1}), "no_such_key"),
        (json!({"registration_open": "no"}), "registration_open"),
        (json!({"file_max_size": 10}), "file_max_size"),
        (json!({"file_max_size": 2048.5}), "file_max_size"),
        (json!({"file_max_size": "2048"}), "file_max_size"),
        (json!({"session_ttl_hours": 0}), "session_ttl_hours"),
        (json!({"session_ttl_hours": 8761}), "session_ttl_hours"),
        (json!({"site_name": ""}), "site_name"),
        (
            json!({"file_allowed_types": ["text/html"]}),
            "file_allowed_types",
        ),
        (json!({"file_allowed_types": []}), "file_allowed_types"),
        // One bad key spoils the whole change.
        (
            json!({"site_name": "fine", "login_max_failures": 0}),
            "login_max_failures",
        ),
    ] {
        let r = put(&app, &root, &body).await;
        r.ops(400, "-2");
        assert!(
            r.json["message"].as_str().unwrap().contains(field),
            "{body}: {}",
            r.text()
        );
    }
    for raw in ["[1, 2]", "\"text\"", "{not json"] {
        app.put(CONFIG)
            .bearer(&root)
            .body("application/json", raw)
            .send()
            .await
            .ops(400, "-2");
    }
    assert_eq!(config(&app, &root).await, before);
}

async fn closing_registration_takes_effect_on_the_next_request(b: Backend) {
    let app = TestApp::spawn(b).await;
    let root = admin(&app).await;
    put(&app, &root, &json!({"registration_open": false}))
        .await
        .ops(200, "0");
    let body = json!({"name": "alice", "password": "secret12", "password_confirm": "secret12"});
    app.post("/api/v1/users/register")
        .json(&body)
        .send()
        .await
        .ops(403, "-6");
    assert_eq!(login(&app, "alice", "secret12").await.as_u16(), 401);
    put(&app, &root, &json!({"registration_open": true}))
        .await
        .ops(200, "0");
    assert!(register(&app, "alice").await.is_success());
}

async fn a_new_session_lifetime_applies_to_the_next_login(b: Backend) {
    let app = TestApp::spawn(b).await;
    let root = admin(&app).await;
    put(&app, &root, &json!({"session_ttl_hours": 2}))
        .await
        .ops(200, "0");
    let r = app
        .post("/api/v1/users/login")
        .json(&json!({"name": "admin", "password": ADMIN_PASSWORD}))
        .send()
        .await;
    let expires = r.ops(200, "0")["expires_at"].as_str().unwrap().to_owned();
    let expires = chrono::DateTime::parse_from_rfc3339(&expires).unwrap();
    let left = expires.signed_duration_since(chrono::Utc::now());
    assert!(
        left > chrono::Duration::minutes(115) && left <= chrono::Duration::minutes(120),
        "{left}"
    );
    assert!(r.header("set-cookie").unwrap().contains("Max-Age=7200"));
}

db_test!(
    only_admins_read_and_change_the_config,
    a_change_answers_every_setting_and_persists,
    a_bad_change_is_minus_2_and_changes_nothing,
    closing_registration_takes_effect_on_the_next_request,
    a_new_session_lifetime_applies_to_the_next_login,
);
