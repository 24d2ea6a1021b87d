//! `account` `/user/` routes (issue 7).

use serde_json::{Value, json};

use crate::account_support::{AccountResp, admin, create_user, ids, login, plain_user};
use crate::db_test;
use crate::support::{Backend, TestApp};

fn doc_body(username: &str) -> Value {
    // The document's example, with its own values.
    json!({
        "groups": [1],
        "permissions": [],
        "is_superuser": true,
        "username": username,
        "first_name": "",
        "last_name": "",
        "email": "admin20@ksjgs.com",
        "is_staff": false,
        "gender": "male",
        "phone": null,
        "dingding": null,
        "password": "123456789"
    })
}

async fn create_answers_every_field_of_the_document(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = admin(&app).await;
    let r = app
        .post("/account/user/")
        .bearer(&token)
        .json(&doc_body("admin200"))
        .send()
        .await;
    let data = r.account(201, 201).clone();
    assert_eq!(r.json["msg"], "请求成功");
    let mut keys: Vec<&str> = data
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "date_joined",
            "dingding",
            "email",
            "first_name",
            "gender",
            "groups",
            "id",
            "is_active",
            "is_staff",
            "is_superuser",
            "last_login",
            "last_name",
            "permissions",
            "phone",
            "user_permissions",
            "username"
        ]
    );
    assert_eq!(data["username"], "admin200");
    assert_eq!(data["is_superuser"], true);
    // Superusers are staff, as Django's createsuperuser makes them.
    assert_eq!(data["is_staff"], true);
    assert_eq!(data["is_active"], true);
    assert_eq!(data["groups"], json!([1]));
    assert_eq!(data["permissions"], json!([]));
    assert_eq!(data["user_permissions"], json!([]));
    assert_eq!(data["last_login"], Value::Null);
    assert_eq!(data["phone"], Value::Null);
    assert_eq!(data["gender"], "male");
    let joined = data["date_joined"].as_str().unwrap();
    assert!(
        chrono::NaiveDateTime::parse_from_str(joined, "%Y-%m-%dT%H:%M:%S%.6f").is_ok()
            && joined.len() == 26,
        "{joined}"
    );
    assert!(!r.text().contains("123456789"));
    // The new superuser can log in, and last_login is then set.
    login(&app, "admin200", "123456789").await;
    let id = data["id"].as_i64().unwrap();
    let me = app
        .get(&format!("/account/user/{id}/"))
        .bearer(&token)
        .send()
        .await;
    assert!(me.account(200, 200)["last_login"].is_string());
}

async fn duplicate_username_is_the_django_message(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = admin(&app).await;
    create_user(&app, &token, doc_body("admin200")).await;
    let mut again = doc_body("admin200");
    again["email"] = json!("other@ksjgs.com");
    let r = app
        .post("/account/user/")
        .bearer(&token)
        .json(&again)
        .send()
        .await;
    assert_eq!(
        *r.invalid(),
        json!({"username": ["A user with that username already exists."]})
    );
}

async fn bad_fields_are_each_reported(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = admin(&app).await;
    let r = app
        .post("/account/user/")
        .bearer(&token)
        .json(&json!({
            "username": "has space",
            "password": "12345",
            "email": "not-an-email",
            "groups": "1",
            "is_staff": "maybe",
            "gender": "robot",
            "first_name": "x".repeat(31)
        }))
        .send()
        .await;
    let data = r.invalid();
    for field in [
        "username",
        "password",
        "email",
        "groups",
        "is_staff",
        "gender",
        "first_name",
    ] {
        assert!(data[field][0].is_string(), "{field}: {data}");
    }
    let r = app
        .post("/account/user/")
        .bearer(&token)
        .json(&json!({}))
        .send()
        .await;
    assert_eq!(
        *r.invalid(),
        json!({"username": ["This field is required."], "password": ["This field is required."]})
    );
    let r = app
        .post("/account/user/")
        .bearer(&token)
        .json(&json!({"username": "bob", "password": "secret123", "groups": [999]}))
        .send()
        .await;
    assert_eq!(
        *r.invalid(),
        json!({"groups": ["Invalid pk \"999\" - object does not exist."]})
    );
    let r = app.get("/account/user/").bearer(&token).send().await;
    assert_eq!(r.account(200, 200).as_array().unwrap().len(), 1);
}

