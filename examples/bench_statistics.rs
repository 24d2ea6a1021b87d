//! Benchmark of the dashboard and the user statistics (admin API §10) at scale.
//!
//! ```sh
//! cargo build --release --bin ops-server --example bench_statistics
//! ./target/release/ops-server migrate
//! echo benchpass1 | ./target/release/ops-server user create --name bench --super-admin
//! # 1) seed: users, farms (one per 10 users), animals and trade orders, spread over a year;
//! #    the statistics triggers run for every row, as they would for real writes
//! ./target/release/examples/bench_statistics seed --rows 1000000
//! # 2) time the routes against the running server
//! ./target/release/ops-server &
//! BENCH_PASSWORD=benchpass1 ./target/release/examples/bench_statistics run --user bench
//! ```
//!
//! `seed` reads the same configuration as the server (`./data/config.yaml`, `OPS__*`), so
//! `OPS__DATABASE__DRIVER=postgres OPS__DATABASE__URL=…` seeds PostgreSQL. `run` sends each
//! scenario `--runs` times, one at a time, after 10 warm-up requests, and prints p50 / p95 / max
//! of the client's full HTTP round trip.

#![expect(
    clippy::unwrap_used,
    reason = "a benchmark program: failing loudly is the point"
)]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};
use ops::config::Config;
use ops::db::{Db, Sql};
use serde_json::{Value, json};

#[derive(Parser)]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Writes `rows` users, `rows` animals and `rows` orders (and rows/10 farms).
    Seed {
        #[arg(long, default_value_t = 10_000)]
        rows: i64,
        #[arg(long, default_value = "data/config.yaml")]
        config: PathBuf,
    },
    /// Times the routes against a running server.
    Run {
        #[arg(long, default_value = "http://127.0.0.1:8080")]
        base: String,
        #[arg(long, default_value = "admin")]
        user: String,
        #[arg(long, env = "BENCH_PASSWORD")]
        password: String,
        #[arg(long, default_value_t = 200)]
        runs: usize,
    },
}

const BATCH: i64 = 500;

