//! decisions §8 rules that reach the database: text, canonical ids, hanzi user reads,
//! lockout per account, password reset limits, links, file modes, upload cap. Each refusal
//! reads the data back to show nothing changed.

use serde_json::{Value, json};

use crate::db_test;
use crate::support::smtp::{SmtpSink, reset_token};
use crate::support::{ADMIN_PASSWORD, Backend, TestApp};

async fn user_count(app: &TestApp) -> i64 {
    ops::domain::identity::user::count(&app.db().await)
        .await
        .unwrap()
}

async fn ops_login(app: &TestApp, name: &str, password: &str) -> String {
    app.post("/api/v1/users/login")
        .json(&json!({"name": name, "password": password}))
        .send()
        .await
        .ops(200, "0")["cookie_value"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn ops_register(app: &TestApp, name: &str, email: &str) {
    app.post("/api/v1/users/register")
        .json(&json!({"name": name, "password": "secret12", "password_confirm": "secret12", "email": email}))
        .send()
        .await
        .ops(200, "0");
}

async fn a_nul_character_is_a_parameter_error_in_every_dialect(b: Backend) {
    let app = TestApp::spawn(b).await;
    let before = user_count(&app).await;
    let evil = "eve\u{0}x";
    let r = app
        .post("/api/v1/users/register")
        .json(&json!({"name": evil, "password": "secret12", "password_confirm": "secret12"}))
        .send()
        .await;
    r.ops(400, "-2");
    let r = app
        .post("/admin/v1/auth/login")
        .json(&json!({"username": evil, "password": "secret12"}))
        .send()
        .await;
    assert_eq!(
        (r.status.as_u16(), &r.json["code"]),
        (400, &json!(10001)),
        "{}",
        r.text()
    );
    let r = app
        .post("/hanzi/users")
        .json(&json!({"id": "eve", "name": evil, "email": "e@example.com", "password": "secret12"}))
        .send()
        .await;
    assert_eq!(r.json["err"], "RES-10000002", "{}", r.text());
    let r = app
        .post("/account/login/")
        .json(&json!({"username": evil, "password": "secret12"}))
        .send()
        .await;
    assert_eq!(
        (r.status.as_u16(), &r.json["code"]),
        (400, &json!(400)),
        "{}",
        r.text()
    );
    assert!(r.json["data"]["username"].is_array(), "{}", r.text());
    // In a query string too.
    let token = ops_login(&app, "admin", ADMIN_PASSWORD).await;
    let r = app
        .get("/api/v1/purchase/orders?search=a%00b")
        .bearer(&token)
        .send()
        .await;
    r.ops(400, "-2");
    let r = app
        .get("/account/user/?username=a%00")
        .bearer(&token)
        .send()
        .await;
    assert_ne!(r.status.as_u16(), 500, "{}", r.text());
    // A path segment with U+0000 names nobody.
    let r = app.get("/hanzi/users/a%00b").bearer(&token).send().await;
    assert_ne!(r.status.as_u16(), 500, "{}", r.text());
    assert_eq!(user_count(&app).await, before);
}

async fn login_names_refuse_zero_width_and_bidi_characters(b: Backend) {
    let app = TestApp::spawn(b).await;
    let before = user_count(&app).await;
    for name in [
        "ad\u{200B}min",
        "admin\u{202E}",
        "\u{FEFF}root",
        "a\u{2066}bc",
    ] {
        let r = app
            .post("/api/v1/users/register")
            .json(&json!({"name": name, "password": "secret12", "password_confirm": "secret12"}))
            .send()
            .await;
        r.ops(400, "-2");
    }
    assert_eq!(user_count(&app).await, before);
}

async fn numeric_path_ids_are_canonical_or_not_found(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = ops_login(&app, "admin", ADMIN_PASSWORD).await;
    let (admin_token, _) = crate::admin_common::login(&app, "admin", ADMIN_PASSWORD).await;
    let acc = crate::account_support::login(&app, "admin", ADMIN_PASSWORD).await;
    app.get("/account/user/1/")
        .bearer(&acc)
        .send()
        .await
        .assert_status(200);
    for bad in ["01", "+1", "%31", "1%20", "0"] {
        let r = app
            .get(&format!("/account/user/{bad}/"))
            .bearer(&acc)
            .send()
            .await;
        r.assert_status(404);
        let r = app
            .get(&format!("/admin/v1/users/{bad}"))
            .bearer(&admin_token)
            .send()
            .await;
        assert_eq!(
            (r.status.as_u16(), &r.json["code"]),
            (404, &json!(10004)),
            "{bad}: {}",
            r.text()
        );
        let r = app
            .get(&format!("/api/v1/purchase/orders/{bad}"))
            .bearer(&token)
            .send()
            .await;
        r.ops(404, "-200");
        let r = app
            .get(&format!("/api/v1/files/{bad}"))
            .bearer(&token)
            .send()
            .await;
        r.ops(404, "-100");
    }
}

async fn hanzi_user_reads_need_a_login_unless_public_users(b: Backend) {
    let app = TestApp::spawn(b).await;
    for p in ["/hanzi/users", "/hanzi/users/admin"] {
        let r = app.get(p).send().await;
        r.assert_status(401);
        assert_eq!(r.json["err"], "AUTH-10000001", "{}", r.text());
        assert!(r.json.get("status").is_some(), "{}", r.text());
    }
    let r = app
        .post("/hanzi/login")
        .json(&json!({"username": "admin", "password": ADMIN_PASSWORD}))
        .send()
        .await;
    let token = r.json["token"].as_str().unwrap().to_owned();
    app.get("/hanzi/users")
        .bearer(&token)
        .send()
        .await
        .assert_status(200);
    app.get("/hanzi/users/admin")
        .bearer(&token)
        .send()
        .await
        .assert_status(200);
    drop(app);
    let open = TestApp::spawn_with(b, |c| c.dialects.hanzi.public_users = true).await;
    open.get("/hanzi/users").send().await.assert_status(200);
    let r = open.get("/hanzi/users/admin").send().await;
    r.assert_status(200);
    assert_eq!(r.json["id"], "admin");
}

async fn failed_logins_count_per_account_whatever_identifier_is_typed(b: Backend) {
    let app = TestApp::spawn(b).await;
    ops_register(&app, "carol", "Carol@Example.com").await;
    let wrong = "wrong-password";
    // Five failures through four dialects and three spellings of the same account.
    for (path, body) in [
        (
            "/api/v1/users/login",
            json!({"name": "carol", "password": wrong}),
        ),
        (
            "/api/v1/users/login",
            json!({"name": "CAROL", "password": wrong}),
        ),
        (
            "/hanzi/login",
            json!({"username": "carol@example.com", "password": wrong}),
        ),
        (
            "/admin/v1/auth/login",
            json!({"username": "Carol", "password": wrong}),
        ),
        (
            "/account/login/",
            json!({"username": "carol", "password": wrong}),
        ),
    ] {
        let r = app.post(path).json(&body).send().await;
        assert_ne!(
            r.status.as_u16(),
            429,
            "{path}: not yet locked: {}",
            r.text()
        );
    }
    // Now the account is locked from this address, whichever identifier and dialect.
    let r = app
        .post("/admin/v1/auth/login")
        .json(&json!({"username": "carol", "password": "secret12"}))
        .send()
        .await;
    assert_eq!(
        (r.status.as_u16(), &r.json["code"]),
        (429, &json!(10007)),
        "{}",
        r.text()
    );
    let r = app
        .post("/hanzi/login")
        .json(&json!({"username": "CAROL@example.com", "password": "secret12"}))
        .send()
        .await;
    r.assert_status(429);
    assert_eq!(r.json["err"], "AUTH-10000003");
    // Another account is not affected.
    ops_login(&app, "admin", ADMIN_PASSWORD).await;
}

async fn reset_mails_are_limited_and_a_reset_voids_the_other_tokens(b: Backend) {
    let smtp = SmtpSink::start();
    let port = smtp.port;
    let app = TestApp::spawn_with(b, |c| {
        c.smtp.host = "127.0.0.1".into();
        c.smtp.port = port;
    })
    .await;
    ops_register(&app, "dave", "dave@example.com").await;
    for _ in 0..5 {
        app.post("/api/v1/users/forgot-password")
            .json(&json!({"email": "dave@example.com"}))
            .send()
            .await
            .ops(200, "0");
    }
    let first = reset_token(&smtp.message(1).await);
    let second = reset_token(&smtp.message(2).await);
    let _third = smtp.message(3).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(smtp.count(), 3, "at most 3 mails per account per hour");
    app.post("/api/v1/users/reset-password")
        .json(&json!({"token": first, "new_password": "newpass12", "new_password_confirm": "newpass12"}))
        .send()
        .await
        .ops(200, "0");
    let r = app
        .post("/api/v1/users/reset-password")
        .json(&json!({"token": second, "new_password": "evilpass1", "new_password_confirm": "evilpass1"}))
        .send()
        .await;
    r.ops(400, "-2");
    ops_login(&app, "dave", "newpass12").await;
}

async fn a_password_change_voids_outstanding_reset_tokens(b: Backend) {
    let app = TestApp::spawn(b).await;
    ops_register(&app, "erin", "erin@example.com").await;
    let db = app.db().await;
    let (user, token) = ops::domain::identity::reset::request(&db, "erin@example.com", 30)
        .await
        .unwrap()
        .unwrap();
    ops::domain::accounts::manage::operator::set_password(&db, user.id, "changed12")
        .await
        .unwrap();
    let r = app
        .post("/api/v1/users/reset-password")
        .json(&json!({"token": token, "new_password": "evilpass1", "new_password_confirm": "evilpass1"}))
        .send()
        .await;
    r.ops(400, "-2");
    ops_login(&app, "erin", "changed12").await;
}

async fn links_come_from_public_url_never_from_the_host_header(b: Backend) {
    let app = TestApp::spawn(b).await;
    let acc = crate::account_support::login(&app, "admin", ADMIN_PASSWORD).await;
    ops_register(&app, "user1", "u1@example.com").await;
    ops_register(&app, "user2", "u2@example.com").await;
    let r = app
        .get("/account/user/?page=1&page_size=1")
        .bearer(&acc)
        .header("host", "evil.example")
        .send()
        .await;
    let next = r.json["data"]["next"].as_str().unwrap().to_owned();
    assert_eq!(next, "/account/user/?page=2&page_size=1");
    drop(app);
    let app = TestApp::spawn_with(b, |c| {
        c.server.public_url = "https://ops.example.com".into()
    })
    .await;
    let acc = crate::account_support::login(&app, "admin", ADMIN_PASSWORD).await;
    ops_register(&app, "user1", "u1@example.com").await;
    let r = app
        .get("/account/user/?page=1&page_size=1")
        .bearer(&acc)
        .header("host", "evil.example")
        .send()
        .await;
    assert_eq!(
        r.json["data"]["next"],
        json!("https://ops.example.com/account/user/?page=2&page_size=1")
    );
}

async fn an_upload_body_is_capped_whatever_its_parts(b: Backend) {
    let app = TestApp::spawn_with(b, |c| c.file.max_size = 1024).await;
    let token = ops_login(&app, "admin", ADMIN_PASSWORD).await;
    let png = crate::ops_files::png_of(200, 1);
    let form = reqwest::multipart::Form::new()
        .text("junk", "x".repeat(200 * 1024))
        .part(
            "file",
            reqwest::multipart::Part::bytes(png).file_name("a.png"),
        );
    let r = app
        .post("/api/v1/files/upload")
        .bearer(&token)
        .multipart(form)
        .send()
        .await;
    r.ops(413, "-102");
    let list = app.get("/api/v1/files/list").bearer(&token).send().await;
    assert_eq!(list.ops(200, "0")["total"], 0);
}

#[cfg(unix)]
async fn secrets_and_data_are_owner_only_and_the_first_password_is_forgotten(b: Backend) {
    use std::os::unix::fs::PermissionsExt;
    let app = TestApp::spawn_with(b, |c| {
        c.bootstrap.admin_password = String::new();
        c.data_dir = c.data_dir.join("fresh");
        if !c.database.path.is_empty() {
            c.database.path = c.data_dir.join("db.db").display().to_string();
        }
    })
    .await;
    let dir = app.config.data_dir.clone();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir), 0o700);
    // The JWT key lives in the database (shared_secrets), not in a file.
    assert!(!dir.join("jwt_secret").exists());
    assert_eq!(mode(&dir.join("initial_admin_password")), 0o600);
    if b == Backend::Sqlite {
        assert_eq!(mode(&dir.join("db.db")), 0o600);
        let wal = dir.join("db.db-wal");
        if wal.exists() {
            assert_eq!(mode(&wal), 0o600);
        }
    }
    let password = std::fs::read_to_string(dir.join("initial_admin_password")).unwrap();
    let password = password.trim().to_owned();
    let token = ops_login(&app, "admin", &password).await;
    let db = app.db().await;
    ops::domain::accounts::bootstrap::forget_changed_password(&db, &dir)
        .await
        .unwrap();
    assert!(
        dir.join("initial_admin_password").exists(),
        "still the password"
    );
    let r = app
        .post("/hanzi/login")
        .json(&json!({"username": "admin", "password": password}))
        .send()
        .await;
    let hz = r.json["token"].as_str().unwrap().to_owned();
    let r = app
        .put("/hanzi/users/admin")
        .bearer(&hz)
        .json(&json!({"password": "a-new-password-1"}))
        .send()
        .await;
    assert_eq!(r.json, Value::Bool(true), "{}", r.text());
    let _ = token;
    // The running server removes the file by itself, within seconds of the change.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while dir.join("initial_admin_password").exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "initial_admin_password outlived the change"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

async fn several_wrongly_typed_fields_are_one_10001_naming_each(b: Backend) {
    use crate::admin_common::{AdminResp, path, root};
    let app = TestApp::spawn(b).await;
    let token = root(&app).await;
    let id = crate::admin_common::create_user(&app, &token, "typed01", &[]).await;
    let before = ops::domain::identity::user::get(app.db().await.pool(), id)
        .await
        .unwrap();
    let r = app
        .put(&path(&format!("/users/{id}")))
        .bearer(&token)
        .json(&json!({"real_name": 5, "email": true, "phone": 13800138000_i64}))
        .send()
        .await;
    r.admin(400, 10001);
    let mut fields = r.error_fields();
    fields.sort();
    assert_eq!(fields, ["email", "phone", "real_name"], "{}", r.text());
    let after = ops::domain::identity::user::get(app.db().await.pool(), id)
        .await
        .unwrap();
    assert_eq!(before, after);
}

db_test!(
    several_wrongly_typed_fields_are_one_10001_naming_each,
    a_nul_character_is_a_parameter_error_in_every_dialect,
    login_names_refuse_zero_width_and_bidi_characters,
    numeric_path_ids_are_canonical_or_not_found,
    hanzi_user_reads_need_a_login_unless_public_users,
    failed_logins_count_per_account_whatever_identifier_is_typed,
    reset_mails_are_limited_and_a_reset_voids_the_other_tokens,
    a_password_change_voids_outstanding_reset_tokens,
    links_come_from_public_url_never_from_the_host_header,
    an_upload_body_is_capped_whatever_its_parts,
    secrets_and_data_are_owner_only_and_the_first_password_is_forgotten,
);
