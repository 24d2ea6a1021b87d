//! The blob store suite, run on both stores: `local` (a folder) and `s3` (a bucket of its own
//! on the S3 API of `OPS_TEST_S3_URL`, see `blob_store_s3`). The same behaviour is asked of
//! both: content addressing, ranges, dedupe, nothing under a final key before `place`, nothing
//! left by a dropped writer, streaming in parts, and the maintenance pass's orphan sweep.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::TryStreamExt;
use ops::domain::files::hash::{ContentHash, Hasher};
use ops::domain::files::store::BlobStore;

use crate::admin_common::AdminResp;
use crate::blob_store_s3::{self as s3, s3_url};
use crate::ops_files::{png_of, upload};
use crate::support::{Backend, TestApp};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Local,
    S3,
}

/// One store under test, with what it needs to stay alive.
struct Fixture {
    store: Arc<dyn BlobStore>,
    dir: tempfile::TempDir,
    s3: Option<ops::config::S3Config>,
}

impl Fixture {
    /// `None`: S3 without an S3 API outside CI (skipped, see `blob_store_s3`).
    async fn new(kind: Kind) -> Option<Self> {
        let dir = tempfile::tempdir().unwrap();
        let mut cfg = ops::config::Config::defaults().unwrap().file;
        cfg.paths.image = dir.path().join("images");
        let mut bucket = None;
        if kind == Kind::S3 {
            let url = s3_url()?;
            cfg.store = ops::config::FileStoreKind::S3;
            cfg.s3 = s3::new_bucket(&url).await;
            bucket = Some(cfg.s3.clone());
        }
        Some(Self {
            store: ops::domain::files::open_store(&cfg).unwrap(),
            dir,
            s3: bucket,
        })
    }

    /// Temporary uploads still present (files in `tmp/`, or objects under `tmp/`).
    async fn temporaries(&self) -> usize {
        match &self.s3 {
            Some(s3) => s3::keys(s3, Some("tmp")).await.len(),
            None => std::fs::read_dir(self.dir.path().join("images/tmp")).map_or(0, |d| d.count()),
        }
    }

