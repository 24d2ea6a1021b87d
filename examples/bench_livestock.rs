//! Latency benchmark for the livestock admin routes (admin_v1 §5–8) against a running server.
//! Trade part: order and financial-record lists (page 1, unfiltered and under each documented
//! filter), details, the list `summary` and the statistics.
//!
//! ```sh
//! ops-server livestock seed --orders 200000 --records 1000000   # after users and farms exist
//! cargo run --release                                           # in another shell
//! BENCH_PASSWORD=PW cargo run --release --example bench_livestock -- --user admin
//! ```
//!
//! Each scenario is sent `--runs` times, one request at a time, after 10 warm-up requests; the
//! program prints p50, p95 and max of the client-side latency (full HTTP round trip).

#![expect(
    clippy::unwrap_used,
    reason = "a benchmark program: failing loudly is the point"
)]

use std::time::{Duration, Instant};

use clap::Parser;
use serde_json::{Value, json};

#[derive(Parser)]
struct Args {
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    base: String,
    #[arg(long, default_value = "admin")]
    user: String,
    #[arg(long, env = "BENCH_PASSWORD")]
    password: String,
    #[arg(long, default_value_t = 200)]
    runs: usize,
}

struct Scenario {
    name: String,
    path: String,
}

fn scenario(name: &str, path: impl Into<String>) -> Scenario {
    Scenario {
        name: name.to_owned(),
        path: path.into(),
    }
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let login: Value = client
        .post(format!("{}/admin/v1/auth/login", args.base))
        .json(&json!({"username": args.user, "password": args.password}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["data"]["token"]
        .as_str()
        .unwrap_or_else(|| panic!("login failed: {login}"))
        .to_owned();
    let get = |path: String| {
        let client = &client;
        let token = &token;
        let base = &args.base;
        async move {
            let started = Instant::now();
            let body: Value = client
                .get(format!("{base}/admin/v1{path}"))
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let took = started.elapsed();
            assert_eq!(body["code"], 200, "{path}: {body}");
            (took, body)
        }
    };

    // Ids to filter by and to open, from the newest order and record.
    let (_, orders) = get("/orders?page_size=1".into()).await;
    let o = &orders["data"]["list"][0];
    let (_, records) = get("/financial-records?page_size=1".into()).await;
    let r = &records["data"]["list"][0];
    let no = o["order_no"].as_str().unwrap_or("ORD");
    let today = chrono::Utc::now().date_naive();
    let month_ago = today - chrono::Duration::days(30);
    let year_ago = today - chrono::Duration::days(365);
    let scenarios = [
        scenario("orders p1", "/orders"),
        scenario("orders status", "/orders?order_status=completed"),
        scenario("orders payment", "/orders?payment_status=unpaid"),
        scenario("orders type", "/orders?order_type=feed"),
        scenario(
            "orders buyer",
            format!("/orders?buyer_id={}", o["buyer"]["id"]),
        ),
        scenario(
            "orders seller",
            format!("/orders?seller_id={}", o["seller"]["id"]),
        ),
        scenario(
            "orders keyword (day prefix)",
            format!("/orders?keyword={}", &no[..no.len().min(11)]),
        ),
        scenario(
            "orders keyword (substring)",
            format!("/orders?keyword={}", &no[no.len().saturating_sub(5)..]),
        ),
        scenario(
            "orders 30 days",
            format!("/orders?start_date={month_ago}&end_date={today}"),
        ),
        scenario("order detail", format!("/orders/{}", o["id"])),
        scenario("records p1 + summary", "/financial-records"),
        scenario("records type", "/financial-records?record_type=expense"),
        scenario("records category", "/financial-records?category=feed"),
        scenario(
            "records user",
            format!("/financial-records?user_id={}", r["user"]["id"]),
        ),
        scenario(
            "records farm",
            format!("/financial-records?farm_id={}", r["farm"]["id"]),
        ),
        scenario(
            "records 30 days",
            format!("/financial-records?start_date={month_ago}&end_date={today}"),
        ),
        scenario(
            "records min_amount=4999",
            "/financial-records?min_amount=4999",
        ),
        scenario(
            "records min_amount=4960",
            "/financial-records?min_amount=4960",
        ),
        scenario(
            "records min_amount=4500",
            "/financial-records?min_amount=4500",
        ),
        scenario(
            "records min_amount=100",
            "/financial-records?min_amount=100",
        ),
        scenario("records max_amount=20", "/financial-records?max_amount=20"),
        scenario(
            "records max_amount=2500",
            "/financial-records?max_amount=2500",
        ),
        scenario(
            "records 1000..1010",
            "/financial-records?min_amount=1000&max_amount=1010",
        ),
        scenario("record detail", format!("/financial-records/{}", r["id"])),
        scenario(
            "statistics year by month",
            format!(
                "/financial-records/statistics?start_date={year_ago}&end_date={today}&group_by=month"
            ),
        ),
        scenario(
            "statistics farm, year",
            format!(
                "/financial-records/statistics?start_date={year_ago}&end_date={today}&group_by=month&farm_id={}",
                r["farm"]["id"]
            ),
        ),
        scenario(
            "statistics user, year",
            format!(
                "/financial-records/statistics?start_date={year_ago}&end_date={today}&group_by=month&user_id={}",
                r["user"]["id"]
            ),
        ),
        scenario(
            "records user, 30 days",
            format!(
                "/financial-records?user_id={}&start_date={month_ago}&end_date={today}",
                r["user"]["id"]
            ),
        ),
        scenario(
            "statistics 30 days by day",
            "/financial-records/statistics?group_by=day",
        ),
    ];

    println!(
        "{:<30} {:>10} {:>9} {:>9} {:>9}",
        "scenario", "total", "p50 ms", "p95 ms", "max ms"
    );
    for s in &scenarios {
        for _ in 0..10 {
            get(s.path.clone()).await;
        }
        let mut times: Vec<Duration> = Vec::with_capacity(args.runs);
        let mut total = Value::Null;
        for _ in 0..args.runs {
            let (took, body) = get(s.path.clone()).await;
            times.push(took);
            total = body["data"]["pagination"]["total"].clone();
        }
        times.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let pct = |p: usize| times[(times.len() * p / 100).min(times.len() - 1)];
        println!(
            "{:<30} {:>10} {:>9.2} {:>9.2} {:>9.2}",
            s.name,
            total,
            ms(pct(50)),
            ms(pct(95)),
            ms(*times.last().unwrap())
        );
    }
}
