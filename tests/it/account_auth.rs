//! `account` login, logout, the envelope and the session transports (issue 7).

use serde_json::{Value, json};

use crate::account_support::{AccountResp, admin, login, plain_user};
use crate::db_test;
use crate::support::{ADMIN_PASSWORD, Backend, TestApp};

async fn login_sets_the_session_cookie_and_answers_the_token(b: Backend) {
    let app = TestApp::spawn(b).await;
    let r = app
        .post("/account/login/")
        .json(&json!({"username": "admin", "password": ADMIN_PASSWORD}))
        .send()
        .await;
    let data = r.account(200, 200);
    assert_eq!(r.json["msg"], "Login Successful.");
    let token = data["token"].as_str().unwrap();
    assert!(token.len() >= 32);
    let cookie = r.header("set-cookie").unwrap();
    assert!(
        cookie.starts_with(&format!("sessionid={token}")),
        "{cookie}"
    );
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(!r.text().contains(ADMIN_PASSWORD));
    // Both transports are accepted afterwards.
    app.get("/account/user/")
        .bearer(token)
        .send()
        .await
        .account(200, 200);
    app.get("/account/user/")
        .header("cookie", &format!("sessionid={token}"))
        .send()
        .await
        .account(200, 200);
}

async fn login_failures_answer_one_message_with_empty_data(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = admin(&app).await;
    let id = plain_user(&app, &token, "alice").await;
    for body in [
        json!({"username": "admin", "password": "wrong-password"}),
        json!({"username": "nobody", "password": "wrong-password"}),
    ] {
        let r = app.post("/account/login/").json(&body).send().await;
        assert_eq!(*r.account(401, 401), json!({}));
        assert_eq!(r.json["msg"], "account or password error.");
    }
    // A disabled account answers the same, even with the right password.
    app.patch(&format!("/account/user/{id}/"))
        .bearer(&token)
        .json(&json!({"is_active": false}))
        .send()
        .await
        .account(200, 200);
    let r = app
        .post("/account/login/")
        .json(&json!({"username": "alice", "password": "secret123"}))
        .send()
        .await;
    r.account(401, 401);
    assert_eq!(r.json["msg"], "account or password error.");
}

async fn login_with_missing_fields_is_a_drf_validation_error(b: Backend) {
    let app = TestApp::spawn(b).await;
    let r = app
        .post("/account/login/")
        .json(&json!({"username": "admin"}))
        .send()
        .await;
    assert_eq!(r.invalid()["password"], json!(["This field is required."]));
    let r = app
        .post("/account/login/")
        .body("application/json", "{not json")
        .send()
        .await;
    assert!(
        r.invalid()["detail"][0]
            .as_str()
            .unwrap()
            .contains("JSON parse error")
    );
    let r = app.post("/account/login/").json(&json!([1])).send().await;
    assert!(r.invalid()["non_field_errors"].is_array());
}

async fn repeated_failures_are_throttled_with_429(b: Backend) {
    let app = TestApp::spawn(b).await;
    for _ in 0..5 {
        app.post("/account/login/")
            .json(&json!({"username": "admin", "password": "wrong-password"}))
            .send()
            .await
            .account(401, 401);
    }
    let r = app
        .post("/account/login/")
        .json(&json!({"username": "admin", "password": ADMIN_PASSWORD}))
        .send()
        .await;
    assert_eq!(*r.account(429, 429), Value::Null);
}

async fn logout_ends_the_session_and_answers_code_204(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = admin(&app).await;
    let r = app.get("/account/logout/").bearer(&token).send().await;
    r.no_content();
    assert!(r.header("set-cookie").unwrap().starts_with("sessionid=;"));
    let r = app.get("/account/user/").bearer(&token).send().await;
    assert_eq!(*r.account(401, 401), Value::Null);
    // Without a session logout still succeeds, as Django's does.
    app.get("/account/logout").send().await.no_content();
}

async fn protected_routes_need_a_session(b: Backend) {
    let app = TestApp::spawn(b).await;
    for path in [
        "/account/user/",
        "/account/user/1/",
        "/account/group/",
        "/account/backendapi/",
        "/account/permission/",
    ] {
        app.get(path).send().await.account(401, 401);
    }
    app.get("/account/user/")
        .bearer("not-a-token")
        .send()
        .await
        .account(401, 401);
    app.delete("/account/usr/multiple_delete/?ids=1")
        .send()
        .await
        .account(401, 401);
}

async fn unknown_routes_and_methods_answer_in_the_envelope(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = admin(&app).await;
    let r = app
        .get("/account/nothing/here/")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(*r.account(404, 404), Value::Null);
    app.delete("/account/login/").send().await.account(405, 405);
}

async fn a_user_created_here_logs_in_through_ops_v1(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = admin(&app).await;
    plain_user(&app, &token, "carol").await;
    let r = app
        .post("/api/v1/users/login")
        .json(&json!({"name": "carol", "password": "secret123"}))
        .send()
        .await;
    assert_eq!(r.ops(200, "0")["name"], "carol");
    login(&app, "carol", "secret123").await;
}

db_test!(
    login_sets_the_session_cookie_and_answers_the_token,
    login_failures_answer_one_message_with_empty_data,
    login_with_missing_fields_is_a_drf_validation_error,
    repeated_failures_are_throttled_with_429,
    logout_ends_the_session_and_answers_code_204,
    protected_routes_need_a_session,
    unknown_routes_and_methods_answer_in_the_envelope,
    a_user_created_here_logs_in_through_ops_v1,
);
