//! What an operator sees (issue 18): the CLI against a running deployment's database (both
//! engines), and what a starting server logs (real child processes).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::db_test;
use crate::support::{ADMIN_PASSWORD, Backend, TestApp};

/// The binary with none of the caller's `OPS__*` variables.
fn bare() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ops-server"));
    cmd.env_remove("RUST_LOG");
    for (k, _) in std::env::vars() {
        if k.starts_with("OPS__") {
            cmd.env_remove(k);
        }
    }
    cmd
}

/// The binary pointed at the database of `app` (its own config file, so the test's template
/// copy is not the app's).
fn cli(app: &TestApp) -> Command {
    let mut cmd = bare();
    cmd.current_dir(&app.data_dir)
        .arg("--config")
        .arg(app.data_dir.join("cli-config.yaml"))
        .env("OPS__DATA_DIR", &app.data_dir)
        .env("OPS__DATABASE__PATH", &app.config.database.path)
        .env("OPS__FILE__PATHS__IMAGE", &app.config.file.paths.image)
        .env("OPS__LOG__LEVEL", "info");
    if app.config.database.driver == ops::config::DatabaseDriver::Postgres {
        cmd.env("OPS__DATABASE__DRIVER", "postgres")
            .env("OPS__DATABASE__URL", &app.config.database.url);
    }
    cmd
}

