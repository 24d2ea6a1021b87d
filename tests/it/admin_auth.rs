//! `admin_v1` §2 认证授权 (issue 5): login, captcha, refresh, logout, current user, menus,
//! and the envelope.

use serde_json::{Value, json};

use crate::admin_common::{AdminResp, login, path, root};
use crate::db_test;
use crate::support::{ADMIN_PASSWORD, Backend, TestApp};

fn is_local_seconds(v: &Value) -> bool {
    let s = v.as_str().unwrap_or("");
    s.len() == 19 && chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").is_ok()
}

async fn login_answers_tokens_and_the_super_admins_profile(b: Backend) {
    let app = TestApp::spawn(b).await;
    let r = app
        .post(&path("/auth/login"))
        .header("X-Request-Id", "req_from_client_1")
        .json(&json!({"username": "admin", "password": ADMIN_PASSWORD}))
        .send()
        .await;
    let d = r.admin(200, 200).clone();
    assert_eq!(r.json["message"], "登录成功");
    assert_eq!(r.json["request_id"], "req_from_client_1");
    assert_eq!(d["expires_in"], 7200);
    assert_eq!(d["token"].as_str().unwrap().split('.').count(), 3);
    assert!(d["refresh_token"].as_str().unwrap().len() >= 32);
    assert_eq!(d["user"]["username"], "admin");
    assert_eq!(d["user"]["roles"], json!(["super_admin"]));
    assert_eq!(d["user"]["permissions"], json!(["*"]));
    assert!(d["user"].get("password").is_none());

    let me = app
        .get(&path("/auth/user"))
        .bearer(d["token"].as_str().unwrap())
        .send()
        .await;
    let u = me.admin(200, 200);
    assert_eq!(u["username"], "admin");
    assert_eq!(u["permissions"], json!(["*"]));
    assert!(is_local_seconds(&u["last_login_at"]), "{u}");
    assert_eq!(u["last_login_ip"], "127.0.0.1");
    // Generated request ids look like the document's.
    assert!(me.json["request_id"].as_str().unwrap().starts_with("req_"));
}

