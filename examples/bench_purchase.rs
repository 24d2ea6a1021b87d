//! Latency benchmark for the purchase-order list against a running server.
//!
//! ```sh
//! ops-server user create --name bench            # password on stdin
//! ops-server purchase seed --user bench --orders 1000000
//! cargo run --release                            # in another shell
//! cargo run --release --example bench_purchase -- --user bench --password PW
//! ```
//!
//! Each scenario is sent `--runs` times, one request at a time, after a short warm-up; the
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
    #[arg(long, default_value = "bench")]
    user: String,
    #[arg(long, env = "BENCH_PASSWORD")]
    password: String,
    #[arg(long, default_value_t = 200)]
    runs: usize,
    /// A term matching about 1% of the seeded orders (one of the 100 seeded part names).
    #[arg(long, default_value = "华为交换机")]
    search: String,
    /// A term too short for the trigram index (matches ~10%: one of the seeded items). Shown
    /// for information: such terms scan.
    #[arg(long, default_value = "硬盘")]
    short_search: String,
}

struct Scenario {
    name: &'static str,
    query: Vec<(&'static str, String)>,
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let login: Value = client
        .post(format!("{}/api/v1/users/login", args.base))
        .json(&json!({"name": args.user, "password": args.password}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["data"]["cookie_value"]
        .as_str()
        .unwrap_or_else(|| panic!("login failed: {login}"))
        .to_owned();

    let page = |p: &str| vec![("page", p.to_owned()), ("entries", "20".to_owned())];
    let mut search = page("1");
    search.push(("search", args.search.clone()));
    let mut short = page("1");
    short.push(("search", args.short_search.clone()));
    let scenarios = [
        Scenario {
            name: "list page 1",
            query: page("1"),
        },
        Scenario {
            name: "list page 250",
            query: page("250"),
        },
        Scenario {
            name: "search ~1%, page 1",
            query: search,
        },
        Scenario {
            name: "2-char search (scan)",
            query: short,
        },
    ];

    println!(
        "{:<22} {:>10} {:>9} {:>9} {:>9}",
        "scenario", "all_count", "p50 ms", "p95 ms", "max ms"
    );
    for s in &scenarios {
        let url = format!("{}/api/v1/purchase/orders", args.base);
        let send = || async {
            let started = Instant::now();
            let body: Value = client
                .get(&url)
                .bearer_auth(&token)
                .query(&s.query)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let took = started.elapsed();
            assert_eq!(body["code"], "0", "{}: {body}", s.name);
            assert_eq!(
                body["data"]["all_orders"].as_array().unwrap().len(),
                20,
                "{}: a full page",
                s.name
            );
            (took, body["data"]["all_count"].as_i64().unwrap())
        };
        for _ in 0..10 {
            send().await;
        }
        let mut times: Vec<Duration> = Vec::with_capacity(args.runs);
        let mut count = 0;
        for _ in 0..args.runs {
            let (took, c) = send().await;
            times.push(took);
            count = c;
        }
        times.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let pct = |p: usize| times[(times.len() * p / 100).min(times.len() - 1)];
        println!(
            "{:<22} {:>10} {:>9.2} {:>9.2} {:>9.2}",
            s.name,
            count,
            ms(pct(50)),
            ms(pct(95)),
            ms(*times.last().unwrap())
        );
    }
}
