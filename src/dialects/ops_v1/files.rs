//! `/files/*` — OPS manual "文件管理", decisions §2 "Files".

use std::time::Duration;

use axum::extract::multipart::{Field, MultipartError, MultipartRejection};
use axum::extract::{FromRequest, FromRequestParts, Multipart, Path, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Uri};
use axum::response::{IntoResponse, Response};
use futures_util::TryStreamExt;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::error::{ApiError, ApiResult, UploadError};
use super::extract::{Auth, Query};
use super::reply::Reply;
use crate::db::time::rfc3339;
use crate::domain::files::{self, FileRecord, ImageKind, ListFilter, Scope, upload};
use crate::error::{Entity, Error, Format, Problem};
use crate::http::blob::{BlobMeta, Disposition};
use crate::state::AppState;

/// Largest `type` or `description` form field read (the values are far shorter still).
const TEXT_FIELD_LIMIT: usize = 64 * 1024;
/// After refusing an upload, how long the rest of the request body is read and thrown away so
/// the client sees the answer instead of a reset connection.
const DRAIN_TIME: Duration = Duration::from_secs(5);
const DRAIN_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Serialize, ToSchema)]
pub struct UploadOut {
    file_id: i64,
    name: String,
    sha256: String,
    mime: String,
    size: i64,
    download_url: String,
    preview_url: String,
    created_at: String,
}

/// Links start at `server.public_url` (empty: relative), never at the Host header (§8).
fn download_url(state: &AppState, sha256: &str) -> String {
    let c = &state.config;
    format!(
        "{}{}/files/download/{sha256}",
        c.server.public_url, c.dialects.ops_v1.prefix
    )
}

fn preview_url(state: &AppState, sha256: &str) -> String {
    let c = &state.config;
    format!(
        "{}{}/files/get/{sha256}",
        c.server.public_url, c.dialects.ops_v1.prefix
    )
}

fn bad_multipart(err: &MultipartError) -> Error {
    // The whole-body cap of [`crate::http::body::cap_upload`] was passed.
    if err.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        return Error::TooLarge;
    }
    Error::invalid(
        "file",
        Problem::Unparsable {
            detail: format!("multipart 格式错误: {}", err.body_text()),
        },
    )
}

/// `POST /files/upload` — multipart `file` (+ `type`, `description`), streamed to the store.
pub async fn upload(
    State(state): State<AppState>,
    Auth(me): Auth,
    request: Request,
) -> Result<impl IntoResponse, UploadError> {
    let settings = state.settings().await?;
    let limits = upload::Limits {
        max_size: u64::try_from(settings.file_max_size).unwrap_or(0),
        allowed_types: settings.file_allowed_types,
    };
    let request = crate::http::body::cap_upload(request, limits.max_size);
    let mut multipart: Multipart =
        Multipart::from_request(request, &state)
            .await
            .map_err(|_: MultipartRejection| {
                Error::invalid("file", Problem::BadFormat(Format::Multipart))
            })?;
    let store = files::store(&state.config.file);
    let mut received = None;
    let mut meta = upload::Meta::default();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| bad_multipart(&e))?
    {
        match field.name() {
            Some("file") if received.is_some() => {
                return Err(Error::invalid("file", Problem::TooMany { max: 1 }).into());
            }
            Some("file") => {
                meta.name = field.file_name().map(str::to_owned);
                let body = field.map_err(|e| bad_multipart(&e));
                match upload::receive(store.as_ref(), body, &limits).await {
                    Ok(r) => received = Some(r),
                    Err(err @ (Error::TooLarge | Error::UnsupportedType)) => {
                        // Answer now; what is still on its way is read and dropped meanwhile.
                        tokio::spawn(drain(multipart));
                        return Err(err.into());
                    }
                    Err(err) => return Err(err.into()),
                }
            }
            Some("type") => meta.file_type = Some(text(field, "type").await?),
            Some("description") => meta.description = Some(text(field, "description").await?),
            // Other fields are not ours; multer skips their bytes.
            _ => {}
        }
    }
    let received = received.ok_or_else(|| Error::invalid("file", Problem::Required))?;
    let record = upload::save(&state.db, me.user.id, received, meta.check()?).await?;
    Ok(Reply(
        "文件上传成功",
        UploadOut {
            download_url: download_url(&state, &record.sha256),
            preview_url: preview_url(&state, &record.sha256),
            created_at: rfc3339(record.created_at),
            file_id: record.id,
            name: record.name,
            sha256: record.sha256,
            mime: record.mime,
            size: record.size,
        },
    ))
}

