//! `admin_v1` §11 uploads (issue 14): documents with thumbnails, bounded decoding, batches,
//! body limits, serving.

use std::io::Cursor;

use image::{ImageBuffer, ImageFormat, Luma, Rgb, Rgba};
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::admin_common::{AdminResp, create_role, create_user, login, path, root};
use crate::db_test;
use crate::support::http::Resp;
use crate::support::{Backend, TestApp};

fn encode(img: image::DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, format).unwrap();
    out.into_inner()
}

/// A `w` × `h` RGB image with some texture, as `format`.
fn picture(w: u32, h: u32, format: ImageFormat) -> Vec<u8> {
    let img = ImageBuffer::from_fn(w, h, |x, y| Rgb([(x % 251) as u8, (y % 241) as u8, 77]));
    encode(image::DynamicImage::ImageRgb8(img), format)
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A PNG that is only a header claiming `w` × `h` RGBA pixels, an empty IDAT and IEND.
fn lying_png(w: u32, h: u32) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut chunk = |kind: &[u8], data: &[u8]| {
        out.extend((data.len() as u32).to_be_bytes());
        let mut c = kind.to_vec();
        c.extend(data);
        out.extend(&c);
        out.extend(crc32(&c).to_be_bytes());
    };
    let mut ihdr = w.to_be_bytes().to_vec();
    ihdr.extend(h.to_be_bytes());
    ihdr.extend([8, 6, 0, 0, 0]);
    chunk(b"IHDR", &ihdr);
    chunk(b"IDAT", &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
    chunk(b"IEND", &[]);
    out
}

/// A JPEG whose EXIF says "rotate 90° clockwise" and which carries a GPS-looking string.
fn rotated_jpeg(w: u32, h: u32) -> Vec<u8> {
    let plain = picture(w, h, ImageFormat::Jpeg);
    let mut tiff = b"MM\x00\x2a\x00\x00\x00\x08".to_vec();
    tiff.extend([0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0]);
    tiff.extend(b"GPS 22.5431N 114.0579E");
    let mut app1 = b"Exif\x00\x00".to_vec();
    app1.extend(tiff);
    let mut out = plain[..2].to_vec();
    out.extend([0xff, 0xe1]);
    out.extend(((app1.len() + 2) as u16).to_be_bytes());
    out.extend(app1);
    out.extend(&plain[2..]);
    out
}

fn file_part(bytes: &[u8], name: &str) -> Part {
    Part::bytes(bytes.to_vec())
        .file_name(name.to_owned())
        .mime_str("application/octet-stream")
        .unwrap()
}

async fn send(app: &TestApp, token: &str, route: &str, form: Form) -> Resp {
    app.post(&path(route))
        .bearer(token)
        .multipart(form)
        .send()
        .await
}

async fn upload_one(app: &TestApp, token: &str, bytes: &[u8], name: &str, kind: &str) -> Resp {
    let form = Form::new()
        .text("type", kind.to_owned())
        .part("file", file_part(bytes, name));
    send(app, token, "/upload/file", form).await
}

async fn count(app: &TestApp, table: &str) -> i64 {
    let db = app.db().await;
    sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
        .fetch_one(db.pool())
        .await
        .unwrap()
}

/// Stored blobs on disk (outside `tmp/`) and temporary files.
fn disk(app: &TestApp) -> (usize, usize) {
    fn walk(dir: &std::path::Path, blobs: &mut usize, temps: &mut usize, in_tmp: bool) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                let tmp = in_tmp || p.file_name().is_some_and(|n| n == "tmp");
                walk(&p, blobs, temps, tmp);
            } else if in_tmp {
                *temps += 1;
            } else {
                *blobs += 1;
            }
        }
    }
    let (mut blobs, mut temps) = (0, 0);
    walk(&app.config.file.paths.image, &mut blobs, &mut temps, false);
    (blobs, temps)
}

async fn get_bytes(app: &TestApp, url: &str) -> Resp {
    app.get(url).send().await
}

