//! `hanzi` login and users (issue 6), plus the dialect's plumbing: errors, CORS, `New-Token`,
//! the root prefix.

use reqwest::Method;
use serde_json::{Value, json};

use crate::db_test;
use crate::support::http::Resp;
use crate::support::{ADMIN_PASSWORD, Backend, TestApp};

/// A request with a JSON body sent as `text/plain`, as the real client sends it.
pub async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    body: Option<&Value>,
    token: Option<&str>,
) -> Resp {
    let mut call = app.call(method, &format!("/hanzi{path}"));
    if let Some(b) = body {
        call = call.body("text/plain;charset=UTF-8", b.to_string());
    }
    if let Some(t) = token {
        call = call.bearer(t);
    }
    call.send().await
}

/// Asserts a `{"err", "msg"}` answer with this status and code; answers `msg`.
#[track_caller]
pub fn err(r: &Resp, status: u16, code: &str) -> String {
    r.assert_status(status);
    assert_eq!(r.json["err"], code, "body: {}", r.text());
    let msg = r.json["msg"].as_str().expect("msg").to_owned();
    if status == 200 {
        assert!(r.json.get("status").is_none(), "body: {}", r.text());
    } else {
        assert_eq!(r.json["status"], status, "body: {}", r.text());
    }
    msg
}

/// Registers `id` (email `<id>@example.com`) and expects `true`.
pub async fn register(app: &TestApp, id: &str, password: &str) {
    let body = json!({"id": id, "name": format!("{id} name"), "email": format!("{id}@example.com"), "password": password});
    let r = send(app, Method::POST, "/users", Some(&body), None).await;
    r.assert_status(200);
    assert_eq!(r.json, json!(true), "{}", r.text());
}

pub async fn login(app: &TestApp, username: &str, password: &str) -> String {
    let body = json!({"username": username, "password": password});
    let r = send(app, Method::POST, "/login", Some(&body), None).await;
    r.assert_status(200);
    r.json["token"]
        .as_str()
        .unwrap_or_else(|| panic!("no token: {}", r.text()))
        .to_owned()
}

pub async fn admin_token(app: &TestApp) -> String {
    login(app, "admin", ADMIN_PASSWORD).await
}

async fn get_user(app: &TestApp, id: &str) -> Value {
    // User reads need a login (decisions §8).
    let reader = admin_token(app).await;
    let r = send(
        app,
        Method::GET,
        &format!("/users/{id}"),
        None,
        Some(&reader),
    )
    .await;
    r.assert_status(200);
    r.json.clone()
}

async fn user_count(app: &TestApp) -> i64 {
    ops::domain::identity::user::count(&app.db().await)
        .await
        .unwrap()
}

async fn roles_of(app: &TestApp, id: &str) -> Vec<String> {
    let db = app.db().await;
    let u = ops::domain::identity::user::find_by_username(&db, id)
        .await
        .unwrap()
        .unwrap();
    ops::domain::access::user_roles::codes_of(&db, u.id)
        .await
        .unwrap()
}

async fn login_answers_the_user_and_a_jwt_by_id_or_email(b: Backend) {
    let app = TestApp::spawn(b).await;
    register(&app, "alice", "c2VjcmV0MTI=").await;
    let r = send(
        &app,
        Method::POST,
        "/login",
        Some(&json!({"username": "alice", "password": "c2VjcmV0MTI="})),
        None,
    )
    .await;
    r.assert_status(200);
    assert_eq!(
        r.json["user"],
        json!({"id": "alice", "name": "alice name", "email": "alice@example.com", "avatar": "", "role": 0, "state": 0})
    );
    let token = r.json["token"].as_str().unwrap();
    assert_eq!(token.split('.').count(), 3, "{token}");
    assert!(!r.text().contains("c2VjcmV0MTI="));
    login(&app, "alice@example.com", "c2VjcmV0MTI=").await;
    let admin = send(
        &app,
        Method::POST,
        "/login",
        Some(&json!({"username": "admin", "password": ADMIN_PASSWORD})),
        None,
    )
    .await;
    assert_eq!(admin.json["user"]["role"], 2);
}

