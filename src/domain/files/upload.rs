//! The upload pipeline: a stream of byte chunks in, a blob and a file record out.
//!
//! It knows nothing of HTTP or multipart. [`receive`] hashes, size-checks and sniffs the bytes
//! while they arrive and writes them to a temporary file; [`save`] then places the blob and
//! inserts its record. An error, or the caller dropping the future (client gone), removes the
//! temporary file and stores nothing.

use bytes::Bytes;
use futures_util::{Stream, StreamExt};

use super::blobs;
use super::hash::{ContentHash, Hasher};
use super::records::{self, FileRecord, NewRecord};
use super::sniff::{self, HEAD_LEN, ImageKind};
use super::store::{BlobStore, BlobWriter};
use crate::db::{self, Db};
use crate::error::{Error, Format, Problem, Result, Violations};

/// Bytes gathered before one write to the store.
const WRITE_CHUNK: usize = 128 * 1024;

/// What an upload may be, from the runtime settings.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest accepted size in bytes.
    pub max_size: u64,
    /// Accepted MIME types (a subset of the four image types).
    pub allowed_types: Vec<String>,
}

/// Bytes received completely and durably, not yet placed or recorded.
pub struct Received {
    writer: Box<dyn BlobWriter>,
    pub hash: ContentHash,
    pub size: u64,
    pub kind: ImageKind,
}

/// Reads `body` to its end into a temporary blob. Fails with [`Error::UnsupportedType`] as soon
/// as the first bytes show it is not an allowed image (an empty body included), and with
/// [`Error::TooLarge`] as soon as it passes `limits.max_size`; errors of the stream itself are
/// passed on. Memory use does not grow with the upload: chunks go to the temporary file one at
/// a time, and only the first chunks up to [`HEAD_LEN`] bytes are held until they are sniffed.
pub async fn receive<S>(store: &dyn BlobStore, body: S, limits: &Limits) -> Result<Received>
where
    S: Stream<Item = Result<Bytes>> + Send,
{
    let mut body = std::pin::pin!(body);
    let mut hasher = Hasher::default();
    let mut size: u64 = 0;
    let mut head: Vec<u8> = Vec::with_capacity(HEAD_LEN);
    let mut started: Option<(ImageKind, Box<dyn BlobWriter>)> = None;
    // Chunks are gathered into writes of WRITE_CHUNK bytes: each write to the store is a trip
    // to a blocking thread, and multipart chunks are often a few KiB (issue 17).
    let mut pending: Vec<u8> = Vec::new();
    while let Some(chunk) = body.next().await {
        let chunk = chunk?;
        size = size.saturating_add(chunk.len() as u64);
        if size > limits.max_size {
            return Err(Error::TooLarge);
        }
        hasher.update(&chunk);
        match &mut started {
            Some((_, writer)) => {
                if pending.is_empty() && chunk.len() >= WRITE_CHUNK {
                    writer.write(&chunk).await?;
                } else {
                    pending.extend_from_slice(&chunk);
                    if pending.len() >= WRITE_CHUNK {
                        writer.write(&pending).await?;
                        pending.clear();
                    }
                }
            }
            None => {
                head.extend_from_slice(&chunk);
                if head.len() >= HEAD_LEN {
                    started = Some(start(store, &head, limits).await?);
                    head = Vec::new();
                }
            }
        }
    }
    let (kind, mut writer) = match started {
        Some(s) => s,
        // The whole upload is shorter than the sniffing window.
        None => start(store, &head, limits).await?,
    };
    if !pending.is_empty() {
        writer.write(&pending).await?;
    }
    writer.sync().await?;
    Ok(Received {
        writer,
        hash: hasher.finish(),
        size,
        kind,
    })
}

/// Sniffs the first bytes and, for an allowed image, opens the temporary blob with them.
async fn start(
    store: &dyn BlobStore,
    head: &[u8],
    limits: &Limits,
) -> Result<(ImageKind, Box<dyn BlobWriter>)> {
    let kind = sniff::detect(head)
        .filter(|k| limits.allowed_types.iter().any(|t| t == k.mime()))
        .ok_or(Error::UnsupportedType)?;
    let mut writer = store.create().await?;
    writer.write(head).await?;
    Ok((kind, writer))
}

/// The record's describing fields, as the client sent them.
#[derive(Debug, Clone, Default)]
pub struct Meta {
    /// The client's file name (any path in it is dropped).
    pub name: Option<String>,
    /// Default `image`.
    pub file_type: Option<String>,
    pub description: Option<String>,
}

/// [`Meta`] after checking: ready to store.
#[derive(Debug, Clone)]
pub struct CheckedMeta {
    name: Option<String>,
    file_type: String,
    description: String,
    /// Set by [`super::documents`] only.
    pub(super) category: Option<String>,
}

