//! Blobs in an S3-compatible bucket (`file.store: s3`), one bucket shared by every node.
//!
//! Layout: `<h0h1>/<h2h3>/<hash>` as on local disk, and `tmp/upload-<uuid>` for uploads in
//! progress. An upload is written to its temporary key — one PUT when it stays under
//! [`PART_SIZE`], otherwise a multipart upload sent a part at a time with at most
//! [`PARTS_IN_FLIGHT`] parts in memory, never the whole file. [`BlobWriter::place`] then copies
//! the complete object to its final key server-side (S3 shows an object whole or not at all) and
//! deletes the temporary one. So nothing ever appears under a final key that is not a complete
//! blob: a dropped writer aborts its multipart upload or deletes its temporary object, and a
//! process killed mid-upload leaves a temporary object (removed by the maintenance pass after a
//! day) or an unfinished multipart upload (removed by the bucket's
//! `AbortIncompleteMultipartUpload` lifecycle rule; the README shows one).

use std::sync::Arc;

use async_trait::async_trait;
use futures_util::{StreamExt, TryStreamExt};
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path;
use object_store::{GetOptions, ObjectStore, ObjectStoreExt, PutPayload, WriteMultipart};

use super::hash::ContentHash;
use super::store::{BlobStore, BlobWriter, ByteStream, HashStream, OpenBlob};
use crate::config::S3Config;
use crate::error::{Error, Result};

/// Uploads up to this size go in one PUT; larger ones in parts of this size (S3's smallest
/// part is 5 MiB).
pub const PART_SIZE: usize = 5 * 1024 * 1024;
/// Parts of one upload being sent at once (the memory bound of an upload is about
/// `PART_SIZE * (PARTS_IN_FLIGHT + 1)`).
pub const PARTS_IN_FLIGHT: usize = 2;
const TEMP_DIR: &str = "tmp";
/// Temporary objects older than this belong to uploads that died with their process.
const STALE_TEMP_SECS: i64 = 24 * 3600;

/// The S3 [`BlobStore`]. Cheap to clone: clones share one HTTP client and its connections.
#[derive(Debug, Clone)]
pub struct S3Store {
    bucket: Arc<AmazonS3>,
}

impl S3Store {
    /// A client for the bucket `cfg` names; nothing is sent until the first use.
    pub fn new(cfg: &S3Config) -> anyhow::Result<Self> {
        let mut b = AmazonS3Builder::from_env()
            .with_bucket_name(&cfg.bucket)
            .with_region(&cfg.region)
            .with_virtual_hosted_style_request(!cfg.path_style);
        if !cfg.endpoint.is_empty() {
            b = b
                .with_endpoint(endpoint_url(cfg))
                .with_allow_http(cfg.endpoint.starts_with("http://"));
        }
        if !cfg.access_key.is_empty() {
            b = b
                .with_access_key_id(&cfg.access_key)
                .with_secret_access_key(&cfg.secret_key);
        }
        let bucket = b
            .build()
            .map_err(|e| anyhow::anyhow!("file.s3: cannot use bucket {:?}: {e}", cfg.bucket))?;
        Ok(Self {
            bucket: Arc::new(bucket),
        })
    }

    /// Where the blob `hash` lives.
    pub fn key_of(hash: &ContentHash) -> Path {
        let h = hash.as_str();
        Path::from_iter([&h[..2], &h[2..4], h])
    }
}

/// The URL requests go to: `endpoint` itself with path-style addressing, otherwise the bucket
/// as the first label of the endpoint's host (`http://bucket.host:port`), which is what
/// virtual-hosted addressing expects of a custom endpoint.
fn endpoint_url(cfg: &S3Config) -> String {
    let endpoint = cfg.endpoint.trim_end_matches('/');
    if cfg.path_style {
        return endpoint.to_owned();
    }
    match endpoint.split_once("://") {
        Some((scheme, host)) => format!("{scheme}://{}.{host}", cfg.bucket),
        None => endpoint.to_owned(),
    }
}

fn internal(e: object_store::Error, what: impl FnOnce() -> String) -> Error {
    Error::Internal(anyhow::Error::new(e).context(what()))
}

