//! `admin_v1` §12 exports (issue 14): queued tasks, progress, files, access, dedupe, expiry.
//! The crash test (SIGKILL mid-export, then restart) is in `admin_export_crash.rs`.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::admin_common::{AdminResp, create_role, create_user, login, path, root};
use crate::db_test;
use crate::support::http::Resp;
use crate::support::{Backend, TestApp};

pub async fn start(app: &TestApp, token: &str, resource: &str, body: &Value) -> Resp {
    app.post(&path(&format!("/export/{resource}")))
        .bearer(token)
        .json(body)
        .send()
        .await
}

/// Polls the task until it is completed (or failed); answers its `data`.
pub async fn finished(app: &TestApp, token: &str, task_id: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let r = app
            .get(&path(&format!("/export/tasks/{task_id}")))
            .bearer(token)
            .send()
            .await;
        let d = r.admin(200, 200).clone();
        if d["status"] != "processing" {
            return d;
        }
        assert!(Instant::now() < deadline, "export did not finish: {d}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub async fn download(app: &TestApp, token: &str, task_id: &str) -> Resp {
    app.get(&path(&format!("/export/tasks/{task_id}/download")))
        .bearer(token)
        .send()
        .await
}

async fn a_csv_export_runs_in_the_background_and_downloads(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = root(&app).await;
    for name in ["alice", "bob", "carol"] {
        create_user(&app, &token, name, &[]).await;
    }
    let r = start(
        &app,
        &token,
        "users",
        &json!({"format": "csv", "filters": {"keyword": ""}, "fields": ["username", "status", "roles.name"]}),
    )
    .await;
    let d = r.admin(200, 200).clone();
    assert_eq!(r.json["message"], "导出任务创建成功");
    let task_id = d["task_id"].as_str().unwrap().to_owned();
    assert!(task_id.starts_with("export_task_"));
    assert_eq!(d["status"], "processing");
    assert!(d["estimated_time"].as_i64().unwrap() >= 1);
    let t = finished(&app, &token, &task_id).await;
    assert_eq!(t["status"], "completed", "{t}");
    assert_eq!(t["progress"], 100);
    assert_eq!(t["record_count"], 4);
    assert_eq!(t["task_id"], json!(task_id));
    assert_eq!(
        t["file_url"],
        json!(format!("/admin/v1/export/tasks/{task_id}/download"))
    );
    assert!(t["created_at"].is_string() && t["completed_at"].is_string());
    let file = download(&app, &token, &task_id).await;
    file.assert_status(200);
    assert_eq!(t["file_size"], json!(file.bytes.len()));
    assert_eq!(
        file.header("content-type").as_deref(),
        Some("text/csv; charset=utf-8")
    );
    assert!(
        file.header("content-disposition")
            .unwrap()
            .starts_with("attachment;")
    );
    assert_eq!(
        file.header("cache-control").as_deref(),
        Some("private, no-store")
    );
    let text = file.text();
    assert!(text.starts_with('\u{feff}'), "UTF-8 BOM");
    let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines[0], "username,status,roles.name");
    assert_eq!(lines.len(), 5);
    assert!(lines.iter().any(|l| l.starts_with("alice,1,")), "{text}");
    // The requester is told.
    let n = app.get(&path("/notifications")).bearer(&token).send().await;
    let list = n.admin(200, 200)["list"].as_array().unwrap().clone();
    assert!(
        list.iter()
            .any(|x| x["type"] == "export" && x["content"].as_str().unwrap().contains(&task_id)),
        "{list:?}"
    );
}

async fn an_excel_export_is_an_xlsx_file(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = root(&app).await;
    let d = start(&app, &token, "users", &json!({"format": "excel"}))
        .await
        .admin(200, 200)
        .clone();
    let task_id = d["task_id"].as_str().unwrap();
    let t = finished(&app, &token, task_id).await;
    assert_eq!(
        (t["status"].clone(), t["record_count"].clone()),
        (json!("completed"), json!(1))
    );
    let file = download(&app, &token, task_id).await;
    file.assert_status(200);
    assert_eq!(&file.bytes[..2], b"PK");
    assert_eq!(
        file.header("content-type").as_deref(),
        Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    );
    assert!(
        file.header("content-disposition")
            .unwrap()
            .contains(".xlsx")
    );
}

async fn formula_like_cells_are_defused_in_csv(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = root(&app).await;
    let r = app
        .post(&path("/users"))
        .bearer(&token)
        .json(&json!({"username": "mallory", "password": "secret12", "real_name": "=HYPERLINK(\"http://x\",\"a\")"}))
        .send()
        .await;
    r.admin(201, 201);
    let d = start(
        &app,
        &token,
        "users",
        &json!({"format": "csv", "fields": ["username", "real_name"], "filters": {"keyword": "mallory"}}),
    )
    .await
    .admin(200, 200)
    .clone();
    let task_id = d["task_id"].as_str().unwrap();
    assert_eq!(finished(&app, &token, task_id).await["record_count"], 1);
    let text = download(&app, &token, task_id).await.text();
    assert_eq!(
        text,
        "\u{feff}username,real_name\r\nmallory,\"'=HYPERLINK(\"\"http://x\"\",\"\"a\"\")\"\r\n"
    );
}

