//! Two `ops-server` processes on one PostgreSQL database and one S3 bucket, as behind a load
//! balancer: what one node does, the other sees at its next request. Sessions (login, logout,
//! disable), runtime settings, blobs, login lockouts, and an export whose node is SIGKILLed
//! mid-way, taken up and finished by the other. No answer of either node may be a 5xx
//! (`Node::call` checks every one).

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};

use crate::blob_store_s3::{self as s3, s3_url};
use crate::node_process::{self as nodes, Node};
use crate::ops_files::png_of;
use crate::support::{ADMIN_PASSWORD, Backend};

/// Users in the export; with small batches it runs long enough to be killed mid-way.
const ROWS: i64 = 60_000;

async fn admin_login(node: &Node, username: &str, password: &str) -> (u16, Value) {
    node.call(
        Method::POST,
        "/admin/v1/auth/login",
        None,
        Some(&json!({"username": username, "password": password})),
    )
    .await
}

async fn admin_token(node: &Node, username: &str, password: &str) -> String {
    let (status, r) = admin_login(node, username, password).await;
    assert_eq!(status, 200, "{r}");
    r["data"]["token"].as_str().expect("token").to_owned()
}

/// `GET /admin/v1/auth/user` with `token`: 200 while the session lives, 401 after.
async fn whoami(node: &Node, token: &str) -> u16 {
    node.call(Method::GET, "/admin/v1/auth/user", Some(token), None)
        .await
        .0
}

