//! Operation-log benchmark: what logging costs on the purchase-order create workload, and how
//! fast the log list answers with one filter at many entries.
//!
//! ```sh
//! cargo build --release --bin ops-server --example bench_oplog
//! ./target/release/examples/bench_oplog                       # SQLite, 100,000 entries
//! ./target/release/examples/bench_oplog --entries 5000000     # the full-size list figure
//! ./target/release/examples/bench_oplog --pg-url postgres://postgres@127.0.0.1:5432/test
//! ```
//!
//! 1. **Overhead.** Two servers of the same binary in fresh data directories, one with
//!    `log.operations: false`; both receive the same `POST /api/v1/purchase/orders` rounds,
//!    alternating, and the program reads each server's CPU time (`/proc/<pid>/stat`, user +
//!    system) around every round: CPU per request with and without the log, in one run.
//! 2. **List.** `--entries` entries are written straight into a third data directory
//!    (spread over 180 days, 20 modules, 8 actions, 500 users, 2,000 addresses), then
//!    `GET /admin/v1/system/operation-logs` is timed alone and with each filter: p50, p95, max
//!    of the client's full HTTP round trip, one request at a time.

#![expect(
    clippy::unwrap_used,
    reason = "a benchmark program: failing loudly is the point"
)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use clap::Parser;
use ops::config::{Config, DatabaseDriver};
use ops::db::Db;
use serde_json::{Value, json};
use sqlx::Connection;

#[derive(Parser)]
struct Args {
    /// The server binary.
    #[arg(long, default_value = "target/release/ops-server")]
    bin: PathBuf,
    /// PostgreSQL instead of SQLite (each server gets a schema of its own).
    #[arg(long)]
    pg_url: Option<String>,
    /// Purchase orders created per round and server.
    #[arg(long, default_value_t = 500)]
    orders: usize,
    #[arg(long, default_value_t = 6)]
    rounds: usize,
    /// Requests in flight at once during the create rounds.
    #[arg(long, default_value_t = 4)]
    concurrency: usize,
    /// Operation-log entries for the list benchmark (0: skip it).
    #[arg(long, default_value_t = 100_000)]
    entries: usize,
    /// Requests per list scenario.
    #[arg(long, default_value_t = 200)]
    runs: usize,
}

const PASSWORD: &str = "bench-password-1";

