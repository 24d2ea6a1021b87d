//! Memory and latency benchmark of admin_v1 exports and uploads against a server it starts.
//!
//! ```sh
//! cargo build --release --bin ops-server --example bench_exports
//! ./target/release/examples/bench_exports --bin target/release/ops-server --animals 1000000
//! ```
//!
//! In a temporary directory (SQLite; `--pg-url URL` for PostgreSQL) it seeds `--farms` farms
//! and `--animals` animals with `ops-server livestock seed`, starts `--bin`, then for CSV and
//! for XLSX: queues `POST /admin/v1/export/animals`, and while it runs sends
//! `GET /admin/v1/auth/user` one at a time, measuring their latency, until the task
//! completes. Then `--uploads` parallel uploads of a `--megapixels` JPEG to
//! `/admin/v1/upload/file`. After each phase it prints the server's peak RSS (`VmHWM` from
//! `/proc/<pid>/status`) above its idle peak; each phase runs in a fresh server process so
//! one phase's peak does not hide the next one's.

#![expect(
    clippy::unwrap_used,
    reason = "a benchmark program: failing loudly is the point"
)]

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use clap::Parser;
use serde_json::{Value, json};

#[derive(Parser)]
struct Args {
    /// The ops-server binary to start.
    #[arg(long, default_value = "target/release/ops-server")]
    bin: String,
    /// Animals to seed and export.
    #[arg(long, default_value_t = 1_000_000)]
    animals: u64,
    /// Farms the animals are spread over.
    #[arg(long, default_value_t = 2_000)]
    farms: u64,
    /// The list exported (`animals`, `farms`, `users`, …).
    #[arg(long, default_value = "animals")]
    resource: String,
    /// PostgreSQL instead of SQLite (a scratch database: tables are created in it).
    #[arg(long)]
    pg_url: Option<String>,
    #[arg(long, default_value_t = 20)]
    uploads: usize,
    #[arg(long, default_value_t = 24)]
    megapixels: u32,
    #[arg(long, default_value_t = 18931)]
    port: u16,
}

const PASSWORD: &str = "bench-password-1";

/// Kills the server when the benchmark ends, however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn vm_kb(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

