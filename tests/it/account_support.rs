//! Helpers shared by the `account` dialect's tests.

use serde_json::{Value, json};

use crate::support::http::Resp;
use crate::support::{ADMIN_PASSWORD, TestApp};

/// Reads an `account` answer.
pub trait AccountResp {
    /// Asserts HTTP status, the envelope's shape and integer `code`; answers `data`.
    fn account(&self, status: u16, code: u16) -> &Value;
    /// A DRF validation failure: HTTP 400, `请求异常`; answers `data`.
    fn invalid(&self) -> &Value;
    /// Logout and deletes: HTTP 200, `code` 204, `data: null`.
    fn no_content(&self);
}

impl AccountResp for Resp {
    #[track_caller]
    fn account(&self, status: u16, code: u16) -> &Value {
        self.assert_status(status);
        assert_eq!(
            self.json["code"],
            json!(code),
            "code; body: {}",
            self.text()
        );
        assert!(self.json["msg"].is_string(), "msg; body: {}", self.text());
        assert!(
            self.json.get("data").is_some(),
            "data; body: {}",
            self.text()
        );
        &self.json["data"]
    }

    #[track_caller]
    fn invalid(&self) -> &Value {
        let data = self.account(400, 400);
        assert_eq!(self.json["msg"], "请求异常", "{}", self.text());
        data
    }

    #[track_caller]
    fn no_content(&self) {
        let data = self.account(200, 204);
        assert_eq!(*data, Value::Null);
        assert_eq!(self.json["msg"], "请求成功");
    }
}

/// Logs in through `/account/login/`; answers the token.
pub async fn login(app: &TestApp, username: &str, password: &str) -> String {
    let r = app
        .post("/account/login/")
        .json(&json!({"username": username, "password": password}))
        .send()
        .await;
    r.account(200, 200)["token"]
        .as_str()
        .expect("token")
        .to_owned()
}

/// The bootstrap super admin's token.
pub async fn admin(app: &TestApp) -> String {
    login(app, "admin", ADMIN_PASSWORD).await
}

/// Creates a user through `/account/user/` as `token`; answers the created user.
pub async fn create_user(app: &TestApp, token: &str, body: Value) -> Value {
    app.post("/account/user/")
        .bearer(token)
        .json(&body)
        .send()
        .await
        .account(201, 201)
        .clone()
}

/// A plain user `name` with password `secret123`, created by the admin; answers its id.
pub async fn plain_user(app: &TestApp, admin: &str, name: &str) -> i64 {
    create_user(
        app,
        admin,
        json!({"username": name, "password": "secret123", "email": format!("{name}@example.com")}),
    )
    .await["id"]
        .as_i64()
        .unwrap()
}

/// Ids of the objects in a list answer.
pub fn ids(list: &Value) -> Vec<i64> {
    list.as_array()
        .expect("a list")
        .iter()
        .map(|o| o["id"].as_i64().unwrap())
        .collect()
}
