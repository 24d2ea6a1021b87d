//! Figures an operator watches that live in the database: the background job queue and the
//! blob store. Read on demand (a metrics scrape), so every node reports the shared state.

use sqlx::Row;

use crate::db::Db;
use crate::error::Result;

/// The job queue by state, and the blob store's size.
#[derive(Debug, Clone, Copy, Default)]
pub struct Gauges {
    pub jobs_queued: i64,
    pub jobs_running: i64,
    /// Failed jobs still on record (until their retention runs out).
    pub jobs_failed: i64,
    pub blob_objects: i64,
    pub blob_bytes: i64,
}

/// Reads the gauges: two aggregate queries (the casts: PostgreSQL sums `bigint` as `numeric`).
pub async fn read(db: &Db) -> Result<Gauges> {
    let jobs = sqlx::query(
        "SELECT \
           CAST(COALESCE(SUM(CASE WHEN status = 'pending' THEN 1 ELSE 0 END), 0) AS BIGINT) AS queued, \
           CAST(COALESCE(SUM(CASE WHEN status = 'processing' THEN 1 ELSE 0 END), 0) AS BIGINT) AS running, \
           CAST(COALESCE(SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END), 0) AS BIGINT) AS failed \
         FROM export_tasks",
    )
    .fetch_one(db.pool())
    .await?;
    let blobs = sqlx::query(
        "SELECT COUNT(*) AS objects, CAST(COALESCE(SUM(size), 0) AS BIGINT) AS bytes FROM blobs",
    )
    .fetch_one(db.pool())
    .await?;
    Ok(Gauges {
        jobs_queued: jobs.try_get("queued")?,
        jobs_running: jobs.try_get("running")?,
        jobs_failed: jobs.try_get("failed")?,
        blob_objects: blobs.try_get("objects")?,
        blob_bytes: blobs.try_get("bytes")?,
    })
}