async fn login_failures_answer_in_the_dialect_at_200(b: Backend) {
    let app = TestApp::spawn(b).await;
    register(&app, "alice", "secret12").await;
    let unknown = json!({"username": "nobody", "password": "secret12"});
    let r = send(&app, Method::POST, "/login", Some(&unknown), None).await;
    assert_eq!(err(&r, 200, "DB-10000001"), "用户不存在");
    let wrong = json!({"username": "alice", "password": "secret13"});
    let r = send(&app, Method::POST, "/login", Some(&wrong), None).await;
    assert_eq!(err(&r, 200, "RES-10000002"), "用户名或密码错误");
    let r = send(
        &app,
        Method::POST,
        "/login",
        Some(&json!({"username": "alice"})),
        None,
    )
    .await;
    err(&r, 200, "RES-10000002");
    let r = app
        .post("/hanzi/login")
        .body("text/plain", "{not json")
        .send()
        .await;
    err(&r, 200, "RES-10000002");
    // Disabled: the right password still gets no token.
    let admin = admin_token(&app).await;
    let r = send(
        &app,
        Method::PUT,
        "/users/alice/disable",
        Some(&json!({"state": 1})),
        Some(&admin),
    )
    .await;
    assert_eq!(r.json, json!(true));
    let right = json!({"username": "alice", "password": "secret12"});
    let r = send(&app, Method::POST, "/login", Some(&right), None).await;
    assert_eq!(err(&r, 200, "AUTH-10000002"), "用户已停用");
}

async fn five_failed_logins_lock_the_name_with_429(b: Backend) {
    let app = TestApp::spawn(b).await;
    register(&app, "alice", "secret12").await;
    let wrong = json!({"username": "alice", "password": "secret13"});
    for _ in 0..5 {
        let r = send(&app, Method::POST, "/login", Some(&wrong), None).await;
        err(&r, 200, "RES-10000002");
    }
    let right = json!({"username": "alice", "password": "secret12"});
    let r = send(&app, Method::POST, "/login", Some(&right), None).await;
    err(&r, 429, "AUTH-10000003");
}

async fn the_same_user_logs_in_through_hanzi_and_ops_v1(b: Backend) {
    let app = TestApp::spawn(b).await;
    register(&app, "alice", "secret12").await;
    login(&app, "alice", "secret12").await;
    let r = app
        .post("/api/v1/users/login")
        .json(&json!({"name": "alice", "password": "secret12"}))
        .send()
        .await;
    assert_eq!(r.ops(200, "0")["name"], "alice");
}

