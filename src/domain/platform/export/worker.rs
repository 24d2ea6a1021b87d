//! The export worker: claims queued tasks and runs them, on every serving node.
//!
//! A run reads its rows in keyset batches and hands each batch to a file writer on a blocking
//! thread through a channel of two batches, so memory holds at most a few batches whatever
//! the row count. Every batch renews the task's lease and records honest progress (rows
//! written / rows counted at the start). The finished file is copied into the blob store
//! (hashed as it goes) and the task completed in the same transaction that locks the blob,
//! so a completed task always names a stored file.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use chrono_tz::Tz;
use tokio::io::AsyncReadExt;
use tokio::sync::{Notify, mpsc};

use super::model::{Cell, Format};
use super::plan::Plan;
use super::queue::{self, Finished, Task};
use super::sink;
use crate::db::{self, Db};
use crate::domain::files::blobs;
use crate::domain::files::hash::Hasher;
use crate::domain::files::store::BlobStore;
use crate::domain::platform::notifications;

use super::words::ExportWords;
use crate::error::{Error, Result};

/// How the workers of this node run.
#[derive(Clone)]
pub struct WorkerConfig {
    pub batch_size: i64,
    pub lease: Duration,
    pub poll: Duration,
    pub retention: Duration,
    pub workers: usize,
    pub tz: Tz,
    /// How the completion notice is worded.
    pub words: &'static dyn ExportWords,
}

fn micros(d: Duration) -> i64 {
    i64::try_from(d.as_micros()).unwrap_or(i64::MAX)
}

/// Starts `cfg.workers` workers for as long as the process lives. `wake` lets a request on
/// this node start its task without waiting for the next poll.
pub fn spawn(db: Db, store: Arc<dyn BlobStore>, cfg: WorkerConfig, wake: Arc<Notify>) {
    let node = uuid::Uuid::new_v4().simple().to_string();
    for n in 0..cfg.workers {
        let (db, store, cfg, wake) = (db.clone(), store.clone(), cfg.clone(), wake.clone());
        let owner = format!("{node}-{n}");
        tokio::spawn(async move {
            loop {
                let lease_until = db::now() + micros(cfg.lease);
                match queue::claim(&db, &owner, lease_until, micros(cfg.retention)).await {
                    Ok(Some(task)) => run(&db, store.as_ref(), &cfg, &owner, task).await,
                    Ok(None) => {
                        tokio::select! {
                            () = tokio::time::sleep(cfg.poll) => {}
                            () = wake.notified() => {}
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "claiming an export task failed");
                        tokio::time::sleep(cfg.poll).await;
                    }
                }
            }
        });
    }
}

/// Runs one claimed task to its end: completed, failed, or abandoned to another worker.
async fn run(db: &Db, store: &dyn BlobStore, cfg: &WorkerConfig, owner: &str, task: Task) {
    let id = task.id;
    tracing::info!(task = id, attempt = task.attempts, "export started");
    match execute(db, store, cfg, owner, &task).await {
        Ok(Some(rows)) => tracing::info!(task = id, rows, "export completed"),
        Ok(None) => tracing::warn!(task = id, "export lease lost; another worker has it"),
        Err(e) => {
            tracing::error!(task = id, error = %e, "export failed");
            let why = match &e {
                Error::Invalid(_) => queue::Failure::BadFilters,
                _ => queue::Failure::Failed,
            };
            if let Err(e) = queue::fail(db, id, owner, why, micros(cfg.retention)).await {
                tracing::warn!(task = id, error = %e, "could not mark an export failed");
            }
        }
    }
}

