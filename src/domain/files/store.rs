//! The blob store boundary: where the bytes of a blob live, named by their SHA-256.
//!
//! The store knows nothing of records or owners; [`super::blobs`] decides when a blob may be
//! placed or removed. [`super::local::LocalStore`] keeps blobs on local disk,
//! [`super::s3::S3Store`] in an S3-compatible bucket that every node shares.

use std::pin::Pin;

use async_trait::async_trait;
use bytes::Bytes;
use futures_util::Stream;

use super::hash::ContentHash;
use crate::error::Result;

/// Bytes read from the store, in chunks, never the whole blob at once.
pub type ByteStream = Pin<Box<dyn Stream<Item = std::io::Result<Bytes>> + Send>>;

/// The hashes of stored blobs, a page at a time.
pub type HashStream = Pin<Box<dyn Stream<Item = Result<ContentHash>> + Send>>;

#[async_trait]
pub trait BlobStore: Send + Sync {
    /// Starts writing a new blob to a temporary place. Dropping the writer without
    /// [`BlobWriter::place`] removes everything it wrote.
    async fn create(&self) -> Result<Box<dyn BlobWriter>>;

    /// Opens a stored blob; `None` when there is none with that hash.
    async fn open(&self, hash: &ContentHash) -> Result<Option<Box<dyn OpenBlob>>>;

    /// Whether a blob with that hash is stored.
    async fn exists(&self, hash: &ContentHash) -> Result<bool>;

    /// Removes a blob; removing a missing blob is not an error.
    async fn remove(&self, hash: &ContentHash) -> Result<()>;

    /// Every stored blob, in no particular order, without uploads in progress (the
    /// maintenance pass looks for blobs that no row names: a crash between placing a blob and
    /// committing its record leaves one).
    fn hashes(&self) -> HashStream;

    /// Removes what uploads that died with their process left behind, once it is old enough
    /// that no live upload can own it; answers how many went.
    async fn sweep_temporaries(&self) -> Result<u64>;
}

/// A blob being written.
#[async_trait]
pub trait BlobWriter: Send {
    async fn write(&mut self, chunk: &[u8]) -> Result<()>;

    /// Makes what was written durable (still under its temporary name). The last write:
    /// S3 completes its upload here.
    async fn sync(&mut self) -> Result<()>;

    /// Reads back everything written so far (for decoding an image before it is placed).
    /// Call it after [`Self::sync`]: the S3 writer accepts no writes after that.
    async fn read_back(&mut self) -> Result<Vec<u8>>;

    /// Moves the written bytes under their final name `hash`, atomically: readers see either
    /// no blob or the whole blob. When a blob with that hash is already stored it is kept and
    /// this copy is discarded (same hash, same bytes).
    async fn place(self: Box<Self>, hash: &ContentHash) -> Result<()>;
}

/// A blob opened for reading. On local disk, holding it keeps the bytes readable even if the
/// blob is removed meanwhile; in S3 a blob removed (its last record deleted) while it is being
/// streamed ends the stream with an error.
#[async_trait]
pub trait OpenBlob: Send {
    /// The blob's size in bytes.
    fn size(&self) -> u64;

    /// Streams `len` bytes starting at `start` (the caller keeps the span within [`Self::size`]).
    async fn stream(self: Box<Self>, start: u64, len: u64) -> Result<ByteStream>;
}
