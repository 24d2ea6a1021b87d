//! Nothing acknowledged is lost to a crash: several clients create purchase orders and upload
//! files against the real server, which is SIGKILLed at a random moment and started again.
//! Every request that was answered success is then there, with its operation-log entry; after
//! the next maintenance pass no blob is left without a record; SQLite's `integrity_check` says
//! `ok`. The test prints its figures (the README quotes them).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::TryStreamExt;
use rand::Rng;
use serde_json::{Value, json};

use crate::db_test;
use crate::node_process::{self as nodes, Node};
use crate::ops_files::png_of;
use crate::support::Backend;

const CLIENTS: usize = 6;

/// A write the server answered success to.
#[derive(Debug, Clone)]
pub(crate) enum Acked {
    Order {
        tag: String,
        id: i64,
    },
    File {
        tag: String,
        id: i64,
        bytes: Vec<u8>,
    },
}

fn order(tag: &str) -> Value {
    json!({
        "costs": [{"cost": 100, "costt": 100, "currencytype": "CNY", "int": 1, "type": "disk"}],
        "title": tag,
        "order_status": "pending",
        "part_name": "part",
        "remark": "crash test",
        "link": "https://example.com/p",
        "photos": [],
        "styles": "{}",
        "tracking_number": "TN1",
        "update_time": "2026-03-31T18:00:00"
    })
}

/// One client: alternately an order and an upload, until the server stops answering (or
/// `stop` is set). Pushes what was acknowledged to `acked`; answers how many answers were
/// 5xx (there must be none).
pub(crate) async fn client_loop(
    node_url: String,
    token: String,
    client_no: usize,
    acked: Arc<Mutex<Vec<Acked>>>,
    stop: Arc<AtomicBool>,
) -> usize {
    let http = nodes::client();
    let mut server_errors = 0;
    for n in 0.. {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        // Tags are unique and never a prefix of one another, so a LIKE finds exactly one.
        let tag = format!("crash-{client_no:02}-{n:06}-end");
        let sent = if n % 2 == 0 {
            http.post(format!("{node_url}/api/v1/purchase/addorder"))
                .bearer_auth(&token)
                .json(&order(&tag))
                .send()
                .await
        } else {
            let bytes = png_of(2_000 + n, client_no as u8);
            let form = reqwest::multipart::Form::new().part(
                "file",
                reqwest::multipart::Part::bytes(bytes)
                    .file_name(format!("{tag}.png"))
                    .mime_str("image/png")
                    .unwrap(),
            );
            http.post(format!("{node_url}/api/v1/files/upload"))
                .bearer_auth(&token)
                .multipart(form)
                .send()
                .await
        };
        let Ok(r) = sent else {
            // The server is gone: what was not answered is not acknowledged.
            break;
        };
        let status = r.status().as_u16();
        let Ok(body) = r.json::<Value>().await else {
            break;
        };
        if status >= 500 {
            server_errors += 1;
            continue;
        }
        assert_eq!((status, body["code"].as_str()), (200, Some("0")), "{body}");
        let d = &body["data"];
        let write = if n % 2 == 0 {
            Acked::Order {
                tag,
                id: d["order_id"].as_i64().expect("order id"),
            }
        } else {
            Acked::File {
                tag,
                id: d["file_id"].as_i64().expect("file id"),
                bytes: png_of(2_000 + n, client_no as u8),
            }
        };
        acked.lock().unwrap().push(write);
    }
    server_errors
}

async fn count(db: &ops::db::Db, sql: &'static str, a: i64, b: &str) -> i64 {
    sqlx::query_scalar(sql)
        .bind(a)
        .bind(b)
        .fetch_one(db.pool())
        .await
        .unwrap()
}