async fn bad_requests_name_what_is_wrong(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = root(&app).await;
    let r = start(&app, &token, "users", &json!({"format": "pdf"})).await;
    r.admin(422, 10006);
    assert_eq!(r.error_fields(), ["format"]);
    let r = start(&app, &token, "users", &json!({})).await;
    r.admin(422, 10006);
    assert_eq!(r.error_fields(), ["format"]);
    let r = start(
        &app,
        &token,
        "users",
        &json!({"format": "csv", "fields": ["username", "password_hash"]}),
    )
    .await;
    r.admin(422, 10006);
    assert_eq!(r.error_fields(), ["fields"]);
    let r = start(
        &app,
        &token,
        "users",
        &json!({"format": "csv", "filters": {"status": 7, "created_start": "yesterday", "colour": 1}}),
    )
    .await;
    r.admin(422, 10006);
    let mut fields = r.error_fields();
    fields.sort();
    assert_eq!(
        fields,
        ["filters.colour", "filters.created_start", "filters.status"]
    );
    let r = start(&app, &token, "users", &json!({"format": 5})).await;
    r.admin(400, 10001);
    let r = app
        .post(&path("/export/users"))
        .bearer(&token)
        .body("application/json", "{not json")
        .send()
        .await;
    r.admin(400, 10001);
    start(&app, &token, "cows", &json!({"format": "csv"}))
        .await
        .admin(404, 10004);
    for id in ["export_task_999", "export_task_01", "42", "export_task_-1"] {
        app.get(&path(&format!("/export/tasks/{id}")))
            .bearer(&token)
            .send()
            .await
            .admin(404, 10004);
    }
    let db = app.db().await;
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM export_tasks")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(n, 0, "bad requests queue nothing");
}

async fn tasks_belong_to_their_requester_and_admins(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = root(&app).await;
    let exporter = create_role(
        &app,
        &token,
        "exporter",
        &["system:user:export", "system:export:view"],
    )
    .await;
    create_user(&app, &token, "erin", &[exporter]).await;
    create_user(&app, &token, "frank", &[exporter]).await;
    let viewer = create_role(&app, &token, "viewer", &["system:user:view"]).await;
    create_user(&app, &token, "grace", &[viewer]).await;
    let erin = login(&app, "erin", "secret12").await.0;
    let frank = login(&app, "frank", "secret12").await.0;
    let grace = login(&app, "grace", "secret12").await.0;
    let d = start(&app, &erin, "users", &json!({"format": "csv"}))
        .await
        .admin(200, 200)
        .clone();
    let task_id = d["task_id"].as_str().unwrap().to_owned();
    assert_eq!(finished(&app, &erin, &task_id).await["status"], "completed");
    let status = path(&format!("/export/tasks/{task_id}"));
    let file = path(&format!("/export/tasks/{task_id}/download"));
    for p in [&status, &file] {
        // No token.
        app.get(p).send().await.admin(401, 10002);
        // No export permission.
        app.get(p).bearer(&grace).send().await.admin(403, 10003);
        // Another holder of the permission who is not an admin.
        app.get(p).bearer(&frank).send().await.admin(404, 10004);
        // An admin.
        app.get(p).bearer(&token).send().await.assert_status(200);
    }
    download(&app, &erin, &task_id).await.assert_status(200);
    start(&app, &grace, "users", &json!({"format": "csv"}))
        .await
        .admin(403, 10003);
    app.post(&path("/export/users"))
        .json(&json!({"format": "csv"}))
        .send()
        .await
        .admin(401, 10002);
}

async fn an_identical_live_request_answers_the_same_task(b: Backend) {
    // No worker on this node: tasks stay queued, as on a busy cluster.
    let app = TestApp::spawn_with(b, |c| c.export.workers = 0).await;
    let token = root(&app).await;
    let body = json!({"format": "csv", "filters": {"status": 1}, "fields": ["id", "username"]});
    let first = start(&app, &token, "users", &body)
        .await
        .admin(200, 200)
        .clone();
    let again = start(&app, &token, "users", &body)
        .await
        .admin(200, 200)
        .clone();
    assert_eq!(first["task_id"], again["task_id"]);
    let other = start(
        &app,
        &token,
        "users",
        &json!({"format": "excel", "filters": {"status": 1}, "fields": ["id", "username"]}),
    )
    .await
    .admin(200, 200)
    .clone();
    assert_ne!(first["task_id"], other["task_id"]);
    let t = app
        .get(&path(&format!(
            "/export/tasks/{}",
            first["task_id"].as_str().unwrap()
        )))
        .bearer(&token)
        .send()
        .await;
    let t = t.admin(200, 200);
    assert_eq!(
        (t["status"].clone(), t["progress"].clone()),
        (json!("processing"), json!(0))
    );
    assert_eq!(t["file_url"], Value::Null);
    // Not finished: nothing to download yet.
    download(&app, &token, first["task_id"].as_str().unwrap())
        .await
        .admin(404, 10004);
}