async fn batch_create_is_all_or_nothing(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = admin(&app).await;
    let r = app
        .post("/account/user/")
        .bearer(&token)
        .json(&json!([
            {"username": "u1", "password": "secret123"},
            {"username": "u2", "password": "1"},
        ]))
        .send()
        .await;
    let data = r.invalid();
    assert_eq!(data[0], json!({}));
    assert!(data[1]["password"][0].is_string(), "{data}");
    // A clash found only in the database also rolls the whole batch back.
    let r = app
        .post("/account/user/")
        .bearer(&token)
        .json(&json!([
            {"username": "u1", "password": "secret123"},
            {"username": "u1", "password": "secret123"},
        ]))
        .send()
        .await;
    assert_eq!(
        r.invalid()[1],
        json!({"username": ["A user with that username already exists."]})
    );
    let list = app.get("/account/user/").bearer(&token).send().await;
    assert_eq!(list.account(200, 200).as_array().unwrap().len(), 1);
    let r = app
        .post("/account/user/")
        .bearer(&token)
        .json(&json!([
            {"username": "u1", "password": "secret123"},
            {"username": "u2", "password": "secret123", "first_name": "Two"},
        ]))
        .send()
        .await;
    let created = r.account(201, 201);
    assert_eq!(created.as_array().unwrap().len(), 2);
    assert_eq!(created[1]["first_name"], "Two");
}

async fn list_is_an_array_or_a_drf_page(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = admin(&app).await;
    for i in 0..4 {
        plain_user(&app, &token, &format!("user{i}")).await;
    }
    let all = app.get("/account/user").bearer(&token).send().await;
    let all_ids = ids(all.account(200, 200));
    assert_eq!(all_ids.len(), 5);
    let r = app
        .get("/account/user/?page=2&page_size=2")
        .bearer(&token)
        .send()
        .await;
    let page = r.account(200, 200);
    assert_eq!(page["count"], 5);
    assert_eq!(ids(&page["results"]), all_ids[2..4]);
    let next = page["next"].as_str().unwrap();
    assert!(
        next.ends_with("/account/user/?page=3&page_size=2"),
        "{next}"
    );
    let prev = page["previous"].as_str().unwrap();
    assert!(prev.ends_with("/account/user/?page_size=2"), "{prev}");
    let last = app
        .get("/account/user/?page=3&page_size=2")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(last.account(200, 200)["next"], Value::Null);
    let first = app.get("/account/user/?page=1").bearer(&token).send().await;
    let first = first.account(200, 200);
    assert_eq!(first["previous"], Value::Null);
    assert_eq!(first["results"].as_array().unwrap().len(), 5);
    for bad in ["?page=4&page_size=2", "?page=0", "?page=x"] {
        app.get(&format!("/account/user/{bad}"))
            .bearer(&token)
            .send()
            .await
            .account(404, 404);
    }
}

async fn put_and_patch_update_and_check_types(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = admin(&app).await;
    let id = plain_user(&app, &token, "dave").await;
    let url = format!("/account/user/{id}/");
    let r = app
        .put(&url)
        .bearer(&token)
        .json(&json!({
            "groups": [3], "permissions": [], "is_superuser": false, "username": "dave2",
            "first_name": "Dave", "last_name": "Smith", "email": "dave2@example.com",
            "is_staff": true, "gender": "male", "phone": "13800138000", "dingding": "123456789",
            "password": "newpass123"
        }))
        .send()
        .await;
    let data = r.account(200, 200);
    assert_eq!(data["username"], "dave2");
    assert_eq!(data["first_name"], "Dave");
    assert_eq!(data["last_name"], "Smith");
    assert_eq!(data["is_staff"], true);
    assert_eq!(data["phone"], "13800138000");
    let mut groups: Vec<i64> = serde_json::from_value(data["groups"].clone()).unwrap();
    groups.sort_unstable();
    assert_eq!(groups, [2, 3]);
    login(&app, "dave2", "newpass123").await;
    // PUT without the required username.
    let r = app
        .put(&url)
        .bearer(&token)
        .json(&json!({"first_name": "x"}))
        .send()
        .await;
    assert_eq!(r.invalid()["username"], json!(["This field is required."]));
    // PATCH: unknown fields are ignored, a wrong type is 400.
    let r = app
        .patch(&url)
        .bearer(&token)
        .json(&json!({"last_name": "Jones", "favourite_colour": "blue"}))
        .send()
        .await;
    let data = r.account(200, 200);
    assert_eq!(data["last_name"], "Jones");
    assert_eq!(data["first_name"], "Dave");
    let r = app
        .patch(&url)
        .bearer(&token)
        .json(&json!({"is_active": "sometimes"}))
        .send()
        .await;
    assert_eq!(
        r.invalid()["is_active"],
        json!(["Must be a valid boolean."])
    );
    let r = app
        .patch(&url)
        .bearer(&token)
        .json(&json!({"groups": [1, "x"]}))
        .send()
        .await;
    assert!(r.invalid()["groups"][0].is_string());
    let after = app.get(&url).bearer(&token).send().await;
    assert_eq!(after.account(200, 200)["is_staff"], true);
}

