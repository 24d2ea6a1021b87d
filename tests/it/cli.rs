//! The `ops-server` binary itself: first start, migrations, user administration, bad
//! configuration, an unreachable database, graceful shutdown.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use ops::config::Config;
use ops::db::Db;
use ops::domain::identity::{login, user};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ops-server"));
    c.env_remove("RUST_LOG");
    for (k, _) in std::env::vars() {
        if k.starts_with("OPS__") {
            c.env_remove(k);
        }
    }
    c
}

fn run_in(dir: &Path, args: &[&str], stdin: Option<&str>, env: &[(&str, &str)]) -> Output {
    let mut cmd = bin();
    cmd.current_dir(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("spawn ops-server");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("write stdin");
    } else {
        drop(child.stdin.take());
    }
    child.wait_with_output().expect("wait")
}

async fn db_in(dir: &Path) -> Db {
    let mut cfg = Config::defaults().unwrap();
    cfg.database.path = dir.join("data/db.db").display().to_string();
    Db::connect(&cfg.database).await.unwrap()
}

#[tokio::test]
async fn migrate_on_a_fresh_directory_creates_config_and_database() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_in(dir.path(), &["migrate"], None, &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("applied"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let config = std::fs::read_to_string(dir.path().join("data/config.yaml")).unwrap();
    assert_eq!(config, ops::config::TEMPLATE);
    assert!(dir.path().join("data/db.db").exists());
    let again = run_in(dir.path(), &["migrate"], None, &[]);
    assert!(again.status.success());
    assert_eq!(
        String::from_utf8_lossy(&again.stdout).trim(),
        "nothing to apply: the database is up to date"
    );
}

/// One command seeds every kind on a fresh SQLite directory (an `ANALYZE` between farms and
/// animals once ran outside the writer and broke the next insert).
#[tokio::test]
async fn livestock_seed_loads_farms_animals_orders_and_records_in_one_command() {
    let dir = tempfile::tempdir().unwrap();
    // Orders need a buyer and a seller besides the farms' owner.
    for name in ["buyer01", "seller01"] {
        let made = run_in(
            dir.path(),
            &["user", "create", "--name", name],
            Some("benchpass1\n"),
            &[],
        );
        assert!(
            made.status.success(),
            "{}",
            String::from_utf8_lossy(&made.stderr)
        );
    }
    let out = run_in(
        dir.path(),
        &[
            "livestock",
            "seed",
            "--farms",
            "4",
            "--animals",
            "30",
            "--orders",
            "12",
            "--records",
            "20",
        ],
        None,
        &[],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let db = db_in(dir.path()).await;
    for (table, want) in [
        ("farms", 4_i64),
        ("animals", 30),
        ("trade_orders", 12),
        ("financial_records", 20),
    ] {
        let n: i64 =
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
                .fetch_one(db.pool())
                .await
                .unwrap();
        assert!(n >= want, "{table}: {n} rows, wanted at least {want}");
    }
}

#[tokio::test]
async fn config_check_prints_the_effective_configuration_with_secrets_masked() {
    let dir = tempfile::tempdir().unwrap();
    let env = [
        ("OPS__SERVER__PORT", "9191"),
        (
            "OPS__SECURITY__JWT_SECRET",
            "a-very-secret-signing-key-0123456789",
        ),
        ("OPS__SMTP__PASSWORD", "mail-pass-1"),
        (
            "OPS__DATABASE__URL",
            "postgres://ops:db-pass-1@db.example.com/ops",
        ),
    ];
    let out = run_in(dir.path(), &["config", "check"], None, &env);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("# The configuration is valid."), "{text}");
    let yaml: serde_json::Value = serde_yaml_ng::from_str(&text).expect("YAML");
    assert_eq!(yaml["server"]["port"], 9191);
    assert_eq!(yaml["security"]["jwt_secret"], "***");
    assert_eq!(yaml["smtp"]["password"], "***");
    assert_eq!(
        yaml["database"]["url"],
        "postgres://ops:***@db.example.com/ops"
    );
    for secret in ["a-very-secret", "mail-pass-1", "db-pass-1"] {
        assert!(!text.contains(secret), "{secret} shown:\n{text}");
    }
    assert!(!dir.path().join("data").exists(), "a check creates nothing");
    let bad = run_in(
        dir.path(),
        &["config", "check"],
        None,
        &[("OPS__LOG__FORMAT", "xml")],
    );
    assert!(!bad.status.success());
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(
        err.contains("log.format")
            && err.contains("OPS__LOG__FORMAT")
            && err.contains("text, json"),
        "{err}"
    );
}

#[tokio::test]
async fn a_missing_postgres_database_is_created() {
    use sqlx::Connection;
    let base = std::env::var("OPS_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let name = format!("ops_new_{}", uuid::Uuid::new_v4().simple());
    let (server, _) = base.rsplit_once('/').expect("a database in the URL");
    let url = format!("{server}/{name}");
    let dir = tempfile::tempdir().unwrap();
    let env = [
        ("OPS__DATABASE__DRIVER", "postgres"),
        ("OPS__DATABASE__URL", url.as_str()),
    ];
    let out = run_in(dir.path(), &["migrate"], None, &env);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    let mut admin = sqlx::PgConnection::connect(&base).await.unwrap();
    let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
    )))
    .execute(&mut admin)
    .await;
    assert!(out.status.success(), "{err}");
    assert!(err.contains("created the PostgreSQL database"), "{err}");
    assert!(err.contains("created a new, empty database"), "{err}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("applied"));
}

