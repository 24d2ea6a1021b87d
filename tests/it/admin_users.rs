//! `admin_v1` §3 用户管理 (issue 5).

use serde_json::{Value, json};

use crate::admin_common::{AdminResp, create_role, create_user, login, path, role_id, root};
use crate::db_test;
use crate::support::{Backend, TestApp};

fn li_si() -> Value {
    json!({
        "username": "farmer002",
        "password": "password123",
        "real_name": "李四",
        "phone": "13900139000",
        "email": "li@example.com",
        "gender": 1,
        "birthday": "1985-05-15",
        "address": "上海市浦东新区",
        "id_card": "110101198505150011",
        "role_ids": []
    })
}

async fn user_count(app: &TestApp) -> i64 {
    ops::domain::identity::user::count(&app.db().await)
        .await
        .unwrap()
}

async fn create_then_detail_and_list_show_the_user(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = root(&app).await;
    let admin_role = role_id(&app, &token, "admin").await;
    let mut body = li_si();
    body["role_ids"] = json!([admin_role]);
    let r = app
        .post(&path("/users"))
        .bearer(&token)
        .json(&body)
        .send()
        .await;
    let d = r.admin(201, 201).clone();
    assert_eq!(r.json["message"], "创建成功");
    assert_eq!(d["username"], "farmer002");
    assert_eq!(d["real_name"], "李四");
    assert_eq!(d["phone"], "139****9000");
    assert_eq!(d["status"], 1);
    assert!(d.get("password").is_none());
    let id = d["id"].as_i64().unwrap();

    let r = app
        .get(&path(&format!("/users/{id}")))
        .bearer(&token)
        .send()
        .await;
    let u = r.admin(200, 200);
    assert_eq!(u["phone"], "13900139000");
    assert_eq!(u["gender"], 1);
    assert_eq!(u["birthday"], "1985-05-15");
    assert_eq!(u["address"], "上海市浦东新区");
    assert_eq!(u["id_card"], "110101198505150011");
    assert_eq!(u["roles"][0]["code"], "admin");
    assert_eq!(u["farms"], json!([]));
    assert_eq!(u["last_login_at"], Value::Null);
    assert_eq!(u["created_at"].as_str().unwrap().len(), 19);

    let r = app
        .get(&path("/users"))
        .bearer(&token)
        .query(&[("keyword", "李四")])
        .send()
        .await;
    let d = r.admin(200, 200);
    assert_eq!(
        d["pagination"],
        json!({"page": 1, "page_size": 20, "total": 1, "total_pages": 1})
    );
    let item = &d["list"][0];
    assert_eq!(item["phone"], "139****9000");
    assert_eq!(
        item["roles"],
        json!([{"id": admin_role, "name": "管理员", "code": "admin"}])
    );

    // The new user logs in with the password given.
    login(&app, "farmer002", "password123").await;
    app.get(&path("/users/999999"))
        .bearer(&token)
        .send()
        .await
        .admin(404, 10004);
    // A path id that is not canonical decimal names nothing (decisions §8).
    for bad in ["abc", "01", "+1"] {
        app.get(&path(&format!("/users/{bad}")))
            .bearer(&token)
            .send()
            .await
            .admin(404, 10004);
    }
}

async fn create_rejects_bad_input_naming_every_field_and_writes_nothing(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = root(&app).await;
    let before = user_count(&app).await;
    let r = app
        .post(&path("/users"))
        .bearer(&token)
        .json(&json!({}))
        .send()
        .await;
    r.admin(422, 10006);
    assert_eq!(r.error_fields(), ["username", "password"]);
    let r = app
        .post(&path("/users"))
        .bearer(&token)
        .json(&json!({
            "username": "ab", "password": "12345", "phone": "12345", "email": "nope",
            "gender": 5, "birthday": "1985-13-40", "status": 3, "role_ids": [424242],
            "id_card": "abc"
        }))
        .send()
        .await;
    r.admin(422, 10006);
    let mut fields = r.error_fields();
    fields.sort();
    assert_eq!(
        fields,
        [
            "birthday", "email", "gender", "id_card", "password", "phone", "role_ids", "status",
            "username"
        ]
    );
    let r = app
        .post(&path("/users"))
        .bearer(&token)
        .json(&json!({"username": null, "password": "secret12"}))
        .send()
        .await;
    r.admin(422, 10006);
    let r = app
        .post(&path("/users"))
        .bearer(&token)
        .json(&json!({"username": "valid1", "password": "secret12", "gender": "male"}))
        .send()
        .await;
    r.admin(400, 10001);
    assert_eq!(r.error_fields(), ["gender"]);
    app.post(&path("/users"))
        .bearer(&token)
        .json(&json!({"username": "valid1", "password": "secret12", "role_ids": "1"}))
        .send()
        .await
        .admin(400, 10001);
    app.post(&path("/users"))
        .bearer(&token)
        .body("application/json", "[1, 2")
        .send()
        .await
        .admin(400, 10001);
    assert_eq!(user_count(&app).await, before);
}

