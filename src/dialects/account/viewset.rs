//! The DRF `ModelViewSet` that `/group/`, `/backendapi/` and `/permission/` each are: list,
//! retrieve, create (one object, or an array created all together or not at all), update
//! (`PUT` reads the whole object, `PATCH` only what is sent), destroy and `multiple_delete`.
//!
//! A resource states only what is its own — how one body object reads, how an item is
//! answered, and which domain calls serve it — and `mod.rs` routes each method to the
//! generic handler here by name (`get(viewset::list::<Groups>)`), so the router still shows
//! every route.

use std::future::Future;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;

use super::error::{ApiError, ApiResult};
use super::extract::{Body, Ids, Pk};
use super::form::{self, Mode};
use super::page::Listing;
use super::reply::{Done, NoContent, created_answer};
use crate::db::Db;
use crate::domain::paging::Page;
use crate::error::{Error, Result};
use crate::state::AppState;

pub trait Resource: 'static {
    /// What the domain returns.
    type Item: Send;
    /// How an item is answered.
    type Out: Serialize + From<Self::Item> + Send;
    /// One body object as read; in [`Mode::Full`] the required fields are present.
    type Input: Send;

    fn read(body: Value, mode: Mode) -> std::result::Result<Self::Input, Error>;

    fn list(
        db: &Db,
        page: Option<Page>,
    ) -> impl Future<Output = Result<(Vec<Self::Item>, i64)>> + Send;
    fn get(db: &Db, id: i64) -> impl Future<Output = Result<Self::Item>> + Send;
    /// Creates every input (each read in full mode) in one transaction.
    fn create(
        db: &Db,
        inputs: Vec<Self::Input>,
    ) -> impl Future<Output = Result<Vec<Self::Item>>> + Send;
    fn update(
        db: &Db,
        id: i64,
        input: Self::Input,
    ) -> impl Future<Output = Result<Self::Item>> + Send;
    /// Deletes all of `ids` or none.
    fn delete(db: &Db, ids: &[i64]) -> impl Future<Output = Result<()>> + Send;
}

/// `GET /<resource>/`
pub async fn list<R: Resource>(
    State(state): State<AppState>,
    listing: Listing,
) -> ApiResult<Response> {
    let (items, total) = R::list(&state.db, listing.page()).await?;
    listing.respond(items.into_iter().map(R::Out::from).collect(), total)
}

/// `GET /<resource>/<pk>/`
pub async fn retrieve<R: Resource>(
    State(state): State<AppState>,
    Pk(id): Pk,
) -> ApiResult<Response> {
    Ok(Done(R::Out::from(R::get(&state.db, id).await?)).into_response())
}

/// `POST /<resource>/` — an object, or an array created all together or not at all.
pub async fn create<R: Resource>(
    State(state): State<AppState>,
    Body(body): Body,
) -> ApiResult<Response> {
    let (inputs, batch) = form::read_all(body, |v| R::read(v, Mode::Full))?;
    let n = inputs.len();
    let created = R::create(&state.db, inputs)
        .await
        .map_err(|e| ApiError::for_create(e, batch, n))?;
    let out: Vec<R::Out> = created.into_iter().map(Into::into).collect();
    Ok(created_answer(out, batch))
}

async fn update<R: Resource>(
    state: &AppState,
    id: i64,
    body: Value,
    mode: Mode,
) -> ApiResult<Response> {
    let input = R::read(body, mode)?;
    let item = R::update(&state.db, id, input).await?;
    Ok(Done(R::Out::from(item)).into_response())
}

/// `PUT /<resource>/<pk>/`
pub async fn replace<R: Resource>(
    State(state): State<AppState>,
    Pk(id): Pk,
    Body(body): Body,
) -> ApiResult<Response> {
    update::<R>(&state, id, body, Mode::Full).await
}

/// `PATCH /<resource>/<pk>/`
pub async fn patch<R: Resource>(
    State(state): State<AppState>,
    Pk(id): Pk,
    Body(body): Body,
) -> ApiResult<Response> {
    update::<R>(&state, id, body, Mode::Partial).await
}

/// `DELETE /<resource>/<pk>/`
pub async fn destroy<R: Resource>(
    State(state): State<AppState>,
    Pk(id): Pk,
) -> ApiResult<NoContent> {
    R::delete(&state.db, &[id]).await?;
    Ok(NoContent)
}

/// `DELETE /<resource>/multiple_delete/?ids=1,2,3` — all or nothing.
pub async fn delete_many<R: Resource>(
    State(state): State<AppState>,
    Ids(ids): Ids,
) -> ApiResult<NoContent> {
    R::delete(&state.db, &ids).await?;
    Ok(NoContent)
}