/// Name, route, query.
type Scenario = (&'static str, &'static str, Vec<(&'static str, String)>);
const YEAR_MICROS: i64 = 365 * 86_400_000_000;
const PROVINCES: [&str; 6] = [
    "北京市",
    "上海市",
    "广东省",
    "四川省",
    "内蒙古自治区",
    "新疆维吾尔自治区",
];

/// A time within the last year, spread evenly by `i` of `n`.
fn when(now: i64, i: i64, n: i64) -> i64 {
    now - YEAR_MICROS + YEAR_MICROS / n.max(1) * i
}

async fn seed(rows: i64, config: PathBuf) {
    let cfg = Config::load_or_init(&config).unwrap();
    let db = Db::connect(&cfg.database).await.unwrap();
    db.migrate().await.unwrap();
    let now = chrono::Utc::now().timestamp_micros();
    let tag = now % 1_000_000_000;
    let started = Instant::now();
    sqlx::query(
        "INSERT INTO animal_categories (name, code, created_at, updated_at) \
         VALUES ('基准牛', 'bench-cattle', 0, 0) ON CONFLICT DO NOTHING",
    )
    .execute(db.pool())
    .await
    .unwrap();
    let category: i64 = sqlx::query_scalar("SELECT MIN(id) FROM animal_categories")
        .fetch_one(db.pool())
        .await
        .unwrap();
    let mut first_user = None;
    let mut first_farm = None;
    let farms = (rows / 10).max(1);
    for start in (0..rows).step_by(BATCH as usize) {
        let end = (start + BATCH).min(rows);
        let mut tx = db.begin().await.unwrap();
        let mut sql = Sql::new(
            "INSERT INTO users (username, password_hash, created_at, updated_at, last_login_at) VALUES ",
        );
        for i in start..end {
            if i > start {
                sql.push(", ");
            }
            let at = when(now, i, rows);
            let login = (i % 3 == 0).then_some(at + (now - at) / 2);
            sql.push("(")
                .bind(format!("bench{tag}_{i}"))
                .push(", 'x', ")
                .bind(at)
                .push(", ")
                .bind(at)
                .push(", ")
                .bind(login)
                .push(")");
        }
        sql.push(" RETURNING id");
        let ids: Vec<i64> = sql.query_scalar().fetch_all(&mut *tx).await.unwrap();
        let base = *first_user.get_or_insert(ids[0]);
        // Farms for every tenth user.
        let mut sql = Sql::new(
            "INSERT INTO farms (user_id, name, code, type, province, status, created_at, updated_at) VALUES ",
        );
        let mut any = false;
        for (k, i) in (start..end).enumerate() {
            if i % 10 != 0 || i / 10 >= farms {
                continue;
            }
            if any {
                sql.push(", ");
            }
            any = true;
            let name = format!("bench{tag}_farm{}", i / 10);
            let at = when(now, i, rows);
            sql.push("(")
                .bind(ids[k])
                .push(", ")
                .bind(name.clone())
                .push(", ")
                .bind(name)
                .push(", 'cattle', ")
                .bind(PROVINCES[(i / 10) as usize % PROVINCES.len()])
                .push(", 1, ")
                .bind(at)
                .push(", ")
                .bind(at)
                .push(")");
        }
        if any {
            sql.push(" RETURNING id");
            let farm_ids: Vec<i64> = sql.query_scalar().fetch_all(&mut *tx).await.unwrap();
            first_farm.get_or_insert(farm_ids[0]);
        }
        let farm0 = first_farm.unwrap();
        let made_farms = (end + 9) / 10;
        let mut sql = Sql::new(
            "INSERT INTO animals (farm_id, category_id, code, created_at, updated_at) VALUES ",
        );
        for i in start..end {
            if i > start {
                sql.push(", ");
            }
            let at = when(now, i, rows);
            sql.push("(")
                .bind(farm0 + (i % made_farms.min(farms)))
                .push(", ")
                .bind(category)
                .push(", ")
                .bind(format!("bench{tag}_a{i}"))
                .push(", ")
                .bind(at)
                .push(", ")
                .bind(at)
                .push(")");
        }
        sql.query().execute(&mut *tx).await.unwrap();
        let mut sql = Sql::new(
            "INSERT INTO trade_orders (order_no, order_type, buyer_id, total_amount, actual_amount, \
             payment_status, created_at, updated_at) VALUES ",
        );
        for i in start..end {
            if i > start {
                sql.push(", ");
            }
            let at = when(now, i, rows);
            let fen = 10_000 + (i * 7_919) % 1_000_000;
            sql.push("(")
                .bind(format!("BENCH{tag}{i:08}"))
                .push(", 'animal', ")
                .bind(base + i)
                .push(", ")
                .bind(fen)
                .push(", ")
                .bind(fen)
                .push(", ")
                .bind(if i % 2 == 0 { "paid" } else { "unpaid" })
                .push(", ")
                .bind(at)
                .push(", ")
                .bind(at)
                .push(")");
        }
        sql.query().execute(&mut *tx).await.unwrap();
        tx.commit().await.unwrap();
        if end % 100_000 == 0 || end == rows {
            println!(
                "{end} / {rows} rows ({:.1} s)",
                started.elapsed().as_secs_f64()
            );
        }
    }
}

async fn run(base: String, user: String, password: String, runs: usize) {
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let login: Value = client
        .post(format!("{base}/admin/v1/auth/login"))
        .json(&json!({"username": user, "password": password}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["data"]["token"].as_str().unwrap().to_owned();
    let today = chrono::Utc::now().date_naive();
    let year_ago = (today - chrono::Duration::days(365))
        .format("%Y-%m-%d")
        .to_string();
    let scenarios: Vec<Scenario> = vec![
        (
            "dashboard, default 30 days",
            "/admin/v1/dashboard/statistics",
            vec![],
        ),
        (
            "dashboard, 366 days",
            "/admin/v1/dashboard/statistics",
            vec![("start_date", year_ago.clone())],
        ),
        (
            "user statistics, 30 days by day",
            "/admin/v1/statistics/users",
            vec![],
        ),
        (
            "user statistics, 366 days by month",
            "/admin/v1/statistics/users",
            vec![("start_date", year_ago), ("group_by", "month".into())],
        ),
    ];
    println!("| scenario | p50 / p95 / max (ms) |\n|---|---|");
    for (name, route, query) in scenarios {
        let mut times = Vec::with_capacity(runs);
        for i in 0..runs + 10 {
            let t = Instant::now();
            let r = client
                .get(format!("{base}{route}"))
                .bearer_auth(&token)
                .query(&query)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200, "{name}");
            let _ = r.bytes().await.unwrap();
            if i >= 10 {
                times.push(t.elapsed());
            }
        }
        times.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!(
            "| {name} | {:.2} / {:.2} / {:.2} |",
            ms(times[times.len() / 2]),
            ms(times[times.len() * 95 / 100]),
            ms(*times.last().unwrap())
        );
    }
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    match args.command {
        Command::Seed { rows, config } => seed(rows, config).await,
        Command::Run {
            base,
            user,
            password,
            runs,
        } => run(base, user, password, runs).await,
    }
}
