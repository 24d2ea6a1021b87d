//! §11 文件上传: `POST /upload/file`, `POST /upload/files` (`files[]`), and `GET /uploads/{hash}`
//! serving what they stored (the document's `file_url` / `thumbnail_url`).
//!
//! The body is limited while it streams (`file_max_size` + 64 KiB of multipart framing,
//! decisions §8): past it the request is refused with 413/10001 and nothing is kept. Every
//! file part goes to a temporary blob first; only once the whole body has been read are the
//! files decoded (thumbnails) and stored, so a refused request leaves nothing behind.

use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Duration;

use axum::body::Body;
use axum::extract::multipart::{Field, MultipartError};
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::header::CONTENT_LENGTH;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use futures_util::TryStreamExt;
use serde::Serialize;

use super::error::{ApiError, ApiResult, word};
use super::extract::Auth;
use super::reply::Reply;
use crate::db::time::local_seconds;
use crate::domain::files::documents::{self, CheckedForm, DocumentForm};
use crate::domain::files::upload::{self, Limits, Received};
use crate::domain::files::{self, FileRecord, ImageKind};
use crate::error::{Entity, Error, Problem};
use crate::http::blob::{BlobMeta, Disposition};
use crate::state::AppState;

/// Multipart framing allowed beyond `file_max_size` (boundaries, part headers, text fields).
const FRAMING: u64 = 64 * 1024;
/// Largest `type` or `category` field read.
const TEXT_FIELD_LIMIT: usize = 4 * 1024;
/// Files in one batch.
const MAX_BATCH: usize = 50;
/// After refusing a body by its declared length, how long (and how much of) the rest is read
/// and dropped beside the answer, so the client sees the 413 rather than a reset connection.
const DRAIN_TIME: Duration = Duration::from_secs(5);
const DRAIN_BYTES: usize = 64 * 1024 * 1024;

/// One uploaded document, as §11.1.1 shows it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct FileOut {
    file_id: String,
    file_name: String,
    file_size: i64,
    file_type: String,
    file_url: String,
    thumbnail_url: Option<String>,
    uploaded_at: String,
}

fn blob_url(state: &AppState, sha256: &str) -> String {
    format!("{}/uploads/{sha256}", state.config.dialects.admin_v1.prefix)
}

fn file_out(state: &AppState, r: &FileRecord) -> FileOut {
    FileOut {
        file_id: format!("file_{}", r.id),
        file_name: r.name.clone(),
        file_size: r.size,
        file_type: r.mime.clone(),
        file_url: blob_url(state, &r.sha256),
        thumbnail_url: r.thumb_sha256.as_deref().map(|h| blob_url(state, h)),
        uploaded_at: local_seconds(r.created_at, state.tz),
    }
}

/// A file part as received: its client name and its bytes (or why they were refused).
struct Part {
    name: Option<String>,
    outcome: Result<Received, Error>,
}

/// The whole form, read to its end.
struct Form {
    parts: Vec<Part>,
    fields: DocumentForm,
}

/// What went wrong with the body stream itself (not with one file).
const STREAM_OK: u8 = 0;
const STREAM_TOO_LARGE: u8 = 1;
const STREAM_BROKEN: u8 = 2;

fn malformed() -> ApiError {
    ApiError::Malformed(
        Some("file".into()),
        "请求必须是有效的 multipart/form-data".into(),
    )
}

/// Reads every part of the request: file parts named by `is_file` into temporary blobs,
/// `type` and `category` as text. At most `max_files` file parts.
async fn read_form(
    state: &AppState,
    req: Request,
    is_file: fn(&str) -> bool,
    max_files: usize,
) -> ApiResult<Form> {
    let settings = state.settings().await?;
    let limits = Limits {
        max_size: u64::try_from(settings.file_max_size).unwrap_or(0),
        allowed_types: settings.file_allowed_types,
    };
    let body_limit = limits.max_size.saturating_add(FRAMING);
    let declared = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > body_limit) {
        tokio::spawn(drain(req.into_body()));
        return Err(ApiError::TooLarge);
    }
    let (head, body) = req.into_parts();
    let limit = usize::try_from(body_limit).unwrap_or(usize::MAX);
    let limited = Request::from_parts(head, Body::new(http_body_util::Limited::new(body, limit)));
    let mut multipart = Multipart::from_request(limited, state)
        .await
        .map_err(|_| malformed())?;
    let store = files::store(&state.config.file);
    let stream_state = AtomicU8::new(STREAM_OK);
    let stream_error = |e: &MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::TooLarge
        } else {
            malformed()
        }
    };
    let mut form = Form {
        parts: Vec::new(),
        fields: DocumentForm::default(),
    };
    while let Some(field) = multipart.next_field().await.map_err(|e| stream_error(&e))? {
        let name = field.name().unwrap_or("").to_owned();
        if is_file(&name) {
            if form.parts.len() >= max_files {
                return Err(Error::invalid("files", Problem::TooMany { max: max_files }).into());
            }
            let file_name = field.file_name().map(str::to_owned);
            let bytes = field.map_err(|e| {
                let kind = if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    STREAM_TOO_LARGE
                } else {
                    STREAM_BROKEN
                };
                stream_state.store(kind, Ordering::Relaxed);
                Error::TooLarge
            });
            let outcome = upload::receive(store.as_ref(), bytes, &limits).await;
            match stream_state.load(Ordering::Relaxed) {
                STREAM_TOO_LARGE => return Err(ApiError::TooLarge),
                STREAM_BROKEN => return Err(malformed()),
                _ => {}
            }
            if let Err(Error::Internal(e)) = outcome {
                return Err(Error::Internal(e).into());
            }
            form.parts.push(Part {
                name: file_name,
                outcome,
            });
        } else {
            match name.as_str() {
                "type" => form.fields.doc_type = Some(text(field, "type").await?),
                "category" => form.fields.category = Some(text(field, "category").await?),
                // Other fields are not ours; multer skips their bytes.
                _ => {}
            }
        }
    }
    Ok(form)
}

