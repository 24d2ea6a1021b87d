//! `account`: groups and users list and accept only the API permissions of `/permission/`
//! (issue 18); admin menus stay the admin back office's; superusers are staff.

use serde_json::{Value, json};

use crate::account_support::{AccountResp, admin, ids, plain_user};
use crate::db_test;
use crate::support::{Backend, TestApp};

/// Every id `/account/permission/` answers.
async fn api_permission_ids(app: &TestApp, token: &str) -> Vec<i64> {
    let r = app.get("/account/permission/").bearer(token).send().await;
    ids(r.account(200, 200))
}

async fn new_api_permission(app: &TestApp, token: &str) -> i64 {
    let api = app
        .post("/account/backendapi/")
        .bearer(token)
        .json(&json!({"pattern": "^/account/group/"}))
        .send()
        .await;
    let api_id = api.account(201, 201)["id"].clone();
    app.post("/account/permission/")
        .bearer(token)
        .json(&json!({"method": "GET", "api_id": api_id}))
        .send()
        .await
        .account(201, 201)["id"]
        .as_i64()
        .unwrap()
}

fn numbers(v: &Value) -> Vec<i64> {
    v.as_array()
        .expect("a list")
        .iter()
        .map(|n| n.as_i64().expect("an id"))
        .collect()
}

fn perm_ids(v: &Value) -> Vec<i64> {
    numbers(&v["permissions"])
}

async fn groups_and_users_hold_only_api_permissions(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = admin(&app).await;
    let db = app.db().await;
    // The built-in admin role holds admin menus (seeded for the back office).
    let menus_before = ops::domain::access::roles::permission_ids(&db, 2)
        .await
        .unwrap();
    assert!(!menus_before.is_empty(), "the admin role holds its menus");
    let menu = menus_before[0];

    let groups = app.get("/account/group/").bearer(&token).send().await;
    for g in groups.account(200, 200).as_array().unwrap() {
        assert_eq!(perm_ids(g), Vec::<i64>::new(), "no menu ids: {g}");
    }
    // A menu id is not a permission here: 404 on its own URL, 400 in a list.
    app.get(&format!("/account/permission/{menu}/"))
        .bearer(&token)
        .send()
        .await
        .assert_status(404);
    let r = app
        .patch("/account/group/2/")
        .bearer(&token)
        .json(&json!({"permissions": [menu]}))
        .send()
        .await;
    assert!(r.invalid()["permissions"].is_array(), "{}", r.json);
    let r = app
        .post(&format!("/account/group/2/permission/?perm_ids={menu}"))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(r.status, 400, "{}", r.json);

    let pid = new_api_permission(&app, &token).await;
    let r = app
        .patch("/account/group/2/")
        .bearer(&token)
        .json(&json!({"permissions": [pid]}))
        .send()
        .await;
    assert_eq!(perm_ids(r.account(200, 200)), [pid]);
    assert!(api_permission_ids(&app, &token).await.contains(&pid));
    // The back office's menus of that role are still there.
    let after = ops::domain::access::roles::permission_ids(&db, 2)
        .await
        .unwrap();
    for m in &menus_before {
        assert!(after.contains(m), "menu {m} kept: {after:?}");
    }
    assert!(after.contains(&pid));

    // A user's direct permissions follow the same rule.
    let uid = plain_user(&app, &token, "gina").await;
    let url = format!("/account/user/{uid}/");
    let r = app
        .patch(&url)
        .bearer(&token)
        .json(&json!({"permissions": [menu]}))
        .send()
        .await;
    assert!(r.invalid()["permissions"].is_array(), "{}", r.json);
    let r = app
        .patch(&url)
        .bearer(&token)
        .json(&json!({"permissions": [pid]}))
        .send()
        .await;
    let u = r.account(200, 200);
    assert_eq!(perm_ids(u), [pid]);
    assert_eq!(numbers(&u["user_permissions"]), [pid]);
}

