//! `ops_v1` users and system routes (issue 2).

use serde_json::{Value, json};

use crate::db_test;
use crate::support::smtp::{SmtpSink, reset_token};
use crate::support::{ADMIN_PASSWORD, Backend, TestApp};

async fn register(app: &TestApp, name: &str, password: &str, email: Option<&str>) -> Value {
    let mut body = json!({"name": name, "password": password, "password_confirm": password});
    if let Some(e) = email {
        body["email"] = json!(e);
    }
    app.post("/api/v1/users/register")
        .json(&body)
        .send()
        .await
        .ops(200, "0")
        .clone()
}

pub async fn login(app: &TestApp, name: &str, password: &str) -> String {
    let r = app
        .post("/api/v1/users/login")
        .json(&json!({"name": name, "password": password}))
        .send()
        .await;
    r.ops(200, "0")["cookie_value"]
        .as_str()
        .expect("token")
        .to_owned()
}

async fn user_count(app: &TestApp) -> i64 {
    ops::domain::identity::user::count(&app.db().await)
        .await
        .unwrap()
}

async fn register_answers_the_new_user_without_a_token(b: Backend) {
    let app = TestApp::spawn(b).await;
    let data = register(&app, "alice", "secret12", Some("alice@example.com")).await;
    assert!(data["user_id"].as_i64().unwrap() > 0);
    assert_eq!(data["name"], "alice");
    assert_eq!(data["email"], "alice@example.com");
    assert!(data.get("cookie_value").is_none());
    assert!(data.get("password").is_none());
    let r = app
        .post("/api/v1/users/register")
        .json(&json!({"name": "bob", "password": "secret12", "password_confirm": "secret12"}))
        .send()
        .await;
    assert_eq!(r.ops(200, "0")["email"], Value::Null);
}

async fn register_rejects_bad_input_and_writes_nothing(b: Backend) {
    let app = TestApp::spawn(b).await;
    let before = user_count(&app).await;
    let cases = [
        (
            json!({"name": "al", "password": "secret12", "password_confirm": "secret12"}),
            "name",
        ),
        (
            json!({"name": "x".repeat(51), "password": "secret12", "password_confirm": "secret12"}),
            "name",
        ),
        (
            json!({"name": "alice", "password": "12345", "password_confirm": "12345"}),
            "password",
        ),
        (
            json!({"name": "alice", "password": "secret12", "password_confirm": "secret13"}),
            "password_confirm",
        ),
        (
            json!({"name": "alice", "password": "secret12", "password_confirm": "secret12", "email": "nope"}),
            "email",
        ),
        (
            json!({"password": "secret12", "password_confirm": "secret12"}),
            "name",
        ),
        (
            json!({"name": 5, "password": "secret12", "password_confirm": "secret12"}),
            "name",
        ),
        (
            json!({"name": "alice", "password": ["x"], "password_confirm": "secret12"}),
            "password",
        ),
    ];
    for (body, field) in cases {
        let r = app.post("/api/v1/users/register").json(&body).send().await;
        r.ops(400, "-2");
        assert!(
            r.json["message"].as_str().unwrap().contains(field),
            "{field}: {}",
            r.text()
        );
    }
    let r = app
        .post("/api/v1/users/register")
        .body("application/json", "{not json")
        .send()
        .await;
    r.ops(400, "-2");
    let big = format!(
        r#"{{"name": "alice", "password": "secret12", "password_confirm": "secret12", "pad": "{}"}}"#,
        "x".repeat(1_100_000)
    );
    app.post("/api/v1/users/register")
        .body("application/json", big)
        .send()
        .await
        .ops(400, "-2");
    assert_eq!(user_count(&app).await, before);
}

async fn duplicate_name_or_email_is_minus_4(b: Backend) {
    let app = TestApp::spawn(b).await;
    register(&app, "alice", "secret12", Some("alice@example.com")).await;
    let dup_name = json!({"name": "alice", "password": "secret12", "password_confirm": "secret12"});
    app.post("/api/v1/users/register")
        .json(&dup_name)
        .send()
        .await
        .ops(409, "-4");
    let dup_email = json!({"name": "alice2", "password": "secret12", "password_confirm": "secret12", "email": "ALICE@example.com"});
    app.post("/api/v1/users/register")
        .json(&dup_email)
        .send()
        .await
        .ops(409, "-4");
}