async fn the_display_name_other_dialects_see_is_first_plus_last(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = admin(&app).await;
    let created = create_user(
        &app,
        &token,
        json!({"username": "erin", "password": "secret123", "first_name": "Erin", "last_name": "Lee"}),
    )
    .await;
    let db = app.db().await;
    let id = created["id"].as_i64().unwrap();
    let user = ops::domain::identity::user::get(db.pool(), id)
        .await
        .unwrap();
    assert_eq!(user.display_name, "Erin Lee");
}

async fn unknown_pk_is_404(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = admin(&app).await;
    for r in [
        app.get("/account/user/999/").bearer(&token).send().await,
        app.get("/account/user/abc/").bearer(&token).send().await,
        app.patch("/account/user/999/")
            .bearer(&token)
            .json(&json!({"first_name": "x"}))
            .send()
            .await,
        app.delete("/account/user/999/").bearer(&token).send().await,
    ] {
        assert_eq!(*r.account(404, 404), Value::Null);
        assert_eq!(r.json["msg"], "Not found.");
    }
}

async fn delete_and_multiple_delete(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = admin(&app).await;
    let a = plain_user(&app, &token, "a1").await;
    let b2 = plain_user(&app, &token, "a2").await;
    let c = plain_user(&app, &token, "a3").await;
    let d = plain_user(&app, &token, "a4").await;
    let user_token = login(&app, "a1", "secret123").await;
    app.delete(&format!("/account/user/{a}/"))
        .bearer(&token)
        .send()
        .await
        .no_content();
    // The deleted user's session ends with them.
    app.get("/account/logout/").send().await.no_content();
    app.get("/account/user/")
        .bearer(&user_token)
        .send()
        .await
        .account(401, 401);
    // Non-numeric ids: 400 and nothing deleted; an unknown id: 404 and nothing deleted.
    let r = app
        .delete(&format!("/account/usr/multiple_delete/?ids={b2},x"))
        .bearer(&token)
        .send()
        .await;
    assert!(r.invalid()["ids"][0].is_string());
    app.delete(&format!("/account/user/multiple_delete/?ids={b2},999"))
        .bearer(&token)
        .send()
        .await
        .account(404, 404);
    app.delete("/account/user/multiple_delete/")
        .bearer(&token)
        .send()
        .await
        .invalid();
    let list = app.get("/account/user/").bearer(&token).send().await;
    assert_eq!(ids(list.account(200, 200)).len(), 4);
    app.delete(&format!("/account/usr/multiple_delete/?ids={b2},{c}"))
        .bearer(&token)
        .send()
        .await
        .no_content();
    app.delete(&format!("/account/user/multiple_delete/?ids={d}"))
        .bearer(&token)
        .send()
        .await
        .no_content();
    let list = app.get("/account/user/").bearer(&token).send().await;
    assert_eq!(ids(list.account(200, 200)), [1]);
}

async fn only_a_superuser_grants_superuser(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = admin(&app).await;
    // A staff member allowed every API route, but not a superuser.
    let api = app
        .post("/account/backendapi/")
        .bearer(&token)
        .json(&json!({"name": "all", "pattern": "^/account/"}))
        .send()
        .await
        .account(201, 201)["id"]
        .clone();
    let perm = app
        .post("/account/permission/")
        .bearer(&token)
        .json(&json!({"method": "ALL", "api_id": api}))
        .send()
        .await
        .account(201, 201)["id"]
        .clone();
    create_user(
        &app,
        &token,
        json!({"username": "staff", "password": "secret123", "permissions": [perm]}),
    )
    .await;
    let staff = login(&app, "staff", "secret123").await;
    let r = app
        .post("/account/user/")
        .bearer(&staff)
        .json(&json!({"username": "root2", "password": "secret123", "is_superuser": true}))
        .send()
        .await;
    r.account(403, 403);
    app.patch("/account/user/1/")
        .bearer(&staff)
        .json(&json!({"password": "hijacked1"}))
        .send()
        .await
        .account(403, 403);
    app.delete("/account/user/1/")
        .bearer(&staff)
        .send()
        .await
        .account(403, 403);
    let ok = create_user(
        &app,
        &staff,
        json!({"username": "plain", "password": "secret123"}),
    )
    .await;
    assert_eq!(ok["is_superuser"], false);
}

db_test!(
    create_answers_every_field_of_the_document,
    duplicate_username_is_the_django_message,
    bad_fields_are_each_reported,
    batch_create_is_all_or_nothing,
    list_is_an_array_or_a_drf_page,
    put_and_patch_update_and_check_types,
    the_display_name_other_dialects_see_is_first_plus_last,
    unknown_pk_is_404,
    delete_and_multiple_delete,
    only_a_superuser_grants_superuser,
);
