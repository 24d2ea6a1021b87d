//! `GET/POST /equivalence` (issue 19): the client's 当量 uploads, stored and listed oldest
//! first.

use reqwest::Method;
use serde_json::{Value, json};

use crate::db_test;
use crate::hanzi_users::{admin_token, err, login, register, send};
use crate::support::{Backend, TestApp};

async fn stored_count(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM glyph_equivalences")
        .fetch_one(app.db().await.pool())
        .await
        .unwrap()
}

async fn uploads_are_listed_oldest_first_with_data_parsed(b: Backend) {
    let app = TestApp::spawn(b).await;
    let r = send(&app, Method::GET, "/equivalence", None, None).await;
    r.assert_status(200);
    assert_eq!(r.json, json!([]), "{}", r.text());
    // Any logged-in user may upload (role 0 here).
    register(&app, "typist", "secret-pw").await;
    let user = login(&app, "typist", "secret-pw").await;
    let first = json!({"user": "typist", "model": "麦当劳", "data": [["qw", 1.25], ["er", 1.5]]});
    let second = json!({"user": "另一人", "model": "m2", "data": [{"key": "a", "value": 3}]});
    for body in [&first, &second] {
        let r = send(&app, Method::POST, "/equivalence", Some(body), Some(&user)).await;
        r.assert_status(200);
        assert_eq!(r.json, json!(true), "{}", r.text());
    }
    let r = send(&app, Method::GET, "/equivalence", None, None).await;
    r.assert_status(200);
    assert!(
        r.header("content-type")
            .unwrap()
            .starts_with("application/json")
    );
    assert_eq!(r.json, json!([first, second]), "{}", r.text());
}

async fn an_upload_needs_a_login_and_a_data_array(b: Backend) {
    let app = TestApp::spawn(b).await;
    let body = json!({"user": "u", "model": "m", "data": []});
    let r = send(&app, Method::POST, "/equivalence", Some(&body), None).await;
    err(&r, 401, "AUTH-10000001");
    let r = send(
        &app,
        Method::POST,
        "/equivalence",
        Some(&body),
        Some("not-a-token"),
    )
    .await;
    err(&r, 401, "AUTH-10000001");
    let token = admin_token(&app).await;
    for bad in [
        json!({"user": "u", "model": "m", "data": {"a": 1}}),
        json!({"user": "u", "model": "m", "data": "[]"}),
        json!({"user": "u", "model": "m", "data": null}),
        json!({"user": "u", "model": "m"}),
        json!({"model": "m", "data": []}),
        json!({"user": 5, "model": "m", "data": []}),
        json!({"user": "u", "model": "m\u{0}", "data": []}),
        json!([1, 2]),
    ] {
        let r = send(&app, Method::POST, "/equivalence", Some(&bad), Some(&token)).await;
        err(&r, 200, "RES-10000002");
    }
    let r = app
        .post("/hanzi/equivalence")
        .bearer(&token)
        .body("text/plain", "{\"user\": \"u\",")
        .send()
        .await;
    err(&r, 200, "RES-10000002");
    assert_eq!(stored_count(&app).await, 0);
}

async fn a_body_over_one_mib_is_refused(b: Backend) {
    // Even where other JSON routes take more.
    let app = TestApp::spawn_with(b, |c| c.server.json_body_limit = 8 * 1024 * 1024).await;
    let token = admin_token(&app).await;
    let row = "键".repeat(30); // 90 bytes of UTF-8
    let big: Vec<Value> = (0..12_000).map(|_| json!(row)).collect();
    let body = json!({"user": "u", "model": "m", "data": big});
    assert!(body.to_string().len() > 1024 * 1024);
    let r = send(
        &app,
        Method::POST,
        "/equivalence",
        Some(&body),
        Some(&token),
    )
    .await;
    err(&r, 200, "RES-10000002");
    assert_eq!(stored_count(&app).await, 0);
    // Just under the limit is fine.
    let fits: Vec<Value> = (0..10_000).map(|_| json!(row)).collect();
    let body = json!({"user": "u", "model": "m", "data": fits});
    assert!(body.to_string().len() < 1024 * 1024);
    let r = send(
        &app,
        Method::POST,
        "/equivalence",
        Some(&body),
        Some(&token),
    )
    .await;
    assert_eq!(r.json, json!(true), "{}", r.text());
}

async fn the_list_streams_across_batches_in_order(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = admin_token(&app).await;
    let mut sent = Vec::new();
    for i in 0..70 {
        let body = json!({"user": format!("u{i}"), "model": "m", "data": [i]});
        let r = send(
            &app,
            Method::POST,
            "/equivalence",
            Some(&body),
            Some(&token),
        )
        .await;
        assert_eq!(r.json, json!(true), "{}", r.text());
        sent.push(body);
    }
    let r = send(&app, Method::GET, "/equivalence/", None, None).await;
    assert_eq!(r.json, json!(sent));
}

db_test!(
    uploads_are_listed_oldest_first_with_data_parsed,
    an_upload_needs_a_login_and_a_data_array,
    a_body_over_one_mib_is_refused,
    the_list_streams_across_batches_in_order,
);