pub const DEFAULT_TYPE: &str = "image";
const MAX_TYPE_CHARS: usize = 50;
const MAX_DESCRIPTION_CHARS: usize = 1000;
const MAX_NAME_CHARS: usize = 255;

/// A file type: 1–50 letters, digits, `_` or `-` (`image`, `avatar`, `receipt`, …).
pub fn check_type(field: &str, value: &str) -> Result<String> {
    let ok = !value.is_empty()
        && value.chars().count() <= MAX_TYPE_CHARS
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if ok {
        Ok(value.to_owned())
    } else {
        Err(Error::invalid(field, Problem::BadFormat(Format::FileType)))
    }
}

impl CheckedMeta {
    /// The meta of a document upload: its kind as the type, no description, a category.
    pub(super) fn document(
        name: Option<String>,
        file_type: &str,
        category: Option<String>,
    ) -> Self {
        Self {
            name: name.as_deref().and_then(clean_name),
            file_type: file_type.to_owned(),
            description: String::new(),
            category,
        }
    }
}

impl Meta {
    /// Checks the type and description, and cleans the name.
    pub fn check(self) -> Result<CheckedMeta> {
        let mut v = Violations::new();
        let file_type = match self.file_type.as_deref().map(str::trim) {
            None | Some("") => Some(DEFAULT_TYPE.to_owned()),
            Some(t) => v.check(check_type("type", t))?,
        };
        let description = self.description.unwrap_or_default().trim().to_owned();
        if description.chars().count() > MAX_DESCRIPTION_CHARS {
            v.add(
                "description",
                Problem::TooLong {
                    max: MAX_DESCRIPTION_CHARS,
                },
            );
        }
        v.into_result()?;
        Ok(CheckedMeta {
            name: self.name.as_deref().and_then(clean_name),
            file_type: file_type.unwrap_or_default(),
            description,
            category: None,
        })
    }
}

/// The last path component of a client file name, without control characters, at most 255
/// characters; `None` when nothing is left.
fn clean_name(raw: &str) -> Option<String> {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_NAME_CHARS)
        .collect();
    let cleaned = cleaned.trim();
    (!cleaned.is_empty() && cleaned != "." && cleaned != "..").then(|| cleaned.to_owned())
}

/// Places the received blob and records it for `user_id`. The blob is in place before the
/// record exists; see [`blobs`] for why a concurrent delete cannot remove it meanwhile.
pub async fn save(
    db: &Db,
    user_id: i64,
    received: Received,
    meta: CheckedMeta,
) -> Result<FileRecord> {
    save_with_thumbnail(db, None, user_id, received, meta).await
}

/// A thumbnail to store beside an upload: its encoded bytes and the store to put them in.
pub struct Thumb<'a> {
    pub store: &'a dyn BlobStore,
    pub bytes: Vec<u8>,
    pub kind: ImageKind,
}