async fn bad_logins_answer_20004_and_bad_bodies_10001_or_10006(b: Backend) {
    let app = TestApp::spawn(b).await;
    for body in [
        json!({"username": "admin", "password": "wrong-password"}),
        json!({"username": "nobody", "password": "whatever1"}),
    ] {
        let r = app.post(&path("/auth/login")).json(&body).send().await;
        r.admin(400, 20004);
        assert_eq!(r.json["message"], "用户名或密码错误");
    }
    let r = app.post(&path("/auth/login")).json(&json!({})).send().await;
    r.admin(422, 10006);
    assert_eq!(r.error_fields(), ["username", "password"]);
    let r = app
        .post(&path("/auth/login"))
        .json(&json!({"username": null, "password": "x"}))
        .send()
        .await;
    r.admin(422, 10006);
    assert_eq!(r.error_fields(), ["username"]);
    let r = app
        .post(&path("/auth/login"))
        .json(&json!({"username": 12, "password": "x"}))
        .send()
        .await;
    r.admin(400, 10001);
    assert_eq!(r.error_fields(), ["username"]);
    app.post(&path("/auth/login"))
        .body("application/json", "{not json")
        .send()
        .await
        .admin(400, 10001);
    let big = format!(r#"{{"username": "{}"}}"#, "x".repeat(1_100_000));
    app.post(&path("/auth/login"))
        .body("application/json", big)
        .send()
        .await
        .admin(413, 10001);
}

async fn six_quick_failed_logins_are_refused_with_10007(b: Backend) {
    let app = TestApp::spawn(b).await;
    for _ in 0..5 {
        app.post(&path("/auth/login"))
            .json(&json!({"username": "admin", "password": "wrong-password"}))
            .send()
            .await
            .admin(400, 20004);
    }
    // Even the right password is refused while locked out.
    app.post(&path("/auth/login"))
        .json(&json!({"username": "admin", "password": ADMIN_PASSWORD}))
        .send()
        .await
        .admin(429, 10007);
}

async fn refresh_rotates_and_a_replayed_refresh_token_ends_the_session(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (t1, r1) = login(&app, "admin", ADMIN_PASSWORD).await;
    let r = app
        .post(&path("/auth/refresh"))
        .json(&json!({"refresh_token": r1}))
        .send()
        .await;
    let d = r.admin(200, 200).clone();
    assert_eq!(r.json["message"], "刷新成功");
    assert_eq!(d["expires_in"], 7200);
    let t2 = d["token"].as_str().unwrap().to_owned();
    let r2 = d["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(r1, r2);
    app.get(&path("/auth/user"))
        .bearer(&t2)
        .send()
        .await
        .admin(200, 200);
    app.get(&path("/auth/user"))
        .bearer(&t1)
        .send()
        .await
        .admin(200, 200);

    // The spent token again: refused, and the whole login ends.
    app.post(&path("/auth/refresh"))
        .json(&json!({"refresh_token": r1}))
        .send()
        .await
        .admin(401, 10002);
    app.get(&path("/auth/user"))
        .bearer(&t2)
        .send()
        .await
        .admin(401, 10002);
    app.post(&path("/auth/refresh"))
        .json(&json!({"refresh_token": r2}))
        .send()
        .await
        .admin(401, 10002);

    app.post(&path("/auth/refresh"))
        .json(&json!({"refresh_token": "never-issued"}))
        .send()
        .await
        .admin(401, 10002);
    let r = app
        .post(&path("/auth/refresh"))
        .json(&json!({}))
        .send()
        .await;
    r.admin(422, 10006);
    assert_eq!(r.error_fields(), ["refresh_token"]);
}

async fn logout_ends_the_access_and_refresh_tokens(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (token, refresh) = login(&app, "admin", ADMIN_PASSWORD).await;
    let (other, _) = login(&app, "admin", ADMIN_PASSWORD).await;
    let r = app.post(&path("/auth/logout")).bearer(&token).send().await;
    r.admin(200, 200);
    assert_eq!(r.json["message"], "退出成功");
    app.get(&path("/auth/user"))
        .bearer(&token)
        .send()
        .await
        .admin(401, 10002);
    app.post(&path("/auth/refresh"))
        .json(&json!({"refresh_token": refresh}))
        .send()
        .await
        .admin(401, 10002);
    // Another login of the same user is untouched.
    app.get(&path("/auth/user"))
        .bearer(&other)
        .send()
        .await
        .admin(200, 200);
}

async fn missing_or_bad_tokens_are_10002(b: Backend) {
    let app = TestApp::spawn(b).await;
    for route in ["/auth/user", "/auth/menus", "/users", "/roles"] {
        app.get(&path(route)).send().await.admin(401, 10002);
        app.get(&path(route))
            .bearer("not-a-jwt")
            .send()
            .await
            .admin(401, 10002);
    }
    app.post(&path("/auth/logout"))
        .send()
        .await
        .admin(401, 10002);
    // A well-formed JWT signed with another key.
    let forged =
        ops::domain::identity::jwt::issue(b"another-key-another-key-another!", 1, 1, "access", 600)
            .unwrap();
    app.get(&path("/auth/user"))
        .bearer(&forged)
        .send()
        .await
        .admin(401, 10002);
    // An ops_v1 session token is not an admin token.
    let r = app
        .post("/api/v1/users/login")
        .json(&json!({"name": "admin", "password": ADMIN_PASSWORD}))
        .send()
        .await;
    let ops_token = r.json["data"]["cookie_value"].as_str().unwrap().to_owned();
    app.get(&path("/auth/user"))
        .bearer(&ops_token)
        .send()
        .await
        .admin(401, 10002);
}

async fn the_super_admin_sees_every_menu_nested_and_sorted(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = root(&app).await;
    let r = app.get(&path("/auth/menus")).bearer(&token).send().await;
    let menus = r.admin(200, 200).as_array().unwrap().clone();
    let names: Vec<_> = menus.iter().map(|m| m["path"].clone()).collect();
    assert_eq!(
        names,
        [
            json!("/system"),
            json!("/dashboard"),
            json!("/livestock"),
            json!("/trade")
        ]
    );
    let system = &menus[0];
    assert_eq!(system["name"], "系统管理");
    assert_eq!(system["icon"], "system");
    let kids = system["children"].as_array().unwrap();
    assert_eq!(kids[0]["path"], "/system/users");
    assert_eq!(kids[0]["name"], "用户管理");
    let orders: Vec<i64> = kids
        .iter()
        .map(|k| k["sort_order"].as_i64().unwrap())
        .collect();
    let mut sorted = orders.clone();
    sorted.sort();
    assert_eq!(orders, sorted);
    // Menus only: no buttons below the leaf menus.
    assert!(kids[0].get("children").is_none());
}

async fn a_user_registered_through_ops_v1_logs_in_here_without_permissions(b: Backend) {
    let app = TestApp::spawn(b).await;
    app.post("/api/v1/users/register")
        .json(&json!({"name": "opsuser", "password": "secret12", "password_confirm": "secret12"}))
        .send()
        .await
        .ops(200, "0");
    let (token, _) = login(&app, "opsuser", "secret12").await;
    let me = app.get(&path("/auth/user")).bearer(&token).send().await;
    let u = me.admin(200, 200);
    assert_eq!(u["roles"], json!(["user"]));
    assert_eq!(u["permissions"], json!([]));
    let menus = app.get(&path("/auth/menus")).bearer(&token).send().await;
    assert_eq!(menus.admin(200, 200), &json!([]));
    let r = app.get(&path("/users")).bearer(&token).send().await;
    r.admin(403, 10003);
    assert_eq!(r.json["message"], "权限不足,无法访问此资源");
}

async fn a_disabled_user_cannot_log_in(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = root(&app).await;
    let id = crate::admin_common::create_user(&app, &token, "sleepy", &[]).await;
    app.post(&path(&format!("/users/{id}/toggle-status")))
        .bearer(&token)
        .json(&json!({"status": 0}))
        .send()
        .await
        .admin(200, 200);
    let r = app
        .post(&path("/auth/login"))
        .json(&json!({"username": "sleepy", "password": "secret12"}))
        .send()
        .await;
    r.admin(403, 10003);
    assert_eq!(r.json["message"], "账号已被禁用");
}

async fn captcha_is_checked_when_enabled_and_single_use(b: Backend) {
    let app = TestApp::spawn_with(b, |c| c.security.captcha = true).await;
    let r = app.get(&path("/auth/captcha")).send().await;
    let d = r.admin(200, 200);
    assert!(d["captcha_key"].as_str().unwrap().len() >= 32);
    assert!(
        d["image"]
            .as_str()
            .unwrap()
            .starts_with("data:image/png;base64,iVBOR")
    );
    let body = |captcha: &str, key: &str| json!({"username": "admin", "password": ADMIN_PASSWORD, "captcha": captcha, "captcha_key": key});
    app.post(&path("/auth/login"))
        .json(&json!({"username": "admin", "password": ADMIN_PASSWORD}))
        .send()
        .await
        .admin(400, 20005);
    let db = app.db().await;
    let key = ops::domain::identity::captcha::store(&db, "AbCd")
        .await
        .unwrap();
    let r = app
        .post(&path("/auth/login"))
        .json(&body("zzzz", &key))
        .send()
        .await;
    r.admin(400, 20005);
    assert_eq!(r.json["message"], "验证码错误");
    // The key was spent by the wrong guess.
    app.post(&path("/auth/login"))
        .json(&body("abcd", &key))
        .send()
        .await
        .admin(400, 20005);
    let key = ops::domain::identity::captcha::store(&db, "AbCd")
        .await
        .unwrap();
    app.post(&path("/auth/login"))
        .json(&body("abcd", &key))
        .send()
        .await
        .admin(200, 200);
    app.post(&path("/auth/login"))
        .json(&body("abcd", &key))
        .send()
        .await
        .admin(400, 20005);
}

async fn captcha_is_ignored_when_disabled(b: Backend) {
    let app = TestApp::spawn(b).await;
    app.post(&path("/auth/login"))
        .json(&json!({"username": "admin", "password": ADMIN_PASSWORD, "captcha": "x", "captcha_key": "y"}))
        .send()
        .await
        .admin(200, 200);
}

async fn unknown_routes_are_10004_in_the_envelope(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = root(&app).await;
    app.get(&path("/no/such/route"))
        .bearer(&token)
        .send()
        .await
        .admin(404, 10004);
    app.get(&path("/no/such/route"))
        .send()
        .await
        .admin(404, 10004);
    app.patch(&path("/users"))
        .bearer(&token)
        .send()
        .await
        .admin(404, 10004);
    // Trailing slashes route like the bare path.
    app.get(&path("/auth/user/"))
        .bearer(&token)
        .send()
        .await
        .admin(200, 200);
}

db_test!(
    login_answers_tokens_and_the_super_admins_profile,
    bad_logins_answer_20004_and_bad_bodies_10001_or_10006,
    six_quick_failed_logins_are_refused_with_10007,
    refresh_rotates_and_a_replayed_refresh_token_ends_the_session,
    logout_ends_the_access_and_refresh_tokens,
    missing_or_bad_tokens_are_10002,
    the_super_admin_sees_every_menu_nested_and_sorted,
    a_user_registered_through_ops_v1_logs_in_here_without_permissions,
    a_disabled_user_cannot_log_in,
    captcha_is_checked_when_enabled_and_single_use,
    captcha_is_ignored_when_disabled,
    unknown_routes_are_10004_in_the_envelope,
);
