//! `/equivalence` — the web client's 当量 page (not in the document; the original back end
//! added it later, see CONTRACT.md). Reading is public; uploading needs a login.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use serde_json::Value;

use super::error::ApiResult;
use super::extract::{Auth, SmallJson};
use super::stream;
use crate::domain::glyphs::equivalence::{self, Equivalence, NewEquivalence};
use crate::state::AppState;

/// `{"user":…,"model":…,"data":<stored array>}`; `data` is stored JSON text, written as is.
fn write_item(e: &Equivalence, out: &mut Vec<u8>) -> std::io::Result<()> {
    out.extend_from_slice(br#"{"user":"#);
    serde_json::to_writer(&mut *out, &e.user).map_err(std::io::Error::other)?;
    out.extend_from_slice(br#","model":"#);
    serde_json::to_writer(&mut *out, &e.model).map_err(std::io::Error::other)?;
    out.extend_from_slice(br#","data":"#);
    out.extend_from_slice(e.data.as_bytes());
    out.push(b'}');
    Ok(())
}

/// `GET /equivalence` — `[{user, model, data}]`, oldest first, streamed.
pub async fn list(State(state): State<AppState>) -> Response {
    stream::json_array(
        String::new(),
        equivalence::stream_all(state.db.clone()).boxed(),
        write_item,
        "",
    )
}

/// `POST /equivalence {user, model, data}` — `data` a JSON array, body ≤ 1 MiB; answers `true`.
pub async fn create(
    State(state): State<AppState>,
    Auth(me): Auth,
    SmallJson(body): SmallJson<Value>,
) -> ApiResult<impl IntoResponse> {
    let new = NewEquivalence::parse(&body)?;
    equivalence::create(&state.db, me.user.id, &new).await?;
    Ok(axum::Json(true))
}