/// [`save`], also placing `thumb` as a blob of its own that the record names. Both blobs are
/// locked in hash order, so two uploads can never wait on each other's locks.
pub async fn save_with_thumbnail(
    db: &Db,
    thumb: Option<Thumb<'_>>,
    user_id: i64,
    received: Received,
    meta: CheckedMeta,
) -> Result<FileRecord> {
    let Received {
        writer,
        hash,
        size,
        kind,
    } = received;
    let size = i64::try_from(size).map_err(|_| Error::TooLarge)?;
    let name = meta
        .name
        .clone()
        .unwrap_or_else(|| format!("{hash}.{}", kind.extension()));
    let now = db::now();
    let thumb = match thumb {
        Some(t) => Some(stage_thumbnail(t).await?),
        None => None,
    };
    let mut tx = db.begin().await?;
    let mut locks = vec![(&hash, size, kind.mime())];
    if let Some((h, _, bytes, k)) = &thumb {
        locks.push((h, i64::try_from(*bytes).unwrap_or(i64::MAX), k.mime()));
    }
    locks.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
    locks.dedup_by(|a, b| a.0 == b.0);
    for (h, s, m) in locks {
        blobs::lock_for_placing(&mut tx, h, s, m, now).await?;
    }
    writer.place(&hash).await?;
    let thumb = match thumb {
        Some((h, w, _, _)) => {
            w.place(&h).await?;
            Some(h)
        }
        None => None,
    };
    let record = records::insert(
        &mut tx,
        &NewRecord {
            user_id,
            name: &name,
            file_type: &meta.file_type,
            description: &meta.description,
            mime: kind.mime(),
            size,
            sha256: &hash,
            created_at: now,
            category: meta.category.as_deref(),
            thumb_sha256: thumb.as_ref(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(record)
}

/// Writes a thumbnail to a temporary blob, durably, ready to be placed.
async fn stage_thumbnail(
    t: Thumb<'_>,
) -> Result<(ContentHash, Box<dyn BlobWriter>, usize, ImageKind)> {
    let mut hasher = Hasher::default();
    hasher.update(&t.bytes);
    let mut writer = t.store.create().await?;
    writer.write(&t.bytes).await?;
    writer.sync().await?;
    Ok((hasher.finish(), writer, t.bytes.len(), t.kind))
}

impl Received {
    /// Everything received, read back from the temporary blob (the caller bounds how many
    /// are held at once).
    pub async fn read_back(&mut self) -> Result<Vec<u8>> {
        self.writer.read_back().await
    }
}

#[cfg(test)]
mod tests {
    use super::super::local::LocalStore;
    use super::super::sniff::samples;
    use super::*;

    fn limits(max_size: u64) -> Limits {
        Limits {
            max_size,
            allowed_types: ["image/png", "image/jpeg", "image/gif", "image/webp"]
                .map(str::to_owned)
                .to_vec(),
        }
    }

    fn chunks(bytes: &[u8], size: usize) -> impl Stream<Item = Result<Bytes>> + Send + use<> {
        let parts: Vec<Result<Bytes>> = bytes
            .chunks(size)
            .map(|c| Ok(Bytes::copy_from_slice(c)))
            .collect();
        futures_util::stream::iter(parts)
    }

    fn temp_files(store: &LocalStore) -> usize {
        std::fs::read_dir(store.temp_dir()).map_or(0, |d| d.count())
    }

    #[tokio::test]
    async fn an_image_in_small_chunks_is_hashed_and_sniffed() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalStore::new(dir.path());
        let mut png = samples::PNG.to_vec();
        png.extend(std::iter::repeat_n(0u8, 10_000));
        let r = receive(&store, chunks(&png, 7), &limits(1 << 20))
            .await
            .unwrap();
        assert_eq!((r.kind, r.size), (ImageKind::Png, png.len() as u64));
        let mut h = Hasher::default();
        h.update(&png);
        assert_eq!(r.hash, h.finish());
        assert_eq!(temp_files(&store), 1);
        drop(r);
        assert_eq!(temp_files(&store), 0);
    }

    #[tokio::test]
    async fn a_tiny_image_shorter_than_the_window_is_accepted() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalStore::new(dir.path());
        let r = receive(&store, chunks(samples::GIF, 5), &limits(1024))
            .await
            .unwrap();
        assert_eq!(r.kind, ImageKind::Gif);
    }

    #[tokio::test]
    async fn text_empty_and_disallowed_uploads_are_refused_without_a_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalStore::new(dir.path());
        for body in [
            &b"just some text, long enough to fill the sniffing window......"[..],
            b"",
        ] {
            let err = receive(&store, chunks(body, 3), &limits(1 << 20)).await;
            assert!(matches!(err, Err(Error::UnsupportedType)));
        }
        let mut only_png = limits(1 << 20);
        only_png.allowed_types = vec!["image/png".into()];
        let err = receive(&store, chunks(samples::GIF, 100), &only_png).await;
        assert!(matches!(err, Err(Error::UnsupportedType)));
        assert_eq!(temp_files(&store), 0);
    }

    #[tokio::test]
    async fn passing_the_limit_stops_at_once_and_removes_the_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalStore::new(dir.path());
        let mut png = samples::PNG.to_vec();
        png.resize(5000, 0);
        // The stream would go on forever after the limit: receive must not wait for its end.
        let endless = chunks(&png, 1000).chain(futures_util::stream::repeat_with(|| {
            Ok(Bytes::from_static(&[0u8; 1000]))
        }));
        let err = receive(&store, endless, &limits(4096)).await;
        assert!(matches!(err, Err(Error::TooLarge)));
        assert_eq!(temp_files(&store), 0);
        let exact = receive(&store, chunks(&png[..4096], 1000), &limits(4096)).await;
        assert!(exact.is_ok());
    }

    #[test]
    fn names_lose_their_paths_and_types_are_checked() {
        assert_eq!(clean_name("../../etc/passwd").as_deref(), Some("passwd"));
        assert_eq!(clean_name("C:\\x\\photo.png").as_deref(), Some("photo.png"));
        assert_eq!(clean_name("a\u{0}b\nc.png").as_deref(), Some("abc.png"));
        assert_eq!(clean_name("dir/"), None);
        assert_eq!(clean_name(".."), None);
        assert_eq!(clean_name(&"x".repeat(300)).map(|n| n.len()), Some(255));
        let m = Meta::default().check().unwrap();
        assert_eq!((m.file_type.as_str(), m.name), ("image", None));
        let bad = Meta {
            file_type: Some("a b".into()),
            ..Meta::default()
        };
        assert_eq!(
            bad.check().unwrap_err().first_field().unwrap().field,
            "type"
        );
        let long = Meta {
            description: Some("x".repeat(1001)),
            ..Meta::default()
        };
        assert!(long.check().is_err());
    }
}
