//! `ops_v1` file routes (issue 3): upload, list, info, download, preview, delete.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use crate::db_test;
use crate::ops_users::login;
use crate::support::http::Resp;
use crate::support::{ADMIN_PASSWORD, Backend, TestApp};

/// A 1×1 PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];
/// A 1×1 GIF.
const GIF: &[u8] = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;";
/// The start of a JFIF JPEG (enough for the server: it judges the header).
const JPEG: &[u8] =
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xdb\x00\x43\x00\xff\xd9";
/// A lossless 1×1 WebP.
const WEBP: &[u8] = b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00";

/// A PNG of `len` bytes: the 1×1 image followed by filler, distinct per `seed`.
pub(crate) fn png_of(len: usize, seed: u8) -> Vec<u8> {
    let mut bytes = PNG.to_vec();
    bytes.extend((0..len.saturating_sub(PNG.len())).map(|i| (i as u8).wrapping_mul(31) ^ seed));
    bytes
}

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

async fn register(app: &TestApp, name: &str) -> String {
    app.post("/api/v1/users/register")
        .json(&json!({"name": name, "password": "secret12", "password_confirm": "secret12"}))
        .send()
        .await
        .ops(200, "0");
    login(app, name, "secret12").await
}

fn file_form(bytes: &[u8], name: &str, mime: &str) -> Form {
    Form::new().part(
        "file",
        Part::bytes(bytes.to_vec())
            .file_name(name.to_owned())
            .mime_str(mime)
            .unwrap(),
    )
}

async fn upload_form(app: &TestApp, token: &str, form: Form) -> Resp {
    app.post("/api/v1/files/upload")
        .bearer(token)
        .multipart(form)
        .send()
        .await
}

/// Uploads `bytes` as `name`; answers the success `data`.
pub(crate) async fn upload(app: &TestApp, token: &str, bytes: &[u8], name: &str) -> Value {
    upload_form(app, token, file_form(bytes, name, "image/png"))
        .await
        .ops(200, "0")
        .clone()
}

async fn record_count(app: &TestApp) -> i64 {
    let db = app.db().await;
    sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM files")
        .fetch_one(db.pool())
        .await
        .unwrap()
}

fn images_dir(app: &TestApp) -> PathBuf {
    app.config.file.paths.image.clone()
}

/// Every file under the image folder outside `tmp/`: the stored blobs.
fn blobs_on_disk(app: &TestApp) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let path = e.path();
            if path.is_dir() {
                if path.file_name().is_some_and(|n| n != "tmp") {
                    walk(&path, out);
                }
            } else {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(&images_dir(app), &mut out);
    out
}

fn temp_files(app: &TestApp) -> usize {
    std::fs::read_dir(images_dir(app).join("tmp")).map_or(0, |d| d.count())
}

/// Waits (up to 10 s) until `check` holds.
async fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn upload_answers_the_record_with_its_urls(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = register(&app, "alice").await;
    let form = file_form(PNG, "photo.png", "image/png")
        .text("type", "product")
        .text("description", "产品图片");
    let r = upload_form(&app, &token, form).await;
    assert_eq!(r.json["message"], "文件上传成功");
    let d = r.ops(200, "0");
    let hash = sha256(PNG);
    assert!(d["file_id"].as_i64().unwrap() > 0);
    assert_eq!(d["name"], "photo.png");
    assert_eq!(d["sha256"], hash.as_str());
    assert_eq!(d["mime"], "image/png");
    assert_eq!(d["size"], PNG.len());
    assert_eq!(d["download_url"], format!("/api/v1/files/download/{hash}"));
    assert_eq!(d["preview_url"], format!("/api/v1/files/get/{hash}"));
    let created = d["created_at"].as_str().unwrap();
    assert!(chrono::DateTime::parse_from_rfc3339(created).is_ok() && created.ends_with('Z'));
    let info = app
        .get(&format!("/api/v1/files/{}", d["file_id"]))
        .bearer(&token)
        .send()
        .await;
    let info = info.ops(200, "0");
    assert_eq!(info["type"], "product");
    assert_eq!(info["description"], "产品图片");
    // Stored under its hash, never under the client's name.
    let blobs = blobs_on_disk(&app);
    assert_eq!(blobs.len(), 1);
    assert_eq!(blobs[0].file_name().unwrap().to_str().unwrap(), hash);
    assert_eq!(std::fs::read(&blobs[0]).unwrap(), PNG);
    assert_eq!(temp_files(&app), 0);
}