async fn registration_answers_true_and_refuses_bad_input(b: Backend) {
    let app = TestApp::spawn(b).await;
    // Without a content type at all.
    let raw = app
        .client
        .post(app.url("/hanzi/users"))
        .body(
            json!({"id": "al-ice_2", "name": "爱丽丝", "email": "a@example.com", "password": "secret12", "avatar": "https://x/y.png"})
                .to_string(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 200);
    assert_eq!(raw.json::<Value>().await.unwrap(), json!(true));
    let u = get_user(&app, "al-ice_2").await;
    assert_eq!(
        u,
        json!({"id": "al-ice_2", "name": "爱丽丝", "email": "a@example.com", "avatar": "https://x/y.png", "role": 0, "state": 0})
    );
    let before = user_count(&app).await;
    let ok =
        json!({"id": "bob", "name": "Bob", "email": "bob@example.com", "password": "secret12"});
    let mut cases = Vec::new();
    for bad_id in ["1bob", "bob_", "b__ob", "bo b", "张三", "", "-bob"] {
        let mut c = ok.clone();
        c["id"] = json!(bad_id);
        cases.push(c);
    }
    for (field, bad) in [
        ("email", json!("not-an-email")),
        ("password", json!("12345")),
        ("password", json!(12345678)),
    ] {
        let mut c = ok.clone();
        c[field] = bad;
        cases.push(c);
    }
    let mut c = ok.clone();
    c.as_object_mut().unwrap().remove("email");
    cases.push(c);
    for body in cases {
        let r = send(&app, Method::POST, "/users", Some(&body), None).await;
        err(&r, 200, "RES-10000002");
    }
    let dup_id =
        json!({"id": "al-ice_2", "name": "x", "email": "new@example.com", "password": "secret12"});
    let r = send(&app, Method::POST, "/users", Some(&dup_id), None).await;
    err(&r, 200, "DB-10000002");
    let dup_email =
        json!({"id": "carol", "name": "x", "email": "A@example.com", "password": "secret12"});
    let r = send(&app, Method::POST, "/users", Some(&dup_email), None).await;
    err(&r, 200, "DB-10000002");
    let r = app
        .post("/hanzi/users")
        .body("text/plain", "id=bob")
        .send()
        .await;
    err(&r, 200, "RES-10000002");
    assert_eq!(user_count(&app).await, before);
}

async fn closed_registration_is_refused_at_200_but_admins_may_add_users(b: Backend) {
    let app = TestApp::spawn_with(b, |c| c.registration.open = false).await;
    let body =
        json!({"id": "alice", "name": "A", "email": "alice@example.com", "password": "secret12"});
    let r = send(&app, Method::POST, "/users", Some(&body), None).await;
    assert_eq!(err(&r, 200, "AUTH-10000002"), "注册已关闭");
    let admin = admin_token(&app).await;
    let r = send(&app, Method::POST, "/users", Some(&body), Some(&admin)).await;
    assert_eq!(r.json, json!(true), "{}", r.text());
    assert_eq!(get_user(&app, "alice").await["role"], 0);
}

async fn the_first_user_becomes_super_admin_when_no_admin_is_bootstrapped(b: Backend) {
    let app = TestApp::spawn_with(b, |c| c.bootstrap.admin = false).await;
    register(&app, "first", "secret12").await;
    register(&app, "second", "secret12").await;
    let reader = login(&app, "second", "secret12").await;
    for (id, role) in [("first", 2), ("second", 0)] {
        let r = send(
            &app,
            Method::GET,
            &format!("/users/{id}"),
            None,
            Some(&reader),
        )
        .await;
        assert_eq!(r.json["role"], role, "{}", r.text());
    }
}

async fn users_are_listed_in_pages(b: Backend) {
    let app = TestApp::spawn(b).await;
    for id in ["alice", "bob", "carol"] {
        register(&app, id, "secret12").await;
    }
    let reader = admin_token(&app).await;
    let r = send(
        &app,
        Method::GET,
        "/users?page=1&size=2",
        None,
        Some(&reader),
    )
    .await;
    r.assert_status(200);
    assert_eq!(r.json["total"], 4);
    assert_eq!(
        (r.json["page"].clone(), r.json["size"].clone()),
        (json!(1), json!(2))
    );
    let ids: Vec<&str> = r.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["admin", "alice"]);
    let r = send(
        &app,
        Method::GET,
        "/users?page=2&size=2",
        None,
        Some(&reader),
    )
    .await;
    assert_eq!(r.json["items"][1]["id"], "carol");
    let r = send(&app, Method::GET, "/users", None, Some(&reader)).await;
    assert_eq!(
        (r.json["page"].clone(), r.json["size"].clone()),
        (json!(1), json!(20))
    );
    assert_eq!(r.json["items"].as_array().unwrap().len(), 4);
    let r = send(&app, Method::GET, "/users?page=9", None, Some(&reader)).await;
    assert_eq!(r.json["items"], json!([]));
    for bad in ["/users?page=x", "/users?page=0", "/users?size=-1"] {
        let r = send(&app, Method::GET, bad, None, Some(&reader)).await;
        err(&r, 200, "RES-10000002");
    }
}

async fn an_unknown_user_is_db_10000001(b: Backend) {
    let app = TestApp::spawn(b).await;
    let reader = admin_token(&app).await;
    let r = send(&app, Method::GET, "/users/nobody", None, Some(&reader)).await;
    assert_eq!(err(&r, 200, "DB-10000001"), "用户不存在");
    let admin = admin_token(&app).await;
    for (method, path, body) in [
        (Method::PUT, "/users/nobody", json!({"name": "x"})),
        (Method::DELETE, "/users/nobody", json!(null)),
        (Method::PUT, "/users/nobody/promote", json!({"role": 1})),
        (Method::PUT, "/users/nobody/disable", json!({"state": 1})),
    ] {
        let b = (!body.is_null()).then_some(&body);
        let r = send(&app, method, path, b, Some(&admin)).await;
        err(&r, 200, "DB-10000001");
    }
}