/// A small text field, as UTF-8.
async fn text(mut field: Field<'_>, name: &str) -> ApiResult<String> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::TooLarge
        } else {
            malformed()
        }
    })? {
        bytes.extend_from_slice(&chunk);
        if bytes.len() > TEXT_FIELD_LIMIT {
            return Err(Error::invalid(
                name,
                Problem::TooLong {
                    max: TEXT_FIELD_LIMIT,
                },
            )
            .into());
        }
    }
    String::from_utf8(bytes)
        .map_err(|_| ApiError::Malformed(Some(name.to_owned()), "必须是UTF-8文本".into()))
}

/// Reads and discards a refused body (bounded in time and bytes), beside the answer.
async fn drain(body: Body) {
    let _ = tokio::time::timeout(DRAIN_TIME, axum::body::to_bytes(body, DRAIN_BYTES)).await;
}

/// Thumbnails and stores one received file for `user_id`.
async fn store_one(
    state: &AppState,
    user_id: i64,
    part: Part,
    form: &CheckedForm,
) -> Result<Result<FileRecord, String>, Error> {
    let received = match part.outcome {
        Ok(r) => r,
        Err(e) => return Ok(Err(reason(&e))),
    };
    let store = files::store(&state.config.file);
    let stored = documents::store(
        &state.db,
        store.as_ref(),
        &state.thumbnails,
        user_id,
        received,
        part.name,
        form,
    )
    .await?;
    Ok(stored.map_err(|refusal| word(&refusal.problem())))
}

/// Why one file of a batch was refused.
fn reason(err: &Error) -> String {
    match err {
        Error::TooLarge => "文件大小超出限制".to_owned(),
        Error::UnsupportedType => "不支持的文件类型".to_owned(),
        Error::Invalid(fields) => fields
            .first()
            .map_or_else(|| "文件无效".to_owned(), |f| word(&f.problem)),
        _ => "上传失败".to_owned(),
    }
}

/// `POST /upload/file` — one `file`, with `type` and optional `category`.
pub async fn upload_file(
    State(state): State<AppState>,
    Auth(me): Auth,
    req: Request,
) -> ApiResult<Reply<FileOut>> {
    let form = read_form(&state, req, |n| n == "file", 1).await?;
    let checked = form.fields.check()?;
    let part = form
        .parts
        .into_iter()
        .next()
        .ok_or_else(|| Error::invalid("file", Problem::Required))?;
    let Part { name, outcome } = part;
    let received = outcome?;
    let store = files::store(&state.config.file);
    let record = documents::store(
        &state.db,
        store.as_ref(),
        &state.thumbnails,
        me.user.id,
        received,
        name,
        &checked,
    )
    .await?
    .map_err(|refusal| refusal.into_error())?;
    Ok(Reply::ok("上传成功", file_out(&state, &record)))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct FailedOut {
    file_name: String,
    reason: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct BatchOut {
    uploaded_files: Vec<FileOut>,
    failed_files: Vec<FailedOut>,
    total_count: usize,
    success_count: usize,
    failed_count: usize,
}

/// `POST /upload/files` — `files[]` (also `files`), with `type` and optional `category`. Good
/// files are stored even when others fail; each failure is listed with its reason.
pub async fn upload_files(
    State(state): State<AppState>,
    Auth(me): Auth,
    req: Request,
) -> ApiResult<Reply<BatchOut>> {
    let form = read_form(&state, req, |n| n == "files[]" || n == "files", MAX_BATCH).await?;
    let checked = form.fields.check()?;
    if form.parts.is_empty() {
        return Err(Error::invalid("files", Problem::Required).into());
    }
    let total_count = form.parts.len();
    let mut uploaded_files = Vec::new();
    let mut failed_files = Vec::new();
    for part in form.parts {
        let file_name = part.name.clone().unwrap_or_default();
        match store_one(&state, me.user.id, part, &checked).await? {
            Ok(record) => uploaded_files.push(file_out(&state, &record)),
            Err(reason) => failed_files.push(FailedOut { file_name, reason }),
        }
    }
    Ok(Reply::ok(
        "上传成功",
        BatchOut {
            success_count: uploaded_files.len(),
            failed_count: failed_files.len(),
            total_count,
            uploaded_files,
            failed_files,
        },
    ))
}

/// `GET /uploads/{hash}` — an upload or its thumbnail, inline, with the caching headers of
/// every blob (the hash is the capability; no token).
pub async fn serve(
    State(state): State<AppState>,
    path: Result<Path<String>, axum::extract::rejection::PathRejection>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let Ok(Path(raw)) = path else {
        return Err(Error::NotFound(Entity::File).into());
    };
    let blob = files::find(&state.db, &raw).await?;
    let extension = ImageKind::from_mime(&blob.mime).map_or("bin", ImageKind::extension);
    let filename = format!("{}.{extension}", blob.hash);
    let meta = BlobMeta {
        sha256: blob.hash.as_str(),
        mime: &blob.mime,
        disposition: Disposition::Inline,
        filename: &filename,
    };
    if meta.is_fresh(&headers) {
        return Ok(meta.not_modified());
    }
    let store = files::store(&state.config.file);
    let opened = files::open(store.as_ref(), &blob).await?;
    Ok(meta.send(&headers, opened).await?)
}
