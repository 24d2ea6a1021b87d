//! `account` bodies as DRF's default parsers read them (issue 18): login and every write accept
//! `application/x-www-form-urlencoded` and `multipart/form-data` as well as JSON.

use reqwest::multipart::Form;
use serde_json::json;

use crate::account_support::{AccountResp, admin};
use crate::db_test;
use crate::support::{ADMIN_PASSWORD, Backend, TestApp};

const URLENCODED: &str = "application/x-www-form-urlencoded";

async fn login_accepts_a_urlencoded_and_a_multipart_form(b: Backend) {
    let app = TestApp::spawn(b).await;
    let body = format!("username=admin&password={ADMIN_PASSWORD}");
    let r = app
        .post("/account/login/")
        .body(URLENCODED, body)
        .send()
        .await;
    let token = r.account(200, 200)["token"].as_str().unwrap().to_owned();
    let me = app.get("/account/user/1/").bearer(&token).send().await;
    assert_eq!(me.account(200, 200)["username"], "admin");

    let form = Form::new()
        .text("username", "admin")
        .text("password", ADMIN_PASSWORD);
    let r = app.post("/account/login/").multipart(form).send().await;
    assert!(r.account(200, 200)["token"].is_string());

    // A wrong password in a form is the same refusal as in JSON.
    let r = app
        .post("/account/login/")
        .body(URLENCODED, "username=admin&password=nope")
        .send()
        .await;
    assert_ne!(r.json["code"], json!(200), "{}", r.text());
    app.stop().await;
}

async fn writes_read_forms_with_repeated_keys_as_lists(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = admin(&app).await;
    let mut groups = Vec::new();
    for name in ["ops", "audit"] {
        let r = app
            .post("/account/group/")
            .bearer(&token)
            .body(URLENCODED, format!("name={name}"))
            .send()
            .await;
        groups.push(r.account(201, 201)["id"].as_i64().unwrap());
    }
    // A user created from a multipart form: text fields as strings, a boolean as "true", and
    // the many-to-many field as a repeated key.
    let form = Form::new()
        .text("username", "formuser")
        .text("password", "secret123")
        .text("email", "formuser@example.com")
        .text("is_active", "true")
        .text("groups", groups[0].to_string())
        .text("groups", groups[1].to_string());
    let r = app
        .post("/account/user/")
        .bearer(&token)
        .multipart(form)
        .send()
        .await;
    let user = r.account(201, 201).clone();
    assert_eq!(user["username"], "formuser");
    assert_eq!(user["email"], "formuser@example.com");
    assert_eq!(user["is_active"], true);
    assert_eq!(user["groups"], json!(groups));
    let id = user["id"].as_i64().unwrap();

    // One value of a list field is a list of one (DRF reads it with getlist).
    let url = format!("/account/user/{id}/");
    let r = app
        .patch(&url)
        .bearer(&token)
        .body(URLENCODED, format!("groups={}&first_name=Ann", groups[1]))
        .send()
        .await;
    let patched = r.account(200, 200).clone();
    assert_eq!(patched["groups"], json!([groups[1]]));
    assert_eq!(patched["first_name"], "Ann");
    let read = app.get(&url).bearer(&token).send().await;
    assert_eq!(read.account(200, 200)["groups"], json!([groups[1]]));

    // Bad form values get the same field errors as JSON, and change nothing.
    let r = app
        .patch(&url)
        .bearer(&token)
        .body(URLENCODED, "groups=x&is_active=maybe")
        .send()
        .await;
    let errors = r.invalid().clone();
    assert!(errors.get("groups").is_some(), "{errors}");
    assert!(errors.get("is_active").is_some(), "{errors}");
    let read = app.get(&url).bearer(&token).send().await;
    let after = read.account(200, 200);
    assert_eq!(after["groups"], json!([groups[1]]));
    assert_eq!(after["is_active"], true);
    app.stop().await;
}

async fn a_broken_multipart_body_is_a_parse_error(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = admin(&app).await;
    let groups = |r: &crate::support::http::Resp| r.account(200, 200).as_array().unwrap().len();
    let before = groups(&app.get("/account/group/").bearer(&token).send().await);
    let r = app
        .post("/account/group/")
        .bearer(&token)
        .body("multipart/form-data; boundary=zzz", "--zzz\r\nno headers")
        .send()
        .await;
    assert_eq!(r.status, 400, "{}", r.text());
    let data = r.invalid();
    assert!(
        data["detail"].is_string() || data["detail"].is_array(),
        "{data}"
    );
    let after = groups(&app.get("/account/group/").bearer(&token).send().await);
    assert_eq!(after, before, "nothing created");
    app.stop().await;
}

db_test!(
    login_accepts_a_urlencoded_and_a_multipart_form,
    writes_read_forms_with_repeated_keys_as_lists,
    a_broken_multipart_body_is_a_parse_error,
);
