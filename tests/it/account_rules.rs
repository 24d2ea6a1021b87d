//! `account` `/backendapi/` and `/permission/`, and the API-rule enforcement (issue 7).

use serde_json::{Value, json};

use crate::account_support::{AccountResp, admin, create_user, ids, login, plain_user};
use crate::db_test;
use crate::support::{Backend, TestApp};

async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> Value {
    app.post(path)
        .bearer(token)
        .json(&body)
        .send()
        .await
        .account(201, 201)
        .clone()
}

async fn backendapi_crud_round_trips(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = admin(&app).await;
    let created = post(
        &app,
        &token,
        "/account/backendapi/",
        json!({"name": "users", "pattern": "^/account/user/", "app_name": "account", "comment": "c"}),
    )
    .await;
    let id = created["id"].as_i64().unwrap();
    assert_eq!(
        created,
        json!({"id": id, "name": "users", "pattern": "^/account/user/", "app_name": "account", "comment": "c"})
    );
    let url = format!("/account/backendapi/{id}/");
    let got = app.get(&url).bearer(&token).send().await;
    assert_eq!(*got.account(200, 200), created);
    let r = app
        .patch(&url)
        .bearer(&token)
        .json(&json!({"comment": null, "name": "people"}))
        .send()
        .await;
    let data = r.account(200, 200);
    assert_eq!(data["comment"], Value::Null);
    assert_eq!(data["name"], "people");
    assert_eq!(data["pattern"], "^/account/user/");
    let r = app
        .put(&url)
        .bearer(&token)
        .json(&json!({"pattern": "^/account/group/"}))
        .send()
        .await;
    assert_eq!(r.account(200, 200)["pattern"], "^/account/group/");
    let r = app
        .put(&url)
        .bearer(&token)
        .json(&json!({"name": "x"}))
        .send()
        .await;
    assert_eq!(r.invalid()["pattern"], json!(["This field is required."]));
    let batch = app
        .post("/account/backendapi/")
        .bearer(&token)
        .json(&json!([{"pattern": "^/a/"}, {"pattern": "^/b/"}]))
        .send()
        .await;
    assert_eq!(batch.account(201, 201).as_array().unwrap().len(), 2);
    let list = app.get("/account/backendapi/").bearer(&token).send().await;
    assert_eq!(ids(list.account(200, 200)).len(), 3);
    let page = app
        .get("/account/backendapi/?page=1&page_size=2")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(page.account(200, 200)["count"], 3);
    app.delete(&url).bearer(&token).send().await.no_content();
    app.get(&url).bearer(&token).send().await.account(404, 404);
}

async fn invalid_patterns_are_refused_at_write_time(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = admin(&app).await;
    let r = app
        .post("/account/backendapi/")
        .bearer(&token)
        .json(&json!({"pattern": "^/account/(user"}))
        .send()
        .await;
    assert_eq!(
        r.invalid()["pattern"],
        json!(["Enter a valid regular expression."])
    );
    let r = app
        .post("/account/backendapi/")
        .bearer(&token)
        .json(&json!([{"pattern": "^/ok/"}, {"pattern": "[", "name": "x".repeat(51)}]))
        .send()
        .await;
    let data = r.invalid();
    assert_eq!(data[0], json!({}));
    assert!(
        data[1]["pattern"][0].is_string() && data[1]["name"][0].is_string(),
        "{data}"
    );
    let ok = post(
        &app,
        &token,
        "/account/backendapi/",
        json!({"pattern": "^/ok/"}),
    )
    .await;
    let r = app
        .patch(&format!("/account/backendapi/{}/", ok["id"]))
        .bearer(&token)
        .json(&json!({"pattern": "*"}))
        .send()
        .await;
    assert!(r.invalid()["pattern"][0].is_string());
    let list = app.get("/account/backendapi/").bearer(&token).send().await;
    assert_eq!(list.account(200, 200)[0]["pattern"], "^/ok/");
    assert_eq!(list.json["data"].as_array().unwrap().len(), 1);
}

async fn permission_crud_and_its_checks(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = admin(&app).await;
    let api = post(
        &app,
        &token,
        "/account/backendapi/",
        json!({"pattern": "^/account/user/"}),
    )
    .await;
    let api_id = api["id"].as_i64().unwrap();
    let perm = post(
        &app,
        &token,
        "/account/permission/",
        json!({"method": "get", "api_id": api_id}),
    )
    .await;
    let pid = perm["id"].as_i64().unwrap();
    assert_eq!(perm, json!({"id": pid, "method": "GET", "api_id": api_id}));
    // One permission per (method, pattern); an unknown pattern or method is refused.
    let r = app
        .post("/account/permission/")
        .bearer(&token)
        .json(&json!({"method": "GET", "api_id": api_id}))
        .send()
        .await;
    assert!(r.invalid()["non_field_errors"][0].is_string());
    let r = app
        .post("/account/permission/")
        .bearer(&token)
        .json(&json!({"method": "FETCH", "api_id": 999}))
        .send()
        .await;
    let data = r.invalid();
    assert_eq!(data["method"], json!(["\"FETCH\" is not a valid choice."]));
    let r = app
        .post("/account/permission/")
        .bearer(&token)
        .json(&json!({"method": "POST", "api_id": 999}))
        .send()
        .await;
    assert_eq!(
        r.invalid()["api_id"],
        json!(["Invalid pk \"999\" - object does not exist."])
    );
    let r = app
        .post("/account/permission/")
        .bearer(&token)
        .json(&json!({"method": "POST", "api_id": "x"}))
        .send()
        .await;
    assert_eq!(
        r.invalid()["api_id"],
        json!(["A valid integer is required."])
    );
    let url = format!("/account/permission/{pid}/");
    let r = app
        .patch(&url)
        .bearer(&token)
        .json(&json!({"method": "DELETE"}))
        .send()
        .await;
    assert_eq!(r.account(200, 200)["method"], "DELETE");
    app.get(&url).bearer(&token).send().await.account(200, 200);
    let list = app.get("/account/permission/").bearer(&token).send().await;
    assert_eq!(ids(list.account(200, 200)), [pid]);
    app.delete(&format!(
        "/account/permission/multiple_delete/?ids={pid},abc"
    ))
    .bearer(&token)
    .send()
    .await
    .invalid();
    app.delete(&format!("/account/permission/multiple_delete/?ids={pid}"))
        .bearer(&token)
        .send()
        .await
        .no_content();
    app.get(&url).bearer(&token).send().await.account(404, 404);
    // Deleting a pattern takes its permissions with it.
    let again = post(
        &app,
        &token,
        "/account/permission/",
        json!({"method": "GET", "api_id": api_id}),
    )
    .await;
    app.delete(&format!(
        "/account/backendapi/multiple_delete/?ids={api_id}"
    ))
    .bearer(&token)
    .send()
    .await
    .no_content();
    app.get(&format!("/account/permission/{}/", again["id"]))
        .bearer(&token)
        .send()
        .await
        .account(404, 404);
}

