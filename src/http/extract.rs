//! The extractors every dialect shares — a JSON body and the logged-in caller — written once
//! and parameterised by the dialect.
//!
//! Each dialect's router runs on a [`DialectState<D>`]: the shared [`AppState`] tagged with the
//! dialect `D`. An extractor's rejection type is fixed per state type, so the same `Json<T>`
//! answers a malformed body in `ops_v1`'s envelope on `ops_v1`'s routes and in Django's on
//! `account`'s, and `Auth` finds the caller the way the dialect's clients send credentials.
//! Handlers keep extracting `State<AppState>` (through [`FromRef`]).

use std::future::Future;
use std::marker::PhantomData;
use std::ops::Deref;

use axum::extract::{FromRef, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::response::IntoResponse;
use serde::de::DeserializeOwned;

use super::body::{self, BodyError};
use crate::domain::identity::Principal;
use crate::error::Error;
use crate::state::AppState;

/// What a dialect tells the shared extractors and the route guard.
pub trait Dialect: Send + Sync + 'static {
    /// The dialect's error answer: every rejection is one of these.
    type Rejection: IntoResponse + From<Error> + From<BodyError> + Send;

    /// Resolves the request's credentials (in the dialect's transports) to a live session.
    /// [`Error::Unauthenticated`] when there are none or they are not valid.
    fn authenticate(
        parts: &mut Parts,
        state: &AppState,
    ) -> impl Future<Output = Result<Principal, Self::Rejection>> + Send;
}

/// The shared state, as seen by the routes of dialect `D`.
pub struct DialectState<D> {
    app: AppState,
    dialect: PhantomData<fn() -> D>,
}

impl<D> DialectState<D> {
    pub fn new(app: AppState) -> Self {
        Self {
            app,
            dialect: PhantomData,
        }
    }
}

// By hand: a derive would ask `D: Clone`, and the dialect markers are uninhabited.
impl<D> Clone for DialectState<D> {
    fn clone(&self) -> Self {
        Self::new(self.app.clone())
    }
}

impl<D> Deref for DialectState<D> {
    type Target = AppState;
    fn deref(&self) -> &AppState {
        &self.app
    }
}

impl<D> FromRef<DialectState<D>> for AppState {
    fn from_ref(state: &DialectState<D>) -> Self {
        state.app.clone()
    }
}

/// A JSON body (any `Content-Type`), up to `server.json_body_limit` bytes.
pub struct Json<T>(pub T);

impl<T: DeserializeOwned, D: Dialect> FromRequest<DialectState<D>> for Json<T> {
    type Rejection = D::Rejection;

    async fn from_request(req: Request, state: &DialectState<D>) -> Result<Self, Self::Rejection> {
        let limit = state.config.server.json_body_limit;
        Ok(Json(body::read_json(req, limit).await?))
    }
}

/// The logged-in caller: the principal the route guard resolved, or resolved here by the
/// dialect; the dialect's "not logged in" answer otherwise.
pub struct Auth(pub Principal);

impl<D: Dialect> FromRequestParts<DialectState<D>> for Auth {
    type Rejection = D::Rejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &DialectState<D>,
    ) -> Result<Self, Self::Rejection> {
        Ok(Auth(caller::<D>(parts, state).await?))
    }
}

/// The caller of a request, resolved at most once per request (the guard's answer is kept in
/// the request's extensions for the handler).
pub async fn caller<D: Dialect>(
    parts: &mut Parts,
    state: &AppState,
) -> Result<Principal, D::Rejection> {
    if let Some(p) = parts.extensions.get::<Principal>() {
        return Ok(p.clone());
    }
    let principal = D::authenticate(parts, state).await?;
    parts.extensions.insert(principal.clone());
    Ok(principal)
}

/// A JSON body that may be left out entirely (a request whose parameters are all optional):
/// an empty or blank body reads as `{}`; anything else is read like [`Json`].
pub struct OptionalJson<T>(pub T);

impl<T: DeserializeOwned, D: Dialect> FromRequest<DialectState<D>> for OptionalJson<T> {
    type Rejection = D::Rejection;

    async fn from_request(req: Request, state: &DialectState<D>) -> Result<Self, Self::Rejection> {
        let bytes = body::read_bytes(req, state.config.server.json_body_limit).await?;
        let bytes: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
            b"{}"
        } else {
            &bytes
        };
        Ok(OptionalJson(body::json(bytes)?))
    }
}