async fn login_answers_token_and_sets_cookie(b: Backend) {
    let app = TestApp::spawn(b).await;
    let user = register(&app, "alice", "secret12", None).await;
    let r = app
        .post("/api/v1/users/login")
        .json(&json!({"name": "alice", "password": "secret12"}))
        .send()
        .await;
    let data = r.ops(200, "0").clone();
    assert_eq!(data["user_id"], user["user_id"]);
    assert_eq!(data["name"], "alice");
    let token = data["cookie_value"].as_str().unwrap();
    assert!(token.len() >= 32);
    let expires = data["expires_at"].as_str().unwrap();
    assert!(
        expires.ends_with('Z') && chrono::DateTime::parse_from_rfc3339(expires).is_ok(),
        "{expires}"
    );
    let cookie = r.header("set-cookie").unwrap();
    assert!(
        cookie.starts_with(&format!("ops_session={token}")),
        "{cookie}"
    );
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(!r.text().contains("secret12"));
}

async fn wrong_password_and_unknown_user_answer_alike(b: Backend) {
    let app = TestApp::spawn(b).await;
    register(&app, "alice", "secret12", None).await;
    let wrong = app
        .post("/api/v1/users/login")
        .json(&json!({"name": "alice", "password": "nope-nope"}))
        .send()
        .await;
    wrong.ops(401, "-42");
    let unknown = app
        .post("/api/v1/users/login")
        .json(&json!({"name": "nobody", "password": "nope-nope"}))
        .send()
        .await;
    unknown.ops(401, "-42");
    assert_eq!(wrong.json["message"], unknown.json["message"]);
    app.post("/api/v1/users/login")
        .json(&json!({"name": "alice"}))
        .send()
        .await
        .ops(400, "-2");
}

async fn the_three_token_transports_work(b: Backend) {
    let app = TestApp::spawn(b).await;
    register(&app, "alice", "secret12", Some("alice@example.com")).await;
    let token = login(&app, "alice", "secret12").await;
    let by_bearer = app.get("/api/v1/users/profile").bearer(&token).send().await;
    assert_eq!(by_bearer.ops(200, "0")["name"], "alice");
    let by_cookie = app
        .get("/api/v1/users/profile")
        .header("cookie", &format!("ops_session={token}"))
        .send()
        .await;
    assert_eq!(by_cookie.ops(200, "0")["name"], "alice");
    let by_body = app
        .put("/api/v1/users/profile")
        .json(&json!({"userCookieValue": token, "language": "en-US"}))
        .send()
        .await;
    assert_eq!(by_body.ops(200, "0")["language"], "en-US");
    app.get("/api/v1/users/profile").send().await.ops(401, "-3");
    app.get("/api/v1/users/profile")
        .bearer("garbage")
        .send()
        .await
        .ops(401, "-3");
    app.put("/api/v1/users/profile")
        .json(&json!({"userCookieValue": "garbage"}))
        .send()
        .await
        .ops(401, "-3");
}