/// A small text field, as UTF-8.
async fn text(mut field: Field<'_>, name: &str) -> Result<String, Error> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(|e| bad_multipart(&e))? {
        bytes.extend_from_slice(&chunk);
        if bytes.len() > TEXT_FIELD_LIMIT {
            return Err(Error::invalid(
                name,
                Problem::TooLong {
                    max: TEXT_FIELD_LIMIT,
                },
            ));
        }
    }
    let text = String::from_utf8(bytes)
        .map_err(|_| Error::invalid(name, Problem::BadFormat(Format::Utf8)))?;
    if text.contains('\0') {
        return Err(Error::invalid(name, Problem::ForbiddenCharacter));
    }
    Ok(text)
}

/// Reads and discards what is left of a refused upload (bounded in time and bytes), beside the
/// answer: closing the connection while the client is still sending would make many clients
/// see a reset instead of the `-101`/`-102` answer. Nothing read here is kept.
async fn drain(mut multipart: Multipart) {
    let discard = async {
        let mut seen: u64 = 0;
        while let Ok(Some(mut field)) = multipart.next_field().await {
            while let Ok(Some(chunk)) = field.chunk().await {
                seen += chunk.len() as u64;
                if seen > DRAIN_BYTES {
                    return;
                }
            }
        }
    };
    let _ = tokio::time::timeout(DRAIN_TIME, discard).await;
}

#[derive(Deserialize, ToSchema)]
#[schema(as = FileListIn)]
pub struct ListIn {
    #[serde(default, rename = "type")]
    file_type: Option<String>,
    #[serde(default)]
    page: Option<i64>,
    #[serde(default)]
    entries: Option<i64>,
    /// Admins only: one owner's files.
    #[serde(default)]
    user_id: Option<i64>,
}

#[derive(Serialize, ToSchema)]
#[schema(as = FileItem)]
pub struct ListItem {
    file_id: i64,
    name: String,
    sha256: String,
    mime: String,
    size: i64,
    #[serde(rename = "type")]
    file_type: String,
    created_at: String,
}

impl From<&FileRecord> for ListItem {
    fn from(r: &FileRecord) -> Self {
        Self {
            file_id: r.id,
            name: r.name.clone(),
            sha256: r.sha256.clone(),
            mime: r.mime.clone(),
            size: r.size,
            file_type: r.file_type.clone(),
            created_at: rfc3339(r.created_at),
        }
    }
}

#[derive(Serialize, ToSchema)]
#[schema(as = FileListOut)]
pub struct ListOut {
    files: Vec<ListItem>,
    total: i64,
    page: i64,
    pages: i64,
}

/// `GET /files/list` — the caller's files (admins: everyone's), newest first.
pub async fn list(
    State(state): State<AppState>,
    Auth(me): Auth,
    Query(q): Query<ListIn>,
) -> ApiResult<impl IntoResponse> {
    let page = q.page.unwrap_or(1);
    if page < 1 {
        return Err(Error::invalid("page", Problem::AtLeast { min: 1 }).into());
    }
    let entries = q.entries.unwrap_or(20);
    if !(1..=100).contains(&entries) {
        return Err(Error::invalid("entries", Problem::OutOfRange { min: 1, max: 100 }).into());
    }
    let file_type = match q.file_type.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(t) => Some(upload::check_type("type", t)?),
    };
    let filter = ListFilter {
        scope: Scope::of(&me),
        user_id: q.user_id,
        file_type,
        page,
        entries,
    };
    let (records, total) = files::records::list(&state.db, &filter).await?;
    Ok(Reply(
        "Success",
        ListOut {
            files: records.iter().map(ListItem::from).collect(),
            total,
            page,
            pages: (total + entries - 1) / entries,
        },
    ))
}