#[tokio::test]
async fn version_names_the_commit() {
    let out = bin().arg("--version").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let head = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let head = String::from_utf8_lossy(&head.stdout).trim().to_owned();
    assert_eq!(
        text.trim(),
        format!("ops-server {} (commit {head})", env!("CARGO_PKG_VERSION"))
    );
}

#[tokio::test]
async fn every_flag_has_help_text() {
    for args in [
        vec!["--help"],
        vec!["user", "create", "--help"],
        vec!["user", "grant", "--help"],
        vec!["user", "revoke", "--help"],
        vec!["user", "reset-password", "--help"],
        vec!["purchase", "seed", "--help"],
        vec!["settings", "set", "--help"],
        vec!["hanzi", "import", "--help"],
    ] {
        let out = bin().args(&args).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        let options = text.split("Options:").nth(1).unwrap_or("");
        for line in options.lines().filter(|l| l.trim_start().starts_with('-')) {
            // `--name <NAME>  The user's login name`: clap sets the help two spaces after the
            // flag; a flag without help shows only its `[default: …]` there, or nothing.
            let help = line
                .trim()
                .split("  ")
                .map(str::trim)
                .find(|s| !s.is_empty() && !s.starts_with('-'));
            assert!(
                help.is_some_and(|h| !h.starts_with('[')),
                "{args:?}: no help for {line:?}"
            );
        }
        let arguments = text.split("Arguments:").nth(1).unwrap_or("");
        for line in arguments
            .lines()
            .take_while(|l| !l.is_empty())
            .filter(|l| l.trim_start().starts_with('<'))
        {
            assert!(line.split_whitespace().count() > 1, "{args:?}: {line:?}");
        }
    }
}

#[tokio::test]
async fn user_commands_create_reset_disable_and_enable() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_in(
        dir.path(),
        &["user", "create", "--name", "carol", "--super-admin"],
        Some("carol-pass-1\n"),
        &[],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The password never appears in what the command prints.
    assert!(!String::from_utf8_lossy(&out.stdout).contains("carol-pass-1"));
    let db = db_in(dir.path()).await;
    let carol = user::find_by_username(&db, "carol").await.unwrap().unwrap();
    assert!(
        login::check_password(&db, carol.id, "carol-pass-1")
            .await
            .unwrap()
    );
    let roles = ops::domain::access::user_roles::codes_of(&db, carol.id)
        .await
        .unwrap();
    assert!(roles.contains(&"super_admin".to_owned()));

    let dup = run_in(
        dir.path(),
        &["user", "create", "--name", "carol"],
        Some("carol-pass-1\n"),
        &[],
    );
    assert!(!dup.status.success());

    let out = run_in(
        dir.path(),
        &["user", "reset-password", "--name", "carol"],
        Some("carol-pass-2\n"),
        &[],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        login::check_password(&db, carol.id, "carol-pass-2")
            .await
            .unwrap()
    );
    assert!(
        !login::check_password(&db, carol.id, "carol-pass-1")
            .await
            .unwrap()
    );

    let short = run_in(
        dir.path(),
        &["user", "reset-password", "--name", "carol"],
        Some("123\n"),
        &[],
    );
    assert!(!short.status.success(), "a too-short password is refused");

    let out = run_in(
        dir.path(),
        &["user", "disable", "--name", "carol"],
        None,
        &[],
    );
    assert!(out.status.success());
    assert!(!user::get(db.pool(), carol.id).await.unwrap().is_active);
    let out = run_in(
        dir.path(),
        &["user", "enable", "--name", "carol"],
        None,
        &[],
    );
    assert!(out.status.success());
    assert!(user::get(db.pool(), carol.id).await.unwrap().is_active);

    let missing = run_in(
        dir.path(),
        &["user", "disable", "--name", "nobody"],
        None,
        &[],
    );
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("nobody"));
}

