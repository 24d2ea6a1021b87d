//! `/repertoire/*` — document "字形管理 API". Reads are public; writes need role ≥ 1.
//! Characters are read in either wire form and answered in the configured one.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use serde::Deserialize;
use serde_json::Value;

use super::error::{ApiError, ApiResult, code};
use super::extract::{Auth, BulkJson, Json, Query, UnicodePath};
use super::stream;
use crate::config::HanziWire;
use crate::domain::glyphs::{Character, CodePoint, PuaKind, store};
use crate::error::{Error, Format, Problem, Violations};
use crate::state::AppState;

#[derive(Deserialize)]
pub struct PageIn {
    page: Option<i64>,
    size: Option<i64>,
}

/// The Character form this deployment answers (`dialects.hanzi.wire`; CONTRACT.md, "Wire
/// forms"). Input accepts both whatever it says.
fn render(state: &AppState) -> fn(&Character) -> Value {
    match state.config.dialects.hanzi.wire {
        HanziWire::Seed => Character::to_seed,
        HanziWire::Rows => Character::to_row,
    }
}

fn write_seed(c: &Character, out: &mut Vec<u8>) -> std::io::Result<()> {
    serde_json::to_writer(out, &c.to_seed()).map_err(std::io::Error::other)
}

fn write_row(c: &Character, out: &mut Vec<u8>) -> std::io::Result<()> {
    serde_json::to_writer(out, &c.to_row()).map_err(std::io::Error::other)
}

/// [`render`] for streamed lists.
fn writer(state: &AppState) -> stream::WriteItem<Character> {
    match state.config.dialects.hanzi.wire {
        HanziWire::Seed => write_seed,
        HanziWire::Rows => write_row,
    }
}