async fn urls_follow_the_configured_prefix(b: Backend) {
    let app = TestApp::spawn_with(b, |c| c.dialects.ops_v1.prefix = "/ops".into()).await;
    let r = app
        .post("/ops/users/login")
        .json(&json!({"name": "admin", "password": ADMIN_PASSWORD}))
        .send()
        .await;
    let token = r.ops(200, "0")["cookie_value"].as_str().unwrap().to_owned();
    let r = app
        .post("/ops/files/upload")
        .bearer(&token)
        .multipart(file_form(GIF, "a.gif", "image/gif"))
        .send()
        .await;
    let d = r.ops(200, "0");
    let hash = sha256(GIF);
    assert_eq!(d["download_url"], format!("/ops/files/download/{hash}"));
    assert_eq!(d["preview_url"], format!("/ops/files/get/{hash}"));
    app.get(d["preview_url"].as_str().unwrap())
        .send()
        .await
        .assert_status(200);
}

async fn the_type_comes_from_the_bytes_not_the_name_or_declared_type(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = register(&app, "alice").await;
    for (bytes, mime) in [
        (PNG, "image/png"),
        (GIF, "image/gif"),
        (JPEG, "image/jpeg"),
        (WEBP, "image/webp"),
    ] {
        // Every one claims to be a PNG called photo.png.
        let d = upload(&app, &token, bytes, "photo.png").await;
        assert_eq!(d["mime"], mime);
        let r = app.get(d["preview_url"].as_str().unwrap()).send().await;
        r.assert_status(200);
        assert_eq!(r.header("content-type").as_deref(), Some(mime));
        assert_eq!(r.bytes, bytes);
    }
    // Without a file name the record gets one made from the hash.
    let form = Form::new().part("file", Part::bytes(GIF.to_vec()));
    let d = upload_form(&app, &token, form).await.ops(200, "0").clone();
    assert_eq!(d["name"], format!("{}.gif", sha256(GIF)));
    // A path in the name is dropped; the type defaults to image.
    let d = upload(&app, &token, PNG, "../../etc/passwd.png").await;
    assert_eq!(d["name"], "passwd.png");
    let info = app
        .get(&format!("/api/v1/files/{}", d["file_id"]))
        .bearer(&token)
        .send()
        .await;
    assert_eq!(info.ops(200, "0")["type"], "image");
    assert_eq!(info.json["data"]["description"], "");
}

async fn what_is_not_an_allowed_image_is_415_and_stores_nothing(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = register(&app, "alice").await;
    let cases: [(&str, Vec<u8>); 6] = [
        (
            "text named .png",
            b"hello, I am only text pretending to be an image".to_vec(),
        ),
        ("bare PNG signature", PNG[..8].to_vec()),
        ("PNG cut inside its header", PNG[..20].to_vec()),
        ("empty file", Vec::new()),
        (
            "PDF",
            b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n".to_vec(),
        ),
        ("GIF signature alone", b"GIF89a".to_vec()),
    ];
    for (what, bytes) in cases {
        let r = upload_form(&app, &token, file_form(&bytes, "image.png", "image/png")).await;
        r.ops(415, "-101");
        assert!(r.json["data"].is_null(), "{what}");
    }
    // A format the settings do not allow (an admin narrowed them to PNG).
    let mut only_png = serde_json::Map::new();
    only_png.insert("file_allowed_types".into(), json!(["image/png"]));
    ops::domain::platform::settings::update(&app.db().await, &only_png)
        .await
        .unwrap();
    upload_form(&app, &token, file_form(GIF, "a.gif", "image/gif"))
        .await
        .ops(415, "-101");
    upload(&app, &token, PNG, "a.png").await;
    assert_eq!(record_count(&app).await, 1);
    assert_eq!(blobs_on_disk(&app).len(), 1);
    assert_eq!(temp_files(&app), 0);
}