async fn duplicate_username_phone_and_email_have_their_own_codes(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = root(&app).await;
    app.post(&path("/users"))
        .bearer(&token)
        .json(&li_si())
        .send()
        .await
        .admin(201, 201);
    let cases = [
        (json!({"username": "farmer002"}), 20001, "用户名已存在"),
        (
            json!({"username": "other1", "phone": "13900139000"}),
            20002,
            "手机号已存在",
        ),
        (
            json!({"username": "other1", "email": "LI@example.com"}),
            20003,
            "邮箱已存在",
        ),
    ];
    for (extra, code, message) in cases {
        let mut body = json!({"password": "secret12"});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        let r = app
            .post(&path("/users"))
            .bearer(&token)
            .json(&body)
            .send()
            .await;
        r.admin(400, code);
        assert_eq!(r.json["message"], message);
    }
}

async fn the_list_filters_and_pages(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = root(&app).await;
    let role = create_role(&app, &token, "养殖户", &[]).await;
    for i in 0..5 {
        let roles = if i < 2 { vec![role] } else { vec![] };
        let id = create_user(&app, &token, &format!("farmer{i}"), &roles).await;
        if i == 4 {
            app.post(&path(&format!("/users/{id}/toggle-status")))
                .bearer(&token)
                .json(&json!({"status": 0}))
                .send()
                .await
                .admin(200, 200);
        }
    }
    let q = |pairs: Vec<(&'static str, String)>| {
        let token = token.clone();
        let app = &app;
        async move {
            let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.get(&path("/users"))
                .bearer(&token)
                .query(&pairs)
                .send()
                .await
        }
    };
    let r = q(vec![("page", "2".into()), ("page_size", "2".into())]).await;
    let d = r.admin(200, 200);
    assert_eq!(
        d["pagination"],
        json!({"page": 2, "page_size": 2, "total": 6, "total_pages": 3})
    );
    assert_eq!(d["list"][0]["username"], "farmer1");
    let r = q(vec![("keyword", "FARMER".into()), ("status", "0".into())]).await;
    assert_eq!(r.admin(200, 200)["list"][0]["username"], "farmer4");
    assert_eq!(r.json["data"]["pagination"]["total"], 1);
    let r = q(vec![("role_id", role.to_string())]).await;
    assert_eq!(r.admin(200, 200)["pagination"]["total"], 2);
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let r = q(vec![
        ("created_start", today.clone()),
        ("created_end", today.clone()),
        ("status", "".into()),
    ])
    .await;
    assert_eq!(r.admin(200, 200)["pagination"]["total"], 6);
    let r = q(vec![("created_end", "2000-01-01".into())]).await;
    assert_eq!(r.admin(200, 200)["pagination"]["total"], 0);

    let r = q(vec![("page_size", "0".into()), ("page", "0".into())]).await;
    r.admin(422, 10006);
    assert_eq!(r.error_fields(), ["page", "page_size"]);
    q(vec![("page_size", "101".into())]).await.admin(422, 10006);
    q(vec![("status", "7".into())]).await.admin(422, 10006);
    q(vec![("created_start", "yesterday".into())])
        .await
        .admin(422, 10006);
    let r = q(vec![("page", "abc".into())]).await;
    r.admin(400, 10001);
    assert_eq!(r.error_fields(), ["page"]);
    q(vec![("role_id", "x".into())]).await.admin(400, 10001);
}