async fn superusers_are_staff(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = admin(&app).await;
    let r = app.get("/account/user/1/").bearer(&token).send().await;
    let me = r.account(200, 200);
    assert_eq!(me["username"], "admin");
    assert_eq!(me["is_superuser"], true);
    assert_eq!(me["is_staff"], true);
    let uid = plain_user(&app, &token, "hal").await;
    let r = app
        .get(&format!("/account/user/{uid}/"))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(r.account(200, 200)["is_staff"], false);
}

db_test!(
    groups_and_users_hold_only_api_permissions,
    superusers_are_staff
);

/// An admin permission entry of type `api` without a method and an API (a menu's API entry)
/// is not an account API permission anywhere: groups and users don't list it, don't accept
/// it, and replacing their API permissions leaves it where the back office put it.
async fn an_admin_api_entry_is_neither_listed_nor_granted_nor_replaced(b: Backend) {
    let app = TestApp::spawn(b).await;
    let root = crate::admin_common::root(&app).await;
    let token = admin(&app).await;
    let r = app
        .post("/admin/v1/permissions")
        .bearer(&root)
        .json(&json!({ "name": "接口", "code": "system:api:entry", "type": "api" }))
        .send()
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let entry = r.json["data"]["id"].as_i64().unwrap();
    let pid = new_api_permission(&app, &token).await;
    let uid = plain_user(&app, &token, "hugo").await;

    // The back office grants the entry to the admin role and to the user directly.
    let db = app.db().await;
    let mut menus = ops::domain::access::roles::permission_ids(&db, 2)
        .await
        .unwrap();
    menus.push(entry);
    let r = app
        .put("/admin/v1/roles/2")
        .bearer(&root)
        .json(&json!({ "permission_ids": menus }))
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    sqlx::query("INSERT INTO user_permissions (user_id, permission_id) VALUES ($1, $2)")
        .bind(uid)
        .bind(entry)
        .execute(db.pool())
        .await
        .unwrap();

    // Not listed.
    let g = app.get("/account/group/2/").bearer(&token).send().await;
    assert_eq!(perm_ids(g.account(200, 200)), Vec::<i64>::new());
    let url = format!("/account/user/{uid}/");
    let u = app.get(&url).bearer(&token).send().await;
    let u = u.account(200, 200);
    assert_eq!(perm_ids(u), Vec::<i64>::new(), "{u}");
    assert_eq!(numbers(&u["user_permissions"]), Vec::<i64>::new(), "{u}");

    // Not accepted, in a list or through the group's permission route.
    for (path, body) in [
        (
            "/account/group/2/".to_owned(),
            json!({ "permissions": [entry] }),
        ),
        (url.clone(), json!({ "permissions": [entry] })),
    ] {
        let r = app.patch(&path).bearer(&token).json(&body).send().await;
        assert!(r.invalid()["permissions"].is_array(), "{path}: {}", r.json);
    }
    let r = app
        .post(&format!("/account/group/2/permission/?perm_ids={entry}"))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(r.status, 400, "{}", r.json);

    // Replacing the API permissions keeps the entry on the role and on the user.
    let r = app
        .patch("/account/group/2/")
        .bearer(&token)
        .json(&json!({ "permissions": [pid] }))
        .send()
        .await;
    assert_eq!(perm_ids(r.account(200, 200)), [pid]);
    let held = ops::domain::access::roles::permission_ids(&db, 2)
        .await
        .unwrap();
    assert!(held.contains(&entry) && held.contains(&pid), "{held:?}");
    let r = app
        .patch(&url)
        .bearer(&token)
        .json(&json!({ "permissions": [pid] }))
        .send()
        .await;
    assert_eq!(perm_ids(r.account(200, 200)), [pid]);
    let direct: Vec<i64> = sqlx::query_scalar(
        "SELECT permission_id FROM user_permissions WHERE user_id = $1 ORDER BY permission_id",
    )
    .bind(uid)
    .fetch_all(db.pool())
    .await
    .unwrap();
    let mut want = vec![entry, pid];
    want.sort();
    assert_eq!(direct, want);
    app.stop().await;
}

db_test!(an_admin_api_entry_is_neither_listed_nor_granted_nor_replaced);