async fn uploads_over_the_limit_are_413_and_leave_nothing(b: Backend) {
    let app = TestApp::spawn_with(b, |c| c.file.max_size = 4096).await;
    let token = register(&app, "alice").await;
    upload_form(
        &app,
        &token,
        file_form(&png_of(4097, 1), "big.png", "image/png"),
    )
    .await
    .ops(413, "-102");
    assert_eq!(
        (record_count(&app).await, blobs_on_disk(&app).len()),
        (0, 0)
    );
    assert_eq!(temp_files(&app), 0);
    // Exactly at the limit is fine.
    let d = upload(&app, &token, &png_of(4096, 1), "edge.png").await;
    assert_eq!(d["size"], 4096);
}

async fn the_default_limit_is_5_mib_and_is_refused_while_streaming(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = register(&app, "alice").await;
    let d = upload(&app, &token, &png_of(5 * 1024 * 1024, 2), "five.png").await;
    assert_eq!(d["size"], 5 * 1024 * 1024);
    upload_form(
        &app,
        &token,
        file_form(&png_of(5 * 1024 * 1024 + 1, 3), "over.png", "image/png"),
    )
    .await
    .ops(413, "-102");
    // A body that would never end still gets its answer: the server does not wait for the end.
    // The stream counts what it produced, so the test sees how much the server let in before
    // answering (the limit plus what socket buffers hold), whatever the machine's speed.
    let produced = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = produced.clone();
    let endless = futures_util::stream::iter(
        std::iter::once(png_of(64 * 1024, 4))
            .chain(std::iter::repeat_with(|| vec![7u8; 64 * 1024]))
            .inspect(move |chunk| {
                counter.fetch_add(chunk.len(), std::sync::atomic::Ordering::Relaxed);
            })
            .map(Ok::<_, std::io::Error>),
    );
    let part = Part::stream(reqwest::Body::wrap_stream(endless))
        .file_name("endless.png")
        .mime_str("image/png")
        .unwrap();
    let r = tokio::time::timeout(
        Duration::from_secs(30),
        upload_form(&app, &token, Form::new().part("file", part)),
    )
    .await
    .expect("answered before the body ended");
    r.ops(413, "-102");
    let sent = produced.load(std::sync::atomic::Ordering::Relaxed);
    assert!(
        sent < 64 * 1024 * 1024,
        "the server read {sent} bytes of an endless body before refusing it"
    );
    assert_eq!(record_count(&app).await, 1);
    assert_eq!(blobs_on_disk(&app).len(), 1);
    eventually("temporary data removed", || temp_files(&app) == 0).await;
}

async fn the_413_arrives_while_the_client_is_still_sending(b: Backend) {
    let app = TestApp::spawn_with(b, |c| c.file.max_size = 64 * 1024).await;
    let token = register(&app, "alice").await;
    // Announce 4 MiB, send 1 MiB (well past the limit), then wait for the answer without
    // sending the rest: the server must not wait for the end of the body.
    let mut stream = start_raw_upload(app.addr, &token, &png_of(1024 * 1024, 12)).await;
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(3), async {
        use tokio::io::AsyncReadExt;
        let mut buf = [0u8; 4096];
        while !String::from_utf8_lossy(&answer).contains("\"data\":null}") {
            let n = stream.read(&mut buf).await.unwrap();
            if n == 0 {
                break;
            }
            answer.extend_from_slice(&buf[..n]);
        }
    })
    .await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(
        read.is_ok(),
        "no answer while the body was incomplete: {answer}"
    );
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("\"code\":\"-102\""), "{answer}");
    eventually("temporary data removed", || temp_files(&app) == 0).await;
    assert_eq!(record_count(&app).await, 0);
}