#[derive(Serialize, ToSchema)]
pub struct InfoOut {
    #[serde(flatten)]
    item: ListItem,
    description: String,
    download_url: String,
    preview_url: String,
}

/// The one path parameter of a file route (an id or a hash). A segment axum cannot decode
/// names no file: `-100`, like any other unknown id or hash.
pub struct Segment(String);

impl<S: Send + Sync> FromRequestParts<S> for Segment {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<String>::from_request_parts(parts, state).await {
            Ok(Path(s)) => Ok(Segment(s)),
            Err(_) => Err(Error::NotFound(Entity::File).into()),
        }
    }
}

/// A file id from the path; anything but a canonical positive integer names no file (§8).
fn file_id(uri: &Uri, raw: &str) -> Result<i64, Error> {
    crate::http::path::canonical_id(uri.path(), raw).ok_or(Error::NotFound(Entity::File))
}

/// `GET /files/{file_id}` — one record; another user's is "not found".
pub async fn info(
    State(state): State<AppState>,
    Auth(me): Auth,
    uri: Uri,
    Segment(raw): Segment,
) -> ApiResult<impl IntoResponse> {
    let record = files::records::get(&state.db, Scope::of(&me), file_id(&uri, &raw)?).await?;
    Ok(Reply(
        "Success",
        InfoOut {
            item: ListItem::from(&record),
            description: record.description,
            download_url: download_url(&state, &record.sha256),
            preview_url: preview_url(&state, &record.sha256),
        },
    ))
}

/// `DELETE /files/{file_id}` — the record, and the blob with its last record.
pub async fn delete(
    State(state): State<AppState>,
    Auth(me): Auth,
    uri: Uri,
    Segment(raw): Segment,
) -> ApiResult<impl IntoResponse> {
    let store = files::store(&state.config.file);
    files::delete(
        &state.db,
        store.as_ref(),
        Scope::of(&me),
        file_id(&uri, &raw)?,
    )
    .await?;
    Ok(Reply("文件删除成功", Value::Null))
}

/// `GET /files/download/{hash}` — the bytes as an attachment; no token (the hash is the
/// capability).
pub async fn download(
    State(state): State<AppState>,
    Segment(hash): Segment,
    headers: HeaderMap,
) -> ApiResult<Response> {
    serve(&state, &hash, &headers, Disposition::Attachment).await
}

/// `GET /files/get/{hash}` — the bytes inline, for `<img src>`; no token.
pub async fn preview(
    State(state): State<AppState>,
    Segment(hash): Segment,
    headers: HeaderMap,
) -> ApiResult<Response> {
    serve(&state, &hash, &headers, Disposition::Inline).await
}

async fn serve(
    state: &AppState,
    raw: &str,
    headers: &HeaderMap,
    disposition: Disposition,
) -> ApiResult<Response> {
    let blob = files::find(&state.db, raw).await?;
    let extension = ImageKind::from_mime(&blob.mime).map_or("bin", ImageKind::extension);
    let filename = format!("{}.{extension}", blob.hash);
    let meta = BlobMeta {
        sha256: blob.hash.as_str(),
        mime: &blob.mime,
        disposition,
        filename: &filename,
    };
    if meta.is_fresh(headers) {
        return Ok(meta.not_modified());
    }
    let store = files::store(&state.config.file);
    let opened = files::open(store.as_ref(), &blob).await?;
    Ok(meta.send(headers, opened).await?)
}
