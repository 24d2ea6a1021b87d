//! The baseline of `scripts/bench_hotpath.py`: a tiny server answering the hot-path requests of
//! the `ops_v1` dialect with direct SQLite queries on one connection, no authentication, no
//! validation, no operation log. Its CPU per response is the floor the real server is compared
//! with (see the README's "Hot-path benchmark").
//!
//! ```sh
//! target/release/examples/bench_hotpath_baseline --db data/db.db --images data/images --port 9000
//! ```
//!
//! It reads the database `ops-server` seeded (same tables), so both answer the same requests
//! about the same rows.

#![expect(
    clippy::unwrap_used,
    reason = "a benchmark program: failing loudly is the point"
)]

use std::collections::HashMap;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use clap::Parser;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};
use sqlx::{Row, SqliteConnection};
use tokio::sync::Mutex;

#[derive(Parser)]
struct Args {
    #[arg(long)]
    db: PathBuf,
    #[arg(long)]
    images: PathBuf,
    #[arg(long, default_value_t = 9000)]
    port: u16,
    /// The user whose orders the list and create requests use.
    #[arg(long, default_value_t = 2)]
    user_id: i64,
}

struct Base {
    /// One connection for every query, as the baseline promises.
    conn: Mutex<SqliteConnection>,
    images: PathBuf,
    user_id: i64,
}

type Shared = State<Arc<Base>>;

fn ok(data: Value) -> Response {
    axum::Json(json!({"code": "0", "message": "ok", "data": data})).into_response()
}

fn now_micros() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_micros() as i64
}

async fn status() -> Response {
    ok(json!({"version": "baseline", "database": "connected", "server_time": now_micros()}))
}

fn summary(r: &sqlx::sqlite::SqliteRow) -> Value {
    json!({
        "id": r.get::<i64, _>(0), "title": r.get::<String, _>(1),
        "part_name": r.get::<String, _>(2), "tracking_number": r.get::<String, _>(3),
        "order_status": r.get::<String, _>(4), "total_cost": r.get::<i64, _>(5),
        "created_at": r.get::<i64, _>(6),
    })
}

const SUMMARY: &str = "SELECT id, title, part_name, tracking_number, order_status, total_cost, created_at \
     FROM purchase_orders WHERE user_id = ?1";

/// The obvious queries: a `COUNT(*)` and a page; a search is a `LIKE` over the four fields.
async fn orders(State(b): Shared, Query(q): Query<HashMap<String, String>>) -> Response {
    let page: i64 = q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1);
    let entries: i64 = q.get("entries").and_then(|p| p.parse().ok()).unwrap_or(20);
    let search = q.get("search").filter(|s| !s.is_empty());
    let mut conn = b.conn.lock().await;
    let (total, rows) = match search {
        None => {
            let total: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM purchase_orders WHERE user_id = ?1")
                    .bind(b.user_id)
                    .fetch_one(&mut *conn)
                    .await
                    .unwrap();
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "{SUMMARY} ORDER BY created_at DESC, id DESC LIMIT ?2 OFFSET ?3"
            )))
            .bind(b.user_id)
            .bind(entries)
            .bind((page - 1) * entries)
            .fetch_all(&mut *conn)
            .await
            .unwrap();
            (total, rows)
        }
        Some(term) => {
            let filter = " AND (title LIKE ?2 OR part_name LIKE ?2 OR remark LIKE ?2 \
                          OR tracking_number LIKE ?2)";
            let pattern = format!("%{term}%");
            let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT COUNT(*) FROM purchase_orders WHERE user_id = ?1{filter}"
            )))
            .bind(b.user_id)
            .bind(&pattern)
            .fetch_one(&mut *conn)
            .await
            .unwrap();
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "{SUMMARY}{filter} ORDER BY created_at DESC, id DESC LIMIT ?3 OFFSET ?4"
            )))
            .bind(b.user_id)
            .bind(&pattern)
            .bind(entries)
            .bind((page - 1) * entries)
            .fetch_all(&mut *conn)
            .await
            .unwrap();
            (total, rows)
        }
    };
    let list: Vec<Value> = rows.iter().map(summary).collect();
    ok(json!({"all_count": total, "all_orders": list}))
}