    /// Waits (bounded) until no temporary upload is left: a dropped S3 writer cleans up in
    /// a task of its own.
    async fn no_temporaries_left(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.temporaries().await > 0 {
            assert!(
                Instant::now() < deadline,
                "temporary uploads were left behind"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn stored(&self) -> Vec<ContentHash> {
        self.store.hashes().try_collect().await.unwrap()
    }

    async fn read(&self, hash: &ContentHash, start: u64, len: u64) -> Vec<u8> {
        let blob = self.store.open(hash).await.unwrap().expect("stored");
        let chunks: Vec<bytes::Bytes> = blob
            .stream(start, len)
            .await
            .unwrap()
            .try_collect()
            .await
            .unwrap();
        chunks.concat()
    }

    async fn put(&self, bytes: &[u8], chunk: usize) -> ContentHash {
        let mut w = self.store.create().await.unwrap();
        for c in bytes.chunks(chunk) {
            w.write(c).await.unwrap();
        }
        w.sync().await.unwrap();
        let hash = hash_of(bytes);
        w.place(&hash).await.unwrap();
        hash
    }
}

fn hash_of(bytes: &[u8]) -> ContentHash {
    let mut h = Hasher::default();
    h.update(bytes);
    h.finish()
}

fn filler(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(131).wrapping_add(seed) ^ (i >> 13) as u8)
        .collect()
}

/// Runs one async test body on the local store and on S3, as `<name>::local` and
/// `<name>::s3`.
macro_rules! store_test {
    ($($name:ident),+ $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn local() {
                super::$name(super::Kind::Local).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn s3() {
                super::$name(super::Kind::S3).await
            }
        }
    )+};
}

store_test!(
    a_placed_blob_is_read_whole_and_in_ranges_then_removed,
    nothing_is_under_the_final_name_before_place_and_a_dropped_writer_leaves_nothing,
    a_large_upload_streams_in_parts_and_reads_back_whole,
    the_same_bytes_placed_twice_are_one_blob,
    the_maintenance_pass_removes_blobs_without_a_row_and_keeps_recorded_ones,
);

async fn a_placed_blob_is_read_whole_and_in_ranges_then_removed(kind: Kind) {
    let Some(f) = Fixture::new(kind).await else {
        return;
    };
    let bytes = filler(10_000, 1);
    let hash = f.put(&bytes, 777).await;
    assert!(f.store.exists(&hash).await.unwrap());
    let blob = f.store.open(&hash).await.unwrap().unwrap();
    assert_eq!(blob.size(), 10_000);
    assert_eq!(f.read(&hash, 0, 10_000).await, bytes);
    assert_eq!(f.read(&hash, 9_990, 10).await, &bytes[9_990..]);
    assert_eq!(f.read(&hash, 5, 1).await, &bytes[5..6]);
    assert!(f.read(&hash, 3, 0).await.is_empty());
    assert_eq!(f.stored().await, vec![hash.clone()]);
    f.no_temporaries_left().await;

    f.store.remove(&hash).await.unwrap();
    // Removing what is gone is no error.
    f.store.remove(&hash).await.unwrap();
    assert!(f.store.open(&hash).await.unwrap().is_none());
    assert!(!f.store.exists(&hash).await.unwrap());
    assert!(f.stored().await.is_empty());
}

async fn nothing_is_under_the_final_name_before_place_and_a_dropped_writer_leaves_nothing(
    kind: Kind,
) {
    let Some(f) = Fixture::new(kind).await else {
        return;
    };
    // Small (one PUT on S3) and large (a multipart upload on S3, aborted when dropped).
    for len in [3_000, ops::domain::files::s3::PART_SIZE * 2 + 10] {
        let bytes = filler(len, 2);
        let hash = hash_of(&bytes);
        let mut w = f.store.create().await.unwrap();
        for c in bytes.chunks(64 * 1024) {
            w.write(c).await.unwrap();
        }
        assert!(f.store.open(&hash).await.unwrap().is_none());
        if len < 10_000 {
            // Completed under its temporary name, still not under its final one.
            w.sync().await.unwrap();
            assert!(f.store.open(&hash).await.unwrap().is_none());
            assert_eq!(f.temporaries().await, 1);
        }
        drop(w);
        f.no_temporaries_left().await;
        assert!(f.stored().await.is_empty(), "{len} bytes");
        if let Some(s3) = &f.s3 {
            assert!(s3::keys(s3, None).await.is_empty());
        }
    }
}

async fn a_large_upload_streams_in_parts_and_reads_back_whole(kind: Kind) {
    let Some(f) = Fixture::new(kind).await else {
        return;
    };
    let part = ops::domain::files::s3::PART_SIZE;
    let bytes = filler(part * 2 + 12_345, 3);
    let hash = hash_of(&bytes);
    let mut w = f.store.create().await.unwrap();
    for c in bytes.chunks(64 * 1024) {
        w.write(c).await.unwrap();
    }
    w.sync().await.unwrap();
    assert_eq!(w.read_back().await.unwrap(), bytes);
    w.place(&hash).await.unwrap();
    assert_eq!(f.read(&hash, 0, bytes.len() as u64).await, bytes);
    // A range across the first part boundary.
    let start = part as u64 - 100;
    assert_eq!(
        f.read(&hash, start, 200).await,
        &bytes[part - 100..part + 100]
    );
    f.no_temporaries_left().await;
    if let Some(s3) = &f.s3 {
        let h = hash.as_str();
        assert_eq!(
            s3::keys(s3, None).await,
            vec![format!("{}/{}/{h}", &h[..2], &h[2..4])]
        );
    }
}

async fn the_same_bytes_placed_twice_are_one_blob(kind: Kind) {
    let Some(f) = Fixture::new(kind).await else {
        return;
    };
    let bytes = filler(5_000, 4);
    let first = f.put(&bytes, 1000).await;
    let second = f.put(&bytes, 333).await;
    assert_eq!(first, second);
    assert_eq!(f.stored().await, vec![first.clone()]);
    assert_eq!(f.read(&first, 0, 5_000).await, bytes);
    f.no_temporaries_left().await;
}

async fn the_maintenance_pass_removes_blobs_without_a_row_and_keeps_recorded_ones(kind: Kind) {
    let s3_url = match kind {
        Kind::S3 => match s3_url() {
            Some(u) => Some(u),
            None => return,
        },
        Kind::Local => None,
    };
    let mut bucket = None;
    if let Some(url) = &s3_url {
        bucket = Some(s3::new_bucket(url).await);
    }
    let app = TestApp::spawn_with(Backend::Sqlite, |c| {
        if let Some(b) = bucket {
            c.file.store = ops::config::FileStoreKind::S3;
            c.file.s3 = b;
        }
    })
    .await;
    let token = crate::ops_users::login(&app, "admin", crate::support::ADMIN_PASSWORD).await;
    let kept = upload(&app, &token, &png_of(2_000, 5), "kept.png").await;
    let store = ops::domain::files::store(&app.config.file);
    // A blob placed with no row: what a crash between placing and committing leaves.
    let orphan = filler(1_500, 6);
    let mut w = store.create().await.unwrap();
    w.write(&orphan).await.unwrap();
    w.sync().await.unwrap();
    let orphan = hash_of(&orphan);
    w.place(&orphan).await.unwrap();

    let db = app.db().await;
    let swept = ops::domain::platform::maintenance::run_once(&db, store.as_ref())
        .await
        .unwrap();
    assert_eq!(swept.blobs, 1);
    assert!(store.open(&orphan).await.unwrap().is_none());
    let stored: Vec<ContentHash> = store.hashes().try_collect().await.unwrap();
    assert_eq!(
        stored.iter().map(ContentHash::as_str).collect::<Vec<_>>(),
        vec![kept["sha256"].as_str().unwrap()]
    );
    let r = app.get(kept["download_url"].as_str().unwrap()).send().await;
    r.assert_status(200);
    assert_eq!(r.bytes, png_of(2_000, 5));
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM blobs")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(rows, 1, "the orphan's row went with it");
}

/// A test server whose blobs go to a new bucket on `url`.
async fn s3_app(b: Backend, url: &str) -> (TestApp, ops::config::S3Config) {
    let bucket = s3::new_bucket(url).await;
    let s3cfg = bucket.clone();
    let app = TestApp::spawn_with(b, |c| {
        c.file.store = ops::config::FileStoreKind::S3;
        c.file.s3 = s3cfg;
    })
    .await;
    (app, bucket)
}

/// Through the server on S3: upload, ranged download, dedupe, and the object goes with the
/// last record; thumbnails of admin uploads live in the same bucket.
async fn uploads_downloads_and_deletes_go_to_the_bucket(b: Backend) {
    let Some(url) = s3_url() else {
        return;
    };
    let (app, bucket) = s3_app(b, &url).await;
    let token = crate::ops_users::login(&app, "admin", crate::support::ADMIN_PASSWORD).await;
    let bytes = png_of(3_000, 9);
    let first = upload(&app, &token, &bytes, "a.png").await;
    let second = upload(&app, &token, &bytes, "b.png").await;
    assert_eq!(first["sha256"], second["sha256"]);
    let h = first["sha256"].as_str().unwrap().to_owned();
    let key = format!("{}/{}/{h}", &h[..2], &h[2..4]);
    assert!(
        !app.data_dir.join("images").exists(),
        "nothing on local disk"
    );
    assert_eq!(s3::keys(&bucket, None).await, vec![key.clone()]);

    let r = app
        .get(first["download_url"].as_str().unwrap())
        .header("range", "bytes=100-199")
        .send()
        .await;
    r.assert_status(206);
    assert_eq!(r.bytes, &bytes[100..200]);
    assert_eq!(
        r.header("content-range").as_deref(),
        Some("bytes 100-199/3000")
    );
    let r = app.get(first["preview_url"].as_str().unwrap()).send().await;
    r.assert_status(200);
    assert_eq!(r.bytes, bytes);

    for d in [&first, &second] {
        app.delete(&format!("/api/v1/files/{}", d["file_id"]))
            .bearer(&token)
            .send()
            .await
            .ops(200, "0");
    }
    assert!(
        s3::keys(&bucket, None).await.is_empty(),
        "the last record took the object"
    );
    app.get(first["download_url"].as_str().unwrap())
        .send()
        .await
        .ops(404, "-100");
}

crate::db_test!(uploads_downloads_and_deletes_go_to_the_bucket);

/// An `admin_v1` document upload on S3: the original and its thumbnail are both objects of the
/// bucket, read back through the server.
async fn document_thumbnails_live_in_the_bucket_too(b: Backend) {
    let Some(url) = s3_url() else {
        return;
    };
    let (app, bucket) = s3_app(b, &url).await;
    let (token, _) =
        crate::admin_common::login(&app, "admin", crate::support::ADMIN_PASSWORD).await;
    let mut png = Vec::new();
    image::DynamicImage::new_rgb8(400, 200)
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let form = reqwest::multipart::Form::new()
        .text("type", "license")
        .part(
            "file",
            reqwest::multipart::Part::bytes(png.clone())
                .file_name("license.png")
                .mime_str("application/octet-stream")
                .unwrap(),
        );
    let r = app
        .post(&crate::admin_common::path("/upload/file"))
        .bearer(&token)
        .multipart(form)
        .send()
        .await;
    let d = r.admin(200, 200).clone();
    assert_eq!(
        s3::keys(&bucket, None).await.len(),
        2,
        "original and thumbnail"
    );
    let original = app.get(d["file_url"].as_str().unwrap()).send().await;
    original.assert_status(200);
    assert_eq!(original.bytes, png);
    let thumb = app.get(d["thumbnail_url"].as_str().unwrap()).send().await;
    thumb.assert_status(200);
    assert_eq!(thumb.header("content-type").as_deref(), Some("image/jpeg"));
    assert!(image::load_from_memory(&thumb.bytes).is_ok());
}

crate::db_test!(document_thumbnails_live_in_the_bucket_too);