async fn users_update_their_own_record_and_admins_anyones(b: Backend) {
    let app = TestApp::spawn(b).await;
    register(&app, "alice", "secret12").await;
    register(&app, "bob", "secret12").await;
    let alice = login(&app, "alice", "secret12").await;
    let bob = login(&app, "bob", "secret12").await;
    let patch = json!({"id": "ignored", "name": "Alice L.", "email": "al@example.com", "avatar": "https://a/b.png", "role": 2, "state": 1});
    let r = send(
        &app,
        Method::PUT,
        "/users/alice",
        Some(&patch),
        Some(&alice),
    )
    .await;
    assert_eq!(r.json, json!(true), "{}", r.text());
    assert_eq!(
        get_user(&app, "alice").await,
        json!({"id": "alice", "name": "Alice L.", "email": "al@example.com", "avatar": "https://a/b.png", "role": 0, "state": 0})
    );
    // Another user's record: the route guard.
    let r = send(
        &app,
        Method::PUT,
        "/users/alice",
        Some(&json!({"name": "x"})),
        Some(&bob),
    )
    .await;
    err(&r, 403, "AUTH-10000002");
    let r = send(
        &app,
        Method::PUT,
        "/users/alice",
        Some(&json!({"name": "x"})),
        None,
    )
    .await;
    err(&r, 401, "AUTH-10000001");
    let admin = admin_token(&app).await;
    let r = send(
        &app,
        Method::PUT,
        "/users/alice",
        Some(&json!({"name": "By Admin"})),
        Some(&admin),
    )
    .await;
    assert_eq!(r.json, json!(true));
    assert_eq!(get_user(&app, "alice").await["name"], "By Admin");
    // A taken email, a bad email, a short password: nothing changes.
    for (body, code) in [
        (json!({"email": "bob@example.com"}), "DB-10000002"),
        (json!({"email": "nope"}), "RES-10000002"),
        (json!({"password": "123"}), "RES-10000002"),
        (json!({"name": 5}), "RES-10000002"),
    ] {
        let r = send(&app, Method::PUT, "/users/alice", Some(&body), Some(&alice)).await;
        err(&r, 200, code);
    }
    assert_eq!(get_user(&app, "alice").await["email"], "al@example.com");
}

async fn a_new_password_ends_the_users_other_sessions_only(b: Backend) {
    let app = TestApp::spawn(b).await;
    register(&app, "alice", "secret12").await;
    let t1 = login(&app, "alice", "secret12").await;
    let t2 = login(&app, "alice", "secret12").await;
    let r = send(
        &app,
        Method::PUT,
        "/users/alice",
        Some(&json!({"password": "secret99"})),
        Some(&t1),
    )
    .await;
    assert_eq!(r.json, json!(true), "{}", r.text());
    let r = send(
        &app,
        Method::PUT,
        "/users/alice",
        Some(&json!({})),
        Some(&t1),
    )
    .await;
    assert_eq!(r.json, json!(true));
    let r = send(
        &app,
        Method::PUT,
        "/users/alice",
        Some(&json!({})),
        Some(&t2),
    )
    .await;
    err(&r, 401, "AUTH-10000001");
    login(&app, "alice", "secret99").await;
    let old = json!({"username": "alice", "password": "secret12"});
    let r = send(&app, Method::POST, "/login", Some(&old), None).await;
    err(&r, 200, "RES-10000002");
    // An admin changing it ends every session of the user.
    let t3 = login(&app, "alice", "secret99").await;
    let admin = admin_token(&app).await;
    send(
        &app,
        Method::PUT,
        "/users/alice",
        Some(&json!({"password": "secret77"})),
        Some(&admin),
    )
    .await;
    let r = send(
        &app,
        Method::PUT,
        "/users/alice",
        Some(&json!({})),
        Some(&t3),
    )
    .await;
    err(&r, 401, "AUTH-10000001");
}