async fn profile_shows_and_updates_the_documented_fields(b: Backend) {
    let app = TestApp::spawn(b).await;
    register(&app, "alice", "secret12", Some("alice@example.com")).await;
    register(&app, "bob", "secret12", Some("bob@example.com")).await;
    let token = login(&app, "alice", "secret12").await;
    let p = app
        .get("/api/v1/users/profile")
        .bearer(&token)
        .send()
        .await
        .ops(200, "0")
        .clone();
    for key in [
        "user_id",
        "name",
        "email",
        "avatar",
        "gender",
        "language",
        "created_at",
        "last_login",
    ] {
        assert!(p.get(key).is_some(), "profile has {key}: {p}");
    }
    assert!(p["last_login"].as_str().unwrap().ends_with('Z'));
    let hash = "ab".repeat(32);
    let body = json!({"email": "new@example.com", "avatar_hash": hash, "gender": "female", "language": "en-US"});
    let u = app
        .put("/api/v1/users/profile")
        .bearer(&token)
        .json(&body)
        .send()
        .await
        .ops(200, "0")
        .clone();
    assert_eq!(u["email"], "new@example.com");
    assert_eq!(u["gender"], "female");
    assert_eq!(u["language"], "en-US");
    assert_eq!(u["avatar"], format!("/api/v1/files/get/{hash}"));
    let again = app
        .get("/api/v1/users/profile")
        .bearer(&token)
        .send()
        .await
        .ops(200, "0")
        .clone();
    assert_eq!(again["email"], "new@example.com");
    // Bad values change nothing.
    for bad in [
        json!({"gender": "robot"}),
        json!({"avatar_hash": "../etc/passwd"}),
        json!({"email": "nope"}),
        json!({"language": 5}),
    ] {
        app.put("/api/v1/users/profile")
            .bearer(&token)
            .json(&bad)
            .send()
            .await
            .ops(400, "-2");
    }
    app.put("/api/v1/users/profile")
        .bearer(&token)
        .json(&json!({"email": "bob@example.com"}))
        .send()
        .await
        .ops(409, "-4");
    let after = app
        .get("/api/v1/users/profile")
        .bearer(&token)
        .send()
        .await
        .ops(200, "0")
        .clone();
    assert_eq!(after, again);
}

async fn logout_ends_only_that_session(b: Backend) {
    let app = TestApp::spawn(b).await;
    register(&app, "alice", "secret12", None).await;
    let first = login(&app, "alice", "secret12").await;
    let second = login(&app, "alice", "secret12").await;
    let r = app.post("/api/v1/users/logout").bearer(&first).send().await;
    r.ops(200, "0");
    assert!(r.header("set-cookie").unwrap().contains("Max-Age=0"));
    app.get("/api/v1/users/profile")
        .bearer(&first)
        .send()
        .await
        .ops(401, "-3");
    app.get("/api/v1/users/profile")
        .bearer(&second)
        .send()
        .await
        .ops(200, "0");
    app.post("/api/v1/users/logout")
        .bearer(&first)
        .send()
        .await
        .ops(401, "-3");
}

async fn disabling_a_user_ends_every_session_and_refuses_login(b: Backend) {
    let app = TestApp::spawn(b).await;
    let id = register(&app, "alice", "secret12", None).await["user_id"]
        .as_i64()
        .unwrap();
    let t1 = login(&app, "alice", "secret12").await;
    let t2 = login(&app, "alice", "secret12").await;
    ops::domain::accounts::manage::operator::set_active(&app.db().await, id, false)
        .await
        .unwrap();
    app.get("/api/v1/users/profile")
        .bearer(&t1)
        .send()
        .await
        .ops(401, "-3");
    app.get("/api/v1/users/profile")
        .bearer(&t2)
        .send()
        .await
        .ops(401, "-3");
    let r = app
        .post("/api/v1/users/login")
        .json(&json!({"name": "alice", "password": "secret12"}))
        .send()
        .await;
    r.ops(403, "-6");
    ops::domain::accounts::manage::operator::set_active(&app.db().await, id, true)
        .await
        .unwrap();
    login(&app, "alice", "secret12").await;
}

async fn six_quick_failures_lock_the_login(b: Backend) {
    let app = TestApp::spawn(b).await;
    register(&app, "alice", "secret12", None).await;
    for _ in 0..5 {
        app.post("/api/v1/users/login")
            .json(&json!({"name": "alice", "password": "wrong-pw"}))
            .send()
            .await
            .ops(401, "-42");
    }
    let r = app
        .post("/api/v1/users/login")
        .json(&json!({"name": "alice", "password": "secret12"}))
        .send()
        .await;
    r.ops(429, "-7");
    // Another account from the same address is not affected.
    register(&app, "bob", "secret12", None).await;
    login(&app, "bob", "secret12").await;
}