/// `GET /repertoire?page=1&size=20` — `{total, page, size, items}`, streamed like `/all` so
/// even the real client's 16,384-character pages keep memory at one batch.
pub async fn list(State(state): State<AppState>, Query(q): Query<PageIn>) -> ApiResult<Response> {
    let (page, size) = (q.page.unwrap_or(1), q.size.unwrap_or(20));
    let (start, total) = store::page_start(&state.db, page, size).await?;
    let head = format!(r#"{{"total":{total},"page":{page},"size":{size},"items":"#);
    let batches = match start {
        Some(after) => store::stream_range(state.db.clone(), after, size).boxed(),
        None => futures_util::stream::empty().boxed(),
    };
    Ok(stream::json_array(head, batches, writer(&state), "}"))
}

/// `GET /repertoire/all` — every character as one JSON array, streamed (see `stream.rs`).
pub async fn all(State(state): State<AppState>) -> Response {
    stream::json_array(
        String::new(),
        store::stream_all(state.db.clone()).boxed(),
        writer(&state),
        "",
    )
}

/// `GET /repertoire/:unicode`
pub async fn get(
    State(state): State<AppState>,
    UnicodePath(unicode): UnicodePath,
) -> ApiResult<impl IntoResponse> {
    let c = store::get(&state.db, unicode).await?;
    Ok(axum::Json(render(&state)(&c)))
}

/// Parses a Character whose `unicode` must be the path's.
fn at_path(unicode: CodePoint, body: &Value) -> ApiResult<Character> {
    let c = Character::parse(body)?;
    if c.unicode() != unicode {
        return Err(Error::invalid("unicode", Problem::Mismatch).into());
    }
    Ok(c)
}

/// `POST /repertoire/:unicode` — a full Character; answers its code point.
pub async fn create(
    State(state): State<AppState>,
    Auth(_me): Auth,
    UnicodePath(unicode): UnicodePath,
    Json(body): Json<Value>,
) -> ApiResult<impl IntoResponse> {
    let c = at_path(unicode, &body)?;
    store::create(&state.db, &c).await?;
    Ok(axum::Json(unicode.value()))
}

/// `PUT /repertoire/:unicode` — replaces the character at the path; answers `true`.
pub async fn update(
    State(state): State<AppState>,
    Auth(_me): Auth,
    UnicodePath(unicode): UnicodePath,
    Json(body): Json<Value>,
) -> ApiResult<impl IntoResponse> {
    let c = at_path(unicode, &body)?;
    store::update(&state.db, &c).await?;
    Ok(axum::Json(true))
}

/// `DELETE /repertoire/:unicode` — refused (`AUTH-10000002`) while referenced; answers `true`.
pub async fn delete(
    State(state): State<AppState>,
    Auth(_me): Auth,
    UnicodePath(unicode): UnicodePath,
) -> ApiResult<impl IntoResponse> {
    store::delete(&state.db, unicode).await?;
    Ok(axum::Json(true))
}

#[derive(Deserialize)]
pub struct AllocateIn {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    name: Option<String>,
}

/// `POST /repertoire {type, name}` — an empty character at the lowest free private-use code
/// point (0xE000–0xE7FF for `component`, 0xE800–0xEFFF otherwise); answers the number.
pub async fn allocate(
    State(state): State<AppState>,
    Auth(_me): Auth,
    Json(body): Json<AllocateIn>,
) -> ApiResult<impl IntoResponse> {
    if let Some(n) = &body.name
        && n.chars().count() > 255
    {
        return Err(Error::invalid("name", Problem::TooLong { max: 255 }).into());
    }
    match store::allocate(&state.db, PuaKind::parse(&body.kind), body.name).await {
        Ok(Some(cp)) => Ok(axum::Json(cp.value())),
        Ok(None) => Err(ApiError::plain(code::INTERNAL, "已达上限，无法继续创建")),
        // The original's insert failed on its unique name column: "create failed".
        Err(Error::Conflict { field, value, .. }) if field == "name" => Err(ApiError::plain(
            code::CREATE_FAILED,
            format!("创建失败: 名称 {} 已存在", value.unwrap_or_default()),
        )),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct RenumberIn {
    old: i64,
    new: i64,
}

/// `PUT /repertoire {old, new}` — moves a character and rewrites every reference to it, in
/// one transaction; answers `true`.
pub async fn renumber(
    State(state): State<AppState>,
    Auth(_me): Auth,
    Json(body): Json<RenumberIn>,
) -> ApiResult<impl IntoResponse> {
    let mut v = Violations::new();
    let old = CodePoint::from_number(body.old);
    let new = CodePoint::from_number(body.new);
    if old.is_none() {
        v.add("old", Problem::BadFormat(Format::CodePoint));
    }
    if new.is_none() {
        v.add("new", Problem::BadFormat(Format::CodePoint));
    }
    v.into_result()?;
    if let (Some(old), Some(new)) = (old, new) {
        store::renumber(&state.db, old, new).await?;
    }
    Ok(axum::Json(true))
}

/// Parses every Character of a batch; field names carry the item index.
fn parse_batch(items: &[Value]) -> ApiResult<Vec<Character>> {
    let mut v = Violations::new();
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        match Character::parse(item) {
            Ok(c) => out.push(c),
            Err(Error::Invalid(fields)) => {
                for f in fields {
                    v.add(format!("[{i}].{}", f.field), f.problem);
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
    v.into_result()?;
    Ok(out)
}

/// `POST /repertoire/batch [Character]` — all or nothing; answers `true`.
pub async fn create_batch(
    State(state): State<AppState>,
    Auth(_me): Auth,
    BulkJson(items): BulkJson<Vec<Value>>,
) -> ApiResult<impl IntoResponse> {
    let characters = parse_batch(&items)?;
    store::create_many(&state.db, &characters).await?;
    Ok(axum::Json(true))
}

/// `PUT /repertoire/batch [Character]` — all or nothing; answers `true`.
pub async fn update_batch(
    State(state): State<AppState>,
    Auth(_me): Auth,
    BulkJson(items): BulkJson<Vec<Value>>,
) -> ApiResult<impl IntoResponse> {
    let characters = parse_batch(&items)?;
    store::update_many(&state.db, &characters).await?;
    Ok(axum::Json(true))
}

/// `DELETE /repertoire/batch [unicode]` — code points as numbers; all or nothing; answers
/// `true`.
pub async fn delete_batch(
    State(state): State<AppState>,
    Auth(_me): Auth,
    BulkJson(items): BulkJson<Vec<i64>>,
) -> ApiResult<impl IntoResponse> {
    let mut v = Violations::new();
    let mut unicodes = Vec::with_capacity(items.len());
    for (i, n) in items.iter().enumerate() {
        match CodePoint::from_number(*n) {
            Some(cp) => unicodes.push(cp),
            None => v.add(format!("[{i}]"), Problem::BadFormat(Format::CodePoint)),
        }
    }
    v.into_result()?;
    store::delete_many(&state.db, &unicodes).await?;
    Ok(axum::Json(true))
}
