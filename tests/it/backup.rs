//! `ops-server backup DIR` under write load, then `ops-server restore DIR` into an empty data
//! directory: every write acknowledged before the backup started is in the restored
//! installation, every restored record has its blob, and a restore never overwrites data.

use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::crash::{Acked, all_there, client_loop};
use crate::node_process::{self as nodes, Node};
use crate::support::Backend;

/// Runs `ops-server ARGS` in `dir` with `env`; answers success and what it printed.
fn cli(dir: &Path, env: &[(String, String)], args: &[&str]) -> (bool, String) {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ops-server"));
    for (k, _) in std::env::vars() {
        if k.starts_with("OPS__") {
            c.env_remove(k);
        }
    }
    let out = c
        .current_dir(dir)
        .env("OPS__LOG__LEVEL", "warn")
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .args(args)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_under_load_restores_every_acknowledged_write() {
    let root = tempfile::tempdir().unwrap();
    let live = root.path().join("live");
    let mut node = Node::new("live", &live, Vec::new());
    node.start();
    node.wait_ready().await;
    let token = node.ops_login().await;

    let acked = Arc::new(Mutex::new(Vec::<Acked>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..4)
        .map(|c| {
            tokio::spawn(client_loop(
                node.url(""),
                token.clone(),
                c,
                acked.clone(),
                stop.clone(),
            ))
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    // Everything acknowledged before the backup starts must be in it.
    let before = acked.lock().unwrap().clone();
    let backup_dir = root.path().join("backup");
    let (ok, out) = tokio::task::spawn_blocking({
        let (live, backup_dir) = (live.clone(), backup_dir.clone());
        move || cli(&live, &[], &["backup", backup_dir.to_str().unwrap()])
    })
    .await
    .unwrap();
    assert!(ok, "backup failed: {out}");
    assert!(out.contains("backup written to"), "{out}");
    // The load went on during the backup.
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::Relaxed);
    for c in clients {
        assert_eq!(c.await.unwrap(), 0, "5xx answers under load");
    }
    let during = acked.lock().unwrap().len() - before.len();
    assert!(before.len() > 10, "the load ran: {}", before.len());
    node.kill9();

    // Restore into an empty data directory and serve from it.
    let restored = root.path().join("restored");
    std::fs::create_dir_all(&restored).unwrap();
    let (ok, out) = cli(&restored, &[], &["restore", backup_dir.to_str().unwrap()]);
    assert!(ok, "restore failed: {out}");
    // A second restore would overwrite data: refused, naming what is in the way.
    let (ok, out) = cli(&restored, &[], &["restore", backup_dir.to_str().unwrap()]);
    assert!(!ok && out.contains("empty data directory"), "{out}");
    let mut node = Node::new("restored", &restored, Vec::new());
    node.start();
    node.wait_ready().await;
    let token = node.ops_login().await;
    let cfg = nodes::config_of(&restored, &[]);
    let db = ops::db::Db::connect(&cfg.database).await.unwrap();
    let found = all_there(&node, &token, &db, &before).await;
    assert_eq!(found, before.len());
    // Every restored record has its blob (the backup copied what its snapshot names).
    let hashes: Vec<String> = sqlx::query_scalar("SELECT sha256 FROM files")
        .fetch_all(db.pool())
        .await
        .unwrap();
    let store = ops::domain::files::store(&cfg.file);
    for h in &hashes {
        let hash = ops::domain::files::ContentHash::parse(h).unwrap();
        assert!(
            store.exists(&hash).await.unwrap(),
            "record without blob {h}"
        );
    }
    let check: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(check, "ok");
    eprintln!(
        "backup test: {} writes acknowledged before the backup, {during} during it; {found} \
         found after restore, {} file records restored, each with its blob",
        before.len(),
        hashes.len()
    );
    node.kill9();
    db.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_backup_copies_the_blobs_and_says_to_use_pg_dump() {
    let (env, schema) = nodes::database(Backend::Postgres).await;
    let root = tempfile::tempdir().unwrap();
    let live = root.path().join("live");
    let mut node = Node::new("live", &live, env.clone());
    node.start();
    node.wait_ready().await;
    let token = node.ops_login().await;
    let bytes = crate::ops_files::png_of(4_000, 1);
    node.upload(&token, &bytes, "a.png").await;
    let backup_dir = root.path().join("backup");
    let (ok, out) = cli(&live, &env, &["backup", backup_dir.to_str().unwrap()]);
    assert!(ok, "{out}");
    assert!(out.contains("pg_dump"), "{out}");
    assert!(!backup_dir.join("db.db").exists());
    let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes));
    let copy = backup_dir
        .join("images")
        .join(&sha[..2])
        .join(&sha[2..4])
        .join(&sha);
    assert_eq!(std::fs::read(copy).unwrap(), bytes);
    // Backing up into a folder that holds something is refused.
    let (ok, out) = cli(&live, &env, &["backup", backup_dir.to_str().unwrap()]);
    assert!(!ok && out.contains("not empty"), "{out}");
    node.kill9();
    nodes::drop_schema(schema).await;
}
