//! `account` `/group/` and `/group/<pk>/permission/` (issue 7).

use serde_json::{Value, json};

use crate::account_support::{AccountResp, admin, create_user, ids, login, plain_user};
use crate::db_test;
use crate::support::{Backend, TestApp};

async fn group(app: &TestApp, token: &str, body: Value) -> Value {
    app.post("/account/group/")
        .bearer(token)
        .json(&body)
        .send()
        .await
        .account(201, 201)
        .clone()
}

async fn api_permission(app: &TestApp, token: &str, method: &str) -> i64 {
    let api = app
        .post("/account/backendapi/")
        .bearer(token)
        .json(&json!({"pattern": "^/account/user/"}))
        .send()
        .await;
    let api_id = api.account(201, 201)["id"].clone();
    app.post("/account/permission/")
        .bearer(token)
        .json(&json!({"method": method, "api_id": api_id}))
        .send()
        .await
        .account(201, 201)["id"]
        .as_i64()
        .unwrap()
}

async fn group_crud_round_trips(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = admin(&app).await;
    // The built-in roles are groups like any other.
    let list = app.get("/account/group/").bearer(&token).send().await;
    assert_eq!(ids(list.account(200, 200)), [1, 2, 3]);
    let pid = api_permission(&app, &token, "GET").await;
    let g = group(&app, &token, json!({"name": "ops", "permissions": [pid]})).await;
    let gid = g["id"].as_i64().unwrap();
    assert_eq!(
        g,
        json!({"id": gid, "name": "ops", "permissions": [pid], "users": []})
    );
    let url = format!("/account/group/{gid}/");
    assert_eq!(
        *app.get(&url).bearer(&token).send().await.account(200, 200),
        g
    );
    let r = app
        .patch(&url)
        .bearer(&token)
        .json(&json!({"name": "ops2"}))
        .send()
        .await;
    let data = r.account(200, 200);
    assert_eq!(data["name"], "ops2");
    assert_eq!(data["permissions"], json!([pid]));
    let r = app
        .put(&url)
        .bearer(&token)
        .json(&json!({"name": "ops3", "permissions": []}))
        .send()
        .await;
    assert_eq!(r.account(200, 200)["permissions"], json!([]));
    let r = app.put(&url).bearer(&token).json(&json!({})).send().await;
    assert_eq!(r.invalid()["name"], json!(["This field is required."]));
    let r = app
        .patch(&url)
        .bearer(&token)
        .json(&json!({"permissions": [999]}))
        .send()
        .await;
    assert_eq!(
        r.invalid()["permissions"],
        json!(["Invalid pk \"999\" - object does not exist."])
    );
    let r = app
        .post("/account/group/")
        .bearer(&token)
        .json(&json!({"name": "ops3"}))
        .send()
        .await;
    assert_eq!(
        r.invalid()["name"],
        json!(["group with this name already exists."])
    );
    let page = app
        .get("/account/group/?page=2&page_size=3")
        .bearer(&token)
        .send()
        .await;
    let page = page.account(200, 200);
    assert_eq!(page["count"], 4);
    assert_eq!(ids(&page["results"]), [gid]);
    app.delete(&url).bearer(&token).send().await.no_content();
    app.get(&url).bearer(&token).send().await.account(404, 404);
    // Built-in groups cannot be deleted.
    let r = app.delete("/account/group/3/").bearer(&token).send().await;
    assert!(r.invalid()["non_field_errors"][0].is_string());
}

async fn batch_group_create_and_multiple_delete_are_all_or_nothing(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = admin(&app).await;
    let r = app
        .post("/account/group/")
        .bearer(&token)
        .json(&json!([{"name": "a"}, {"name": "a"}]))
        .send()
        .await;
    assert_eq!(
        *r.invalid(),
        json!([{}, {"name": ["group with this name already exists."]}])
    );
    let r = app
        .post("/account/group/")
        .bearer(&token)
        .json(&json!([{"name": "a"}, {"name": ""}]))
        .send()
        .await;
    assert_eq!(
        r.invalid()[1]["name"],
        json!(["This field may not be blank."])
    );
    let list = app.get("/account/group/").bearer(&token).send().await;
    assert_eq!(ids(list.account(200, 200)).len(), 3);
    let created = app
        .post("/account/group/")
        .bearer(&token)
        .json(&json!([{"name": "a"}, {"name": "b"}]))
        .send()
        .await;
    let created = ids(created.account(201, 201));
    let r = app
        .delete(&format!(
            "/account/group/multiple_delete/?ids={},999",
            created[0]
        ))
        .bearer(&token)
        .send()
        .await;
    r.account(404, 404);
    app.delete(&format!(
        "/account/group/multiple_delete/?ids={},{}",
        created[0], created[1]
    ))
    .bearer(&token)
    .send()
    .await
    .no_content();
    let list = app.get("/account/group/").bearer(&token).send().await;
    assert_eq!(ids(list.account(200, 200)).len(), 3);
}