async fn a_group_granted_get_on_users_lets_members_list_but_not_write(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = admin(&app).await;
    let api = post(
        &app,
        &token,
        "/account/backendapi/",
        json!({"name": "users", "pattern": "^/account/user/"}),
    )
    .await;
    let perm = post(
        &app,
        &token,
        "/account/permission/",
        json!({"method": "GET", "api_id": api["id"]}),
    )
    .await;
    let group = post(&app, &token, "/account/group/", json!({"name": "readers"})).await;
    let gid = group["id"].as_i64().unwrap();
    let uid = plain_user(&app, &token, "reader").await;
    let reader = login(&app, "reader", "secret123").await;
    // Not yet a member: 403 everywhere.
    app.get("/account/user/")
        .bearer(&reader)
        .send()
        .await
        .account(403, 403);
    app.post(&format!(
        "/account/group/{gid}/permission/?user_ids={uid}&perm_ids={}",
        perm["id"]
    ))
    .bearer(&token)
    .send()
    .await
    .account(200, 200);
    // Listing and reading users is allowed, with and without the trailing slash.
    let list = app.get("/account/user/").bearer(&reader).send().await;
    assert_eq!(ids(list.account(200, 200)).len(), 2);
    app.get(&format!("/account/user/{uid}/"))
        .bearer(&reader)
        .send()
        .await
        .account(200, 200);
    // The pattern is matched against the path as sent: `/account/user` has no slash.
    app.get("/account/user")
        .bearer(&reader)
        .send()
        .await
        .account(403, 403);
    // Writes and other resources are not.
    app.post("/account/user/")
        .bearer(&reader)
        .json(&json!({"username": "x1", "password": "secret123"}))
        .send()
        .await
        .account(403, 403);
    app.delete(&format!("/account/user/{uid}/"))
        .bearer(&reader)
        .send()
        .await
        .account(403, 403);
    app.get("/account/group/")
        .bearer(&reader)
        .send()
        .await
        .account(403, 403);
    // Removing the permission from the group takes effect on the next request.
    app.delete(&format!(
        "/account/group/{gid}/permission/?perm_ids={}",
        perm["id"]
    ))
    .bearer(&token)
    .send()
    .await
    .account(200, 200);
    app.get("/account/user/")
        .bearer(&reader)
        .send()
        .await
        .account(403, 403);
    // A permission held directly counts too, and shows in the user's `permissions`.
    let me = app
        .patch(&format!("/account/user/{uid}/"))
        .bearer(&token)
        .json(&json!({"permissions": [perm["id"]]}))
        .send()
        .await;
    assert_eq!(me.account(200, 200)["permissions"], json!([perm["id"]]));
    app.get("/account/user/")
        .bearer(&reader)
        .send()
        .await
        .account(200, 200);
    // Changing the pattern takes effect at once too.
    app.patch(&format!("/account/backendapi/{}/", api["id"]))
        .bearer(&token)
        .json(&json!({"pattern": "^/account/group/"}))
        .send()
        .await
        .account(200, 200);
    app.get("/account/user/")
        .bearer(&reader)
        .send()
        .await
        .account(403, 403);
    app.get("/account/group/")
        .bearer(&reader)
        .send()
        .await
        .account(200, 200);
}

async fn a_superuser_needs_no_api_permission(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = admin(&app).await;
    create_user(
        &app,
        &token,
        json!({"username": "root2", "password": "secret123", "is_superuser": true}),
    )
    .await;
    let root = login(&app, "root2", "secret123").await;
    app.get("/account/permission/")
        .bearer(&root)
        .send()
        .await
        .account(200, 200);
    app.post("/account/backendapi/")
        .bearer(&root)
        .json(&json!({"pattern": "^/x/"}))
        .send()
        .await
        .account(201, 201);
}

db_test!(
    backendapi_crud_round_trips,
    invalid_patterns_are_refused_at_write_time,
    permission_crud_and_its_checks,
    a_group_granted_get_on_users_lets_members_list_but_not_write,
    a_superuser_needs_no_api_permission,
);