async fn forgot_password_mails_a_single_use_token(b: Backend) {
    let smtp = SmtpSink::start();
    let port = smtp.port;
    let app = TestApp::spawn_with(b, |c| {
        c.smtp.host = "127.0.0.1".into();
        c.smtp.port = port;
    })
    .await;
    register(&app, "alice", "secret12", Some("alice@example.com")).await;
    let old = login(&app, "alice", "secret12").await;
    // Unknown addresses get the same answer and no mail.
    let unknown = app
        .post("/api/v1/users/forgot-password")
        .json(&json!({"email": "ghost@example.com"}))
        .send()
        .await;
    unknown.ops(200, "0");
    let r = app
        .post("/api/v1/users/forgot-password")
        .json(&json!({"email": "alice@example.com"}))
        .send()
        .await;
    r.ops(200, "0");
    assert_eq!(r.json["message"], unknown.json["message"]);
    let mail = smtp.message(1).await;
    assert!(mail.contains("alice@example.com"), "{mail}");
    let token = reset_token(&mail);
    assert_eq!(smtp.count(), 1, "no mail for the unknown address");

    let bad =
        json!({"token": token, "new_password": "newpass12", "new_password_confirm": "different"});
    app.post("/api/v1/users/reset-password")
        .json(&bad)
        .send()
        .await
        .ops(400, "-2");
    let short = json!({"token": token, "new_password": "123", "new_password_confirm": "123"});
    app.post("/api/v1/users/reset-password")
        .json(&short)
        .send()
        .await
        .ops(400, "-2");
    let good =
        json!({"token": token, "new_password": "newpass12", "new_password_confirm": "newpass12"});
    app.post("/api/v1/users/reset-password")
        .json(&good)
        .send()
        .await
        .ops(200, "0");
    // Once only.
    app.post("/api/v1/users/reset-password")
        .json(&good)
        .send()
        .await
        .ops(400, "-2");
    // The old session is gone, the old password too.
    app.get("/api/v1/users/profile")
        .bearer(&old)
        .send()
        .await
        .ops(401, "-3");
    app.post("/api/v1/users/login")
        .json(&json!({"name": "alice", "password": "secret12"}))
        .send()
        .await
        .ops(401, "-42");
    login(&app, "alice", "newpass12").await;
    let unknown_token =
        json!({"token": "nope", "new_password": "newpass12", "new_password_confirm": "newpass12"});
    app.post("/api/v1/users/reset-password")
        .json(&unknown_token)
        .send()
        .await
        .ops(400, "-2");
    app.post("/api/v1/users/forgot-password")
        .json(&json!({"email": "not-an-email"}))
        .send()
        .await
        .ops(400, "-2");
}

async fn password_change_ends_sessions(b: Backend) {
    let app = TestApp::spawn(b).await;
    let id = register(&app, "alice", "secret12", None).await["user_id"]
        .as_i64()
        .unwrap();
    let token = login(&app, "alice", "secret12").await;
    ops::domain::accounts::manage::operator::set_password(&app.db().await, id, "another12")
        .await
        .unwrap();
    app.get("/api/v1/users/profile")
        .bearer(&token)
        .send()
        .await
        .ops(401, "-3");
    login(&app, "alice", "another12").await;
}

async fn closed_registration_is_forbidden(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut changes = serde_json::Map::new();
    changes.insert("registration_open".into(), json!(false));
    ops::domain::platform::settings::update(&app.db().await, &changes)
        .await
        .unwrap();
    let body = json!({"name": "alice", "password": "secret12", "password_confirm": "secret12"});
    app.post("/api/v1/users/register")
        .json(&body)
        .send()
        .await
        .ops(403, "-6");
}

