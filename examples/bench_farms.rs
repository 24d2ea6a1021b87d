//! Latency benchmark for the farms part of the livestock admin routes (admin_v1 §5–6) against
//! a running server: farm and animal lists (page 1, unfiltered and under each documented
//! filter), details, farm statistics and an animal's health records.
//!
//! ```sh
//! ops-server livestock seed --farms 100000 --animals 1000000
//! cargo run --release                                           # in another shell
//! BENCH_PASSWORD=PW cargo run --release --example bench_farms -- --user admin
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

struct Bench {
    client: reqwest::Client,
    base: String,
    token: String,
}

impl Bench {
    async fn get(&self, path: &str) -> Value {
        let body: Value = self
            .client
            .get(format!("{}/admin/v1{path}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(body["code"], 200, "{path}: {body}");
        body["data"].clone()
    }
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
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
    let b = Bench {
        client,
        base: args.base.clone(),
        token,
    };

    // Ids to ask about, taken from the data itself.
    let farms = b.get("/farms?page_size=1").await;
    let farm = &farms["list"][0];
    let farm_id = farm["id"].as_i64().unwrap();
    let user_id = farm["user"]["id"].as_i64().unwrap();
    let animals = b
        .get(&format!("/animals?page_size=1&farm_id={farm_id}"))
        .await;
    let animal_id = animals["list"][0]["id"]
        .as_i64()
        .expect("the newest farm has animals: seed animals after farms");
    let cats = b.get("/animal-categories").await;
    let cat_id = cats["list"][0]["id"].as_i64().unwrap();
    let year_ago = (chrono::Utc::now().date_naive() - chrono::Days::new(365)).format("%Y-%m-%d");

    let scenarios: Vec<(String, String)> = vec![
        ("farms page 1".into(), "/farms".into()),
        ("farms page 100".into(), "/farms?page=100".into()),
        (
            "farms keyword 成都".into(),
            "/farms?keyword=%E6%88%90%E9%83%BD".into(),
        ),
        (
            "farms keyword FARM00012".into(),
            "/farms?keyword=FARM00012".into(),
        ),
        (
            "farms keyword 成都市 (10%)".into(),
            "/farms?keyword=%E6%88%90%E9%83%BD%E5%B8%82".into(),
        ),
        ("farms type=pig".into(), "/farms?type=pig".into()),
        ("farms status=0".into(), "/farms?status=0".into()),
        (
            "farms province=四川省".into(),
            "/farms?province=%E5%9B%9B%E5%B7%9D%E7%9C%81".into(),
        ),
        (
            "farms city=成都市".into(),
            "/farms?city=%E6%88%90%E9%83%BD%E5%B8%82".into(),
        ),
        ("farms user_id".into(), format!("/farms?user_id={user_id}")),
        ("farm detail".into(), format!("/farms/{farm_id}")),
        (
            "farm statistics (1 year)".into(),
            format!("/farms/{farm_id}/statistics?start_date={year_ago}"),
        ),
        ("animals page 1".into(), "/animals".into()),
        (
            "animals keyword PIG0001".into(),
            "/animals?keyword=PIG0001".into(),
        ),
        (
            "animals keyword 猪12345".into(),
            "/animals?keyword=%E7%8C%AA12345".into(),
        ),
        (
            "animals keyword PIG + gender".into(),
            "/animals?keyword=PIG0001&gender=2".into(),
        ),
        (
            "animals farm_id".into(),
            format!("/animals?farm_id={farm_id}"),
        ),
        (
            "animals category_id".into(),
            format!("/animals?category_id={cat_id}"),
        ),
        (
            "animals breed=杜洛克猪".into(),
            "/animals?breed=%E6%9D%9C%E6%B4%9B%E5%85%8B%E7%8C%AA".into(),
        ),
        ("animals gender=2".into(), "/animals?gender=2".into()),
        (
            "animals health=sick".into(),
            "/animals?health_status=sick".into(),
        ),
        ("animals status=3".into(), "/animals?status=3".into()),
        ("animal detail".into(), format!("/animals/{animal_id}")),
        (
            "health records".into(),
            format!("/animals/{animal_id}/health-records"),
        ),
    ];

    println!(
        "{:<28} {:>9} {:>9} {:>9} {:>9}",
        "scenario", "total", "p50 ms", "p95 ms", "max ms"
    );
    for (name, path) in &scenarios {
        for _ in 0..10 {
            b.get(path).await;
        }
        let mut times = Vec::with_capacity(args.runs);
        let mut total = Value::Null;
        for _ in 0..args.runs {
            let started = Instant::now();
            let data = b.get(path).await;
            times.push(started.elapsed());
            total = data["pagination"]["total"].clone();
        }
        times.sort();
        println!(
            "{:<28} {:>9} {:>9.2} {:>9.2} {:>9.2}",
            name,
            if total.is_null() {
                "-".to_owned()
            } else {
                total.to_string()
            },
            percentile(&times, 0.5),
            percentile(&times, 0.95),
            times.last().unwrap().as_secs_f64() * 1000.0
        );
    }
}