async fn acknowledged_writes_survive_a_sigkill(backend: Backend) {
    let (env, schema) = nodes::database(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let mut node = Node::new("server", dir.path(), env.clone());
    node.start();
    node.wait_ready().await;
    let token = node.ops_login().await;

    let acked = Arc::new(Mutex::new(Vec::new()));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let stop = Arc::new(AtomicBool::new(false));
            tokio::spawn(client_loop(
                node.url(""),
                token.clone(),
                c,
                acked.clone(),
                stop,
            ))
        })
        .collect();
    let kill_after = Duration::from_millis(rand::rng().random_range(1_500..4_000));
    tokio::time::sleep(kill_after).await;
    node.kill9();
    let mut server_errors = 0;
    for c in clients {
        server_errors += c.await.unwrap();
    }
    assert_eq!(server_errors, 0, "5xx answers under load");
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() > 10, "the load ran: {} writes", acked.len());

    node.start();
    node.wait_ready().await;
    let cfg = nodes::config_of(dir.path(), &env);
    let db = ops::db::Db::connect(&cfg.database).await.unwrap();
    let found = all_there(&node, &token, &db, &acked).await;
    // The next maintenance pass leaves no blob without a record.
    let store = ops::domain::files::store(&cfg.file);
    let swept = ops::domain::platform::maintenance::run_once(&db, store.as_ref())
        .await
        .unwrap();
    let stored: Vec<_> = store.hashes().try_collect().await.unwrap();
    for hash in &stored {
        let refs: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM files WHERE sha256 = $1 OR thumb_sha256 = $1")
                .bind(hash.as_str())
                .fetch_one(db.pool())
                .await
                .unwrap();
        assert!(
            refs > 0,
            "blob {hash} has no record after the maintenance pass"
        );
    }
    if backend == Backend::Sqlite {
        let check: String = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!(check, "ok");
    }
    let orders = acked
        .iter()
        .filter(|w| matches!(w, Acked::Order { .. }))
        .count();
    eprintln!(
        "crash test ({backend:?}): killed after {} ms; {} writes answered success ({orders} orders, {} uploads), \
         {found} found after restart; {} blobs stored, {} orphan blobs removed by the maintenance pass",
        kill_after.as_millis(),
        acked.len(),
        acked.len() - orders,
        stored.len(),
        swept.blobs,
    );
    node.kill9();
    db.close().await;
    nodes::drop_schema(schema).await;
}

db_test!(acknowledged_writes_survive_a_sigkill);

/// Checks that every acknowledged write is stored (with its bytes, for uploads) and has its
/// operation-log entry; answers how many were checked.
pub(crate) async fn all_there(
    node: &Node,
    token: &str,
    db: &ops::db::Db,
    acked: &[Acked],
) -> usize {
    let mut found = 0;
    for write in acked {
        let (tag, there) = match write {
            Acked::Order { tag, id } => (
                tag,
                count(
                    db,
                    "SELECT COUNT(*) FROM purchase_orders WHERE id = $1 AND title = $2",
                    *id,
                    tag,
                )
                .await,
            ),
            Acked::File { tag, id, bytes } => {
                let name = format!("{tag}.png");
                let n = count(
                    db,
                    "SELECT COUNT(*) FROM files WHERE id = $1 AND name = $2",
                    *id,
                    &name,
                )
                .await;
                let (status, _) = node
                    .call(
                        reqwest::Method::GET,
                        &format!("/api/v1/files/{id}"),
                        Some(token),
                        None,
                    )
                    .await;
                assert_eq!(status, 200, "file {id}");
                let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(bytes));
                let got = nodes::client()
                    .get(node.url(&format!("/api/v1/files/get/{sha}")))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(got.status(), 200);
                assert_eq!(&got.bytes().await.unwrap().to_vec(), bytes, "file {id}");
                (tag, n)
            }
        };
        assert_eq!(there, 1, "acknowledged {write:?} is gone");
        let logged: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM operation_logs WHERE request_data LIKE $1 AND status_code = 200",
        )
        .bind(format!("%{tag}%"))
        .fetch_one(db.pool())
        .await
        .unwrap();
        assert_eq!(logged, 1, "operation-log entry of {tag}");
        found += 1;
    }
    found
}
