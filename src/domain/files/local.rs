//! Blobs as files on local disk under `file.paths.image`.
//!
//! Layout: `<root>/<h0h1>/<h2h3>/<hash>` (two levels of 256 shards keep directories small) and
//! `<root>/tmp/` for uploads in progress. Every name on disk comes from a [`ContentHash`] or
//! from `tempfile`, never from user input. A blob only ever appears under its final name by an
//! atomic rename of a complete, fsynced temporary file, so a crash mid-upload leaves at most a
//! stray file in `tmp/`, never a partial blob.

use std::io::SeekFrom;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use anyhow::Context;
use async_trait::async_trait;
use futures_util::StreamExt;
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};
use tokio_util::io::ReaderStream;

use super::hash::ContentHash;
use super::store::{BlobStore, BlobWriter, ByteStream, HashStream, OpenBlob};
use crate::error::{Error, Result};

/// Read in chunks of this size when streaming a blob out.
const READ_CHUNK: usize = 64 * 1024;
/// Temporary files untouched for this long belong to uploads that died with their process
/// (an upload that is alive writes to its file continuously).
const STALE_TEMP: Duration = Duration::from_secs(24 * 3600);
const TEMP_PREFIX: &str = "upload-";
/// How often one process looks for stale temporary files.
const SWEEP_EVERY: Duration = Duration::from_secs(600);

/// The local-disk [`BlobStore`].
#[derive(Debug, Clone)]
pub struct LocalStore {
    root: PathBuf,
}

impl LocalStore {
    /// A store rooted at `root`; folders are created when first needed.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// Where the blob `hash` lives.
    pub fn path_of(&self, hash: &ContentHash) -> PathBuf {
        let h = hash.as_str();
        self.root.join(&h[..2]).join(&h[2..4]).join(h)
    }

    /// The folder for uploads in progress.
    pub fn temp_dir(&self) -> PathBuf {
        self.root.join("tmp")
    }
}

fn internal(err: std::io::Error, what: impl FnOnce() -> String) -> Error {
    Error::Internal(anyhow::Error::new(err).context(what()))
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> anyhow::Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::Internal(anyhow::Error::new(e)))?
        .map_err(Error::Internal)
}

#[async_trait]
impl BlobStore for LocalStore {
    async fn create(&self) -> Result<Box<dyn BlobWriter>> {
        let dir = self.temp_dir();
        let (file, temp) = blocking(move || {
            std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
            if sweep_due(&dir) {
                sweep_stale(&dir);
            }
            let named = tempfile::Builder::new()
                .prefix(TEMP_PREFIX)
                .tempfile_in(&dir)
                .with_context(|| format!("creating a temporary file in {}", dir.display()))?;
            Ok(named.into_parts())
        })
        .await?;
        Ok(Box::new(LocalWriter {
            file: tokio::fs::File::from_std(file),
            temp,
            store: self.clone(),
            synced: false,
        }))
    }

    async fn open(&self, hash: &ContentHash) -> Result<Option<Box<dyn OpenBlob>>> {
        let path = self.path_of(hash);
        let file = match tokio::fs::File::open(&path).await {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(internal(e, || format!("opening {}", path.display()))),
        };
        let size = file
            .metadata()
            .await
            .map_err(|e| internal(e, || format!("reading metadata of {}", path.display())))?
            .len();
        Ok(Some(Box::new(LocalBlob { file, size })))
    }

    async fn exists(&self, hash: &ContentHash) -> Result<bool> {
        let path = self.path_of(hash);
        tokio::fs::try_exists(&path)
            .await
            .map_err(|e| internal(e, || format!("checking {}", path.display())))
    }

    async fn remove(&self, hash: &ContentHash) -> Result<()> {
        let path = self.path_of(hash);
        match tokio::fs::remove_file(&path).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(internal(e, || format!("removing {}", path.display()))),
        }
    }

    fn hashes(&self) -> HashStream {
        // One top-level shard (1/256 of the blobs) is read at a time.
        let root = self.root.clone();
        let shards = futures_util::stream::iter(0..=255u8).then(move |top| {
            let dir = root.join(format!("{top:02x}"));
            blocking(move || hashes_under(&dir))
        });
        Box::pin(shards.flat_map(|shard| {
            let items: Vec<Result<ContentHash>> = match shard {
                Ok(hashes) => hashes.into_iter().map(Ok).collect(),
                Err(e) => vec![Err(e)],
            };
            futures_util::stream::iter(items)
        }))
    }

    async fn sweep_temporaries(&self) -> Result<u64> {
        let dir = self.temp_dir();
        blocking(move || Ok(sweep_stale(&dir))).await
    }
}

