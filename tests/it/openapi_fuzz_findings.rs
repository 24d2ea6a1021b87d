//! What the fuzzing gate (`scripts/fuzz`) found, kept as regression tests.

use serde_json::json;

use crate::db_test;
use crate::ops_users::login;
use crate::support::{ADMIN_PASSWORD, Backend, TestApp};

/// Concurrent writes of one account: on SQLite a deferred transaction that read before another
/// connection wrote failed at once with "database is locked" (a 500); writers now take the
/// lock at `BEGIN` and wait their turn.
async fn concurrent_profile_updates_all_succeed(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = login(&app, "admin", ADMIN_PASSWORD).await;
    let calls = (0..24).map(|i| {
        let gender = ["female", "male", "other"][i % 3];
        app.put("/api/v1/users/profile")
            .bearer(&token)
            .json(&json!({ "gender": gender, "language": format!("l{i}") }))
            .send()
    });
    for resp in futures_util::future::join_all(calls).await {
        resp.ops(200, "0");
    }
    app.stop().await;
}

db_test!(concurrent_profile_updates_all_succeed);

/// admin_v1's permission tree may hold an entry of type `api` with no method and no API; the
/// account dialect read every `api` row as a `(method, api)` pair and answered 500 on its
/// list and detail. Such entries are not account API permissions: not listed, 404 by id.
async fn an_admin_api_entry_is_not_an_account_permission(b: Backend) {
    let app = TestApp::spawn(b).await;
    let admin = crate::admin_common::root(&app).await;
    let r = app
        .post("/admin/v1/permissions")
        .bearer(&admin)
        .json(&json!({ "name": "接口", "type": "api" }))
        .send()
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let id = r.json["data"]["id"].as_i64().unwrap();
    let token = crate::account_support::admin(&app).await;
    let list = app.get("/account/permission/").bearer(&token).send().await;
    assert_eq!(list.status, 200, "{}", list.text());
    assert_eq!(list.json["code"], 200);
    assert!(
        !list.text().contains(&format!("\"id\":{id},")),
        "{}",
        list.text()
    );
    let one = app
        .get(&format!("/account/permission/{id}/"))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(one.status, 404, "{}", one.text());
    app.stop().await;
}

db_test!(an_admin_api_entry_is_not_an_account_permission);