async fn only_admins_delete_users(b: Backend) {
    let app = TestApp::spawn(b).await;
    register(&app, "alice", "secret12").await;
    register(&app, "bob", "secret12").await;
    let alice = login(&app, "alice", "secret12").await;
    let bob = login(&app, "bob", "secret12").await;
    let r = send(&app, Method::DELETE, "/users/bob", None, Some(&alice)).await;
    err(&r, 403, "AUTH-10000002");
    let r = send(&app, Method::DELETE, "/users/bob", None, None).await;
    err(&r, 401, "AUTH-10000001");
    let admin = admin_token(&app).await;
    let r = send(&app, Method::DELETE, "/users/bob", None, Some(&admin)).await;
    assert_eq!(r.json, json!(true));
    let r = send(&app, Method::GET, "/users/bob", None, Some(&admin)).await;
    err(&r, 200, "DB-10000001");
    let r = send(
        &app,
        Method::PUT,
        "/users/bob",
        Some(&json!({})),
        Some(&bob),
    )
    .await;
    err(&r, 401, "AUTH-10000001");
}

async fn promotion_sets_the_shared_roles_seen_by_every_dialect(b: Backend) {
    let app = TestApp::spawn(b).await;
    register(&app, "alice", "secret12").await;
    register(&app, "bob", "secret12").await;
    let admin = admin_token(&app).await;
    let promote = |role: Value| json!({"role": role});
    let r = send(
        &app,
        Method::PUT,
        "/users/alice/promote",
        Some(&promote(json!(1))),
        Some(&admin),
    )
    .await;
    assert_eq!(r.json, json!(true), "{}", r.text());
    assert_eq!(get_user(&app, "alice").await["role"], 1);
    let roles = roles_of(&app, "alice").await;
    assert!(roles.contains(&"admin".to_owned()) && !roles.contains(&"super_admin".to_owned()));
    // An admin may write the repertoire but not promote.
    let alice = login(&app, "alice", "secret12").await;
    let r = send(
        &app,
        Method::POST,
        "/repertoire",
        Some(&json!({"type": "component", "name": "x"})),
        Some(&alice),
    )
    .await;
    assert!(r.json.is_number(), "{}", r.text());
    let r = send(
        &app,
        Method::PUT,
        "/users/bob/promote",
        Some(&promote(json!(1))),
        Some(&alice),
    )
    .await;
    err(&r, 403, "AUTH-10000002");
    send(
        &app,
        Method::PUT,
        "/users/alice/promote",
        Some(&promote(json!(2))),
        Some(&admin),
    )
    .await;
    let roles = roles_of(&app, "alice").await;
    assert!(roles.contains(&"super_admin".to_owned()) && !roles.contains(&"admin".to_owned()));
    assert_eq!(get_user(&app, "alice").await["role"], 2);
    send(
        &app,
        Method::PUT,
        "/users/alice/promote",
        Some(&promote(json!(0))),
        Some(&admin),
    )
    .await;
    let roles = roles_of(&app, "alice").await;
    assert!(
        !roles.iter().any(|r| r == "admin" || r == "super_admin"),
        "{roles:?}"
    );
    for bad in [json!(3), json!(-1), json!("1"), json!(1.5), json!(null)] {
        let r = send(
            &app,
            Method::PUT,
            "/users/alice/promote",
            Some(&promote(bad)),
            Some(&admin),
        )
        .await;
        err(&r, 200, "RES-10000002");
    }
    let r = send(
        &app,
        Method::PUT,
        "/users/admin/promote",
        Some(&promote(json!(0))),
        Some(&admin),
    )
    .await;
    assert_eq!(err(&r, 200, "RES-10000002"), "不可修改当前登录用户");
    assert_eq!(get_user(&app, "alice").await["role"], 0);
}

