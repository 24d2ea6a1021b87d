//! When a blob may appear on disk and when it may go, across any number of server processes.
//!
//! The `blobs` row of a hash is the lock. Placing a blob (upload) and removing it (last record
//! deleted) both lock that row inside a transaction before touching the store:
//!
//! * upload: lock (insert or lock the row) → place the file → insert the record → commit. The
//!   record becomes visible together with the row, and only after the file is in place.
//! * release: lock the row → count records → if none, delete the row and the file → commit.
//!
//! So a release never removes a file that a concurrent upload of the same bytes has just reused:
//! either the upload committed first (its record is counted) or it waits for the release to
//! finish and then places its own copy. A crash after the file is removed but before the commit
//! leaves a row without a file and without records, which the next upload of those bytes repairs.
//! A crash after the file is placed but before the commit leaves a file without a row (the row
//! was rolled back): [`collect_orphans`] gives it a row and releases it under the same lock.

use futures_util::StreamExt;
use sqlx::Row;

use super::hash::ContentHash;
use super::records;
use super::store::BlobStore;
use crate::db::{Db, Timestamp, Tx};
use crate::error::Result;

/// Inserts the blob's row, or locks the existing one, inside `tx`.
pub(crate) async fn lock_for_placing(
    tx: &mut Tx<'_>,
    hash: &ContentHash,
    size: i64,
    mime: &str,
    now: Timestamp,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO blobs (sha256, size, mime, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (sha256) DO UPDATE SET size = excluded.size",
    )
    .bind(hash.as_str())
    .bind(size)
    .bind(mime)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Removes the blob `hash` when no record references it any more; answers whether it did.
pub async fn release(db: &Db, store: &dyn BlobStore, hash: &str) -> Result<bool> {
    let Some(hash) = ContentHash::parse(hash) else {
        return Ok(false);
    };
    let mut tx = db.begin().await?;
    // A write first, so SQLite takes its write lock now (waiting, not failing, when busy) and
    // PostgreSQL locks the row.
    let locked = sqlx::query("UPDATE blobs SET size = size WHERE sha256 = $1")
        .bind(hash.as_str())
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if locked == 0 || records::is_referenced(&mut tx, hash.as_str()).await? {
        // Already released by someone else, or still in use.
        tx.commit().await?;
        return Ok(false);
    }
    sqlx::query("DELETE FROM blobs WHERE sha256 = $1")
        .bind(hash.as_str())
        .execute(&mut *tx)
        .await?;
    store.remove(&hash).await?;
    tx.commit().await?;
    Ok(true)
}

/// Removes every blob that nothing references (records can also go with their owner, exports
/// expire);
/// answers how many were removed.
pub async fn collect_garbage(db: &Db, store: &dyn BlobStore) -> Result<u64> {
    let sql = format!(
        "SELECT sha256 FROM blobs b WHERE NOT {}",
        records::REFERENCED
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_all(db.pool())
        .await?;
    let mut removed = 0;
    for row in rows {
        let hash: String = row.try_get("sha256")?;
        if release(db, store, &hash).await? {
            removed += 1;
        }
    }
    Ok(removed)
}

/// Hashes checked against the `blobs` table per query.
const ORPHAN_BATCH: usize = 500;

/// Removes every stored blob that has no `blobs` row (nor, then, any record); answers how
/// many went. Each candidate gets a row first and is then [`release`]d, so it is removed under
/// the row's lock: an upload of the same bytes that is committing meanwhile either commits
/// first (its record keeps the blob) or waits and places its own copy afterwards.
pub async fn collect_orphans(db: &Db, store: &dyn BlobStore) -> Result<u64> {
    let mut hashes = store.hashes().chunks(ORPHAN_BATCH);
    let mut removed = 0;
    while let Some(batch) = hashes.next().await {
        let batch: Vec<ContentHash> = batch.into_iter().collect::<Result<_>>()?;
        for hash in without_rows(db, &batch).await? {
            sqlx::query(
                "INSERT INTO blobs (sha256, size, mime, created_at) \
                 VALUES ($1, 0, 'application/octet-stream', $2) ON CONFLICT (sha256) DO NOTHING",
            )
            .bind(hash.as_str())
            .bind(crate::db::now())
            .execute(db.pool())
            .await?;
            if release(db, store, hash.as_str()).await? {
                removed += 1;
            }
        }
    }
    Ok(removed)
}

/// The hashes of `batch` that have no `blobs` row.
async fn without_rows<'a>(db: &Db, batch: &'a [ContentHash]) -> Result<Vec<&'a ContentHash>> {
    if batch.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (1..=batch.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT sha256 FROM blobs WHERE sha256 IN ({})",
        marks.join(", ")
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for hash in batch {
        query = query.bind(hash.as_str());
    }
    let known: std::collections::HashSet<String> = query
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| r.try_get::<String, _>("sha256"))
        .collect::<std::result::Result<_, _>>()?;
    Ok(batch
        .iter()
        .filter(|h| !known.contains(h.as_str()))
        .collect())
}