fn run(app: &TestApp, args: &[&str]) -> Output {
    cli(app)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run ops-server")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn ok(o: &Output) -> String {
    assert!(o.status.success(), "{}{}", stdout(o), stderr(o));
    stdout(o)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A server child whose standard error is collected while it runs.
struct Server {
    child: Child,
    log: Arc<Mutex<String>>,
}

impl Server {
    fn start(mut cmd: Command) -> Self {
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn ops-server");
        let log = Arc::new(Mutex::new(String::new()));
        let sink = log.clone();
        let err = child.stderr.take().expect("stderr");
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                let mut l = sink.lock().unwrap();
                l.push_str(&line);
                l.push('\n');
            }
        });
        Self { child, log }
    }

    fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// Waits until the log holds `text`, or the process ends (answers false).
    async fn wait_for(&mut self, text: &str) -> bool {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if self.log().contains(text) {
                return true;
            }
            if self.child.try_wait().unwrap().is_some() || Instant::now() > deadline {
                // Let the reader thread drain what is left.
                tokio::time::sleep(Duration::from_millis(200)).await;
                return self.log().contains(text);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    fn stop(mut self) -> String {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
        std::thread::sleep(Duration::from_millis(100));
        self.log()
    }
}

/// The app's database served by a child process on a port of its own.
fn serve(app: &TestApp, port: u16, env: &[(&str, &str)]) -> Server {
    let mut cmd = cli(app);
    cmd.env("OPS__SERVER__HOST", "127.0.0.1")
        .env("OPS__SERVER__PORT", port.to_string());
    for (k, v) in env {
        cmd.env(k, v);
    }
    Server::start(cmd)
}

async fn a_first_start_key_that_differs_from_the_live_setting_is_warned(b: Backend) {
    let app = TestApp::spawn(b).await;
    // First start seeded registration_open = true; a later start says false.
    let mut server = serve(&app, free_port(), &[("OPS__REGISTRATION__OPEN", "false")]);
    assert!(server.wait_for("listening").await, "{}", server.log());
    let log = server.stop();
    let line = log
        .lines()
        .find(|l| l.contains("WARN") && l.contains("registration.open"))
        .unwrap_or_else(|| panic!("no WARN about registration.open:\n{log}"));
    assert!(line.contains("configured=false"), "{line}");
    assert!(line.contains("live=true"), "{line}");
    assert!(
        line.contains("ops-server settings set registration_open"),
        "{line}"
    );
    // Keys that agree with the store are not mentioned.
    assert!(!log.contains("file.max_size only seeds"), "{log}");
    // The store is unchanged: registration is still open.
    let db = app.db().await;
    let s = ops::domain::platform::settings::load(&db).await.unwrap();
    assert!(s.registration_open);
}

async fn settings_commands_read_and_change_the_live_store(b: Backend) {
    let app = TestApp::spawn(b).await;
    let listed = ok(&run(&app, &["settings", "list"]));
    assert!(listed.contains("registration_open = true"), "{listed}");
    assert!(listed.contains("file_max_size = 5242880"), "{listed}");
    assert_eq!(
        ok(&run(&app, &["settings", "get", "registration_open"])).trim(),
        "true"
    );
    // The API's validation: out of range, wrong type, unknown key; nothing changes.
    let bad = run(&app, &["settings", "set", "file_max_size", "10"]);
    assert!(!bad.status.success());
    assert!(stderr(&bad).contains("file_max_size"), "{}", stderr(&bad));
    assert!(stderr(&bad).contains("1024"), "{}", stderr(&bad));
    let bad = run(&app, &["settings", "set", "registration_open", "maybe"]);
    assert!(!bad.status.success());
    let bad = run(&app, &["settings", "get", "no_such_key"]);
    assert!(!bad.status.success());
    assert!(stderr(&bad).contains("registration_open"), "lists the keys");
    assert_eq!(
        ok(&run(&app, &["settings", "get", "file_max_size"])).trim(),
        "5242880"
    );
    // A change reaches the running server on its next request.
    ok(&run(
        &app,
        &["settings", "set", "registration_open", "false"],
    ));
    ok(&run(&app, &["settings", "set", "site_name", "Farm office"]));
    assert_eq!(
        ok(&run(&app, &["settings", "get", "site_name"])).trim(),
        "\"Farm office\""
    );
    let body = json!({"name": "carol", "password": "secret12", "password_confirm": "secret12"});
    let r = app.post("/api/v1/users/register").json(&body).send().await;
    r.ops(403, "-6");
    assert_eq!(r.json["message"], "注册已关闭");
}

async fn user_list_grant_and_revoke(b: Backend) {
    let app = TestApp::spawn(b).await;
    let body = json!({"name": "dave", "password": "secret12", "password_confirm": "secret12", "email": "dave@example.com"});
    app.post("/api/v1/users/register")
        .json(&body)
        .send()
        .await
        .ops(200, "0");
    let listed = ok(&run(&app, &["user", "list"]));
    let dave = listed
        .lines()
        .find(|l| l.contains("dave"))
        .expect("dave listed");
    assert!(
        dave.contains("dave@example.com") && dave.contains("active"),
        "{dave}"
    );
    assert!(
        listed.contains("super_admin"),
        "admin's role shown: {listed}"
    );
    assert!(listed.contains("2 users"), "{listed}");

    ok(&run(
        &app,
        &["user", "grant", "--name", "dave", "--role", "admin"],
    ));
    let db = app.db().await;
    let id = ops::domain::identity::user::find_by_username(&db, "dave")
        .await
        .unwrap()
        .unwrap()
        .id;
    let codes = ops::domain::access::user_roles::codes_of(&db, id)
        .await
        .unwrap();
    assert!(codes.contains(&"admin".to_owned()), "{codes:?}");
    let listed = ok(&run(&app, &["user", "list"]));
    assert!(
        listed
            .lines()
            .any(|l| l.contains("dave") && l.contains("admin")),
        "{listed}"
    );
    // Granting again changes nothing and says so.
    assert!(
        ok(&run(
            &app,
            &["user", "grant", "--name", "dave", "--role", "admin"]
        ))
        .contains("already")
    );

    ok(&run(
        &app,
        &["user", "revoke", "--name", "dave", "--role", "admin"],
    ));
    let codes = ops::domain::access::user_roles::codes_of(&db, id)
        .await
        .unwrap();
    assert!(!codes.contains(&"admin".to_owned()), "{codes:?}");

    let unknown = run(
        &app,
        &["user", "grant", "--name", "dave", "--role", "wizard"],
    );
    assert!(!unknown.status.success());
    assert!(
        stderr(&unknown).contains("wizard") && stderr(&unknown).contains("super_admin"),
        "{}",
        stderr(&unknown)
    );
    let nobody = run(
        &app,
        &["user", "grant", "--name", "nobody", "--role", "admin"],
    );
    assert!(!nobody.status.success());
    // The last super admin keeps the role, so the system stays administrable.
    let last = run(
        &app,
        &["user", "revoke", "--name", "admin", "--role", "super_admin"],
    );
    assert!(!last.status.success(), "{}", stdout(&last));
    assert!(stderr(&last).contains("last"), "{}", stderr(&last));
    let admin_id = ops::domain::identity::user::find_by_username(&db, "admin")
        .await
        .unwrap()
        .unwrap()
        .id;
    let codes = ops::domain::access::user_roles::codes_of(&db, admin_id)
        .await
        .unwrap();
    assert!(codes.contains(&"super_admin".to_owned()));
}

async fn the_reset_mail_links_to_the_public_url(b: Backend) {
    use crate::support::smtp::SmtpSink;
    let smtp = SmtpSink::start();
    let port = smtp.port;
    let app = TestApp::spawn_with(b, |c| {
        c.smtp.host = "127.0.0.1".into();
        c.smtp.port = port;
        c.server.public_url = "https://ops.example.com/".into();
    })
    .await;
    let body = json!({"name": "erin", "password": "secret12", "password_confirm": "secret12", "email": "erin@example.com"});
    app.post("/api/v1/users/register")
        .json(&body)
        .send()
        .await
        .ops(200, "0");
    app.post("/api/v1/users/forgot-password")
        .json(&json!({"email": "erin@example.com"}))
        .send()
        .await
        .ops(200, "0");
    let text = mail_text(&smtp.message(1).await);
    let token = crate::support::smtp::reset_token(&smtp.message(1).await);
    assert!(
        text.contains(&format!(
            "https://ops.example.com/reset-password?token={token}"
        )),
        "{text}"
    );
    assert!(!text.contains("localhost:8080"), "{text}");
}

/// The decoded text of a raw (base64 body) mail.
fn mail_text(raw: &str) -> String {
    use base64::Engine;
    let (_, body) = raw.split_once("\n\n").expect("headers and body");
    let b64: String = body.lines().map(str::trim).collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64.as_bytes())
        .expect("base64 body");
    String::from_utf8(bytes).expect("utf-8")
}