async fn disabling_ends_sessions_and_enabling_restores_login(b: Backend) {
    let app = TestApp::spawn(b).await;
    register(&app, "bob", "secret12").await;
    register(&app, "carol", "secret12").await;
    let bob = login(&app, "bob", "secret12").await;
    let admin = admin_token(&app).await;
    let r = send(
        &app,
        Method::PUT,
        "/users/bob/disable",
        Some(&json!({"state": 1})),
        Some(&admin),
    )
    .await;
    assert_eq!(r.json, json!(true));
    assert_eq!(get_user(&app, "bob").await["state"], 1);
    let r = send(
        &app,
        Method::PUT,
        "/users/bob",
        Some(&json!({})),
        Some(&bob),
    )
    .await;
    err(&r, 401, "AUTH-10000001");
    send(
        &app,
        Method::PUT,
        "/users/bob/disable",
        Some(&json!({"state": 0})),
        Some(&admin),
    )
    .await;
    assert_eq!(get_user(&app, "bob").await["state"], 0);
    login(&app, "bob", "secret12").await;
    for bad in [json!(2), json!("1"), json!(null)] {
        let r = send(
            &app,
            Method::PUT,
            "/users/bob/disable",
            Some(&json!({"state": bad})),
            Some(&admin),
        )
        .await;
        err(&r, 200, "RES-10000002");
    }
    let r = send(
        &app,
        Method::PUT,
        "/users/admin/disable",
        Some(&json!({"state": 1})),
        Some(&admin),
    )
    .await;
    assert_eq!(err(&r, 200, "RES-10000002"), "不可修改当前登录用户");
    let carol = login(&app, "carol", "secret12").await;
    let r = send(
        &app,
        Method::PUT,
        "/users/bob/disable",
        Some(&json!({"state": 1})),
        Some(&carol),
    )
    .await;
    err(&r, 403, "AUTH-10000002");
    assert_eq!(get_user(&app, "bob").await["state"], 0);
}

async fn bad_and_foreign_tokens_are_401(b: Backend) {
    let app = TestApp::spawn(b).await;
    register(&app, "alice", "secret12").await;
    let body = json!({"name": "x"});
    for token in ["garbage", "a.b.c"] {
        let r = send(&app, Method::PUT, "/users/alice", Some(&body), Some(token)).await;
        err(&r, 401, "AUTH-10000001");
    }
    // An opaque ops_v1 token is not a hanzi JWT.
    let r = app
        .post("/api/v1/users/login")
        .json(&json!({"name": "alice", "password": "secret12"}))
        .send()
        .await;
    let ops_token = r.ops(200, "0")["cookie_value"].as_str().unwrap().to_owned();
    let r = send(
        &app,
        Method::PUT,
        "/users/alice",
        Some(&body),
        Some(&ops_token),
    )
    .await;
    err(&r, 401, "AUTH-10000001");
    // The bare token (no `Bearer`) is accepted, as by the original.
    let t = login(&app, "alice", "secret12").await;
    let r = app
        .put("/hanzi/users/alice")
        .header("authorization", &t)
        .body("text/plain", body.to_string())
        .send()
        .await;
    assert_eq!(r.json, json!(true), "{}", r.text());
}

async fn a_token_older_than_an_hour_is_refreshed_in_new_token(b: Backend) {
    let app = TestApp::spawn(b).await;
    register(&app, "alice", "secret12").await;
    let token = login(&app, "alice", "secret12").await;
    let secret: String =
        sqlx::query_scalar("SELECT value FROM shared_secrets WHERE name = 'jwt_secret'")
            .fetch_one(app.db().await.pool())
            .await
            .unwrap();
    let key = jsonwebtoken::DecodingKey::from_secret(secret.trim().as_bytes());
    let claims: ops::domain::identity::jwt::Claims =
        jsonwebtoken::decode(&token, &key, &jsonwebtoken::Validation::default())
            .unwrap()
            .claims;
    let fresh = send(
        &app,
        Method::PUT,
        "/users/alice",
        Some(&json!({})),
        Some(&token),
    )
    .await;
    assert_eq!(fresh.json, json!(true));
    assert_eq!(fresh.header("new-token"), None);
    let mut aged = claims.clone();
    aged.iat -= 7200;
    let aged = jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        &aged,
        &jsonwebtoken::EncodingKey::from_secret(secret.trim().as_bytes()),
    )
    .unwrap();
    let r = send(
        &app,
        Method::PUT,
        "/users/alice",
        Some(&json!({})),
        Some(&aged),
    )
    .await;
    assert_eq!(r.json, json!(true), "{}", r.text());
    let renewed = r.header("new-token").expect("New-Token header");
    let renewed_claims: ops::domain::identity::jwt::Claims =
        jsonwebtoken::decode(&renewed, &key, &jsonwebtoken::Validation::default())
            .unwrap()
            .claims;
    assert_eq!(renewed_claims.sid, claims.sid);
    assert!(renewed_claims.iat > claims.iat - 7200);
    let r = send(
        &app,
        Method::PUT,
        "/users/alice",
        Some(&json!({})),
        Some(&renewed),
    )
    .await;
    assert_eq!(r.json, json!(true));
}