async fn detail(State(b): Shared, Path(id): Path<i64>) -> Response {
    let mut conn = b.conn.lock().await;
    let order = sqlx::query(
        "SELECT id, title, part_name, tracking_number, order_status, total_cost, created_at \
         FROM purchase_orders WHERE id = ?1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await
    .unwrap();
    let Some(order) = order else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let costs: Vec<Value> = sqlx::query(
        "SELECT id, price, quantity, currencytype FROM purchase_costs WHERE order_id = ?1 \
         ORDER BY id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await
    .unwrap()
    .iter()
    .map(|r| {
        json!({"id": r.get::<i64, _>(0), "price": r.get::<i64, _>(1),
               "quantity": r.get::<i64, _>(2), "currencytype": r.get::<String, _>(3)})
    })
    .collect();
    ok(json!({"order": summary(&order), "costs": costs}))
}

/// One transaction: the order and its cost lines.
async fn create(State(b): Shared, body: Bytes) -> Response {
    let input: Value = serde_json::from_slice(&body).unwrap();
    let now = now_micros();
    let costs = input["costs"].as_array().cloned().unwrap_or_default();
    let total: i64 = costs
        .iter()
        .map(|c| c["cost"].as_i64().unwrap_or(0) * c["int"].as_i64().unwrap_or(0))
        .sum();
    let mut conn = b.conn.lock().await;
    let mut tx = sqlx::Connection::begin(&mut *conn).await.unwrap();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO purchase_orders (user_id, title, part_name, total_cost, created_at, \
         updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5) RETURNING id",
    )
    .bind(b.user_id)
    .bind(input["title"].as_str().unwrap_or(""))
    .bind(input["part_name"].as_str().unwrap_or(""))
    .bind(total)
    .bind(now)
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    for c in &costs {
        sqlx::query(
            "INSERT INTO purchase_costs (order_id, user_id, price, quantity, currencytype, \
             created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .bind(id)
        .bind(b.user_id)
        .bind(c["cost"].as_i64().unwrap_or(0))
        .bind(c["int"].as_i64().unwrap_or(0))
        .bind(c["currencytype"].as_str().unwrap_or("CNY"))
        .bind(now)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    ok(json!({"order_id": id, "total_cost": total, "created_at": now}))
}

fn blob_path(images: &std::path::Path, hash: &str) -> PathBuf {
    images.join(&hash[0..2]).join(&hash[2..4]).join(hash)
}

async fn download(State(b): Shared, Path(hash): Path<String>) -> Response {
    let mime: Option<String> = {
        let mut conn = b.conn.lock().await;
        sqlx::query_scalar("SELECT mime FROM blobs WHERE sha256 = ?1")
            .bind(&hash)
            .fetch_optional(&mut *conn)
            .await
            .unwrap()
    };
    let Some(mime) = mime else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let bytes = tokio::fs::read(blob_path(&b.images, &hash)).await.unwrap();
    ([(header::CONTENT_TYPE, mime)], bytes).into_response()
}

/// Reads the `file` part, hashes it, writes it in place and records it.
async fn upload(State(b): Shared, mut form: Multipart) -> Response {
    let mut data = Bytes::new();
    while let Some(field) = form.next_field().await.unwrap() {
        if field.name() == Some("file") {
            data = field.bytes().await.unwrap();
        }
    }
    let hash = hex::encode(Sha256::digest(&data));
    let path = blob_path(&b.images, &hash);
    tokio::fs::create_dir_all(path.parent().unwrap())
        .await
        .unwrap();
    tokio::fs::write(&path, &data).await.unwrap();
    let now = now_micros();
    let mut conn = b.conn.lock().await;
    let mut tx = sqlx::Connection::begin(&mut *conn).await.unwrap();
    sqlx::query(
        "INSERT INTO blobs (sha256, size, mime, created_at) VALUES (?1, ?2, 'image/png', ?3) \
         ON CONFLICT (sha256) DO NOTHING",
    )
    .bind(&hash)
    .bind(data.len() as i64)
    .bind(now)
    .execute(&mut *tx)
    .await
    .unwrap();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO files (user_id, name, mime, size, sha256, created_at) \
         VALUES (?1, 'upload.png', 'image/png', ?2, ?3, ?4) RETURNING id",
    )
    .bind(b.user_id)
    .bind(data.len() as i64)
    .bind(&hash)
    .bind(now)
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    ok(json!({"file_id": id, "sha256": hash, "size": data.len()}))
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", args.db.display()))
        .unwrap()
        .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
        .synchronous(sqlx::sqlite::SqliteSynchronous::Normal);
    let pool: SqlitePool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .unwrap();
    let conn = pool.acquire().await.unwrap().detach();
    let base = Arc::new(Base {
        conn: Mutex::new(conn),
        images: args.images,
        user_id: args.user_id,
    });
    let app = Router::new()
        .route("/api/v1/system/status", get(status))
        .route("/api/v1/purchase/orders", get(orders).post(create))
        .route("/api/v1/purchase/orders/{id}", get(detail))
        .route("/api/v1/files/download/{hash}", get(download))
        .route("/api/v1/files/upload", post(upload))
        .layer(axum::extract::DefaultBodyLimit::max(16 << 20))
        .with_state(base);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", args.port))
        .await
        .unwrap();
    println!("baseline listening on {}", listener.local_addr().unwrap());
    axum::serve(listener, app).await.unwrap();
}
