//! Reading blobs by hash and deleting records.

use super::blobs;
use super::hash::ContentHash;
use super::records::{self, FileRecord, Scope};
use super::store::{BlobStore, OpenBlob};
use crate::db::Db;
use crate::error::{Entity, Error, Result};

/// A blob that may be served: some record references it.
#[derive(Debug, Clone)]
pub struct Servable {
    pub hash: ContentHash,
    pub mime: String,
}

/// Looks up `raw` (a hash as given in a URL). Anything that is not 64 hex digits, or a hash no
/// record references, is "file not found".
pub async fn find(db: &Db, raw: &str) -> Result<Servable> {
    let hash = ContentHash::parse(raw).ok_or(Error::NotFound(Entity::File))?;
    let mime = records::mime_of(db, &hash)
        .await?
        .ok_or(Error::NotFound(Entity::File))?;
    Ok(Servable { hash, mime })
}

/// Opens the bytes of a servable blob.
pub async fn open(store: &dyn BlobStore, blob: &Servable) -> Result<Box<dyn OpenBlob>> {
    store
        .open(&blob.hash)
        .await?
        .ok_or(Error::NotFound(Entity::File))
}

/// Deletes the record `id` if `scope` may see it (another user's is "not found"), then the
/// blob (and its thumbnail) when that was its last reference. The record goes first, in its own transaction: a crash
/// in between leaves an unreferenced blob (removed by [`blobs::collect_garbage`]), never a
/// record without its blob.
pub async fn delete(db: &Db, store: &dyn BlobStore, scope: Scope, id: i64) -> Result<FileRecord> {
    let record = records::delete(db, scope, id).await?;
    for hash in std::iter::once(&record.sha256).chain(record.thumb_sha256.as_ref()) {
        if let Err(err) = blobs::release(db, store, hash).await {
            // The record is gone, which is what the caller asked for; the blob is only
            // garbage now.
            tracing::warn!(sha256 = %hash, error = %err, "could not release a blob");
        }
    }
    Ok(record)
}
