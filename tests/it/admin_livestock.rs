//! Helpers shared by the livestock test modules (farms, animals, categories, health records).

use serde_json::{Value, json};

use crate::admin_common::{AdminResp, path};
use crate::support::TestApp;

/// Creates an owner with a display name and phone; answers their id.
pub async fn farmer(app: &TestApp, token: &str, username: &str, phone: &str) -> i64 {
    let r = app
        .post(&path("/users"))
        .bearer(token)
        .json(&json!({"username": username, "password": "secret12", "real_name": "张三", "phone": phone}))
        .send()
        .await;
    r.admin(201, 201)["id"].as_i64().unwrap()
}

/// Creates a farm with the given extra fields; answers its detail.
pub async fn farm(
    app: &TestApp,
    token: &str,
    user_id: i64,
    name: &str,
    code: &str,
    extra: Value,
) -> Value {
    let mut body = json!({"user_id": user_id, "name": name, "code": code, "type": "pig"});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    let r = app
        .post(&path("/farms"))
        .bearer(token)
        .json(&body)
        .send()
        .await;
    r.admin(201, 201).clone()
}

pub async fn category(app: &TestApp, token: &str, name: &str, code: &str) -> i64 {
    let r = app
        .post(&path("/animal-categories"))
        .bearer(token)
        .json(&json!({"name": name, "code": code}))
        .send()
        .await;
    r.admin(201, 201)["id"].as_i64().unwrap()
}

/// Creates an animal from `body` (farm and category added); answers its detail.
pub async fn animal(
    app: &TestApp,
    token: &str,
    farm_id: i64,
    category_id: i64,
    code: &str,
    extra: Value,
) -> Value {
    let mut body = json!({"farm_id": farm_id, "category_id": category_id, "code": code});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    let r = app
        .post(&path("/animals"))
        .bearer(token)
        .json(&body)
        .send()
        .await;
    r.admin(201, 201).clone()
}

/// A farm with an owner and one category, ready for animals: `(farm_id, category_id)`.
pub async fn stable(app: &TestApp, token: &str) -> (i64, i64) {
    let owner = farmer(app, token, "farmer001", "13800138000").await;
    let f = farm(app, token, owner, "张三养猪场", "FARM001", json!({})).await;
    let c = category(app, token, "猪", "pig").await;
    (f["id"].as_i64().unwrap(), c)
}

/// Asserts that the raw body carries `"key":number` exactly as written (two-decimal money
/// and percentages, which a parsed `Value` would lose).
#[track_caller]
pub fn has_number(r: &crate::support::http::Resp, key: &str, number: &str) {
    let text = r.text();
    assert!(
        text.contains(&format!("\"{key}\":{number}")),
        "expected \"{key}\":{number} in {text}"
    );
}

/// `%term%` for `LIKE … ESCAPE '\'`, lower-cased, as the list builds it.
pub fn like(term: &str) -> String {
    let mut out = String::from("%");
    for c in term.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// The ids a query on the admin list `p` answers (page 1 and 2 of 20) and its total.
pub async fn listed(app: &TestApp, token: &str, p: &str, q: &[(&str, &str)]) -> (i64, Vec<i64>) {
    let mut ids = Vec::new();
    let mut total = 0;
    for page in ["1", "2"] {
        let mut query = q.to_vec();
        query.push(("page", page));
        let r = app.get(&path(p)).bearer(token).query(&query).send().await;
        let d = r.admin(200, 200).clone();
        total = d["pagination"]["total"].as_i64().unwrap();
        ids.extend(
            d["list"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["id"].as_i64().unwrap()),
        );
    }
    (total, ids)
}

/// The ids (newest first: pages 1 and 2 of 20) and the number of rows `sql` (`SELECT id …
/// WHERE …`, one `$1` pattern) selects.
pub async fn scanned(app: &TestApp, sql: &str, pattern: &str) -> (i64, Vec<i64>) {
    let db = app.db().await;
    let all: Vec<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("{sql} ORDER BY id DESC")))
        .bind(pattern)
        .fetch_all(db.pool())
        .await
        .unwrap();
    db.close().await;
    (all.len() as i64, all.into_iter().take(40).collect())
}