struct Server {
    child: Child,
    base: String,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The database config a server in `dir` uses (a fresh PostgreSQL schema when asked).
async fn database(args: &Args, dir: &Path) -> (Config, Vec<(String, String)>) {
    let mut cfg = Config::defaults().unwrap();
    cfg.database.path = dir.join("data/db.db").display().to_string();
    let mut env = vec![];
    if let Some(url) = &args.pg_url {
        let schema = format!("bench_{}", uuid::Uuid::new_v4().simple());
        let mut c = sqlx::PgConnection::connect(url).await.unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
            .execute(&mut c)
            .await
            .unwrap();
        let sep = if url.contains('?') { '&' } else { '?' };
        let full = format!("{url}{sep}options=-c%20search_path%3D{schema}");
        cfg.database.driver = DatabaseDriver::Postgres;
        cfg.database.url = full.clone();
        env.push(("OPS__DATABASE__DRIVER".into(), "postgres".into()));
        env.push(("OPS__DATABASE__URL".into(), full));
    }
    (cfg, env)
}

async fn start(args: &Args, dir: tempfile::TempDir, env: &[(String, String)], log: bool) -> Server {
    let port = free_port();
    let mut cmd = Command::new(&args.bin);
    cmd.current_dir(dir.path())
        .env_remove("RUST_LOG")
        .env("OPS__SERVER__HOST", "127.0.0.1")
        .env("OPS__SERVER__PORT", port.to_string())
        .env("OPS__BOOTSTRAP__ADMIN_PASSWORD", PASSWORD)
        .env("OPS__LOG__LEVEL", "warn")
        .env("OPS__LOG__OPERATIONS", log.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("starting {}: {e}", args.bin.display()));
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while client.get(format!("{base}/healthz")).send().await.is_err() {
        assert!(Instant::now() < deadline, "server did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Server {
        child,
        base,
        _dir: dir,
    }
}

/// User + system CPU time of a process, from `/proc/<pid>/stat`.
fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // Fields after the `(comm)`; utime and stime are the 14th and 15th of the line.
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = f[11].parse::<u64>().unwrap() + f[12].parse::<u64>().unwrap();
    // USER_HZ is 100 on Linux.
    Duration::from_millis(ticks * 10)
}

async fn login_ops(client: &reqwest::Client, base: &str) -> String {
    let r: Value = client
        .post(format!("{base}/api/v1/users/login"))
        .json(&json!({"name": "admin", "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    r["data"]["cookie_value"].as_str().unwrap().to_owned()
}

/// One round of `n` creates, `concurrency` at a time.
async fn create_round(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    n: usize,
    concurrency: usize,
) {
    use futures_util::StreamExt;
    let url = format!("{base}/api/v1/purchase/orders");
    futures_util::stream::iter(0..n)
        .map(|i| {
            let (client, url, token) = (client.clone(), url.clone(), token.to_owned());
            async move {
                let body = json!({
                    "title": format!("华为交换机 S5735 第{i}批"),
                    "remark": "机房扩容",
                    "order_status": "ordered",
                    "costs": [
                        {"cost": 129900, "int": 2, "costt": 259800, "currencytype": "CNY", "type": "设备"},
                        {"cost": 5000, "int": 1, "costt": 5000, "currencytype": "CNY", "type": "运费"}
                    ]
                });
                let r = client.post(&url).bearer_auth(&token).json(&body).send().await.unwrap();
                assert!(r.status().is_success(), "create: {}", r.status());
                let _ = r.bytes().await;
            }
        })
        .buffer_unordered(concurrency)
        .collect::<Vec<_>>()
        .await;
}

async fn overhead(args: &Args) {
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let mut servers = Vec::new();
    for log in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let (_, env) = database(args, dir.path()).await;
        let s = start(args, dir, &env, log).await;
        let token = login_ops(&client, &s.base).await;
        // Warm-up: caches, prepared statements, the writer task.
        create_round(&client, &s.base, &token, 50, args.concurrency).await;
        servers.push((log, s, token, Duration::ZERO, Duration::ZERO));
    }
    for _ in 0..args.rounds {
        for (_, s, token, cpu, wall) in servers.iter_mut() {
            let pid = s.child.id();
            let (c0, t0) = (cpu_time(pid), Instant::now());
            create_round(&client, &s.base, token, args.orders, args.concurrency).await;
            *wall += t0.elapsed();
            *cpu += cpu_time(pid) - c0;
        }
    }
    let n = (args.orders * args.rounds) as f64;
    println!(
        "purchase-order create, {} requests per server ({} rounds × {}, {} in flight)",
        args.orders * args.rounds,
        args.rounds,
        args.orders,
        args.concurrency
    );
    println!(
        "{:<16} {:>16} {:>14}",
        "server", "CPU µs/request", "requests/s"
    );
    let mut per = [0.0; 2];
    for (i, (log, _, _, cpu, wall)) in servers.iter().enumerate() {
        per[i] = cpu.as_secs_f64() * 1e6 / n;
        println!(
            "{:<16} {:>16.0} {:>14.0}",
            if *log { "with log" } else { "without log" },
            per[i],
            n / wall.as_secs_f64()
        );
    }
    println!(
        "logging overhead: {:+.1}% CPU per request",
        (per[1] / per[0] - 1.0) * 100.0
    );
}

const MODULES: [&str; 20] = [
    "user",
    "role",
    "permission",
    "config",
    "farm",
    "animal",
    "category",
    "order",
    "financial",
    "notification",
    "purchase",
    "file",
    "repertoire",
    "group",
    "backendapi",
    "auth",
    "export",
    "health",
    "dashboard",
    "statistics",
];
const ACTIONS: [&str; 8] = [
    "create", "update", "delete", "login", "logout", "audit", "upload", "refresh",
];

/// `CASE <expr> WHEN 0 THEN 'a' WHEN 1 THEN 'b' … END`.
fn pick(expr: &str, names: &[&str]) -> String {
    let arms: String = names
        .iter()
        .enumerate()
        .map(|(k, n)| format!(" WHEN {k} THEN '{n}'"))
        .collect();
    format!("CASE {expr}{arms} END")
}

/// One statement writing entries `lo..hi` (of `total`) shaped like real traffic, spread evenly
/// over the 180 days before `now`; the same SQL on both engines. The rows are generated by the
/// database (a recursive CTE) instead of bound one by one: 100,000 rows per statement, so
/// 5,000,000 entries take minutes, not the half hour of 64-row statements.
fn synthetic_sql(lo: usize, hi: usize, total: usize, now: i64) -> String {
    let span = 180 * 24 * 3_600_000_000_i64;
    let step = span / total.max(1) as i64;
    let user = "((x * 7919) % 500 + 1)";
    format!(
        "WITH RECURSIVE c(x) AS (SELECT CAST({lo} AS BIGINT) UNION ALL SELECT x + 1 FROM c WHERE x < {last}) \
         INSERT INTO operation_logs (user_id, username, dialect, module, action, method, url, ip, \
         user_agent, request_data, response_data, status_code, execution_time, created_at) \
         SELECT {user}, 'user' || CAST({user} AS TEXT), 'admin_v1', {module}, {action}, 'POST', \
         '/admin/v1/farms', \
         '10.0.' || CAST((x * 13) % 2000 / 250 AS TEXT) || '.' || CAST((x * 13) % 250 AS TEXT), \
         'Mozilla/5.0 (bench)', \
         '{{\"name\":\"牧场' || CAST(x AS TEXT) || '\",\"password\":\"***\"}}', \
         '{{\"code\":201,\"data\":{{\"id\":' || CAST(x AS TEXT) || '}},\"success\":true}}', \
         201, x % 40, {start} + x * {step} FROM c",
        last = hi - 1,
        module = pick("(x * 31) % 20", &MODULES),
        action = pick("(x * 17) % 8", &ACTIONS),
        start = now - span,
    )
}

async fn list(args: &Args) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("data")).unwrap();
    let (cfg, env) = database(args, dir.path()).await;
    let db = Db::connect(&cfg.database).await.unwrap();
    db.migrate().await.unwrap();
    let started = Instant::now();
    let now = ops::db::now();
    const CHUNK: usize = 100_000;
    for lo in (0..args.entries).step_by(CHUNK) {
        let hi = (lo + CHUNK).min(args.entries);
        let sql = synthetic_sql(lo, hi, args.entries, now);
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(db.pool())
            .await
            .unwrap();
        if hi % 1_000_000 == 0 {
            println!("{hi} entries ({:.1} s)", started.elapsed().as_secs_f64());
        }
    }
    db.close().await;
    println!(
        "\nseeded {} entries in {:.1} s",
        args.entries,
        started.elapsed().as_secs_f64()
    );
    let s = start(args, dir, &env, true).await;
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let r: Value = client
        .post(format!("{}/admin/v1/auth/login", s.base))
        .json(&json!({"username": "admin", "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = r["data"]["token"].as_str().unwrap().to_owned();
    let month_ago = chrono::Utc::now() - chrono::Duration::days(30);
    let week_ago = (chrono::Utc::now() - chrono::Duration::days(7))
        .format("%Y-%m-%d")
        .to_string();
    let start_date = month_ago.format("%Y-%m-%d").to_string();
    let end_date = (month_ago + chrono::Duration::days(10))
        .format("%Y-%m-%d %H:%M")
        .to_string();
    let scenarios: Vec<(&str, Vec<(&str, String)>)> = vec![
        ("no filter", vec![]),
        ("module=farm", vec![("module", "farm".into())]),
        ("action=audit", vec![("action", "audit".into())]),
        ("user_id=42", vec![("user_id", "42".into())]),
        ("ip=10.0.3.17", vec![("ip", "10.0.3.17".into())]),
        ("start_date (7 days)", vec![("start_date", week_ago)]),
        (
            "start+end (10 days, minutes)",
            vec![
                ("start_date", start_date.clone()),
                ("end_date", end_date.clone()),
            ],
        ),
        (
            "module + dates",
            vec![
                ("module", "order".into()),
                ("start_date", start_date),
                ("end_date", end_date),
            ],
        ),
        (
            "module=farm, page 50",
            vec![("module", "farm".into()), ("page", "50".into())],
        ),
    ];
    println!(
        "{:<30} {:>10} {:>9} {:>9} {:>9}",
        "GET /system/operation-logs", "total", "p50 ms", "p95 ms", "max ms"
    );
    let url = format!("{}/admin/v1/system/operation-logs", s.base);
    for (name, query) in &scenarios {
        let send = || async {
            let t = Instant::now();
            let body: Value = client
                .get(&url)
                .bearer_auth(&token)
                .query(query)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let took = t.elapsed();
            assert_eq!(body["code"], 200, "{name}: {body}");
            (took, body["data"]["pagination"]["total"].as_i64().unwrap())
        };
        for _ in 0..10 {
            send().await;
        }
        let mut times = Vec::with_capacity(args.runs);
        let mut total = 0;
        for _ in 0..args.runs {
            let (took, t) = send().await;
            times.push(took);
            total = t;
        }
        times.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let pct = |p: usize| times[(times.len() * p / 100).min(times.len() - 1)];
        println!(
            "{:<30} {:>10} {:>9.2} {:>9.2} {:>9.2}",
            name,
            total,
            ms(pct(50)),
            ms(pct(95)),
            ms(*times.last().unwrap())
        );
    }
}

#[tokio::main]
async fn main() {
    let mut args = Args::parse();
    // The servers run in their own directories: the binary's path must not be relative.
    args.bin = std::fs::canonicalize(&args.bin).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (build it with cargo build --release)",
            args.bin.display()
        )
    });
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    if args.rounds > 0 {
        overhead(&args).await;
    }
    if args.entries > 0 {
        list(&args).await;
    }
}
