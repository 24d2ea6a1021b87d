//! Extractors whose rejections speak `ops_v1`.

use axum::body::{Body, Bytes};
use axum::extract::{FromRequestParts, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use super::error::ApiError;
use crate::domain::identity::{Principal, session};
use crate::error::Error;
pub use crate::http::extract::{Auth, Json, OptionalJson};
use crate::http::extract::{Dialect, DialectState};
use crate::http::{body, token};
use crate::state::AppState;

pub const COOKIE: &str = "ops_session";

/// The `ops_v1` routes' view of the shared state: the shared extractors answer in this
/// dialect's envelope and find the caller in its three token transports.
pub enum OpsV1 {}

pub type OpsState = DialectState<OpsV1>;

impl Dialect for OpsV1 {
    type Rejection = ApiError;

    async fn authenticate(parts: &mut Parts, state: &AppState) -> Result<Principal, ApiError> {
        let token = find_token(parts).ok_or(Error::Unauthenticated)?;
        Ok(session::authenticate(&state.db, &token).await?)
    }
}

/// A query string.
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Query(body::query(parts.uri.query())?))
    }
}

/// The token found in a JSON body's `userCookieValue` (the third transport of the manual).
#[derive(Clone)]
struct BodyToken(String);

/// Looks for `userCookieValue` in JSON bodies of requests that carry no other token, and
/// keeps the body intact for the handler.
pub async fn body_token(
    state: axum::extract::State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let has_header_token =
        token::bearer(req.headers()).is_some() || token::cookie(req.headers(), COOKIE).is_some();
    let is_json = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/json") || ct.starts_with("text/plain"));
    if has_header_token || !is_json {
        return next.run(req).await;
    }
    let (mut parts, body) = req.into_parts();
    let bytes: Bytes = match axum::body::to_bytes(body, state.config.server.json_body_limit).await {
        Ok(b) => b,
        Err(_) => return ApiError::from(body::BodyError::too_large()).into_response(),
    };
    if let Ok(serde_json::Value::Object(map)) = serde_json::from_slice::<serde_json::Value>(&bytes)
        && let Some(t) = map.get("userCookieValue").and_then(|v| v.as_str())
    {
        parts.extensions.insert(BodyToken(t.to_owned()));
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

fn find_token(parts: &Parts) -> Option<String> {
    token::bearer(&parts.headers)
        .or_else(|| token::cookie(&parts.headers, COOKIE))
        .or_else(|| parts.extensions.get::<BodyToken>().map(|t| t.0.clone()))
}