#[async_trait]
impl BlobStore for S3Store {
    async fn create(&self) -> Result<Box<dyn BlobWriter>> {
        let temp = Path::from_iter([
            TEMP_DIR.to_owned(),
            format!("upload-{}", uuid::Uuid::new_v4().simple()),
        ]);
        Ok(Box::new(S3Writer {
            bucket: self.bucket.clone(),
            temp,
            buffer: Vec::new(),
            multipart: None,
            state: State::Writing,
        }))
    }

    async fn open(&self, hash: &ContentHash) -> Result<Option<Box<dyn OpenBlob>>> {
        let key = Self::key_of(hash);
        match self.bucket.head(&key).await {
            Ok(meta) => Ok(Some(Box::new(S3Blob {
                bucket: self.bucket.clone(),
                key,
                size: meta.size,
            }))),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(internal(e, || format!("reading {key} from the bucket"))),
        }
    }

    async fn exists(&self, hash: &ContentHash) -> Result<bool> {
        Ok(self.open(hash).await?.is_some())
    }

    async fn remove(&self, hash: &ContentHash) -> Result<()> {
        let key = Self::key_of(hash);
        match self.bucket.delete(&key).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(internal(e, || format!("deleting {key} from the bucket"))),
        }
    }

    fn hashes(&self) -> HashStream {
        let listing = self.bucket.list(None);
        Box::pin(listing.filter_map(|meta| async move {
            match meta {
                Ok(meta) => {
                    let key = meta.location;
                    let in_temp = key.parts().next().is_some_and(|p| p.as_ref() == TEMP_DIR);
                    let hash = key.filename().and_then(ContentHash::parse);
                    // Only keys of the blob layout count; anything else in the bucket is
                    // not ours to judge.
                    match hash {
                        Some(h) if !in_temp && key == Self::key_of(&h) => Some(Ok(h)),
                        _ => None,
                    }
                }
                Err(e) => Some(Err(internal(e, || "listing the bucket".to_owned()))),
            }
        }))
    }

    async fn sweep_temporaries(&self) -> Result<u64> {
        let cutoff = chrono::Utc::now() - chrono::Duration::seconds(STALE_TEMP_SECS);
        let mut listing = self.bucket.list(Some(&Path::from(TEMP_DIR)));
        let mut removed = 0;
        while let Some(meta) = listing
            .try_next()
            .await
            .map_err(|e| internal(e, || "listing temporary uploads".to_owned()))?
        {
            if meta.last_modified < cutoff && self.bucket.delete(&meta.location).await.is_ok() {
                removed += 1;
            }
        }
        Ok(removed)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Bytes are in `buffer` and, past [`PART_SIZE`], in the multipart upload.
    Writing,
    /// The temporary object is complete.
    Synced,
    /// Copied under its final key; the temporary object is gone (or left to the sweep).
    Placed,
}

/// An upload in progress. Dropped before [`BlobWriter::place`], it removes what it sent.
struct S3Writer {
    bucket: Arc<AmazonS3>,
    temp: Path,
    buffer: Vec<u8>,
    multipart: Option<WriteMultipart>,
    state: State,
}

impl S3Writer {
    /// Completes the temporary object: the multipart upload, or one PUT of the buffer.
    async fn complete(&mut self) -> Result<()> {
        if self.state != State::Writing {
            return Ok(());
        }
        let temp = self.temp.clone();
        match self.multipart.take() {
            // `finish` aborts the upload itself when it fails.
            Some(upload) => upload.finish().await.map(drop),
            None => {
                let bytes = PutPayload::from(std::mem::take(&mut self.buffer));
                self.bucket.put(&temp, bytes).await.map(drop)
            }
        }
        .map_err(|e| internal(e, || format!("uploading {temp}")))?;
        self.state = State::Synced;
        Ok(())
    }
}

#[async_trait]
impl BlobWriter for S3Writer {
    async fn write(&mut self, chunk: &[u8]) -> Result<()> {
        if self.state != State::Writing {
            return Err(Error::Internal(anyhow::anyhow!(
                "an S3 upload was written to after it was completed"
            )));
        }
        if let Some(upload) = &mut self.multipart {
            upload.write(chunk);
        } else if self.buffer.len() + chunk.len() <= PART_SIZE {
            self.buffer.extend_from_slice(chunk);
            return Ok(());
        } else {
            let upload = self
                .bucket
                .put_multipart(&self.temp)
                .await
                .map_err(|e| internal(e, || format!("starting the upload of {}", self.temp)))?;
            let mut upload = WriteMultipart::new_with_chunk_size(upload, PART_SIZE);
            upload.put(std::mem::take(&mut self.buffer).into());
            upload.write(chunk);
            self.multipart = Some(upload);
        }
        // Back pressure: the next chunk waits until few enough parts are in flight.
        if let Some(upload) = &mut self.multipart {
            upload
                .wait_for_capacity(PARTS_IN_FLIGHT)
                .await
                .map_err(|e| internal(e, || format!("uploading a part of {}", self.temp)))?;
        }
        Ok(())
    }

