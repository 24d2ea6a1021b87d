//! The black-box harness: each test starts the real server on `127.0.0.1:0` with a fresh
//! data directory and a fresh database (a SQLite file, or a PostgreSQL schema of its own),
//! and talks HTTP to it like a front end would.
//!
//! PostgreSQL: `OPS_TEST_PG_URL` (default `postgres://postgres@127.0.0.1:5432/test`). The
//! harness starts nothing: `scripts/test` makes sure the cluster runs. When it is not
//! reachable the PostgreSQL tests fail (they never skip).

#![allow(dead_code)]

pub mod http;
pub mod smtp;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::OnceLock;

use ops::app::{self, AppState};
use ops::config::{Config, DatabaseDriver};
use sqlx::Connection;
use tokio::sync::oneshot;

pub use http::Call;

pub const ADMIN_PASSWORD: &str = "admin-password-1";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs one async test body against SQLite and PostgreSQL, as two tests named
/// `<name>::sqlite` and `<name>::postgres`.
#[macro_export]
macro_rules! db_test {
    ($($name:ident),+ $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::support::Backend::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name($crate::support::Backend::Postgres).await
            }
        }
    )+};
}

pub struct TestApp {
    pub addr: SocketAddr,
    pub base: String,
    pub client: reqwest::Client,
    pub data_dir: PathBuf,
    pub config: Config,
    _dir: tempfile::TempDir,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
    pg_schema: Option<String>,
}

fn init_tracing() {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
        let _ = tracing_subscriber::fmt()
            .with_env_filter(std::env::var("OPS_TEST_LOG").unwrap_or_else(|_| "warn".into()))
            .with_test_writer()
            .try_init();
    });
}

pub fn pg_url() -> String {
    std::env::var("OPS_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// Connects to PostgreSQL. The test binary starts no service: `scripts/test` (the README's
/// test command) starts the local cluster when it is down; without it these tests fail.
async fn pg_admin() -> sqlx::PgConnection {
    let url = pg_url();
    match sqlx::PgConnection::connect(&url).await {
        Ok(c) => c,
        Err(e) => panic!(
            "PostgreSQL is not reachable at {url} ({e}); run the tests with scripts/test, \
             which starts the local cluster, or set OPS_TEST_PG_URL"
        ),
    }
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> Self {
        Self::spawn_with(backend, |_| {}).await
    }

    /// Starts a server whose config `customize` may change first.
    pub async fn spawn_with(backend: Backend, customize: impl FnOnce(&mut Config)) -> Self {
        init_tracing();
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config = Config::defaults().expect("template config");
        config.data_dir = dir.path().to_path_buf();
        config.database.path = dir.path().join("db.db").display().to_string();
        config.file.paths.image = dir.path().join("images");
        config.bootstrap.admin_password = ADMIN_PASSWORD.to_owned();
        config.database.max_connections = 5;
        let mut pg_schema = None;
        if backend == Backend::Postgres {
            let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
            let mut admin = pg_admin().await;
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
                .execute(&mut admin)
                .await
                .expect("create test schema");
            let _ = admin.close().await;
            let url = pg_url();
            let sep = if url.contains('?') { '&' } else { '?' };
            config.database.driver = DatabaseDriver::Postgres;
            config.database.url = format!("{url}{sep}options=-c%20search_path%3D{schema}");
            pg_schema = Some(schema);
        }
        customize(&mut config);
        let state = AppState::init(config.clone()).await.expect("server state");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (tx, rx) = oneshot::channel::<()>();
        let server = tokio::spawn(app::serve(state, listener, async move {
            let _ = rx.await;
        }));
        let client = reqwest::Client::builder()
            .no_proxy()
            .build()
            .expect("client");
        Self {
            addr,
            base: format!("http://{addr}"),
            client,
            data_dir: dir.path().to_path_buf(),
            config,
            _dir: dir,
            shutdown: Some(tx),
            server: Some(server),
            pg_schema,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// A request builder: `app.call(Method::POST, "/api/v1/users/login").json(..).send()`.
    pub fn call(&self, method: reqwest::Method, path: &str) -> Call {
        Call::new(self.client.request(method, self.url(path)))
    }

    pub fn get(&self, path: &str) -> Call {
        self.call(reqwest::Method::GET, path)
    }
    pub fn post(&self, path: &str) -> Call {
        self.call(reqwest::Method::POST, path)
    }
    pub fn put(&self, path: &str) -> Call {
        self.call(reqwest::Method::PUT, path)
    }
    pub fn patch(&self, path: &str) -> Call {
        self.call(reqwest::Method::PATCH, path)
    }
    pub fn delete(&self, path: &str) -> Call {
        self.call(reqwest::Method::DELETE, path)
    }

    /// A direct connection to the test's database, for assertions about stored state.
    pub async fn db(&self) -> ops::db::Db {
        ops::db::Db::connect(&self.config.database)
            .await
            .expect("db connect")
    }

    /// Stops the server (graceful) and waits for it.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(schema) = self.pg_schema.take() {
            // Best effort, on a thread of its own: Drop cannot await.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build();
                if let Ok(rt) = rt {
                    rt.block_on(async {
                        if let Ok(mut c) = sqlx::PgConnection::connect(&pg_url()).await {
                            let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                                "DROP SCHEMA {schema} CASCADE"
                            )))
                            .execute(&mut c)
                            .await;
                        }
                    });
                }
            })
            .join();
        }
    }
}
