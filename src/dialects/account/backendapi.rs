//! `/backendapi/` — back-end API patterns (document data dictionary `backendapi`).

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;

use super::error::{ApiError, ApiResult};
use super::extract::{Body, Ids, Pk};
use super::form::{self, Form, Mode, Text};
use super::page::Listing;
use super::reply::{Done, NoContent, created_answer};
use crate::domain::access::api_rules::{
    self, APP_NAME_MAX, BackendApi, BackendApiPatch, COMMENT_MAX, NAME_MAX, NewBackendApi,
    PATTERN_MAX,
};
use crate::error::Error;
use crate::state::AppState;

#[derive(Serialize)]
pub struct BackendApiOut {
    id: i64,
    name: Option<String>,
    pattern: String,
    app_name: Option<String>,
    comment: Option<String>,
}

impl From<BackendApi> for BackendApiOut {
    fn from(a: BackendApi) -> Self {
        Self {
            id: a.id,
            name: a.name,
            pattern: a.pattern,
            app_name: a.app_name,
            comment: a.comment,
        }
    }
}

/// Reads a body; in full mode `pattern` is required. The regex itself is checked by the
/// domain.
fn read(value: Value, mode: Mode) -> Result<BackendApiPatch, Error> {
    let mut f = Form::new(value, mode)?;
    let patch = BackendApiPatch {
        name: f.text("name", Text::optional(NAME_MAX).nullable()),
        pattern: f
            .text(
                "pattern",
                Text {
                    trim: false,
                    ..Text::required(PATTERN_MAX)
                },
            )
            .flatten(),
        app_name: f.text("app_name", Text::optional(APP_NAME_MAX).nullable()),
        comment: f.text("comment", Text::optional(COMMENT_MAX).nullable()),
    };
    // Checked here as well as in the domain so one answer lists every bad field.
    if let Some(Err(Error::Invalid(fields))) =
        patch.pattern.as_deref().map(api_rules::validate_pattern)
    {
        for e in fields {
            f.fail(&e.field, e.problem);
        }
    }
    f.finish()?;
    Ok(patch)
}

/// `GET /backendapi/`
pub async fn list(State(state): State<AppState>, listing: Listing) -> ApiResult<Response> {
    let (items, total) = api_rules::list_apis(&state.db, listing.window()).await?;
    listing.respond(items.into_iter().map(BackendApiOut::from).collect(), total)
}

/// `GET /backendapi/<pk>/`
pub async fn retrieve(State(state): State<AppState>, Pk(id): Pk) -> ApiResult<impl IntoResponse> {
    Ok(Done(BackendApiOut::from(
        api_rules::get_api(&state.db, id).await?,
    )))
}

/// `POST /backendapi/` — an object, or an array created all together or not at all.
pub async fn create(State(state): State<AppState>, Body(body): Body) -> ApiResult<Response> {
    let (patches, batch) = form::read_all(body, |v| read(v, Mode::Full))?;
    let n = patches.len();
    let news = patches
        .into_iter()
        .map(|p| NewBackendApi {
            name: p.name.flatten(),
            pattern: p.pattern.unwrap_or_default(),
            app_name: p.app_name.flatten(),
            comment: p.comment.flatten(),
        })
        .collect();
    let created = api_rules::create_apis(&state.db, news)
        .await
        .map_err(|e| ApiError::for_create(e, batch, n))?;
    let out: Vec<BackendApiOut> = created.into_iter().map(Into::into).collect();
    Ok(created_answer(out, batch))
}

async fn update(state: &AppState, id: i64, body: Value, mode: Mode) -> ApiResult<Response> {
    let patch = read(body, mode)?;
    let api = api_rules::update_api(&state.db, id, patch).await?;
    Ok(Done(BackendApiOut::from(api)).into_response())
}

/// `PUT /backendapi/<pk>/`
pub async fn replace(
    State(state): State<AppState>,
    Pk(id): Pk,
    Body(body): Body,
) -> ApiResult<impl IntoResponse> {
    update(&state, id, body, Mode::Full).await
}

/// `PATCH /backendapi/<pk>/`
pub async fn patch(
    State(state): State<AppState>,
    Pk(id): Pk,
    Body(body): Body,
) -> ApiResult<impl IntoResponse> {
    update(&state, id, body, Mode::Partial).await
}

/// `DELETE /backendapi/<pk>/` — the permissions on the pattern go with it.
pub async fn destroy(State(state): State<AppState>, Pk(id): Pk) -> ApiResult<NoContent> {
    api_rules::delete_apis(&state.db, &[id]).await?;
    Ok(NoContent)
}

/// `DELETE /backendapi/multiple_delete/?ids=1,2,3` — all or nothing.
pub async fn delete_many(State(state): State<AppState>, Ids(ids): Ids) -> ApiResult<NoContent> {
    api_rules::delete_apis(&state.db, &ids).await?;
    Ok(NoContent)
}