    async fn sync(&mut self) -> Result<()> {
        self.complete().await
    }

    async fn read_back(&mut self) -> Result<Vec<u8>> {
        self.complete().await?;
        let temp = self.temp.clone();
        let read = async {
            let got = self.bucket.get(&temp).await?;
            got.bytes().await
        };
        read.await
            .map(|b| b.to_vec())
            .map_err(|e| internal(e, || format!("reading {temp} back")))
    }

    async fn place(mut self: Box<Self>, hash: &ContentHash) -> Result<()> {
        self.complete().await?;
        let target = S3Store::key_of(hash);
        match self.bucket.head(&target).await {
            // The same bytes are stored already; only the temporary copy goes.
            Ok(_) => {}
            Err(object_store::Error::NotFound { .. }) => self
                .bucket
                .copy(&self.temp, &target)
                .await
                .map_err(|e| internal(e, || format!("moving an upload to {target}")))?,
            Err(e) => return Err(internal(e, || format!("checking {target}"))),
        }
        self.state = State::Placed;
        if let Err(e) = self.bucket.delete(&self.temp).await {
            // The blob is in place; the stray copy is swept later.
            tracing::warn!(key = %self.temp, error = %e, "could not delete a temporary upload");
        }
        Ok(())
    }
}

impl Drop for S3Writer {
    fn drop(&mut self) {
        let (Ok(runtime), state) = (tokio::runtime::Handle::try_current(), self.state) else {
            return;
        };
        let bucket = self.bucket.clone();
        let temp = self.temp.clone();
        match (state, self.multipart.take()) {
            (State::Writing, Some(upload)) => {
                runtime.spawn(async move {
                    if let Err(e) = upload.abort().await {
                        tracing::warn!(key = %temp, error = %e, "could not abort an upload");
                    }
                });
            }
            (State::Synced, _) => {
                runtime.spawn(async move {
                    let _ = bucket.delete(&temp).await;
                });
            }
            // Nothing was sent yet, or the blob is placed.
            _ => {}
        }
    }
}

/// A stored object: its size from a HEAD request; bytes come with a ranged GET.
struct S3Blob {
    bucket: Arc<AmazonS3>,
    key: Path,
    size: u64,
}

#[async_trait]
impl OpenBlob for S3Blob {
    fn size(&self) -> u64 {
        self.size
    }

    async fn stream(self: Box<Self>, start: u64, len: u64) -> Result<ByteStream> {
        if len == 0 {
            // S3 has no empty range.
            return Ok(Box::pin(futures_util::stream::empty()));
        }
        let options = GetOptions::new().with_range(Some(start..start + len));
        let got = self
            .bucket
            .get_opts(&self.key, options)
            .await
            .map_err(|e| internal(e, || format!("reading {}", self.key)))?;
        Ok(Box::pin(got.into_stream().map_err(std::io::Error::from)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(endpoint: &str, path_style: bool) -> S3Config {
        S3Config {
            endpoint: endpoint.to_owned(),
            bucket: "blobs".to_owned(),
            region: "us-east-1".to_owned(),
            access_key: String::new(),
            secret_key: String::new(),
            path_style,
        }
    }

    #[test]
    fn virtual_hosted_endpoints_name_the_bucket_in_the_host() {
        assert_eq!(
            endpoint_url(&cfg("http://127.0.0.1:9000/", true)),
            "http://127.0.0.1:9000"
        );
        assert_eq!(
            endpoint_url(&cfg("https://s3.example.com", false)),
            "https://blobs.s3.example.com"
        );
    }

    #[test]
    fn keys_follow_the_local_layout() {
        let h = ContentHash::parse(&"ab".repeat(32)).unwrap();
        assert_eq!(
            S3Store::key_of(&h).as_ref(),
            format!("ab/ab/{}", "ab".repeat(32))
        );
    }
}