async fn a_missing_file_field_or_broken_multipart_is_minus_2(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = register(&app, "alice").await;
    let r = upload_form(&app, &token, Form::new().text("type", "image")).await;
    r.ops(400, "-2");
    assert!(
        r.json["message"].as_str().unwrap().contains("file"),
        "{}",
        r.text()
    );
    app.post("/api/v1/files/upload")
        .bearer(&token)
        .json(&json!({"file": "not multipart"}))
        .send()
        .await
        .ops(400, "-2");
    app.post("/api/v1/files/upload")
        .bearer(&token)
        .body(
            "multipart/form-data; boundary=XyZ",
            "no boundary anywhere in here",
        )
        .send()
        .await
        .ops(400, "-2");
    // The file part starts, then the body ends without its closing boundary.
    let mut cut =
        b"--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\r\n"
            .to_vec();
    cut.extend_from_slice(&png_of(10_000, 5));
    app.post("/api/v1/files/upload")
        .bearer(&token)
        .body("multipart/form-data; boundary=XyZ", cut)
        .send()
        .await
        .ops(400, "-2");
    // Bad describing fields are refused after the file arrived, and the file is not kept.
    let form = file_form(PNG, "a.png", "image/png").text("type", "not a type!");
    let r = upload_form(&app, &token, form).await;
    r.ops(400, "-2");
    assert!(
        r.json["message"].as_str().unwrap().contains("type"),
        "{}",
        r.text()
    );
    let form = file_form(PNG, "a.png", "image/png").part("file", Part::bytes(GIF.to_vec()));
    upload_form(&app, &token, form).await.ops(400, "-2");
    // No token, no upload.
    app.post("/api/v1/files/upload")
        .multipart(file_form(PNG, "a.png", "image/png"))
        .send()
        .await
        .ops(401, "-3");
    assert_eq!(
        (record_count(&app).await, blobs_on_disk(&app).len()),
        (0, 0)
    );
    eventually("temporary data removed", || temp_files(&app) == 0).await;
}

async fn a_storage_failure_is_minus_103_and_keeps_nothing(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = register(&app, "alice").await;
    // A plain file where the store wants its temporary folder: the disk "fails".
    std::fs::create_dir_all(images_dir(&app)).unwrap();
    std::fs::write(images_dir(&app).join("tmp"), "in the way").unwrap();
    let r = upload_form(&app, &token, file_form(PNG, "a.png", "image/png")).await;
    r.ops(500, "-103");
    assert_eq!(r.json["message"], "文件上传失败");
    assert!(!r.text().contains("tmp"), "no internals: {}", r.text());
    assert_eq!(record_count(&app).await, 0);
    std::fs::remove_file(images_dir(&app).join("tmp")).unwrap();
    upload(&app, &token, PNG, "a.png").await;
}

async fn the_same_bytes_are_stored_once_and_removed_with_their_last_record(b: Backend) {
    let app = TestApp::spawn(b).await;
    let alice = register(&app, "alice").await;
    let bob = register(&app, "bob").await;
    let bytes = png_of(3000, 6);
    let first = upload(&app, &alice, &bytes, "one.png").await;
    let second = upload(&app, &bob, &bytes, "two.png").await;
    assert_eq!(first["sha256"], second["sha256"]);
    assert_ne!(first["file_id"], second["file_id"]);
    assert_eq!(record_count(&app).await, 2);
    assert_eq!(blobs_on_disk(&app).len(), 1);
    let preview = second["preview_url"].as_str().unwrap().to_owned();

    app.delete(&format!("/api/v1/files/{}", first["file_id"]))
        .bearer(&alice)
        .send()
        .await
        .ops(200, "0");
    assert_eq!(
        blobs_on_disk(&app).len(),
        1,
        "bob's record still uses the blob"
    );
    let r = app.get(&preview).send().await;
    r.assert_status(200);
    assert_eq!(r.bytes, bytes);

    app.delete(&format!("/api/v1/files/{}", second["file_id"]))
        .bearer(&bob)
        .send()
        .await
        .ops(200, "0");
    assert!(
        blobs_on_disk(&app).is_empty(),
        "the last record took the blob"
    );
    app.get(&preview).send().await.ops(404, "-100");
    let db = app.db().await;
    let blob_rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM blobs")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(blob_rows, 0);
    // And the same bytes can come back.
    upload(&app, &alice, &bytes, "again.png").await;
    assert_eq!(blobs_on_disk(&app).len(), 1);
}