async fn group_members_and_permissions_change_in_one_transaction(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = admin(&app).await;
    let g = group(&app, &token, json!({"name": "team"})).await;
    let gid = g["id"].as_i64().unwrap();
    let u1 = plain_user(&app, &token, "m1").await;
    let u2 = plain_user(&app, &token, "m2").await;
    let pid = api_permission(&app, &token, "GET").await;
    let url = format!("/account/group/{gid}/permission/");
    let r = app
        .post(&format!("{url}?user_ids={u1},{u2}"))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(r.account(200, 200)["users"], json!([u1, u2]));
    let r = app
        .post(&format!("{url}?perm_ids={pid}"))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(r.account(200, 200)["permissions"], json!([pid]));
    // The user's `groups` shows the membership.
    let user = app
        .get(&format!("/account/user/{u1}/"))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(user.account(200, 200)["groups"], json!([gid]));
    // Bad ids: nothing changes.
    let r = app
        .delete(&format!("{url}?user_ids={u1},x"))
        .bearer(&token)
        .send()
        .await;
    assert!(r.invalid()["user_ids"][0].is_string());
    let r = app
        .delete(&format!("{url}?user_ids={u1}&perm_ids=999"))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(
        r.invalid()["perm_ids"],
        json!(["Invalid pk \"999\" - object does not exist."])
    );
    let r = app.delete(&url).bearer(&token).send().await;
    assert!(r.invalid()["non_field_errors"][0].is_string());
    let now = app
        .get(&format!("/account/group/{gid}/"))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(now.account(200, 200)["users"], json!([u1, u2]));
    let r = app
        .delete(&format!("{url}?user_ids={u1}&perm_ids={pid}"))
        .bearer(&token)
        .send()
        .await;
    let data = r.account(200, 200);
    assert_eq!(data["users"], json!([u2]));
    assert_eq!(data["permissions"], json!([]));
    app.post("/account/group/999/permission/?user_ids=1")
        .bearer(&token)
        .send()
        .await
        .account(404, 404);
}

async fn a_group_created_here_is_a_role_everywhere(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = admin(&app).await;
    let g = group(&app, &token, json!({"name": "auditors"})).await;
    let gid = g["id"].as_i64().unwrap();
    let user = create_user(
        &app,
        &token,
        json!({"username": "aud", "password": "secret123", "groups": [gid], "is_staff": true}),
    )
    .await;
    let db = app.db().await;
    let role = ops::domain::access::roles::get(&db, gid).await.unwrap();
    assert_eq!(role.name, "auditors");
    let uid = user["id"].as_i64().unwrap();
    let mut held = ops::domain::access::user_roles::ids_of(&db, uid)
        .await
        .unwrap();
    held.sort_unstable();
    assert_eq!(held, [2, gid]);
    let codes = ops::domain::access::user_roles::codes_of(&db, uid)
        .await
        .unwrap();
    assert!(codes.contains(&"admin".to_owned()) && codes.contains(&role.code));
    // A session of this user sees the role, whichever dialect it logged in through.
    let t = login(&app, "aud", "secret123").await;
    let p = ops::domain::identity::session::authenticate(&db, &t)
        .await
        .unwrap();
    assert!(p.is_admin() && p.roles.contains(&role.code));
}

async fn only_a_superuser_changes_the_superuser_group(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = admin(&app).await;
    let api = app
        .post("/account/backendapi/")
        .bearer(&token)
        .json(&json!({"pattern": "^/account/"}))
        .send()
        .await;
    let api_id = api.account(201, 201)["id"].clone();
    let perm = app
        .post("/account/permission/")
        .bearer(&token)
        .json(&json!({"method": "ALL", "api_id": api_id}))
        .send()
        .await;
    let pid = perm.account(201, 201)["id"].clone();
    let uid = create_user(
        &app,
        &token,
        json!({"username": "deputy", "password": "secret123", "permissions": [pid]}),
    )
    .await["id"]
        .clone();
    let deputy = login(&app, "deputy", "secret123").await;
    app.post(&format!("/account/group/1/permission/?user_ids={uid}"))
        .bearer(&deputy)
        .send()
        .await
        .account(403, 403);
    app.patch(&format!("/account/user/{uid}/"))
        .bearer(&deputy)
        .json(&json!({"groups": [1]}))
        .send()
        .await
        .account(403, 403);
    let me = app
        .get(&format!("/account/user/{uid}/"))
        .bearer(&deputy)
        .send()
        .await;
    assert_eq!(me.account(200, 200)["is_superuser"], false);
}

db_test!(
    group_crud_round_trips,
    batch_group_create_and_multiple_delete_are_all_or_nothing,
    group_members_and_permissions_change_in_one_transaction,
    a_group_created_here_is_a_role_everywhere,
    only_a_superuser_changes_the_superuser_group,
);