async fn closed_registration_says_so(b: Backend) {
    let app = TestApp::spawn(b).await;
    let db = app.db().await;
    let mut change = serde_json::Map::new();
    change.insert("registration_open".into(), json!(false));
    ops::domain::platform::settings::update(&db, &change)
        .await
        .unwrap();
    let body = json!({"name": "frank", "password": "secret12", "password_confirm": "secret12"});
    let r = app.post("/api/v1/users/register").json(&body).send().await;
    r.ops(403, "-6");
    assert_eq!(r.json["message"], "注册已关闭");
    // Other refusals keep their own words.
    let login = app
        .post("/api/v1/users/login")
        .json(&json!({"name": "admin", "password": ADMIN_PASSWORD}))
        .send()
        .await;
    login.ops(200, "0");
}

db_test!(
    a_first_start_key_that_differs_from_the_live_setting_is_warned,
    settings_commands_read_and_change_the_live_store,
    user_list_grant_and_revoke,
    the_reset_mail_links_to_the_public_url,
    closed_registration_says_so,
);

/// A fresh working directory served by a child process.
fn serve_fresh(dir: &Path, port: u16, env: &[(&str, &str)]) -> Server {
    let mut cmd = bare();
    cmd.current_dir(dir)
        .env("OPS__SERVER__HOST", "127.0.0.1")
        .env("OPS__SERVER__PORT", port.to_string())
        .env("OPS__BOOTSTRAP__ADMIN_PASSWORD", ADMIN_PASSWORD);
    for (k, v) in env {
        cmd.env(k, v);
    }
    Server::start(cmd)
}

