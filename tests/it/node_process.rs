//! Real `ops-server` processes for the scale-out tests (two nodes, crash, backup): each in a
//! working directory of its own, configured by `OPS__*` variables, killed with SIGKILL when
//! dropped so a failing test leaves none behind. Every answer they give is checked for 5xx.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use sqlx::Connection;

use crate::support::{ADMIN_PASSWORD, Backend, pg_url};

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
}

/// One server process (or none, between a kill and a restart).
pub struct Node {
    pub name: &'static str,
    pub dir: PathBuf,
    pub port: u16,
    pub env: Vec<(String, String)>,
    child: Option<Child>,
}

impl Node {
    /// A node working in `dir` (made if missing) with `env` on top of the test defaults.
    pub fn new(name: &'static str, dir: &Path, env: Vec<(String, String)>) -> Self {
        std::fs::create_dir_all(dir).unwrap();
        Self {
            name,
            dir: dir.to_path_buf(),
            port: free_port(),
            env,
            child: None,
        }
    }

    fn log_path(&self) -> PathBuf {
        self.dir.join("server.log")
    }

    /// What the process wrote to standard error, for failure messages.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    pub fn start(&mut self) {
        assert!(self.child.is_none(), "{} is running already", self.name);
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.log_path())
            .unwrap();
        let mut c = Command::new(env!("CARGO_BIN_EXE_ops-server"));
        c.env_remove("RUST_LOG");
        for (k, _) in std::env::vars() {
            if k.starts_with("OPS__") {
                c.env_remove(k);
            }
        }
        c.current_dir(&self.dir)
            .env("OPS__BOOTSTRAP__ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env("OPS__LOG__LEVEL", "warn")
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .env("OPS__SERVER__HOST", "127.0.0.1")
            .env("OPS__SERVER__PORT", self.port.to_string())
            .stdout(Stdio::null())
            .stderr(log);
        self.child = Some(c.spawn().expect("spawn ops-server"));
    }

    /// SIGKILL (`Child::kill` on Unix): no shutdown code runs.
    pub fn kill9(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub async fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(90);
        let c = client();
        while !c
            .get(self.url("/readyz"))
            .send()
            .await
            .is_ok_and(|r| r.status() == 200)
        {
            assert!(
                Instant::now() < deadline,
                "{} did not start:\n{}",
                self.name,
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Sends a JSON request; answers the status and the JSON body (`Null` when not JSON).
    /// A 5xx fails the test, with the server's log.
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> (u16, Value) {
        let mut rb = client().request(method.clone(), self.url(path));
        if let Some(t) = token {
            rb = rb.bearer_auth(t);
        }
        if let Some(b) = body {
            rb = rb.json(b);
        }
        let r = rb
            .send()
            .await
            .unwrap_or_else(|e| panic!("{} {method} {path}: {e}\n{}", self.name, self.log()));
        let status = r.status().as_u16();
        let bytes = r.bytes().await.unwrap_or_default();
        assert!(
            status < 500,
            "{} answered {status} to {method} {path}: {}\n{}",
            self.name,
            String::from_utf8_lossy(&bytes),
            self.log()
        );
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }
}

impl Node {
    /// The `ops_v1` token of the bootstrap admin.
    pub async fn ops_login(&self) -> String {
        let (status, r) = self
            .call(
                reqwest::Method::POST,
                "/api/v1/users/login",
                None,
                Some(&serde_json::json!({"name": "admin", "password": ADMIN_PASSWORD})),
            )
            .await;
        assert_eq!(status, 200, "{r}");
        r["data"]["cookie_value"]
            .as_str()
            .expect("token")
            .to_owned()
    }

    /// Uploads `bytes` as `name` with `ops_v1`; answers the success `data`.
    pub async fn upload(&self, token: &str, bytes: &[u8], name: &str) -> Value {
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(bytes.to_vec())
                .file_name(name.to_owned())
                .mime_str("image/png")
                .unwrap(),
        );
        let r = client()
            .post(self.url("/api/v1/files/upload"))
            .bearer_auth(token)
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{}", self.log());
        let body: Value = r.json().await.unwrap();
        body["data"].clone()
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.kill9();
    }
}

/// A PostgreSQL schema of its own (or nothing for SQLite): the `OPS__DATABASE__*` variables
/// that select it, and the schema to drop afterwards.
pub async fn database(backend: Backend) -> (Vec<(String, String)>, Option<String>) {
    match backend {
        Backend::Sqlite => (Vec::new(), None),
        Backend::Postgres => {
            let schema = format!("node_{}", uuid::Uuid::new_v4().simple());
            let mut admin = sqlx::PgConnection::connect(&pg_url()).await.unwrap();
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
                .execute(&mut admin)
                .await
                .unwrap();
            let url = pg_url();
            let sep = if url.contains('?') { '&' } else { '?' };
            let env = vec![
                ("OPS__DATABASE__DRIVER".to_owned(), "postgres".to_owned()),
                (
                    "OPS__DATABASE__URL".to_owned(),
                    format!("{url}{sep}options=-c%20search_path%3D{schema}"),
                ),
            ];
            (env, Some(schema))
        }
    }
}

/// The configuration a node with `env`, working in `dir`, runs with (for connecting to its
/// database and store from the test).
pub fn config_of(dir: &Path, env: &[(String, String)]) -> ops::config::Config {
    let mut cfg = ops::config::Config::defaults().unwrap();
    cfg.data_dir = dir.join("data");
    cfg.database.path = dir.join("data/db.db").display().to_string();
    cfg.file.paths.image = dir.join("data/images");
    for (k, v) in env {
        match k.as_str() {
            "OPS__DATABASE__DRIVER" => cfg.database.driver = ops::config::DatabaseDriver::Postgres,
            "OPS__DATABASE__URL" => cfg.database.url = v.clone(),
            "OPS__FILE__STORE" => cfg.file.store = ops::config::FileStoreKind::S3,
            "OPS__FILE__S3__ENDPOINT" => cfg.file.s3.endpoint = v.clone(),
            "OPS__FILE__S3__BUCKET" => cfg.file.s3.bucket = v.clone(),
            "OPS__FILE__S3__REGION" => cfg.file.s3.region = v.clone(),
            "OPS__FILE__S3__ACCESS_KEY" => cfg.file.s3.access_key = v.clone(),
            "OPS__FILE__S3__SECRET_KEY" => cfg.file.s3.secret_key = v.clone(),
            "OPS__FILE__S3__PATH_STYLE" => cfg.file.s3.path_style = v == "true",
            _ => {}
        }
    }
    cfg
}

pub async fn drop_schema(schema: Option<String>) {
    if let Some(schema) = schema
        && let Ok(mut c) = sqlx::PgConnection::connect(&pg_url()).await
    {
        let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
            .execute(&mut c)
            .await;
    }
}

/// `pairs` as owned environment entries.
pub fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}
