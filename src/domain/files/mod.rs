//! Files: content-addressed image blobs and the file records that point at them, shared by
//! every dialect that stores uploads (`ops_v1` files, admin uploads, avatars, order photos).
//!
//! * [`hash`] — the SHA-256 name of a blob ([`ContentHash`]).
//! * [`sniff`] — what an upload really is, from its magic bytes.
//! * [`store`] — the blob store boundary; [`local`] keeps blobs on disk.
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
pub mod sniff;
pub mod store;
pub mod thumbnail;
pub mod upload;

use std::sync::Arc;

pub use hash::ContentHash;
pub use manage::{Servable, delete, find, open};
pub use records::{FileRecord, ListFilter, Scope};
pub use sniff::ImageKind;
pub use store::{BlobStore, ByteStream, OpenBlob};
pub use upload::{Limits, Meta, receive, save};

use crate::config::{FileConfig, FileStoreKind};

/// The blob store `file.*` configures.
pub fn store(cfg: &FileConfig) -> Arc<dyn BlobStore> {
    match cfg.store {
        FileStoreKind::Local => Arc::new(local::LocalStore::new(cfg.paths.image.clone())),
    }
}