async fn concurrent_claims_take_each_task_once_and_leases_expire(b: Backend) {
    use ops::domain::platform::export::queue;
    let app = TestApp::spawn_with(b, |c| c.export.workers = 0).await;
    let token = root(&app).await;
    for format in ["csv", "excel"] {
        start(&app, &token, "users", &json!({"format": format}))
            .await
            .admin(200, 200);
    }
    let db = app.db().await;
    let far = ops::db::now() + 3_600_000_000;
    let claims = futures_util::future::join_all((0..6).map(|n| {
        let db = db.clone();
        async move { queue::claim(&db, &format!("w{n}"), far, 1).await.unwrap() }
    }))
    .await;
    let mut ids: Vec<i64> = claims.iter().flatten().map(|t| t.id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(claims.iter().flatten().count(), 2, "two tasks, two claims");
    assert_eq!(ids.len(), 2, "never the same task twice");
    assert!(queue::claim(&db, "late", far, 1).await.unwrap().is_none());
    // A lease that ran out (its worker died) is claimed again, with one more attempt.
    sqlx::query("UPDATE export_tasks SET lease_until = 1")
        .execute(db.pool())
        .await
        .unwrap();
    let again = queue::claim(&db, "heir", far, 1).await.unwrap().unwrap();
    assert_eq!(again.attempts, 2);
    // The dead worker can no longer renew or finish it.
    let dead = claims
        .iter()
        .position(|c| c.as_ref().is_some_and(|t| t.id == again.id))
        .unwrap();
    let dead = format!("w{dead}");
    assert!(
        !queue::renew(&db, again.id, &dead, 10, 10, far)
            .await
            .unwrap()
    );
    assert!(
        queue::renew(&db, again.id, "heir", 10, 10, far)
            .await
            .unwrap()
    );
}

async fn finished_files_expire_and_the_maintenance_pass_removes_them(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = root(&app).await;
    let d = start(&app, &token, "users", &json!({"format": "csv"}))
        .await
        .admin(200, 200)
        .clone();
    let task_id = d["task_id"].as_str().unwrap().to_owned();
    assert_eq!(
        finished(&app, &token, &task_id).await["status"],
        "completed"
    );
    let db = app.db().await;
    let store = ops::domain::files::store(&app.config.file);
    // Within its retention the file stays.
    ops::domain::platform::maintenance::run_once(&db, store.as_ref())
        .await
        .unwrap();
    download(&app, &token, &task_id).await.assert_status(200);
    let (sha, expires, completed): (String, i64, i64) =
        sqlx::query_as("SELECT file_sha256, expires_at, completed_at FROM export_tasks")
            .fetch_one(db.pool())
            .await
            .unwrap();
    assert_eq!(
        expires - completed,
        24 * 3600 * 1_000_000,
        "default 24 hours"
    );
    sqlx::query("UPDATE export_tasks SET expires_at = 1")
        .execute(db.pool())
        .await
        .unwrap();
    let swept = ops::domain::platform::maintenance::run_once(&db, store.as_ref())
        .await
        .unwrap();
    assert!(swept.blobs >= 1);
    app.get(&path(&format!("/export/tasks/{task_id}")))
        .bearer(&token)
        .send()
        .await
        .admin(404, 10004);
    let hash = ops::domain::files::ContentHash::parse(&sha).unwrap();
    assert!(!store.exists(&hash).await.unwrap(), "the file is gone");
}

/// A task whose workers died too often is failed on the next claim; the task answer words
/// why in admin_v1's terms, and it is never claimed again.
async fn a_task_abandoned_by_its_workers_fails_with_a_reason(b: Backend) {
    use ops::domain::platform::export::queue;
    let app = TestApp::spawn_with(b, |c| c.export.workers = 0).await;
    let token = root(&app).await;
    let r = start(&app, &token, "users", &json!({"format": "csv"})).await;
    let task_id = r.admin(200, 200)["task_id"].as_str().unwrap().to_owned();
    let db = app.db().await;
    sqlx::query("UPDATE export_tasks SET status = 'processing', attempts = $1, lease_until = 1")
        .bind(queue::MAX_ATTEMPTS)
        .execute(db.pool())
        .await
        .unwrap();
    let far = ops::db::now() + 3_600_000_000;
    assert!(queue::claim(&db, "w", far, 1).await.unwrap().is_none());
    let d = finished(&app, &token, &task_id).await;
    assert_eq!(d["status"], "failed", "{d}");
    assert_eq!(d["error"], "导出多次中断,已放弃", "{d}");
    assert_eq!(d["file_url"], Value::Null);
    download(&app, &token, &task_id).await.admin(404, 10004);
}

db_test!(
    a_task_abandoned_by_its_workers_fails_with_a_reason,
    a_csv_export_runs_in_the_background_and_downloads,
    an_excel_export_is_an_xlsx_file,
    formula_like_cells_are_defused_in_csv,
    bad_requests_name_what_is_wrong,
    tasks_belong_to_their_requester_and_admins,
    an_identical_live_request_answers_the_same_task,
    concurrent_claims_take_each_task_once_and_leases_expire,
    finished_files_expire_and_the_maintenance_pass_removes_them,
);