/// Answers the rows written, or `None` when the lease was lost.
async fn execute(
    db: &Db,
    store: &dyn BlobStore,
    cfg: &WorkerConfig,
    owner: &str,
    task: &Task,
) -> Result<Option<i64>> {
    let plan = Plan::stored(&task.resource, &task.format, &task.request, cfg.tz)?;
    let total = plan.count(db).await?;
    let lease = || db::now() + micros(cfg.lease);
    if !queue::renew(db, task.id, owner, 0, total, lease()).await? {
        return Ok(None);
    }
    let dir = tempfile::tempdir().map_err(internal)?;
    let (tx, writer) = start_writer(plan.format, dir.path().to_path_buf(), plan.header());
    let mut after = 0;
    let mut written: i64 = 0;
    let outcome: Result<bool> = async {
        loop {
            let (rows, last) = plan.batch(db, after, cfg.batch_size, cfg.tz).await?;
            let Some(last) = last else { break };
            after = last;
            written += rows.len() as i64;
            if tx.send(rows).await.is_err() {
                // The writer stopped; its error is reported when it is joined.
                break;
            }
            // Never 100 before the file is in place.
            let progress = if total > 0 {
                (written * 100 / total).min(99)
            } else {
                0
            };
            if !queue::renew(db, task.id, owner, progress, total.max(written), lease()).await? {
                return Ok(false);
            }
        }
        Ok(true)
    }
    .await;
    drop(tx);
    let file = writer
        .await
        .map_err(|e| Error::Internal(anyhow::Error::new(e)))?
        .map_err(Error::Internal);
    if !outcome? {
        return Ok(None);
    }
    let file = file?;
    let done = store_file(db, store, cfg, owner, task, &file, written).await?;
    Ok(done.then_some(written))
}

type WriterHandle = tokio::task::JoinHandle<anyhow::Result<PathBuf>>;

/// A blocking thread that writes the batches it receives, then finishes the file.
fn start_writer(
    format: Format,
    dir: PathBuf,
    header: Vec<String>,
) -> (mpsc::Sender<Vec<Vec<Cell>>>, WriterHandle) {
    let (tx, mut rx) = mpsc::channel::<Vec<Vec<Cell>>>(2);
    let handle = tokio::task::spawn_blocking(move || {
        let mut sink = sink::open(format, &dir, header)?;
        while let Some(batch) = rx.blocking_recv() {
            for row in &batch {
                sink.row(row)?;
            }
        }
        sink.finish()
    });
    (tx, handle)
}

/// Copies the finished file into the blob store, completes the task and notifies its
/// requester; `false` when the lease was lost (the blob then has no reference and is
/// collected later).
async fn store_file(
    db: &Db,
    store: &dyn BlobStore,
    cfg: &WorkerConfig,
    owner: &str,
    task: &Task,
    path: &std::path::Path,
    record_count: i64,
) -> Result<bool> {
    let mut file = tokio::fs::File::open(path)
        .await
        .with_context(|| format!("opening {}", path.display()))?;
    let mut writer = store.create().await?;
    let mut hasher = Hasher::default();
    let mut size: i64 = 0;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = file.read(&mut buf).await.map_err(internal)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        writer.write(&buf[..n]).await?;
        size += n as i64;
    }
    writer.sync().await?;
    let hash = hasher.finish();
    let now = db::now();
    let mut tx = db.begin().await?;
    blobs::lock_for_placing(&mut tx, &hash, size, "application/octet-stream", now).await?;
    writer.place(&hash).await?;
    let done = Finished {
        record_count,
        file_size: size,
        file_sha256: hash.as_str(),
        completed_at: now,
        expires_at: now + micros(cfg.retention),
    };
    if !queue::complete(&mut tx, task.id, owner, &done).await? {
        return Ok(false);
    }
    // The requester hears of it in the same transaction: no notice without its file.
    let (title, content) =
        cfg.words
            .completed(&task.resource, record_count, &super::public_id(task.id));
    notifications::send::notify_users(
        &mut tx,
        notifications::model::KIND_EXPORT,
        &title,
        &content,
        &[task.user_id],
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

fn internal(e: std::io::Error) -> Error {
    Error::Internal(anyhow::Error::new(e))
}
