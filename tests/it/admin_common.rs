//! Helpers shared by the `admin_v1` test modules: the envelope check and logins.

use serde_json::{Value, json};

use crate::support::http::Resp;
use crate::support::{ADMIN_PASSWORD, TestApp};

pub const P: &str = "/admin/v1";

pub fn path(p: &str) -> String {
    format!("{P}{p}")
}

/// Checks of the `admin_v1` envelope.
pub trait AdminResp {
    /// Asserts HTTP status, `code`, `success`, `timestamp`, and that `request_id` equals the
    /// `X-Request-Id` header; answers `data`.
    fn admin(&self, status: u16, code: u64) -> &Value;
    /// The `field`s of `errors[]`, in order.
    fn error_fields(&self) -> Vec<String>;
}

impl AdminResp for Resp {
    #[track_caller]
    fn admin(&self, status: u16, code: u64) -> &Value {
        self.assert_status(status);
        let j = &self.json;
        assert_eq!(
            j["code"],
            json!(code),
            "unexpected code; body: {}",
            self.text()
        );
        assert_eq!(
            j["success"],
            json!(status < 300),
            "success flag; body: {}",
            self.text()
        );
        assert!(j["message"].is_string(), "message: {}", self.text());
        assert!(
            j["timestamp"].as_i64().unwrap_or(0) > 1_600_000_000_000,
            "timestamp in ms: {}",
            self.text()
        );
        let rid = j["request_id"].as_str().unwrap_or("");
        assert!(!rid.is_empty(), "request_id: {}", self.text());
        assert_eq!(self.header("x-request-id").as_deref(), Some(rid));
        &j["data"]
    }

    fn error_fields(&self) -> Vec<String> {
        self.json["errors"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|e| e["field"].as_str().unwrap_or("").to_owned())
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// Logs in; answers `(access token, refresh token)`.
pub async fn login(app: &TestApp, username: &str, password: &str) -> (String, String) {
    let r = app
        .post(&path("/auth/login"))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await;
    let d = r.admin(200, 200);
    (
        d["token"].as_str().unwrap().to_owned(),
        d["refresh_token"].as_str().unwrap().to_owned(),
    )
}

/// The bootstrap super admin's access token.
pub async fn root(app: &TestApp) -> String {
    login(app, "admin", ADMIN_PASSWORD).await.0
}

/// Ids of the permissions with these codes.
pub async fn perm_ids(app: &TestApp, token: &str, codes: &[&str]) -> Vec<i64> {
    let r = app.get(&path("/permissions")).bearer(token).send().await;
    let all = r.admin(200, 200).as_array().unwrap().clone();
    codes
        .iter()
        .map(|c| {
            all.iter()
                .find(|p| p["code"] == json!(c))
                .unwrap_or_else(|| panic!("no permission {c}"))["id"]
                .as_i64()
                .unwrap()
        })
        .collect()
}

/// Creates a role through the API with the permissions of these codes; answers its id.
pub async fn create_role(app: &TestApp, token: &str, name: &str, codes: &[&str]) -> i64 {
    let ids = perm_ids(app, token, codes).await;
    let r = app
        .post(&path("/roles"))
        .bearer(token)
        .json(&json!({"name": name, "permission_ids": ids}))
        .send()
        .await;
    r.admin(201, 201)["id"].as_i64().unwrap()
}

/// Creates a user through the API with these roles; answers their id.
pub async fn create_user(app: &TestApp, token: &str, username: &str, role_ids: &[i64]) -> i64 {
    let r = app
        .post(&path("/users"))
        .bearer(token)
        .json(&json!({"username": username, "password": "secret12", "role_ids": role_ids}))
        .send()
        .await;
    r.admin(201, 201)["id"].as_i64().unwrap()
}

/// The id of a built-in role.
pub async fn role_id(app: &TestApp, token: &str, code: &str) -> i64 {
    let r = app
        .get(&path("/roles"))
        .bearer(token)
        .query(&[("keyword", code)])
        .send()
        .await;
    r.admin(200, 200)["list"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["code"] == json!(code))
        .unwrap()["id"]
        .as_i64()
        .unwrap()
}