async fn update_changes_the_profile_and_the_roles(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = root(&app).await;
    let r1 = create_role(&app, &token, "r1", &[]).await;
    let r2 = create_role(&app, &token, "r2", &[]).await;
    let id = create_user(&app, &token, "farmer002", &[r1]).await;
    let r = app
        .put(&path(&format!("/users/{id}")))
        .bearer(&token)
        .json(&json!({
            "real_name": "李四四", "phone": "13900139001", "email": "li4@example.com",
            "gender": 2, "birthday": "1985-05-15", "address": "上海市浦东新区张江镇",
            "role_ids": [r1, r2]
        }))
        .send()
        .await;
    let d = r.admin(200, 200);
    assert_eq!(r.json["message"], "更新成功");
    assert_eq!(d["real_name"], "李四四");
    assert_eq!(d["phone"], "139****9001");
    assert_eq!(d["email"], "li4@example.com");
    assert_eq!(d["updated_at"].as_str().unwrap().len(), 19);
    let u = app
        .get(&path(&format!("/users/{id}")))
        .bearer(&token)
        .send()
        .await;
    let u = u.admin(200, 200);
    assert_eq!(u["gender"], 2);
    assert_eq!(u["address"], "上海市浦东新区张江镇");
    let ids: Vec<i64> = u["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [r1, r2]);

    let r = app
        .put(&path(&format!("/users/{id}")))
        .bearer(&token)
        .json(&json!({"phone": "abc", "role_ids": [999999]}))
        .send()
        .await;
    r.admin(422, 10006);
    assert_eq!(r.error_fields(), ["phone", "role_ids"]);
    app.put(&path("/users/999999"))
        .bearer(&token)
        .json(&json!({"real_name": "x"}))
        .send()
        .await
        .admin(404, 10004);
    // Another user's phone.
    create_user(&app, &token, "other1", &[]).await;
    let other = app
        .get(&path("/users"))
        .bearer(&token)
        .query(&[("keyword", "other1")])
        .send()
        .await;
    let other_id = other.admin(200, 200)["list"][0]["id"].as_i64().unwrap();
    app.put(&path(&format!("/users/{other_id}")))
        .bearer(&token)
        .json(&json!({"phone": "13900139001"}))
        .send()
        .await
        .admin(400, 20002);
}

async fn delete_and_batch_delete_never_take_the_caller(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = root(&app).await;
    let me = app.get(&path("/auth/user")).bearer(&token).send().await;
    let me = me.admin(200, 200)["id"].as_i64().unwrap();
    let a = create_user(&app, &token, "user_a", &[]).await;
    let b2 = create_user(&app, &token, "user_b", &[]).await;
    let c = create_user(&app, &token, "user_c", &[]).await;
    let (c_token, _) = login(&app, "user_c", "secret12").await;

    app.delete(&path(&format!("/users/{me}")))
        .bearer(&token)
        .send()
        .await
        .admin(403, 10003);
    let r = app
        .delete(&path(&format!("/users/{c}")))
        .bearer(&token)
        .send()
        .await;
    r.admin(200, 200);
    assert_eq!(r.json["message"], "删除成功");
    // A deleted user's sessions end with them.
    app.get(&path("/auth/user"))
        .bearer(&c_token)
        .send()
        .await
        .admin(401, 10002);
    app.delete(&path(&format!("/users/{c}")))
        .bearer(&token)
        .send()
        .await
        .admin(404, 10004);

    let before = user_count(&app).await;
    app.delete(&path("/users"))
        .bearer(&token)
        .json(&json!({"ids": [a, b2, me]}))
        .send()
        .await
        .admin(403, 10003);
    assert_eq!(user_count(&app).await, before);
    let r = app
        .delete(&path("/users"))
        .bearer(&token)
        .json(&json!({"ids": []}))
        .send()
        .await;
    r.admin(422, 10006);
    assert_eq!(r.error_fields(), ["ids"]);
    let r = app
        .delete(&path("/users"))
        .bearer(&token)
        .json(&json!({"ids": [a, b2, 999999]}))
        .send()
        .await;
    assert_eq!(r.admin(200, 200), &json!({"deleted_count": 2}));
    assert_eq!(r.json["message"], "批量删除成功");
    assert_eq!(user_count(&app).await, before - 2);
}

async fn reset_password_ends_the_users_sessions(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = root(&app).await;
    let id = create_user(&app, &token, "forgetful", &[]).await;
    let (old, refresh) = login(&app, "forgetful", "secret12").await;
    let r = app
        .post(&path(&format!("/users/{id}/reset-password")))
        .bearer(&token)
        .json(&json!({"new_password": "newpassword123"}))
        .send()
        .await;
    r.admin(200, 200);
    assert_eq!(r.json["message"], "密码重置成功");
    app.get(&path("/auth/user"))
        .bearer(&old)
        .send()
        .await
        .admin(401, 10002);
    app.post(&path("/auth/refresh"))
        .json(&json!({"refresh_token": refresh}))
        .send()
        .await
        .admin(401, 10002);
    app.post(&path("/auth/login"))
        .json(&json!({"username": "forgetful", "password": "secret12"}))
        .send()
        .await
        .admin(400, 20004);
    login(&app, "forgetful", "newpassword123").await;
    let r = app
        .post(&path(&format!("/users/{id}/reset-password")))
        .bearer(&token)
        .json(&json!({"new_password": "123"}))
        .send()
        .await;
    r.admin(422, 10006);
    assert_eq!(r.error_fields(), ["new_password"]);
    app.post(&path("/users/999999/reset-password"))
        .bearer(&token)
        .json(&json!({"new_password": "newpassword123"}))
        .send()
        .await
        .admin(404, 10004);
}

async fn toggle_status_disables_and_enables_but_never_the_caller(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = root(&app).await;
    let id = create_user(&app, &token, "switchy", &[]).await;
    let (their, _) = login(&app, "switchy", "secret12").await;
    let r = app
        .post(&path(&format!("/users/{id}/toggle-status")))
        .bearer(&token)
        .json(&json!({"status": 0}))
        .send()
        .await;
    assert_eq!(r.admin(200, 200), &json!({"id": id, "status": 0}));
    assert_eq!(r.json["message"], "状态更新成功");
    app.get(&path("/auth/user"))
        .bearer(&their)
        .send()
        .await
        .admin(401, 10002);
    // A toggle must name its target status (decisions §8); nothing changes otherwise.
    for body in [json!({}), json!({"status": null})] {
        let r = app
            .post(&path(&format!("/users/{id}/toggle-status")))
            .bearer(&token)
            .json(&body)
            .send()
            .await;
        r.admin(422, 10006);
        assert_eq!(r.error_fields(), ["status"]);
    }
    let db = app.db().await;
    assert!(
        !ops::domain::identity::user::get(db.pool(), id)
            .await
            .unwrap()
            .is_active
    );
    let r = app
        .post(&path(&format!("/users/{id}/toggle-status")))
        .bearer(&token)
        .json(&json!({"status": 1}))
        .send()
        .await;
    assert_eq!(r.admin(200, 200)["status"], 1);
    login(&app, "switchy", "secret12").await;
    app.post(&path(&format!("/users/{id}/toggle-status")))
        .bearer(&token)
        .json(&json!({"status": 2}))
        .send()
        .await
        .admin(422, 10006);
    let me = app.get(&path("/auth/user")).bearer(&token).send().await;
    let me = me.admin(200, 200)["id"].as_i64().unwrap();
    app.post(&path(&format!("/users/{me}/toggle-status")))
        .bearer(&token)
        .json(&json!({"status": 0}))
        .send()
        .await
        .admin(403, 10003);
    app.get(&path("/auth/user"))
        .bearer(&token)
        .send()
        .await
        .admin(200, 200);
}

async fn only_a_super_admin_grants_super_admin_through_the_api(b: Backend) {
    let app = TestApp::spawn(b).await;
    let root_token = root(&app).await;
    let admin_role = role_id(&app, &root_token, "admin").await;
    let super_role = role_id(&app, &root_token, "super_admin").await;
    create_user(&app, &root_token, "deputy", &[admin_role]).await;
    let (deputy, _) = login(&app, "deputy", "secret12").await;
    let target = create_user(&app, &deputy, "newbie", &[]).await;
    let r = app
        .post(&path("/users"))
        .bearer(&deputy)
        .json(&json!({"username": "sneaky", "password": "secret12", "role_ids": [super_role]}))
        .send()
        .await;
    r.admin(403, 10003);
    app.put(&path(&format!("/users/{target}")))
        .bearer(&deputy)
        .json(&json!({"role_ids": [super_role]}))
        .send()
        .await
        .admin(403, 10003);
    // An admin cannot act on a super admin's account either.
    let root_id = app
        .get(&path("/auth/user"))
        .bearer(&root_token)
        .send()
        .await;
    let root_id = root_id.admin(200, 200)["id"].as_i64().unwrap();
    app.post(&path(&format!("/users/{root_id}/toggle-status")))
        .bearer(&deputy)
        .json(&json!({"status": 0}))
        .send()
        .await
        .admin(403, 10003);
    app.put(&path(&format!("/users/{target}")))
        .bearer(&root_token)
        .json(&json!({"role_ids": [super_role]}))
        .send()
        .await
        .admin(200, 200);
    let (t, _) = login(&app, "newbie", "secret12").await;
    let me = app.get(&path("/auth/user")).bearer(&t).send().await;
    assert_eq!(me.admin(200, 200)["permissions"], json!(["*"]));
}

db_test!(
    create_then_detail_and_list_show_the_user,
    create_rejects_bad_input_naming_every_field_and_writes_nothing,
    duplicate_username_phone_and_email_have_their_own_codes,
    the_list_filters_and_pages,
    update_changes_the_profile_and_the_roles,
    delete_and_batch_delete_never_take_the_caller,
    reset_password_ends_the_users_sessions,
    toggle_status_disables_and_enables_but_never_the_caller,
    only_a_super_admin_grants_super_admin_through_the_api,
);