/// The blobs in one top-level shard folder `dir` (`<root>/ab`), by their file names.
fn hashes_under(dir: &Path) -> anyhow::Result<Vec<ContentHash>> {
    let mut found = Vec::new();
    let top = match std::fs::read_dir(dir) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(found),
        Err(e) => return Err(anyhow::Error::new(e).context(format!("listing {}", dir.display()))),
    };
    for sub in top {
        let sub = sub.with_context(|| format!("listing {}", dir.display()))?;
        if !sub.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let files = std::fs::read_dir(sub.path())
            .with_context(|| format!("listing {}", sub.path().display()))?;
        for file in files.flatten() {
            if let Some(hash) = file.file_name().to_str().and_then(ContentHash::parse) {
                found.push(hash);
            }
        }
    }
    Ok(found)
}

/// An upload in progress: a temporary file that is deleted when dropped unless placed.
struct LocalWriter {
    file: tokio::fs::File,
    temp: tempfile::TempPath,
    store: LocalStore,
    /// Nothing was written since the last sync: placing need not sync again.
    synced: bool,
}

#[async_trait]
impl BlobWriter for LocalWriter {
    async fn write(&mut self, chunk: &[u8]) -> Result<()> {
        self.synced = false;
        self.file
            .write_all(chunk)
            .await
            .map_err(|e| internal(e, || "writing an upload".to_owned()))
    }

    async fn sync(&mut self) -> Result<()> {
        self.file
            .flush()
            .await
            .map_err(|e| internal(e, || "flushing an upload".to_owned()))?;
        self.file
            .sync_all()
            .await
            .map_err(|e| internal(e, || "syncing an upload".to_owned()))?;
        self.synced = true;
        Ok(())
    }

    async fn read_back(&mut self) -> Result<Vec<u8>> {
        let io = |e| internal(e, || "reading an upload back".to_owned());
        self.file.flush().await.map_err(io)?;
        self.file.seek(SeekFrom::Start(0)).await.map_err(io)?;
        let mut bytes = Vec::new();
        self.file.read_to_end(&mut bytes).await.map_err(io)?;
        Ok(bytes)
    }

    async fn place(mut self: Box<Self>, hash: &ContentHash) -> Result<()> {
        // The upload pipeline syncs before it takes the blob's lock; not twice under it.
        if !self.synced {
            self.sync().await?;
        }
        let LocalWriter {
            file, temp, store, ..
        } = *self;
        drop(file);
        let target = store.path_of(hash);
        blocking(move || place_file(temp, &target)).await
    }
}

/// Renames `temp` to `target` unless `target` exists, then syncs the folder so the rename
/// survives a crash. `temp` is removed in every other case.
fn place_file(temp: tempfile::TempPath, target: &Path) -> anyhow::Result<()> {
    let dir = target
        .parent()
        .context("a blob path always has a parent folder")?;
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    if target.exists() {
        // The same bytes are stored already; `temp` is deleted on drop.
        return Ok(());
    }
    temp.persist(target)
        .map_err(|e| anyhow::Error::new(e.error))
        .with_context(|| format!("moving an upload to {}", target.display()))?;
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .with_context(|| format!("syncing {}", dir.display()))?;
    Ok(())
}

/// Whether this upload should sweep `dir`: at most once per [`SWEEP_EVERY`] per folder and
/// process (a sweep lists the temporary folder, which is busy under concurrent uploads; what
/// it looks for is a day old).
fn sweep_due(dir: &Path) -> bool {
    use std::collections::HashMap;
    use std::sync::{LazyLock, Mutex};
    use std::time::Instant;
    static LAST: LazyLock<Mutex<HashMap<PathBuf, Instant>>> = LazyLock::new(Default::default);
    let Ok(mut last) = LAST.lock() else {
        return true;
    };
    let due = last.get(dir).is_none_or(|t| t.elapsed() >= SWEEP_EVERY);
    if due {
        last.insert(dir.to_path_buf(), Instant::now());
    }
    due
}