async fn a_document_upload_answers_its_fields_with_a_thumbnail(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = root(&app).await;
    let png = picture(1200, 600, ImageFormat::Png);
    let form = Form::new()
        .text("type", "license")
        .text("category", "营业执照")
        .part("file", file_part(&png, "license.png"));
    let r = send(&app, &token, "/upload/file", form).await;
    let d = r.admin(200, 200).clone();
    assert_eq!(r.json["message"], "上传成功");
    assert!(d["file_id"].as_str().unwrap().starts_with("file_"));
    assert_eq!(d["file_name"], "license.png");
    assert_eq!(d["file_size"], json!(png.len()));
    assert_eq!(d["file_type"], "image/png");
    assert!(d["uploaded_at"].as_str().unwrap().len() == 19);
    let file_url = d["file_url"].as_str().unwrap();
    assert!(file_url.starts_with("/admin/v1/uploads/"), "{file_url}");
    let original = get_bytes(&app, file_url).await;
    original.assert_status(200);
    assert_eq!(original.bytes, png);
    assert_eq!(
        original.header("cache-control").as_deref(),
        Some("public, max-age=31536000, immutable")
    );
    assert_eq!(
        original.header("content-type").as_deref(),
        Some("image/png")
    );
    assert!(original.header("etag").is_some());
    let thumb = get_bytes(&app, d["thumbnail_url"].as_str().unwrap()).await;
    thumb.assert_status(200);
    assert_eq!(thumb.header("content-type").as_deref(), Some("image/jpeg"));
    let t = image::load_from_memory(&thumb.bytes).unwrap();
    assert_eq!((t.width(), t.height()), (320, 160));
    // Both blobs are recorded: the record names its thumbnail.
    assert_eq!(disk(&app), (2, 0));
    let db = app.db().await;
    let (kind, category): (String, Option<String>) =
        sqlx::query_as("SELECT type, category FROM files")
            .fetch_one(db.pool())
            .await
            .unwrap();
    assert_eq!(
        (kind.as_str(), category.as_deref()),
        ("license", Some("营业执照"))
    );
}

async fn the_thumbnail_is_upright_and_carries_no_metadata(b: Backend) {
    let app = TestApp::spawn_with(b, |c| c.file.thumbnail_max_side = 100).await;
    let token = root(&app).await;
    let jpeg = rotated_jpeg(400, 200);
    let d = upload_one(&app, &token, &jpeg, "photo.jpg", "health_record")
        .await
        .admin(200, 200)
        .clone();
    let thumb = get_bytes(&app, d["thumbnail_url"].as_str().unwrap()).await;
    let t = image::load_from_memory(&thumb.bytes).unwrap();
    assert_eq!((t.width(), t.height()), (50, 100), "EXIF rotation applied");
    assert!(!thumb.bytes.windows(4).any(|w| w == b"Exif"));
    assert!(!thumb.bytes.windows(3).any(|w| w == b"GPS"));
    // The original is kept as it was sent.
    assert_eq!(
        get_bytes(&app, d["file_url"].as_str().unwrap()).await.bytes,
        jpeg
    );
}

async fn the_type_must_be_one_of_the_four(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = root(&app).await;
    let png = picture(10, 10, ImageFormat::Png);
    for kind in ["image", "", "AVATAR"] {
        let r = upload_one(&app, &token, &png, "a.png", kind).await;
        r.admin(422, 10006);
        assert_eq!(r.error_fields(), ["type"], "{kind:?}");
    }
    let r = send(
        &app,
        &token,
        "/upload/file",
        Form::new().part("file", file_part(&png, "a.png")),
    )
    .await;
    r.admin(422, 10006);
    for kind in ["avatar", "license", "receipt", "health_record"] {
        upload_one(&app, &token, &png, "a.png", kind)
            .await
            .admin(200, 200);
    }
    assert_eq!(count(&app, "files").await, 4);
}

async fn a_lying_header_is_refused_without_decoding(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = root(&app).await;
    let png = lying_png(50_000, 50_000);
    assert!(png.len() <= 70, "{} bytes", png.len());
    let r = upload_one(&app, &token, &png, "huge.png", "avatar").await;
    r.admin(422, 10006);
    assert_eq!(r.error_fields(), ["file"]);
    assert_eq!(count(&app, "files").await, 0);
    assert_eq!(disk(&app), (0, 0));
}

async fn decompression_bombs_are_refused_by_pixels_and_by_memory(b: Backend) {
    let app = TestApp::spawn_with(b, |c| {
        c.file.image_max_pixels = 4_000_000;
        c.file.image_max_decode_bytes = 8 * 1024 * 1024;
    })
    .await;
    let token = root(&app).await;
    // 2,500 × 2,000 of one grey: 5 MP that compresses to a few kilobytes.
    let flat = ImageBuffer::from_pixel(2_500, 2_000, Luma([0u8]));
    let bomb = encode(image::DynamicImage::ImageLuma8(flat), ImageFormat::Png);
    assert!(bomb.len() < 64 * 1024, "{}", bomb.len());
    let r = upload_one(&app, &token, &bomb, "bomb.png", "receipt").await;
    r.admin(422, 10006);
    assert_eq!(r.error_fields(), ["file"]);
    assert_eq!(r.json["errors"][0]["message"], "图片尺寸过大");
    // 1,600 × 1,600 RGBA: 2.56 MP (allowed) but 10 MB decoded (over 8 MiB).
    let wide = ImageBuffer::from_pixel(1_600, 1_600, Rgba([1u8, 2, 3, 255]));
    let heavy = encode(image::DynamicImage::ImageRgba8(wide), ImageFormat::Png);
    let r = upload_one(&app, &token, &heavy, "heavy.png", "receipt").await;
    r.admin(422, 10006);
    assert_eq!(r.error_fields(), ["file"]);
    assert_eq!(r.json["errors"][0]["message"], "图片解码所需内存超出限制");
    assert_eq!(count(&app, "files").await, 0);
    assert_eq!(disk(&app), (0, 0));
}

