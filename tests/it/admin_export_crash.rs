//! An export survives a crash: the real `ops-server` binary is killed with SIGKILL in the
//! middle of a 200,000-row export, started again, and the task completes with the right
//! `record_count` (its lease runs out and the new process claims it again).

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use sqlx::Connection;

use crate::support::{ADMIN_PASSWORD, Backend, pg_url};

const ROWS: i64 = 200_000;

/// A server process, killed (SIGKILL) when dropped, so a failing test leaves none behind.
struct Running(Child);

impl Running {
    fn kill9(&mut self) {
        // `Child::kill` sends SIGKILL on Unix: no shutdown code runs.
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.kill9();
    }
}

struct Server {
    dir: std::path::PathBuf,
    port: u16,
    env: Vec<(String, String)>,
}

impl Server {
    fn start(&self) -> Running {
        let mut c = Command::new(env!("CARGO_BIN_EXE_ops-server"));
        c.env_remove("RUST_LOG");
        for (k, _) in std::env::vars() {
            if k.starts_with("OPS__") {
                c.env_remove(k);
            }
        }
        c.current_dir(&self.dir)
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .env("OPS__SERVER__HOST", "127.0.0.1")
            .env("OPS__SERVER__PORT", self.port.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map(Running)
            .expect("spawn ops-server")
    }

    fn url(&self, p: &str) -> String {
        format!("http://127.0.0.1:{}/admin/v1{p}", self.port)
    }

    async fn wait_ready(&self, client: &reqwest::Client) {
        let deadline = Instant::now() + Duration::from_secs(60);
        let url = format!("http://127.0.0.1:{}/readyz", self.port);
        while !client
            .get(&url)
            .send()
            .await
            .is_ok_and(|r| r.status() == 200)
        {
            assert!(Instant::now() < deadline, "server did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn login(&self, client: &reqwest::Client) -> String {
        let r: Value = client
            .post(self.url("/auth/login"))
            .json(&json!({"username": "admin", "password": ADMIN_PASSWORD}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        r["data"]["token"].as_str().expect("token").to_owned()
    }

    async fn task(&self, client: &reqwest::Client, token: &str, id: &str) -> Value {
        let r: Value = client
            .get(self.url(&format!("/export/tasks/{id}")))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        r["data"].clone()
    }
}

/// Inserts `rows` users in one statement (the engine generates the rows).
pub(crate) async fn seed(db: &ops::db::Db, backend: Backend, rows: i64) {
    let sql = match backend {
        Backend::Sqlite => {
            "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < $1) \
             INSERT INTO users (username, password_hash, display_name, email, created_at, updated_at) \
             SELECT 'bulk' || x, 'x', '=SUM(A' || x || ')', 'bulk' || x || '@example.com', 1700000000000000, 1700000000000000 FROM c"
        }
        Backend::Postgres => {
            "INSERT INTO users (username, password_hash, display_name, email, created_at, updated_at) \
             SELECT 'bulk' || x, 'x', '=SUM(A' || x || ')', 'bulk' || x || '@example.com', 1700000000000000, 1700000000000000 \
             FROM generate_series(1, $1::bigint) AS x"
        }
    };
    // The counters' triggers run as for any write: statement-level on PostgreSQL (migration 62),
    // so the one statement stays linear in its rows.
    sqlx::query(sql)
        .bind(rows)
        .execute(db.pool())
        .await
        .unwrap();
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn database_env(backend: Backend, dir: &Path) -> (Vec<(String, String)>, Option<String>) {
    let mut env = vec![
        (
            "OPS__BOOTSTRAP__ADMIN_PASSWORD".to_owned(),
            ADMIN_PASSWORD.to_owned(),
        ),
        ("OPS__EXPORT__BATCH_SIZE".to_owned(), "250".to_owned()),
        ("OPS__EXPORT__LEASE_SECONDS".to_owned(), "2".to_owned()),
        ("OPS__EXPORT__POLL_MS".to_owned(), "200".to_owned()),
    ];
    let _ = dir;
    match backend {
        Backend::Sqlite => (env, None),
        Backend::Postgres => {
            let schema = format!("crash_{}", uuid::Uuid::new_v4().simple());
            let mut admin = sqlx::PgConnection::connect(&pg_url()).await.unwrap();
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
                .execute(&mut admin)
                .await
                .unwrap();
            let url = pg_url();
            let sep = if url.contains('?') { '&' } else { '?' };
            env.push(("OPS__DATABASE__DRIVER".to_owned(), "postgres".to_owned()));
            env.push((
                "OPS__DATABASE__URL".to_owned(),
                format!("{url}{sep}options=-c%20search_path%3D{schema}"),
            ));
            (env, Some(schema))
        }
    }
}

async fn a_killed_export_is_taken_up_again_and_completes(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let (env, schema) = database_env(backend, dir.path()).await;
    let server = Server {
        dir: dir.path().to_path_buf(),
        port: free_port(),
        env,
    };
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let mut child = server.start();
    server.wait_ready(&client).await;
    // The same database the server uses.
    let mut cfg = ops::config::Config::defaults().unwrap();
    cfg.database.path = dir.path().join("data/db.db").display().to_string();
    for (k, v) in &server.env {
        match k.as_str() {
            "OPS__DATABASE__DRIVER" => cfg.database.driver = ops::config::DatabaseDriver::Postgres,
            "OPS__DATABASE__URL" => cfg.database.url = v.clone(),
            _ => {}
        }
    }
    let db = ops::db::Db::connect(&cfg.database).await.unwrap();
    seed(&db, backend, ROWS).await;
    let token = server.login(&client).await;
    let r: Value = client
        .post(server.url("/export/users"))
        .bearer_auth(&token)
        .json(&json!({"format": "csv"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let task_id = r["data"]["task_id"].as_str().expect("task id").to_owned();

    // Kill the server once the export is under way but not finished.
    let deadline = Instant::now() + Duration::from_secs(60);
    let progress_at_kill = loop {
        let t = server.task(&client, &token, &task_id).await;
        let p = t["progress"].as_i64().unwrap_or(0);
        if p > 0 {
            child.kill9();
            assert_eq!(t["status"], "processing", "killed mid-way: {t}");
            break p;
        }
        assert!(Instant::now() < deadline, "export never started: {t}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    assert!(progress_at_kill < 100, "{progress_at_kill}");
    let (status, attempts): (String, i64) =
        sqlx::query_as("SELECT status, attempts FROM export_tasks")
            .fetch_one(db.pool())
            .await
            .unwrap();
    assert_eq!(
        (status.as_str(), attempts),
        ("processing", 1),
        "left running by the dead process"
    );

    // A new process takes it up once the dead one's lease has run out, and finishes it.
    let mut child = server.start();
    server.wait_ready(&client).await;
    let token = server.login(&client).await;
    let deadline = Instant::now() + Duration::from_secs(240);
    let done = loop {
        let t = server.task(&client, &token, &task_id).await;
        if t["status"] != "processing" {
            break t;
        }
        assert!(
            Instant::now() < deadline,
            "export did not complete after restart: {t}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(
        done["record_count"],
        json!(ROWS + 1),
        "every user once, the admin included"
    );
    let attempts: i64 = sqlx::query_scalar("SELECT attempts FROM export_tasks")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(attempts, 2);
    let file = client
        .get(server.url(&format!("/export/tasks/{task_id}/download")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let text = String::from_utf8(file.to_vec()).unwrap();
    assert!(text.starts_with('\u{feff}'));
    assert_eq!(
        text.lines().count() as i64,
        ROWS + 2,
        "header + rows, none twice"
    );
    assert!(
        text.contains(",bulk123,'=SUM(A123),"),
        "formula cells defused"
    );
    child.kill9();
    db.close().await;
    if let Some(schema) = schema {
        if let Ok(mut c) = sqlx::PgConnection::connect(&pg_url()).await {
            let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
                .execute(&mut c)
                .await;
        }
    }
}

crate::db_test!(a_killed_export_is_taken_up_again_and_completes);