async fn unknown_routes_are_404_and_any_origin_is_allowed(b: Backend) {
    let app = TestApp::spawn(b).await;
    let r = send(&app, Method::GET, "/nowhere", None, None).await;
    err(&r, 404, "RES-10000001");
    let r = send(&app, Method::PATCH, "/users", None, None).await;
    err(&r, 404, "RES-10000001");
    let r = app
        .call(Method::OPTIONS, "/hanzi/users/alice")
        .header("origin", "https://chaifen.app")
        .header("access-control-request-method", "PUT")
        .header("access-control-request-headers", "authorization")
        .send()
        .await;
    assert!(r.status.is_success(), "{}", r.status);
    assert_eq!(
        r.header("access-control-allow-origin").as_deref(),
        Some("*")
    );
    let r = app
        .get("/hanzi/users")
        .header("origin", "https://example.org")
        .send()
        .await;
    assert_eq!(
        r.header("access-control-allow-origin").as_deref(),
        Some("*")
    );
    assert!(
        r.header("access-control-expose-headers")
            .unwrap_or_default()
            .to_lowercase()
            .contains("new-token")
    );
}

async fn the_dialect_also_serves_at_the_root(b: Backend) {
    let app = TestApp::spawn_with(b, |c| c.dialects.hanzi.prefix = String::new()).await;
    let r = app
        .post("/login")
        .body(
            "text/plain",
            json!({"username": "admin", "password": ADMIN_PASSWORD}).to_string(),
        )
        .send()
        .await;
    let token = r.json["token"].as_str().expect("token").to_owned();
    let r = app
        .post("/repertoire")
        .bearer(&token)
        .body(
            "text/plain",
            json!({"type": "compound", "name": "根"}).to_string(),
        )
        .send()
        .await;
    assert_eq!(r.json, json!(0xE800));
    let r = app.get("/users").bearer(&token).send().await;
    assert_eq!(r.json["total"], 1);
    let r = app.get("/repertoire/all").send().await;
    assert_eq!(r.json.as_array().unwrap().len(), 1);
    // Other dialects keep their prefixes; health checks still answer.
    app.get("/healthz").send().await.assert_status(200);
    let r = app
        .post("/api/v1/users/login")
        .json(&json!({"name": "admin", "password": ADMIN_PASSWORD}))
        .send()
        .await;
    r.ops(200, "0");
    let r = app.get("/no/such/route").send().await;
    err(&r, 404, "RES-10000001");
}

db_test!(
    login_answers_the_user_and_a_jwt_by_id_or_email,
    login_failures_answer_in_the_dialect_at_200,
    five_failed_logins_lock_the_name_with_429,
    the_same_user_logs_in_through_hanzi_and_ops_v1,
    registration_answers_true_and_refuses_bad_input,
    closed_registration_is_refused_at_200_but_admins_may_add_users,
    the_first_user_becomes_super_admin_when_no_admin_is_bootstrapped,
    users_are_listed_in_pages,
    an_unknown_user_is_db_10000001,
    users_update_their_own_record_and_admins_anyones,
    a_new_password_ends_the_users_other_sessions_only,
    only_admins_delete_users,
    promotion_sets_the_shared_roles_seen_by_every_dialect,
    disabling_ends_sessions_and_enabling_restores_login,
    bad_and_foreign_tokens_are_401,
    a_token_older_than_an_hour_is_refreshed_in_new_token,
    unknown_routes_are_404_and_any_origin_is_allowed,
    the_dialect_also_serves_at_the_root,
);