#[tokio::test]
async fn every_request_logs_one_access_line_without_bodies_or_colour() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut server = serve_fresh(dir.path(), port, &[]);
    assert!(server.wait_for("listening").await, "{}", server.log());
    let client = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}/api/v1");
    let login: serde_json::Value = client
        .post(format!("{base}/users/login"))
        .json(&json!({"name": "admin", "password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["data"]["cookie_value"].as_str().unwrap().to_owned();
    let r = client
        .get(format!("{base}/users/profile?secret=q"))
        .bearer_auth(&token)
        .header("x-request-id", "req_fixed_1")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let missing = client
        .get(format!("{base}/no/such/route"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    assert!(server.wait_for("/no/such/route").await);
    let log = server.stop();
    assert!(!log.contains('\u{1b}'), "no colour codes in a pipe:\n{log}");
    let access: Vec<&str> = log.lines().filter(|l| l.contains("ops::access")).collect();
    assert_eq!(access.len(), 3, "one line per request:\n{log}");
    let profile = access
        .iter()
        .find(|l| l.contains("path=/api/v1/users/profile"))
        .expect("profile line");
    for part in [
        " INFO ",
        "method=GET",
        "status=200",
        "request_id=req_fixed_1",
        "user_id=1",
        "duration_ms=",
    ] {
        assert!(profile.contains(part), "{part} in {profile}");
    }
    assert!(!profile.contains("secret=q"), "no query strings: {profile}");
    let anonymous = access
        .iter()
        .find(|l| l.contains("/no/such/route"))
        .unwrap();
    assert!(
        anonymous.contains("status=404") && anonymous.contains("user_id=-"),
        "{anonymous}"
    );
    assert!(!log.contains(ADMIN_PASSWORD), "never bodies:\n{log}");
}

#[tokio::test]
async fn json_logs_are_one_object_a_line_and_carry_the_request_id() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    // A RUST_LOG-style filter: the access lines and the CLI's "listening" at info, everything
    // else from warn.
    let mut server = serve_fresh(
        dir.path(),
        port,
        &[
            ("OPS__LOG__FORMAT", "json"),
            ("OPS__LOG__LEVEL", "warn,ops::access=info,ops::cli=info"),
        ],
    );
    assert!(server.wait_for("listening").await, "{}", server.log());
    let client = reqwest::Client::new();
    for id in ["req_json_1", "req_json_2"] {
        let r = client
            .post(format!("http://127.0.0.1:{port}/api/v1/users/login"))
            .header("x-request-id", id)
            .json(&json!({"name": "admin", "password": "wrong"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.headers()["x-request-id"], id);
    }
    assert!(server.wait_for("req_json_2").await);
    let log = server.stop();
    let lines: Vec<serde_json::Value> = log
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    // Start-up's other info lines (data paths, new database) were filtered out.
    assert!(
        lines.iter().all(|l| l["level"] != "INFO"
            || l["target"] == "ops::access"
            || l["target"] == "ops::cli"),
        "{log}"
    );
    assert!(!log.contains("data locations"), "{log}");
    let access: Vec<_> = lines
        .iter()
        .filter(|l| l["target"] == "ops::access")
        .collect();
    assert_eq!(access.len(), 2, "{log}");
    for (line, id) in access.iter().zip(["req_json_1", "req_json_2"]) {
        assert_eq!(line["fields"]["request_id"], id, "{line}");
        assert_eq!(line["span"]["request_id"], id, "{line}");
    }
    // Every line written while a request was being answered names that request.
    for line in lines.iter().filter(|l| l.get("span").is_some()) {
        let id = line["span"]["request_id"].as_str().unwrap_or("");
        assert!(id.starts_with("req_json_"), "{line}");
    }
}

#[tokio::test]
async fn the_access_log_can_be_switched_off() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut server = serve_fresh(dir.path(), port, &[("OPS__LOG__ACCESS", "false")]);
    assert!(server.wait_for("listening").await, "{}", server.log());
    let r = reqwest::get(format!("http://127.0.0.1:{port}/healthz"))
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let log = server.stop();
    assert!(!log.contains("ops::access"), "{log}");
}

#[tokio::test]
async fn start_up_names_absolute_data_paths_and_a_new_database() {
    let dir = tempfile::tempdir().unwrap();
    // Started from one directory with the config file in another: relative paths resolve
    // against the working directory, and the log says where that is.
    std::fs::create_dir_all(dir.path().join("other/dir")).unwrap();
    std::fs::create_dir_all(dir.path().join("elsewhere")).unwrap();
    let config = dir.path().join("other/dir/config.yaml");
    let run = dir.path().join("elsewhere");
    let start = |port: u16| {
        let mut cmd = bare();
        cmd.current_dir(&run)
            .arg("--config")
            .arg(&config)
            .env("OPS__SERVER__HOST", "127.0.0.1")
            .env("OPS__SERVER__PORT", port.to_string())
            .env("OPS__BOOTSTRAP__ADMIN_PASSWORD", ADMIN_PASSWORD);
        Server::start(cmd)
    };
    let mut first = start(free_port());
    assert!(first.wait_for("listening").await, "{}", first.log());
    let log = first.stop();
    let run = std::fs::canonicalize(&run).unwrap();
    let db = run.join("data/db.db");
    assert!(
        log.contains(&format!("database={}", db.display())),
        "absolute database path:\n{log}"
    );
    assert!(
        log.contains(&format!("blobs={}", run.join("data/images").display())),
        "{log}"
    );
    assert!(log.contains("jwt_secret=the database"), "{log}");
    assert!(log.contains("created a new, empty database"), "{log}");
    let mut second = start(free_port());
    assert!(second.wait_for("listening").await, "{}", second.log());
    let log = second.stop();
    assert!(
        !log.contains("created a new"),
        "only the first time:\n{log}"
    );
}

#[tokio::test]
async fn listening_is_logged_only_once_the_tls_files_load() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = serve_fresh(
        dir.path(),
        free_port(),
        &[
            ("OPS__SERVER__TLS_ENABLE", "true"),
            ("OPS__SERVER__TLS_CERT", "missing-cert.pem"),
            ("OPS__SERVER__TLS_KEY", "missing-key.pem"),
        ],
    );
    assert!(server.wait_for("server.tls_cert").await, "{}", server.log());
    let status = server.child.wait().unwrap();
    assert!(!status.success());
    assert!(!server.log().contains("listening"), "{}", server.log());
}
