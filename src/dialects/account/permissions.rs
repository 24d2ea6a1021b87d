//! `/permission/` — API permissions: an HTTP method on a back-end API pattern (document data
//! dictionary `permission`).

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;

use super::error::{ApiError, ApiResult};
use super::extract::{Body, Ids, Pk};
use super::form::{self, Form, Mode, Text};
use super::page::Listing;
use super::reply::{Done, NoContent, created_answer};
use crate::domain::access::api_rules::{self, ApiPermission, ApiPermissionPatch, NewApiPermission};
use crate::error::Error;
use crate::state::AppState;

#[derive(Serialize)]
pub struct PermissionOut {
    id: i64,
    method: String,
    api_id: i64,
}

impl From<ApiPermission> for PermissionOut {
    fn from(p: ApiPermission) -> Self {
        Self {
            id: p.id,
            method: p.method,
            api_id: p.api_id,
        }
    }
}

/// Reads a body; `api` is accepted for `api_id` (the Django field's name).
fn read(value: Value, mode: Mode) -> Result<ApiPermissionPatch, Error> {
    let mut value = value;
    if let Value::Object(map) = &mut value
        && !map.contains_key("api_id")
        && let Some(api) = map.remove("api")
    {
        map.insert("api_id".to_owned(), api);
    }
    let mut f = Form::new(value, mode)?;
    let patch = ApiPermissionPatch {
        method: f.text("method", Text::required(10)).flatten(),
        api_id: f.integer("api_id", true),
    };
    f.finish()?;
    Ok(patch)
}

/// `GET /permission/`
pub async fn list(State(state): State<AppState>, listing: Listing) -> ApiResult<Response> {
    let (items, total) = api_rules::list_permissions(&state.db, listing.window()).await?;
    listing.respond(items.into_iter().map(PermissionOut::from).collect(), total)
}

/// `GET /permission/<pk>/`
pub async fn retrieve(State(state): State<AppState>, Pk(id): Pk) -> ApiResult<impl IntoResponse> {
    Ok(Done(PermissionOut::from(
        api_rules::get_permission(&state.db, id).await?,
    )))
}

/// `POST /permission/` — an object, or an array created all together or not at all.
pub async fn create(State(state): State<AppState>, Body(body): Body) -> ApiResult<Response> {
    let (patches, batch) = form::read_all(body, |v| read(v, Mode::Full))?;
    let n = patches.len();
    let news = patches
        .into_iter()
        .map(|p| NewApiPermission {
            method: p.method.unwrap_or_default(),
            api_id: p.api_id.unwrap_or_default(),
        })
        .collect();
    let created = api_rules::create_permissions(&state.db, news)
        .await
        .map_err(|e| ApiError::for_create(e, batch, n))?;
    let out: Vec<PermissionOut> = created.into_iter().map(Into::into).collect();
    Ok(created_answer(out, batch))
}

async fn update(state: &AppState, id: i64, body: Value, mode: Mode) -> ApiResult<Response> {
    let patch = read(body, mode)?;
    let perm = api_rules::update_permission(&state.db, id, patch).await?;
    Ok(Done(PermissionOut::from(perm)).into_response())
}

/// `PUT /permission/<pk>/`
pub async fn replace(
    State(state): State<AppState>,
    Pk(id): Pk,
    Body(body): Body,
) -> ApiResult<impl IntoResponse> {
    update(&state, id, body, Mode::Full).await
}

/// `PATCH /permission/<pk>/`
pub async fn patch(
    State(state): State<AppState>,
    Pk(id): Pk,
    Body(body): Body,
) -> ApiResult<impl IntoResponse> {
    update(&state, id, body, Mode::Partial).await
}

/// `DELETE /permission/<pk>/`
pub async fn destroy(State(state): State<AppState>, Pk(id): Pk) -> ApiResult<NoContent> {
    api_rules::delete_permissions(&state.db, &[id]).await?;
    Ok(NoContent)
}

/// `DELETE /permission/multiple_delete/?ids=1,2,3` — all or nothing.
pub async fn delete_many(State(state): State<AppState>, Ids(ids): Ids) -> ApiResult<NoContent> {
    api_rules::delete_permissions(&state.db, &ids).await?;
    Ok(NoContent)
}