#[tokio::test]
async fn an_invalid_config_file_stops_start_up_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("data")).unwrap();
    std::fs::write(
        dir.path().join("data/config.yaml"),
        "server:\n  port: not-a-port\n",
    )
    .unwrap();
    let out = run_in(dir.path(), &["migrate"], None, &[]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("server.port"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The broken file is never replaced.
    assert_eq!(
        std::fs::read_to_string(dir.path().join("data/config.yaml")).unwrap(),
        "server:\n  port: not-a-port\n"
    );
}

#[tokio::test]
async fn an_unreachable_database_at_start_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let env = [
        ("OPS__DATABASE__DRIVER", "postgres"),
        ("OPS__DATABASE__URL", "postgres://nobody@127.0.0.1:1/none"),
        ("OPS__DATABASE__CONNECT_TIMEOUT_SECS", "2"),
    ];
    let out = run_in(dir.path(), &[], None, &env);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("connecting to PostgreSQL at postgres://nobody@127.0.0.1:1/none"),
        "{err}"
    );
}

#[tokio::test]
async fn serve_answers_then_stops_gracefully_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = bin()
        .current_dir(dir.path())
        .env("OPS__SERVER__HOST", "127.0.0.1")
        .env("OPS__SERVER__PORT", port.to_string())
        .env("OPS__BOOTSTRAP__ADMIN_PASSWORD", "admin-password-1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let url = format!("http://127.0.0.1:{port}/api/v1/system/status");
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    let body: serde_json::Value = loop {
        if let Ok(r) = client.get(&url).send().await {
            break r.json().await.unwrap();
        }
        assert!(Instant::now() < deadline, "server did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(body["code"], "0");
    assert_eq!(body["data"]["database"], "connected");
    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let deadline = Instant::now() + Duration::from_secs(15);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "server did not stop on SIGTERM");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(status.success(), "graceful shutdown exits 0: {status:?}");
}

#[tokio::test]
async fn tls_enable_serves_https_with_secure_cookies() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    let made = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("openssl is needed to make a test certificate");
    assert!(made.success());
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = bin()
        .current_dir(dir.path())
        .env("OPS__SERVER__HOST", "127.0.0.1")
        .env("OPS__SERVER__PORT", port.to_string())
        .env("OPS__SERVER__TLS_ENABLE", "true")
        .env("OPS__SERVER__TLS_CERT", &cert)
        .env("OPS__SERVER__TLS_KEY", &key)
        .env("OPS__BOOTSTRAP__ADMIN_PASSWORD", "admin-password-1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let curl = |args: &[&str]| {
        Command::new("curl")
            .args(["-sk", "-i"])
            .args(args)
            .output()
            .unwrap()
    };
    let base = format!("https://127.0.0.1:{port}/api/v1");
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        let out = curl(&[&format!("{base}/system/status")]);
        if out.status.success() {
            break String::from_utf8_lossy(&out.stdout).into_owned();
        }
        assert!(Instant::now() < deadline, "https server did not start");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(status.contains(r#""code":"0""#), "{status}");
    let login = curl(&[
        "-H",
        "content-type: application/json",
        "-d",
        r#"{"name":"admin","password":"admin-password-1"}"#,
        &format!("{base}/users/login"),
    ]);
    let login = String::from_utf8_lossy(&login.stdout).to_lowercase();
    assert!(
        login.contains("set-cookie: ops_session=") && login.contains("; secure"),
        "{login}"
    );
    let plain = Command::new("curl")
        .args(["-s", &format!("http://127.0.0.1:{port}/healthz")])
        .output()
        .unwrap();
    assert_ne!(
        String::from_utf8_lossy(&plain.stdout),
        "ok",
        "plain HTTP is not served on the TLS port"
    );
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
}
