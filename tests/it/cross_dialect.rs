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

db_test!(
    a_group_created_in_account_is_a_role_in_admin_v1,
    a_role_created_in_admin_v1_is_a_group_in_account,
    one_account_logs_in_through_every_dialect,
);