async fn system_status_reports_live_figures(b: Backend) {
    let app = TestApp::spawn(b).await;
    register(&app, "alice", "secret12", None).await;
    login(&app, "alice", "secret12").await;
    let r = app.get("/api/v1/system/status").send().await;
    let d = r.ops(200, "0");
    assert_eq!(d["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(d["database"], "connected");
    assert_eq!(d["total_users"], 2, "admin + alice");
    assert_eq!(d["active_sessions"], 1);
    assert!(d["uptime"].as_str().unwrap().ends_with('m'));
    assert!(d["memory_usage"].as_str().unwrap().ends_with('%'));
    assert!(d["server_time"].as_str().unwrap().ends_with('Z'));
}

async fn first_admin_logs_in_with_the_configured_password(b: Backend) {
    let app = TestApp::spawn(b).await;
    login(&app, "admin", ADMIN_PASSWORD).await;
}

async fn without_bootstrap_admin_the_first_user_is_super_admin(b: Backend) {
    let app = TestApp::spawn_with(b, |c| c.bootstrap.admin = false).await;
    assert_eq!(user_count(&app).await, 0);
    let first = register(&app, "first", "secret12", None).await["user_id"]
        .as_i64()
        .unwrap();
    let second = register(&app, "second", "secret12", None).await["user_id"]
        .as_i64()
        .unwrap();
    let db = app.db().await;
    let roles = ops::domain::access::user_roles::codes_of(&db, first)
        .await
        .unwrap();
    assert!(roles.contains(&"super_admin".to_owned()), "{roles:?}");
    let roles = ops::domain::access::user_roles::codes_of(&db, second)
        .await
        .unwrap();
    assert_eq!(roles, vec!["user".to_owned()]);
}

async fn generated_admin_password_is_written_once(b: Backend) {
    let app = TestApp::spawn_with(b, |c| c.bootstrap.admin_password.clear()).await;
    let path = app.data_dir.join("initial_admin_password");
    let pw = std::fs::read_to_string(&path).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    login(&app, "admin", pw.trim()).await;
}

async fn database_failure_during_a_request_is_a_generic_500(b: Backend) {
    let app = TestApp::spawn(b).await;
    register(&app, "alice", "secret12", None).await;
    let db = app.db().await;
    sqlx::query("DROP TABLE login_failures")
        .execute(db.pool())
        .await
        .unwrap();
    let r = app
        .post("/api/v1/users/login")
        .json(&json!({"name": "alice", "password": "secret12"}))
        .send()
        .await;
    r.ops(500, "-1");
    assert_eq!(r.json["message"], "内部服务器错误");
    assert!(!r.text().to_lowercase().contains("login_failures"));
}

async fn unknown_routes_and_trailing_slashes(b: Backend) {
    let app = TestApp::spawn(b).await;
    app.get("/api/v1/no/such/route").send().await.ops(404, "-2");
    app.get("/api/v1/system/status/").send().await.ops(200, "0");
    let r = app
        .get("/api/v1/system/status")
        .header("x-request-id", "req_from_client")
        .send()
        .await;
    assert_eq!(r.header("x-request-id").as_deref(), Some("req_from_client"));
    let r = app.get("/api/v1/system/status").send().await;
    assert!(r.header("x-request-id").unwrap().starts_with("req_"));
    app.get("/healthz").send().await.assert_status(200);
    app.get("/readyz").send().await.assert_status(200);
}

db_test!(
    register_answers_the_new_user_without_a_token,
    register_rejects_bad_input_and_writes_nothing,
    duplicate_name_or_email_is_minus_4,
    login_answers_token_and_sets_cookie,
    wrong_password_and_unknown_user_answer_alike,
    the_three_token_transports_work,
    profile_shows_and_updates_the_documented_fields,
    logout_ends_only_that_session,
    disabling_a_user_ends_every_session_and_refuses_login,
    six_quick_failures_lock_the_login,
    forgot_password_mails_a_single_use_token,
    password_change_ends_sessions,
    closed_registration_is_forbidden,
    system_status_reports_live_figures,
    first_admin_logs_in_with_the_configured_password,
    without_bootstrap_admin_the_first_user_is_super_admin,
    generated_admin_password_is_written_once,
    database_failure_during_a_request_is_a_generic_500,
    unknown_routes_and_trailing_slashes,
);
