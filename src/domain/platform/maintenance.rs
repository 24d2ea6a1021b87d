//! Housekeeping that keeps the database and the blob store tidy: blobs left without records
//! (their owner was deleted, or a crash came between placing a blob and recording it),
//! temporary uploads of processes that died, and
//! long-dead sessions, login failures, reset tokens and captchas, operation-log entries past
//! their retention, and export files past `export.retention_hours`.
//!
//! Every step is idempotent and safe to run on several nodes at once.

use std::time::Duration;

use crate::db::{self, Db};
use crate::domain::files::{blobs, store::BlobStore};
use crate::error::Result;

/// How long spent rows are kept after they stop mattering (for audits of recent activity).
const KEEP: i64 = 24 * 3600 * 1_000_000;

/// What one pass removed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Swept {
    pub blobs: u64,
    pub rows: u64,
}

/// Passes between two walks of the whole blob store (it lists every blob, which in a large
/// bucket is many requests): with the 10-minute pass, hourly, and always on the first pass of
/// a process (a restart after a crash is when orphans appear).
const STORE_WALK_EVERY: u64 = 6;

/// Runs one full pass, the walk of the blob store included.
pub async fn run_once(db: &Db, store: &dyn BlobStore) -> Result<Swept> {
    run_pass(db, store, true).await
}

/// Runs one pass; `walk_store`: also look through the store for blobs without a row and for
/// temporary uploads of dead processes.
async fn run_pass(db: &Db, store: &dyn BlobStore, walk_store: bool) -> Result<Swept> {
    // Expired exports first, so their files go in this same pass.
    let expired = super::export::remove_expired(db, store, db::now()).await?;
    let mut blobs = expired + blobs::collect_garbage(db, store).await?;
    if walk_store {
        blobs += blobs::collect_orphans(db, store).await?;
        store.sweep_temporaries().await?;
    }
    let cutoff = db::now() - KEEP;
    let mut rows = 0;
    for sql in [
        "DELETE FROM sessions WHERE expires_at < $1 OR revoked_at < $1",
        "DELETE FROM login_failures WHERE created_at < $1",
        "DELETE FROM password_resets WHERE expires_at < $1",
        "DELETE FROM captchas WHERE expires_at < $1",
    ] {
        rows += sqlx::query(sql)
            .bind(cutoff)
            .execute(db.write_pool())
            .await?
            .rows_affected();
    }
    // Operation-log entries past `operation_log_retention_days` (read now: a change made on
    // any node applies at the next pass).
    let retention = super::settings::load(db)
        .await?
        .operation_log_retention_days;
    rows += super::oplog::store::purge(db, db::now(), retention).await?;
    Ok(Swept { blobs, rows })
}

/// Runs a pass now and then every `every`, for as long as the process lives.
pub fn spawn(db: Db, store: std::sync::Arc<dyn BlobStore>, every: Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        for pass in 0u64.. {
            tick.tick().await;
            let walk_store = pass % STORE_WALK_EVERY == 0;
            match run_pass(&db, store.as_ref(), walk_store).await {
                Ok(s) if s.blobs + s.rows > 0 => {
                    tracing::info!(blobs = s.blobs, rows = s.rows, "maintenance pass")
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "maintenance pass failed"),
            }
        }
    });
}