/// The server command of `args`, run in `dir` (its `./data` holds the database and files).
fn command(args: &Args, bin: &Path, dir: &Path) -> Command {
    let mut cmd = Command::new(bin);
    cmd.current_dir(dir)
        .env("OPS__SERVER__HOST", "127.0.0.1")
        .env("OPS__SERVER__PORT", args.port.to_string())
        .env("OPS__BOOTSTRAP__ADMIN_PASSWORD", PASSWORD)
        .env("OPS__FILE__MAX_SIZE", (256 * 1024 * 1024).to_string())
        .env("OPS__LOG__LEVEL", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
    if let Some(url) = &args.pg_url {
        cmd.env("OPS__DATABASE__DRIVER", "postgres")
            .env("OPS__DATABASE__URL", url);
    }
    cmd
}

/// Seeds farms and animals with the server's own bulk loader.
fn seed(args: &Args, bin: &Path, dir: &Path) {
    let started = Instant::now();
    let status = command(args, bin, dir)
        .args(["livestock", "seed", "--farms"])
        .arg(args.farms.to_string())
        .arg("--animals")
        .arg(args.animals.to_string())
        .status()
        .unwrap();
    assert!(status.success(), "seeding failed");
    println!(
        "seeded {} farms and {} animals in {:.1} s",
        args.farms,
        args.animals,
        started.elapsed().as_secs_f64()
    );
}

/// A started server, ready, with an admin token and its idle peak RSS (after a warm-up, so
/// the idle figure includes its normal working set).
struct Running {
    server: Server,
    client: reqwest::Client,
    base: String,
    token: String,
    idle: u64,
}

impl Running {
    fn pid(&self) -> u32 {
        self.server.0.id()
    }

    fn hwm(&self) -> u64 {
        vm_kb(self.pid(), "VmHWM:")
    }
}

async fn start(args: &Args, bin: &Path, dir: &Path) -> Running {
    let server = Server(command(args, bin, dir).spawn().unwrap());
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let base = format!("http://127.0.0.1:{}", args.port);
    while !client
        .get(format!("{base}/readyz"))
        .send()
        .await
        .is_ok_and(|r| r.status() == 200)
    {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let login: Value = client
        .post(format!("{base}/admin/v1/auth/login"))
        .json(&json!({"username": "admin", "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["data"]["token"].as_str().unwrap().to_owned();
    for _ in 0..20 {
        client
            .get(format!("{base}/admin/v1/auth/user"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
    }
    let pid = server.0.id();
    // Start-up (migrations, the settings load) peaks above the idle working set: reset the
    // peak so "above idle" is measured from what the idle server really holds.
    let _ = std::fs::write(format!("/proc/{pid}/clear_refs"), "5");
    let idle = vm_kb(pid, "VmHWM:");
    println!(
        "server idle: VmHWM {idle} kB, VmRSS {} kB",
        vm_kb(pid, "VmRSS:")
    );
    Running {
        server,
        client,
        base,
        token,
        idle,
    }
}

/// A noisy `megapixels` JPEG (noise keeps it large, like a real photo).
fn photo(megapixels: u32) -> Vec<u8> {
    let w = (f64::from(megapixels) * 1_000_000.0 * 1.5).sqrt() as u32;
    let h = megapixels * 1_000_000 / w;
    let mut seed = 0x2545_f491_u32;
    let img = image::ImageBuffer::from_fn(w, h, |x, y| {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        image::Rgb([(x % 256) as u8, (y % 256) as u8, (seed & 0x3f) as u8])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut out, image::ImageFormat::Jpeg)
        .unwrap();
    out.into_inner()
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let dir = tempfile::tempdir().unwrap();
    let bin = std::fs::canonicalize(&args.bin).unwrap();
    // A first start creates the database and the bootstrap admin (which is made only while
    // there are no users, and the seed adds farm owners).
    drop(start(&args, &bin, dir.path()).await.server);
    seed(&args, &bin, dir.path());

    for format in ["csv", "excel"] {
        let run = start(&args, &bin, dir.path()).await;
        export(&args, &run, format).await;
        drop(run.server);
    }
    let run = start(&args, &bin, dir.path()).await;
    uploads(&args, &run).await;
    drop(run.server);
}

/// One export of `args.resource` in `format`, with latencies of other requests meanwhile.
async fn export(args: &Args, run: &Running, format: &str) {
    let Running {
        client,
        base,
        token,
        idle,
        ..
    } = run;
    let started = Instant::now();
    let r: Value = client
        .post(format!("{base}/admin/v1/export/{}", args.resource))
        .bearer_auth(token)
        .json(&json!({"format": format}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let task = r["data"]["task_id"].as_str().unwrap().to_owned();
    let mut latencies = Vec::new();
    let done = loop {
        let t0 = Instant::now();
        client
            .get(format!("{base}/admin/v1/auth/user"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        latencies.push(t0.elapsed());
        if latencies.len() % 20 == 0 {
            let t: Value = client
                .get(format!("{base}/admin/v1/export/tasks/{task}"))
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            if t["data"]["status"] != "processing" {
                break t["data"].clone();
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    latencies.sort();
    println!(
        "export {} {format}: {} in {:.1} s, {} rows, {} bytes; other requests meanwhile: {} sent, p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; VmHWM {} kB (+{} kB above idle)",
        args.resource,
        done["status"],
        started.elapsed().as_secs_f64(),
        done["record_count"],
        done["file_size"],
        latencies.len(),
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        percentile(&latencies, 1.0),
        run.hwm(),
        run.hwm().saturating_sub(*idle),
    );
}

/// `args.uploads` parallel uploads of a `args.megapixels` JPEG; counts the thumbnails made.
async fn uploads(args: &Args, run: &Running) {
    let Running {
        client,
        base,
        token,
        idle,
        ..
    } = run;
    let jpeg = photo(args.megapixels);
    println!(
        "uploading {} × a {} MP JPEG of {} bytes",
        args.uploads,
        args.megapixels,
        jpeg.len()
    );
    let before = run.hwm();
    let started = Instant::now();
    let mut handles = Vec::new();
    for i in 0..args.uploads {
        let (client, base, token) = (client.clone(), base.clone(), token.clone());
        // Distinct bytes per upload, so each one is decoded (the comment segment differs).
        let mut bytes = jpeg.clone();
        let tag = format!("upload {i}");
        let mut com = vec![0xff, 0xfe];
        com.extend(((tag.len() + 2) as u16).to_be_bytes());
        com.extend(tag.as_bytes());
        bytes.splice(2..2, com);
        handles.push(tokio::spawn(async move {
            let form = reqwest::multipart::Form::new()
                .text("type", "receipt")
                .part(
                    "file",
                    reqwest::multipart::Part::bytes(bytes).file_name(format!("p{i}.jpg")),
                );
            let r: Value = client
                .post(format!("{base}/admin/v1/upload/file"))
                .bearer_auth(&token)
                .multipart(form)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            r["data"]["thumbnail_url"].is_string()
        }));
    }
    let mut thumbs = 0;
    for h in handles {
        if h.await.unwrap() {
            thumbs += 1;
        }
    }
    println!(
        "uploads: {} of {} with thumbnails in {:.1} s; VmHWM {} kB (+{} kB above idle, +{} kB above the pre-upload peak)",
        thumbs,
        args.uploads,
        started.elapsed().as_secs_f64(),
        run.hwm(),
        run.hwm().saturating_sub(*idle),
        run.hwm().saturating_sub(before),
    );
}
