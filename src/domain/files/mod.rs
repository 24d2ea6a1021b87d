//! Files: content-addressed image blobs and the file records that point at them, shared by
//! every dialect that stores uploads (`ops_v1` files, admin uploads, avatars, order photos).
//!
//! * [`hash`] — the SHA-256 name of a blob ([`ContentHash`]).
//! * [`sniff`] — what an upload really is, from its magic bytes.
//! * [`store`] — the blob store boundary; [`local`] keeps blobs on disk, [`s3`] in a bucket.
//! * [`upload`] — the streaming pipeline: chunks in, temporary blob, then blob + record.
//! * [`records`] — one record per upload: owner, name, type, description, MIME, size, hash.
//! * [`blobs`] — when a blob may be placed or removed, safely across processes.
//! * [`manage`] — serving by hash and deleting records.
//! * [`thumbnail`] — bounded decoding and small JPEG thumbnails.
//! * [`documents`] — `admin_v1` uploads of a declared kind, each with its thumbnail.

pub mod blobs;
pub mod documents;
pub mod hash;
pub mod local;
pub mod manage;
pub mod records;
pub mod s3;
pub mod sniff;
pub mod store;
pub mod thumbnail;
pub mod upload;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

pub use hash::ContentHash;
pub use manage::{Servable, delete, find, open};
pub use records::{FileRecord, ListFilter, Scope};
pub use sniff::ImageKind;
pub use store::{BlobStore, ByteStream, HashStream, OpenBlob};
pub use upload::{Limits, Meta, receive, save};

use crate::config::{FileConfig, FileStoreKind, S3Config};

/// The blob store `file.*` configures. Handlers call this per request: an S3 client (and its
/// connection pool) is made once per bucket configuration and shared after that.
pub fn store(cfg: &FileConfig) -> Arc<dyn BlobStore> {
    match open_store(cfg) {
        Ok(store) => store,
        Err(e) => {
            // `open_store` ran at start-up with the same configuration, so this is not reached
            // in a server; a store that fails every call is the honest answer if it is.
            tracing::error!(error = %e, "the blob store cannot be used");
            Arc::new(Unusable(e.to_string()))
        }
    }
}

/// [`store`], or why the configuration cannot make one (start-up calls this to stop early).
pub fn open_store(cfg: &FileConfig) -> anyhow::Result<Arc<dyn BlobStore>> {
    static BUCKETS: OnceLock<Mutex<HashMap<S3Config, s3::S3Store>>> = OnceLock::new();
    match cfg.store {
        FileStoreKind::Local => Ok(Arc::new(local::LocalStore::new(cfg.paths.image.clone()))),
        FileStoreKind::S3 => {
            let mut buckets = BUCKETS
                .get_or_init(Default::default)
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if let Some(store) = buckets.get(&cfg.s3) {
                return Ok(Arc::new(store.clone()));
            }
            let store = s3::S3Store::new(&cfg.s3)?;
            buckets.insert(cfg.s3.clone(), store.clone());
            Ok(Arc::new(store))
        }
    }
}

/// A store whose configuration could not be used: every call fails with the reason.
struct Unusable(String);

impl Unusable {
    fn fail<T>(&self) -> crate::error::Result<T> {
        Err(crate::error::Error::Internal(anyhow::anyhow!(
            "the blob store cannot be used: {}",
            self.0
        )))
    }
}

#[async_trait::async_trait]
impl BlobStore for Unusable {
    async fn create(&self) -> crate::error::Result<Box<dyn store::BlobWriter>> {
        self.fail()
    }
    async fn open(&self, _: &ContentHash) -> crate::error::Result<Option<Box<dyn OpenBlob>>> {
        self.fail()
    }
    async fn exists(&self, _: &ContentHash) -> crate::error::Result<bool> {
        self.fail()
    }
    async fn remove(&self, _: &ContentHash) -> crate::error::Result<()> {
        self.fail()
    }
    fn hashes(&self) -> HashStream {
        Box::pin(futures_util::stream::once(std::future::ready(self.fail())))
    }
    async fn sweep_temporaries(&self) -> crate::error::Result<u64> {
        self.fail()
    }
}