async fn a_batch_stores_the_good_files_and_lists_the_bad(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = root(&app).await;
    let good1 = picture(64, 48, ImageFormat::Png);
    let good2 = picture(30, 30, ImageFormat::Jpeg);
    let form = Form::new()
        .text("type", "receipt")
        .part("files[]", file_part(&good1, "a.png"))
        .part(
            "files[]",
            file_part(
                b"just text, not an image at all......................",
                "notes.txt",
            ),
        )
        .part("files[]", file_part(&lying_png(60_000, 60_000), "liar.png"))
        .part("files[]", file_part(&good2, "b.jpg"));
    let r = send(&app, &token, "/upload/files", form).await;
    let d = r.admin(200, 200);
    assert_eq!(
        (
            d["total_count"].clone(),
            d["success_count"].clone(),
            d["failed_count"].clone()
        ),
        (json!(4), json!(2), json!(2))
    );
    let names: Vec<&str> = d["uploaded_files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["a.png", "b.jpg"]);
    for f in d["uploaded_files"].as_array().unwrap() {
        assert!(f["file_id"].as_str().unwrap().starts_with("file_"));
        assert!(f["file_url"].is_string() && f["thumbnail_url"].is_string());
    }
    let failed = d["failed_files"].as_array().unwrap();
    assert_eq!(failed[0]["file_name"], "notes.txt");
    assert_eq!(failed[1]["file_name"], "liar.png");
    assert!(
        failed
            .iter()
            .all(|f| f["reason"].as_str().is_some_and(|r| !r.is_empty()))
    );
    assert_eq!(count(&app, "files").await, 2);
    assert_eq!(disk(&app), (4, 0));
}

async fn an_oversized_body_is_413_and_keeps_nothing(b: Backend) {
    let app = TestApp::spawn_with(b, |c| c.file.max_size = 64 * 1024).await;
    let token = root(&app).await;
    let small = picture(20, 20, ImageFormat::Png);
    let mut big = small.clone();
    big.resize(200 * 1024, 0);
    let form = Form::new()
        .text("type", "receipt")
        .part("files[]", file_part(&small, "small.png"))
        .part("files[]", file_part(&big, "big.png"));
    let r = send(&app, &token, "/upload/files", form).await;
    r.admin(413, 10001);
    // Streamed without a declared length: refused while reading.
    let endless = futures_util::stream::iter(
        std::iter::once(small.clone())
            .chain(std::iter::repeat_with(|| vec![0u8; 16 * 1024]).take(64))
            .map(Ok::<_, std::io::Error>),
    );
    let part = Part::stream(reqwest::Body::wrap_stream(endless)).file_name("s.png");
    let form = Form::new().text("type", "avatar").part("file", part);
    let r = tokio::time::timeout(
        std::time::Duration::from_secs(30),
        app.post(&path("/upload/file"))
            .bearer(&token)
            .multipart(form)
            .send(),
    )
    .await
    .expect("answered");
    r.admin(413, 10001);
    assert_eq!(count(&app, "files").await, 0);
    assert_eq!(disk(&app).0, 0);
    // One file just over the per-file limit but inside the body limit: 413 on its own, and
    // listed as failed in a batch.
    let mut over = small.clone();
    over.resize(64 * 1024 + 10, 0);
    upload_one(&app, &token, &over, "over.png", "avatar")
        .await
        .admin(413, 10001);
    let form = Form::new()
        .text("type", "avatar")
        .part("files", file_part(&over, "over.png"))
        .part("files", file_part(&small, "ok.png"));
    let r = send(&app, &token, "/upload/files", form).await;
    assert_eq!(r.admin(200, 200)["success_count"], 1);
    assert_eq!(count(&app, "files").await, 1);
}

async fn the_same_bytes_are_one_blob_with_a_record_per_upload(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = root(&app).await;
    let png = picture(50, 50, ImageFormat::Png);
    let a = upload_one(&app, &token, &png, "a.png", "avatar")
        .await
        .admin(200, 200)
        .clone();
    let b2 = upload_one(&app, &token, &png, "b.png", "avatar")
        .await
        .admin(200, 200)
        .clone();
    assert_ne!(a["file_id"], b2["file_id"]);
    assert_eq!(a["file_url"], b2["file_url"]);
    assert_eq!(a["thumbnail_url"], b2["thumbnail_url"]);
    assert_eq!(count(&app, "files").await, 2);
    assert_eq!(disk(&app), (2, 0));
    // The same blob through ops_v1's preview: one store.
    let hash = a["file_url"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    get_bytes(&app, &format!("/api/v1/files/get/{hash}"))
        .await
        .assert_status(200);
}

async fn deleting_the_record_removes_the_thumbnail_too(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = root(&app).await;
    let png = picture(400, 300, ImageFormat::Png);
    let d = upload_one(&app, &token, &png, "a.png", "avatar")
        .await
        .admin(200, 200)
        .clone();
    assert_eq!(disk(&app), (2, 0));
    let id = d["file_id"]
        .as_str()
        .unwrap()
        .trim_start_matches("file_")
        .to_owned();
    let ops = crate::ops_users::login(&app, "admin", crate::support::ADMIN_PASSWORD).await;
    app.delete(&format!("/api/v1/files/{id}"))
        .bearer(&ops)
        .send()
        .await
        .ops(200, "0");
    assert_eq!(disk(&app), (0, 0), "the upload and its thumbnail are gone");
    for url in [&d["file_url"], &d["thumbnail_url"]] {
        let r = get_bytes(&app, url.as_str().unwrap()).await;
        assert_eq!(r.status.as_u16(), 404);
    }
}

async fn uploads_need_a_token_and_the_upload_permission(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = root(&app).await;
    let png = picture(10, 10, ImageFormat::Png);
    for route in ["/upload/file", "/upload/files"] {
        let form = Form::new()
            .text("type", "avatar")
            .part("file", file_part(&png, "a.png"));
        app.post(&path(route))
            .multipart(form)
            .send()
            .await
            .admin(401, 10002);
    }
    let role = create_role(&app, &token, "viewer", &["system:user:view"]).await;
    create_user(&app, &token, "carol", &[role]).await;
    let carol = login(&app, "carol", "secret12").await.0;
    upload_one(&app, &carol, &png, "a.png", "avatar")
        .await
        .admin(403, 10003);
    let uploader = create_role(&app, &token, "uploader", &["system:file:upload"]).await;
    create_user(&app, &token, "dave", &[uploader]).await;
    let dave = login(&app, "dave", "secret12").await.0;
    upload_one(&app, &dave, &png, "a.png", "avatar")
        .await
        .admin(200, 200);
}

async fn unknown_or_malformed_hashes_are_404_and_bad_multipart_is_10001(b: Backend) {
    let app = TestApp::spawn(b).await;
    let token = root(&app).await;
    for h in ["abc", &"0".repeat(64), "../../etc/passwd"] {
        let r = get_bytes(&app, &path(&format!("/uploads/{h}"))).await;
        assert_eq!(r.status.as_u16(), 404, "{h}");
    }
    let r = app
        .post(&path("/upload/file"))
        .bearer(&token)
        .json(&json!({"file": "x"}))
        .send()
        .await;
    r.admin(400, 10001);
    let r = app
        .post(&path("/upload/file"))
        .bearer(&token)
        .body(
            "multipart/form-data; boundary=XyZ",
            &b"--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\r\n\x89PNG"[..],
        )
        .send()
        .await;
    r.admin(400, 10001);
    assert_eq!(count(&app, "files").await, 0);
    let _: Value = r.json.clone();
}

db_test!(
    a_document_upload_answers_its_fields_with_a_thumbnail,
    the_thumbnail_is_upright_and_carries_no_metadata,
    the_type_must_be_one_of_the_four,
    a_lying_header_is_refused_without_decoding,
    decompression_bombs_are_refused_by_pixels_and_by_memory,
    a_batch_stores_the_good_files_and_lists_the_bad,
    an_oversized_body_is_413_and_keeps_nothing,
    the_same_bytes_are_one_blob_with_a_record_per_upload,
    deleting_the_record_removes_the_thumbnail_too,
    uploads_need_a_token_and_the_upload_permission,
    unknown_or_malformed_hashes_are_404_and_bad_multipart_is_10001,
);