async fn concurrent_uploads_and_deletes_of_the_same_bytes_never_lose_a_blob(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = register(&app, "alice").await;
    let bytes = png_of(20_000, 7);
    for _ in 0..8 {
        let d = upload(&app, &token, &bytes, "a.png").await;
        let delete = app
            .delete(&format!("/api/v1/files/{}", d["file_id"]))
            .bearer(&token)
            .send();
        let again = upload_form(&app, &token, file_form(&bytes, "b.png", "image/png"));
        let (deleted, uploaded) = tokio::join!(delete, again);
        deleted.ops(200, "0");
        let kept = uploaded.ops(200, "0").clone();
        // Whatever the interleaving, the new record's blob is there.
        let r = app.get(kept["download_url"].as_str().unwrap()).send().await;
        r.assert_status(200);
        assert_eq!(r.bytes, bytes);
        app.delete(&format!("/api/v1/files/{}", kept["file_id"]))
            .bearer(&token)
            .send()
            .await
            .ops(200, "0");
        assert!(blobs_on_disk(&app).is_empty());
    }
}

async fn the_list_is_the_owners_paged_and_filtered(b: Backend) {
    let app = TestApp::spawn(b).await;
    let alice = register(&app, "alice").await;
    let bob = register(&app, "bob").await;
    let admin = login(&app, "admin", ADMIN_PASSWORD).await;
    for (i, t) in ["image", "avatar", "image"].iter().enumerate() {
        let form = file_form(&png_of(100, i as u8), &format!("a{i}.png"), "image/png")
            .text("type", t.to_string());
        upload_form(&app, &alice, form).await.ops(200, "0");
    }
    upload(&app, &bob, GIF, "bob.gif").await;

    let list = |token: &str, query: &[(&str, &str)]| {
        app.get("/api/v1/files/list")
            .bearer(token)
            .query(query)
            .send()
    };
    let r = list(&alice, &[]).await;
    assert_eq!(r.json["message"], "Success");
    let d = r.ops(200, "0");
    assert_eq!(
        (d["total"].as_i64(), d["page"].as_i64(), d["pages"].as_i64()),
        (Some(3), Some(1), Some(1))
    );
    let names: Vec<_> = d["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["a2.png", "a1.png", "a0.png"], "newest first");
    let f = &d["files"][0];
    for key in [
        "file_id",
        "name",
        "sha256",
        "mime",
        "size",
        "type",
        "created_at",
    ] {
        assert!(f.get(key).is_some(), "{key} in {f}");
    }
    assert_eq!(f["type"], "image");

    let d = list(&alice, &[("entries", "2"), ("page", "2")])
        .await
        .ops(200, "0")
        .clone();
    assert_eq!(
        (d["total"].as_i64(), d["pages"].as_i64()),
        (Some(3), Some(2))
    );
    assert_eq!(d["files"].as_array().unwrap().len(), 1);
    assert_eq!(d["files"][0]["name"], "a0.png");
    let d = list(&alice, &[("page", "9")]).await.ops(200, "0").clone();
    assert_eq!(
        (d["files"].as_array().unwrap().len(), d["total"].as_i64()),
        (0, Some(3))
    );
    let d = list(&alice, &[("type", "avatar")])
        .await
        .ops(200, "0")
        .clone();
    assert_eq!(d["total"], 1);
    assert_eq!(d["files"][0]["name"], "a1.png");

    let d = list(&bob, &[]).await.ops(200, "0").clone();
    assert_eq!(d["total"], 1);
    assert_eq!(d["files"][0]["name"], "bob.gif");
    // Admins see everyone's, and may pick one owner.
    assert_eq!(list(&admin, &[]).await.ops(200, "0")["total"], 4);
    let bob_id = bob_user_id(&app, &bob).await;
    let d = list(&admin, &[("user_id", &bob_id.to_string())])
        .await
        .ops(200, "0")
        .clone();
    assert_eq!(d["total"], 1);
    // A non-admin's user_id filter changes nothing.
    assert_eq!(
        list(&alice, &[("user_id", &bob_id.to_string())])
            .await
            .ops(200, "0")["total"],
        3
    );

    for bad in [
        [("entries", "0")],
        [("entries", "101")],
        [("entries", "abc")],
        [("page", "0")],
        [("page", "-1")],
        [("page", "x")],
        [("type", "no spaces")],
    ] {
        let r = list(&alice, &bad).await;
        r.ops(400, "-2");
        assert!(
            r.json["message"].as_str().unwrap().contains(bad[0].0),
            "{}",
            r.text()
        );
    }
    list(&alice, &[("entries", "100")]).await.ops(200, "0");
    app.get("/api/v1/files/list").send().await.ops(401, "-3");
}

async fn bob_user_id(app: &TestApp, token: &str) -> i64 {
    app.get("/api/v1/users/profile")
        .bearer(token)
        .send()
        .await
        .ops(200, "0")["user_id"]
        .as_i64()
        .unwrap()
}

async fn info_and_delete_are_the_owners_or_an_admins(b: Backend) {
    let app = TestApp::spawn(b).await;
    let alice = register(&app, "alice").await;
    let bob = register(&app, "bob").await;
    let admin = login(&app, "admin", ADMIN_PASSWORD).await;
    let form = file_form(PNG, "mine.png", "image/png").text("description", "d");
    let d = upload_form(&app, &alice, form).await.ops(200, "0").clone();
    let path = format!("/api/v1/files/{}", d["file_id"]);

    let r = app.get(&path).bearer(&alice).send().await;
    let info = r.ops(200, "0");
    assert_eq!(info["file_id"], d["file_id"]);
    assert_eq!(info["name"], "mine.png");
    assert_eq!(info["sha256"], d["sha256"]);
    assert_eq!(info["mime"], "image/png");
    assert_eq!(info["size"], PNG.len());
    assert_eq!(info["type"], "image");
    assert_eq!(info["description"], "d");
    assert_eq!(info["download_url"], d["download_url"]);
    assert_eq!(info["preview_url"], d["preview_url"]);
    assert_eq!(info["created_at"], d["created_at"]);

    // Another user's file does not exist for bob: not 403, and nothing changes.
    let r = app.get(&path).bearer(&bob).send().await;
    r.ops(404, "-100");
    assert_eq!(r.json["message"], "文件不存在");
    app.delete(&path).bearer(&bob).send().await.ops(404, "-100");
    assert_eq!(record_count(&app).await, 1);
    app.get(&path).bearer(&admin).send().await.ops(200, "0");

    for missing in [
        "/api/v1/files/999999",
        "/api/v1/files/abc",
        "/api/v1/files/0",
        "/api/v1/files/-1",
    ] {
        app.get(missing)
            .bearer(&alice)
            .send()
            .await
            .ops(404, "-100");
        app.delete(missing)
            .bearer(&alice)
            .send()
            .await
            .ops(404, "-100");
    }
    app.get(&path).send().await.ops(401, "-3");
    app.delete(&path).send().await.ops(401, "-3");

    let r = app.delete(&path).bearer(&alice).send().await;
    r.ops(200, "0");
    app.get(&path).bearer(&alice).send().await.ops(404, "-100");
    app.delete(&path)
        .bearer(&alice)
        .send()
        .await
        .ops(404, "-100");
    assert!(blobs_on_disk(&app).is_empty());

    // An admin may delete anyone's file.
    let d = upload(&app, &bob, GIF, "b.gif").await;
    app.delete(&format!("/api/v1/files/{}", d["file_id"]))
        .bearer(&admin)
        .send()
        .await
        .ops(200, "0");
    assert_eq!(record_count(&app).await, 0);
}

async fn download_and_preview_stream_with_caching_headers_and_no_token(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = register(&app, "alice").await;
    let bytes = png_of(100_000, 8);
    let d = upload(&app, &token, &bytes, "photo.png").await;
    let hash = sha256(&bytes);
    for (url, disposition) in [
        (d["download_url"].as_str().unwrap(), "attachment"),
        (d["preview_url"].as_str().unwrap(), "inline"),
    ] {
        let r = app.get(url).send().await;
        r.assert_status(200);
        assert_eq!(r.bytes, bytes);
        assert_eq!(r.header("content-type").as_deref(), Some("image/png"));
        assert_eq!(r.header("content-length"), Some(bytes.len().to_string()));
        assert_eq!(r.header("etag"), Some(format!("\"{hash}\"")));
        assert_eq!(
            r.header("cache-control").as_deref(),
            Some("public, max-age=31536000, immutable")
        );
        assert_eq!(r.header("accept-ranges").as_deref(), Some("bytes"));
        let cd = r.header("content-disposition").unwrap();
        assert!(cd.starts_with(disposition), "{cd}");
        assert!(
            !cd.contains("photo"),
            "the client's name is not echoed: {cd}"
        );
        assert_eq!(
            r.header("x-content-type-options").as_deref(),
            Some("nosniff")
        );
        // HEAD answers the same headers without the body.
        let h = app.call(reqwest::Method::HEAD, url).send().await;
        h.assert_status(200);
        assert_eq!(h.header("content-length"), Some(bytes.len().to_string()));
        assert!(h.bytes.is_empty());
    }
    // Upper-case hex names the same blob.
    app.get(&format!("/api/v1/files/get/{}", hash.to_uppercase()))
        .send()
        .await
        .assert_status(200);
}

async fn ranges_and_entity_tags_are_honoured(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = register(&app, "alice").await;
    let bytes = png_of(1000, 9);
    let d = upload(&app, &token, &bytes, "r.png").await;
    let etag = format!("\"{}\"", sha256(&bytes));
    for url in [
        d["download_url"].as_str().unwrap(),
        d["preview_url"].as_str().unwrap(),
    ] {
        let get = |name: &'static str, value: String| app.get(url).header(name, &value).send();
        for (range, start, end) in [
            ("bytes=0-9", 0, 9),
            ("bytes=990-", 990, 999),
            ("bytes=-10", 990, 999),
            ("bytes=500-5000", 500, 999),
            ("bytes=7-7", 7, 7),
        ] {
            let r = get("range", range.into()).await;
            r.assert_status(206);
            assert_eq!(r.bytes, &bytes[start..=end], "{range}");
            assert_eq!(
                r.header("content-range"),
                Some(format!("bytes {start}-{end}/1000"))
            );
            assert_eq!(
                r.header("content-length"),
                Some((end - start + 1).to_string())
            );
            assert_eq!(r.header("content-type").as_deref(), Some("image/png"));
            assert_eq!(r.header("etag").as_deref(), Some(etag.as_str()));
        }
        for range in ["bytes=1000-", "bytes=5000-6000", "bytes=-0"] {
            let r = get("range", range.into()).await;
            r.assert_status(416);
            assert_eq!(
                r.header("content-range").as_deref(),
                Some("bytes */1000"),
                "{range}"
            );
        }
        // Unusable range headers are ignored: the whole blob.
        for range in ["bytes=9-1", "pages=1-2", "bytes=0-1,5-6"] {
            let r = get("range", range.into()).await;
            r.assert_status(200);
            assert_eq!(r.bytes.len(), 1000, "{range}");
        }
        let r = get("if-none-match", etag.clone()).await;
        r.assert_status(304);
        assert!(r.bytes.is_empty());
        assert_eq!(r.header("etag").as_deref(), Some(etag.as_str()));
        get("if-none-match", "\"something-else\"".into())
            .await
            .assert_status(200);
        get("if-none-match", format!("\"x\", W/{etag}"))
            .await
            .assert_status(304);
        // If-Range with another tag: the whole blob instead of the range.
        let r = app
            .get(url)
            .header("range", "bytes=0-9")
            .header("if-range", "\"old\"")
            .send()
            .await;
        r.assert_status(200);
        assert_eq!(r.bytes.len(), 1000);
    }
}

async fn hashes_that_are_not_64_hex_digits_are_404(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = register(&app, "alice").await;
    let d = upload(&app, &token, PNG, "a.png").await;
    let hash = d["sha256"].as_str().unwrap();
    // A file next to the store that a traversal would reach.
    std::fs::write(app.data_dir.join("secret.txt"), "secret").unwrap();
    let unknown = "0".repeat(64);
    for bad in [
        "abc",
        &hash[..63],
        &format!("{hash}0"),
        &format!("{}zz", &hash[..62]),
        "..%2F..%2Fsecret.txt",
        "..%2F..%2Fdb.db",
        "%2E%2E%2F%2E%2E%2Fsecret.txt",
        &unknown,
    ] {
        for route in ["download", "get"] {
            let r = app
                .get(&format!("/api/v1/files/{route}/{bad}"))
                .send()
                .await;
            r.ops(404, "-100");
            assert!(!r.text().contains("secret"));
        }
    }
}

/// Writes the start of a multipart upload by hand, so the test can stop mid-body.
async fn start_raw_upload(
    addr: std::net::SocketAddr,
    token: &str,
    body: &[u8],
) -> tokio::net::TcpStream {
    let head = "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n";
    let request = format!(
        "POST /api/v1/files/upload HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: {}\r\n\r\n{head}",
        head.len() + 4 * 1024 * 1024
    );
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    stream.write_all(body).await.unwrap();
    stream.flush().await.unwrap();
    stream
}

async fn an_upload_aborted_by_the_client_leaves_no_blob_and_no_record(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = register(&app, "alice").await;
    let stream = start_raw_upload(app.addr, &token, &png_of(1024 * 1024, 10)).await;
    // The bytes are on their way to a temporary file...
    eventually("the upload reaches a temporary file", || {
        temp_files(&app) == 1
    })
    .await;
    assert!(blobs_on_disk(&app).is_empty());
    // ...and the client goes away.
    drop(stream);
    eventually("temporary data removed", || temp_files(&app) == 0).await;
    assert!(blobs_on_disk(&app).is_empty());
    assert_eq!(record_count(&app).await, 0);
    upload(&app, &token, PNG, "after.png").await;
}

async fn a_server_killed_mid_upload_leaves_no_blob_and_no_record(b: Backend) {
    // A second server process on the same database and store, killed with SIGKILL.
    let app = TestApp::spawn(b).await;
    let token = register(&app, "alice").await;
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let c = &app.config;
    let config = format!(
        "data_dir: {:?}\nserver:\n  host: \"127.0.0.1\"\n  port: {port}\ndatabase:\n  driver: {:?}\n  path: {:?}\n  url: {:?}\n  max_connections: 2\nfile:\n  paths:\n    image: {:?}\nbootstrap:\n  admin_password: {:?}\nlog:\n  level: \"warn\"\n",
        c.data_dir.display().to_string(),
        match c.database.driver {
            ops::config::DatabaseDriver::Sqlite => "sqlite",
            ops::config::DatabaseDriver::Postgres => "postgres",
        },
        c.database.path,
        c.database.url,
        c.file.paths.image.display().to_string(),
        ADMIN_PASSWORD,
    );
    let config_path = app.data_dir.join("second.yaml");
    std::fs::write(&config_path, config).unwrap();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_ops-server"))
        .arg("--config")
        .arg(&config_path)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let up = app
            .client
            .get(format!("http://{addr}/healthz"))
            .send()
            .await;
        if up.is_ok_and(|r| r.status().is_success()) {
            break;
        }
        assert!(Instant::now() < deadline, "second server did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _stream = start_raw_upload(addr, &token, &png_of(1024 * 1024, 11)).await;
    eventually("the upload reaches a temporary file", || {
        temp_files(&app) == 1
    })
    .await;
    child.kill().await.unwrap();
    // Only a stray temporary file may remain; nothing under a final name, no record.
    assert!(blobs_on_disk(&app).is_empty());
    assert_eq!(record_count(&app).await, 0);
    // The surviving server still works on the same store.
    let d = upload(&app, &token, &png_of(1024 * 1024, 11), "retry.png").await;
    let r = app.get(d["download_url"].as_str().unwrap()).send().await;
    assert_eq!(r.bytes, png_of(1024 * 1024, 11));
}

db_test!(
    upload_answers_the_record_with_its_urls,
    urls_follow_the_configured_prefix,
    the_type_comes_from_the_bytes_not_the_name_or_declared_type,
    what_is_not_an_allowed_image_is_415_and_stores_nothing,
    uploads_over_the_limit_are_413_and_leave_nothing,
    the_default_limit_is_5_mib_and_is_refused_while_streaming,
    the_413_arrives_while_the_client_is_still_sending,
    a_missing_file_field_or_broken_multipart_is_minus_2,
    a_storage_failure_is_minus_103_and_keeps_nothing,
    the_same_bytes_are_stored_once_and_removed_with_their_last_record,
    concurrent_uploads_and_deletes_of_the_same_bytes_never_lose_a_blob,
    the_list_is_the_owners_paged_and_filtered,
    info_and_delete_are_the_owners_or_an_admins,
    download_and_preview_stream_with_caching_headers_and_no_token,
    ranges_and_entity_tags_are_honoured,
    hashes_that_are_not_64_hex_digits_are_404,
    an_upload_aborted_by_the_client_leaves_no_blob_and_no_record,
    a_server_killed_mid_upload_leaves_no_blob_and_no_record,
);