async fn task(node: &Node, token: &str, id: &str) -> Value {
    let (status, r) = node
        .call(
            Method::GET,
            &format!("/admin/v1/export/tasks/{id}"),
            Some(token),
            None,
        )
        .await;
    assert_eq!(status, 200, "{r}");
    r["data"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_on_one_database_and_one_bucket_act_as_one_server() {
    let Some(url) = s3_url() else {
        return;
    };
    let bucket = s3::new_bucket(&url).await;
    let (mut env, schema) = nodes::database(Backend::Postgres).await;
    env.extend(s3::env_of(&bucket));
    env.extend(nodes::env(&[
        ("OPS__EXPORT__BATCH_SIZE", "50"),
        ("OPS__EXPORT__LEASE_SECONDS", "2"),
        ("OPS__EXPORT__POLL_MS", "200"),
    ]));
    let root = tempfile::tempdir().unwrap();
    let mut a = Node::new("A", &root.path().join("a"), env.clone());
    let mut b = Node::new("B", &root.path().join("b"), env.clone());
    a.start();
    a.wait_ready().await;
    let db = ops::db::Db::connect(&nodes::config_of(&a.dir, &env).database)
        .await
        .unwrap();
    crate::admin_export_crash::seed(&db, Backend::Postgres, ROWS).await;

    // An export started on A, A killed mid-way, B finishes it. B starts only once A has
    // claimed the task, so the task is A's.
    let root_a = admin_token(&a, "admin", ADMIN_PASSWORD).await;
    let (status, r) = a
        .call(
            Method::POST,
            "/admin/v1/export/users",
            Some(&root_a),
            Some(&json!({"format": "csv"})),
        )
        .await;
    assert!(status == 200 || status == 201, "{r}");
    let task_id = r["data"]["task_id"].as_str().expect("task id").to_owned();
    let deadline = Instant::now() + Duration::from_secs(60);
    while task(&a, &root_a, &task_id).await["progress"]
        .as_i64()
        .unwrap_or(0)
        == 0
    {
        assert!(Instant::now() < deadline, "the export never started on A");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    b.start();
    b.wait_ready().await;
    let at_kill = task(&a, &root_a, &task_id).await;
    a.kill9();
    assert_eq!(at_kill["status"], "processing", "killed mid-way: {at_kill}");
    let root_b = admin_token(&b, "admin", ADMIN_PASSWORD).await;
    let deadline = Instant::now() + Duration::from_secs(240);
    let done = loop {
        let t = task(&b, &root_b, &task_id).await;
        if t["status"] != "processing" && t["status"] != "pending" {
            break t;
        }
        assert!(
            Instant::now() < deadline,
            "B did not finish the export: {t}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(done["record_count"], json!(ROWS + 1));
    let attempts: i64 = sqlx::query_scalar("SELECT attempts FROM export_tasks")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(attempts, 2, "claimed by A, then by B");
    let file = nodes::client()
        .get(b.url(&format!("/admin/v1/export/tasks/{task_id}/download")))
        .bearer_auth(&root_b)
        .send()
        .await
        .unwrap();
    assert_eq!(file.status(), 200);
    let text = String::from_utf8(file.bytes().await.unwrap().to_vec()).unwrap();
    assert_eq!(
        text.lines().count() as i64,
        ROWS + 2,
        "header + rows, none twice"
    );
    assert_eq!(
        s3::keys(&bucket, None).await.len(),
        1,
        "the export file is the bucket's one object: {:?}",
        s3::keys(&bucket, None).await
    );

    // A comes back; from here on both serve.
    a.start();
    a.wait_ready().await;

    // A login on A works on B; a logout on A is refused on B at once.
    let token = admin_token(&a, "admin", ADMIN_PASSWORD).await;
    assert_eq!(whoami(&b, &token).await, 200);
    let (status, _) = a
        .call(Method::POST, "/admin/v1/auth/logout", Some(&token), None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(whoami(&b, &token).await, 401);

    // A user disabled on A is refused on B at once.
    let root_a = admin_token(&a, "admin", ADMIN_PASSWORD).await;
    let mut ids = Vec::new();
    for name in ["carol", "dave"] {
        let (status, r) = a
            .call(
                Method::POST,
                "/admin/v1/users",
                Some(&root_a),
                Some(&json!({"username": name, "password": "secret12", "role_ids": []})),
            )
            .await;
        assert_eq!(status, 201, "{r}");
        ids.push(r["data"]["id"].as_i64().unwrap());
    }
    let carol = admin_token(&b, "carol", "secret12").await;
    assert_eq!(whoami(&a, &carol).await, 200);
    let (status, r) = a
        .call(
            Method::POST,
            &format!("/admin/v1/users/{}/toggle-status", ids[0]),
            Some(&root_a),
            Some(&json!({"status": 0})),
        )
        .await;
    assert_eq!(status, 200, "{r}");
    assert_eq!(whoami(&b, &carol).await, 401);

    // Failed logins counted on A lock the account on B too.
    let max_failures = 5;
    for _ in 0..max_failures {
        let (status, _) = admin_login(&a, "dave", "wrong-password").await;
        assert_eq!(status, 400);
    }
    let (status, r) = admin_login(&b, "dave", "secret12").await;
    assert_eq!((status, r["code"].clone()), (429, json!(10007)), "{r}");

    // A runtime setting changed on A applies on B at its next request.
    let ops_root = a.ops_login().await;
    let (status, r) = a
        .call(
            Method::PUT,
            "/api/v1/system/config",
            Some(&ops_root),
            Some(&json!({"registration_open": false})),
        )
        .await;
    assert_eq!(status, 200, "{r}");
    let register = json!({"name": "erin", "password": "secret12", "password_confirm": "secret12"});
    let (status, r) = b
        .call(
            Method::POST,
            "/api/v1/users/register",
            None,
            Some(&register),
        )
        .await;
    assert_eq!((status, r["code"].clone()), (403, json!("-6")), "{r}");
    let (status, _) = b
        .call(
            Method::PUT,
            "/api/v1/system/config",
            Some(&ops_root),
            Some(&json!({"registration_open": true})),
        )
        .await;
    assert_eq!(status, 200);
    let (status, r) = a
        .call(
            Method::POST,
            "/api/v1/users/register",
            None,
            Some(&register),
        )
        .await;
    assert_eq!(status, 200, "{r}");

    // An upload on A downloads from B (the blob is in the shared bucket).
    let bytes = png_of(50_000, 3);
    let up = a.upload(&ops_root, &bytes, "shared.png").await;
    let download = up["download_url"].as_str().expect("download url");
    let got = nodes::client().get(b.url(download)).send().await.unwrap();
    assert_eq!(got.status(), 200);
    assert_eq!(got.bytes().await.unwrap().to_vec(), bytes);
    let ranged = nodes::client()
        .get(b.url(download))
        .header("range", "bytes=10-19")
        .send()
        .await
        .unwrap();
    assert_eq!(ranged.status(), 206);
    assert_eq!(ranged.bytes().await.unwrap().to_vec(), &bytes[10..20]);

    // Tokens signed by either node are accepted by the other: one key, in the database.
    assert!(!a.dir.join("data/jwt_secret").exists());
    assert!(!b.dir.join("data/jwt_secret").exists());

    a.kill9();
    b.kill9();
    db.close().await;
    nodes::drop_schema(schema).await;
}
