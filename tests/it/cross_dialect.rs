//! One core under four dialects: what one dialect writes, the others see.

use serde_json::json;

use crate::account_support::{self as account, AccountResp};
use crate::admin_common::{self as admin, AdminResp};
use crate::db_test;
use crate::support::{Backend, TestApp};

async fn a_group_created_in_account_is_a_role_in_admin_v1(b: Backend) {
    let app = TestApp::spawn(b).await;
    let acc = account::admin(&app).await;
    let group = app
        .post("/account/group/")
        .bearer(&acc)
        .json(&json!({"name": "仓库组"}))
        .send()
        .await;
    let group_id = group.account(201, 201)["id"].as_i64().unwrap();
    let carol = account::create_user(
        &app,
        &acc,
        json!({"username": "carol", "password": "secret123", "email": "carol@example.com", "groups": [group_id]}),
    )
    .await["id"]
        .as_i64()
        .unwrap();

    let root = admin::root(&app).await;
    let role = app
        .get(&admin::path(&format!("/roles/{group_id}")))
        .bearer(&root)
        .send()
        .await;
    let role = role.admin(200, 200).clone();
    assert_eq!(role["name"], "仓库组");
    assert!(
        role["users"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["id"] == json!(carol)),
        "{role}"
    );
    let user = app
        .get(&admin::path(&format!("/users/{carol}")))
        .bearer(&root)
        .send()
        .await;
    let roles = user.admin(200, 200)["roles"].clone();
    assert!(
        roles
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"] == json!(group_id)),
        "{roles}"
    );
}

async fn a_role_created_in_admin_v1_is_a_group_in_account(b: Backend) {
    let app = TestApp::spawn(b).await;
    let root = admin::root(&app).await;
    let role_id = admin::create_role(&app, &root, "运营", &[]).await;
    let acc = account::admin(&app).await;
    let group = app
        .get(&format!("/account/group/{role_id}/"))
        .bearer(&acc)
        .send()
        .await;
    assert_eq!(group.account(200, 200)["name"], "运营");
}

async fn one_account_logs_in_through_every_dialect(b: Backend) {
    let app = TestApp::spawn(b).await;
    let body = json!({"name": "dora", "password": "secret12", "password_confirm": "secret12", "email": "dora@example.com"});
    app.post("/api/v1/users/register")
        .json(&body)
        .send()
        .await
        .ops(200, "0");
    admin::login(&app, "dora", "secret12").await;
    account::login(&app, "dora", "secret12").await;
}

async fn deleting_a_user_frees_their_blobs_at_the_next_maintenance_pass(b: Backend) {
    use crate::ops_files::{png_of, upload};
    let app = TestApp::spawn(b).await;
    let reg =
        |name: &str| json!({"name": name, "password": "secret12", "password_confirm": "secret12"});
    let erin = app
        .post("/api/v1/users/register")
        .json(&reg("erin"))
        .send()
        .await
        .ops(200, "0")["user_id"]
        .as_i64()
        .unwrap();
    app.post("/api/v1/users/register")
        .json(&reg("fred"))
        .send()
        .await
        .ops(200, "0");
    let erin_token = crate::ops_users::login(&app, "erin", "secret12").await;
    let fred_token = crate::ops_users::login(&app, "fred", "secret12").await;
    let only_erins = upload(&app, &erin_token, &png_of(400, 7), "a.png").await["sha256"]
        .as_str()
        .unwrap()
        .to_owned();
    let shared = upload(&app, &erin_token, &png_of(400, 8), "b.png").await["sha256"]
        .as_str()
        .unwrap()
        .to_owned();
    upload(&app, &fred_token, &png_of(400, 8), "b.png").await;

    let root = admin::root(&app).await;
    app.delete(&admin::path(&format!("/users/{erin}")))
        .bearer(&root)
        .send()
        .await
        .admin(200, 200);
    let db = app.db().await;
    let store = ops::domain::files::store(&app.config.file);
    let swept = ops::domain::platform::maintenance::run_once(&db, store.as_ref())
        .await
        .unwrap();
    assert_eq!(
        swept.blobs, 1,
        "only the blob no record references any more"
    );
    app.get(&format!("/api/v1/files/get/{only_erins}"))
        .send()
        .await
        .ops(404, "-100");
    app.get(&format!("/api/v1/files/get/{shared}"))
        .send()
        .await
        .assert_status(200);
    // A second pass finds nothing more.
    let again = ops::domain::platform::maintenance::run_once(&db, store.as_ref())
        .await
        .unwrap();
    assert_eq!(again.blobs, 0);
}

async fn a_jwt_opens_only_the_dialect_that_issued_it(b: Backend) {
    let app = TestApp::spawn(b).await;
    // Both dialects sign with the same secret; the session's kind decides.
    let (admin_jwt, _) = admin::login(&app, "admin", crate::support::ADMIN_PASSWORD).await;
    let hanzi = app
        .post("/hanzi/login")
        .json(&json!({"username": "admin", "password": crate::support::ADMIN_PASSWORD}))
        .send()
        .await;
    hanzi.assert_status(200);
    let hanzi_jwt = hanzi.json["token"].as_str().unwrap().to_owned();
    app.get(&admin::path("/auth/user"))
        .bearer(&admin_jwt)
        .send()
        .await
        .admin(200, 200);
    app.get(&admin::path("/auth/user"))
        .bearer(&hanzi_jwt)
        .send()
        .await
        .admin(401, 10002);
    let guarded = |t: &str| app.delete("/hanzi/users/nobody-here").bearer(t).send();
    assert_eq!(
        guarded(&hanzi_jwt).await.json["err"],
        "DB-10000001",
        "the hanzi JWT passes the guard"
    );
    let r = guarded(&admin_jwt).await;
    r.assert_status(401);
    assert_eq!(r.json["err"], "AUTH-10000001");
}

db_test!(
    a_jwt_opens_only_the_dialect_that_issued_it,
    deleting_a_user_frees_their_blobs_at_the_next_maintenance_pass,
    a_group_created_in_account_is_a_role_in_admin_v1,
    a_role_created_in_admin_v1_is_a_group_in_account,
    one_account_logs_in_through_every_dialect,
);