/// Removes temporary files left by uploads whose server was killed; answers how many went.
/// Best effort: a file that cannot be read or removed now is tried again on the next upload.
fn sweep_stale(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    let now = SystemTime::now();
    for entry in entries.flatten() {
        let stale = entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX)
            && entry
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| now.duration_since(t).is_ok_and(|age| age > STALE_TEMP));
        if stale && std::fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// An open blob file.
struct LocalBlob {
    file: tokio::fs::File,
    size: u64,
}

#[async_trait]
impl OpenBlob for LocalBlob {
    fn size(&self) -> u64 {
        self.size
    }

    async fn stream(mut self: Box<Self>, start: u64, len: u64) -> Result<ByteStream> {
        self.file
            .seek(SeekFrom::Start(start))
            .await
            .map_err(|e| internal(e, || "seeking in a blob".to_owned()))?;
        let reader = self.file.take(len);
        Ok(Box::pin(ReaderStream::with_capacity(reader, READ_CHUNK)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::TryStreamExt;

    fn hash_of(bytes: &[u8]) -> ContentHash {
        let mut h = super::super::hash::Hasher::default();
        h.update(bytes);
        h.finish()
    }

    async fn read(store: &LocalStore, hash: &ContentHash, start: u64, len: u64) -> Vec<u8> {
        let blob = store.open(hash).await.unwrap().unwrap();
        let chunks: Vec<_> = blob
            .stream(start, len)
            .await
            .unwrap()
            .try_collect()
            .await
            .unwrap();
        chunks.concat()
    }

    #[tokio::test]
    async fn a_placed_blob_is_readable_under_its_hash_and_temp_files_go() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalStore::new(dir.path());
        let hash = hash_of(b"hello world");
        let mut w = store.create().await.unwrap();
        w.write(b"hello ").await.unwrap();
        w.write(b"world").await.unwrap();
        assert!(!store.exists(&hash).await.unwrap());
        w.place(&hash).await.unwrap();
        assert!(store.exists(&hash).await.unwrap());
        let h = hash.as_str();
        assert!(dir.path().join(&h[..2]).join(&h[2..4]).join(h).is_file());
        assert_eq!(read(&store, &hash, 0, 11).await, b"hello world");
        assert_eq!(read(&store, &hash, 6, 3).await, b"wor");
        assert_eq!(std::fs::read_dir(store.temp_dir()).unwrap().count(), 0);
        store.remove(&hash).await.unwrap();
        store.remove(&hash).await.unwrap();
        assert!(store.open(&hash).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn a_dropped_writer_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalStore::new(dir.path());
        let mut w = store.create().await.unwrap();
        w.write(b"partial").await.unwrap();
        assert_eq!(std::fs::read_dir(store.temp_dir()).unwrap().count(), 1);
        drop(w);
        assert_eq!(std::fs::read_dir(store.temp_dir()).unwrap().count(), 0);
    }

    #[tokio::test]
    async fn temporary_files_of_dead_uploads_are_swept() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalStore::new(dir.path());
        std::fs::create_dir_all(store.temp_dir()).unwrap();
        let old = store.temp_dir().join("upload-dead");
        let recent = store.temp_dir().join("upload-alive");
        for p in [&old, &recent] {
            std::fs::write(p, b"x").unwrap();
        }
        let long_ago = SystemTime::now() - STALE_TEMP - Duration::from_secs(60);
        std::fs::File::options()
            .write(true)
            .open(&old)
            .unwrap()
            .set_modified(long_ago)
            .unwrap();
        let w = store.create().await.unwrap();
        assert!(!old.exists());
        assert!(recent.exists());
        drop(w);
    }

    #[tokio::test]
    async fn placing_existing_bytes_keeps_the_first_copy() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalStore::new(dir.path());
        let hash = hash_of(b"same");
        for _ in 0..2 {
            let mut w = store.create().await.unwrap();
            w.write(b"same").await.unwrap();
            w.place(&hash).await.unwrap();
        }
        assert_eq!(read(&store, &hash, 0, 4).await, b"same");
        assert_eq!(std::fs::read_dir(store.temp_dir()).unwrap().count(), 0);
    }
}
