//! Extractors whose rejections speak `ops_v1`.

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use super::error::ApiError;
use crate::domain::identity::{Principal, session};
use crate::error::Error;
use crate::http::{body, token};
use crate::state::AppState;

pub const COOKIE: &str = "ops_session";

/// A JSON body (any `Content-Type`), up to `server.json_body_limit` bytes.
pub struct Json<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let limit = state.config.server.json_body_limit;
        Ok(Json(body::read_json(req, limit).await?))
    }
}

/// A JSON body like [`Json`], except that an empty body means `T::default()` (list requests
/// whose every field has a default).
pub struct JsonOrEmpty<T>(pub T);

impl<T: DeserializeOwned + Default> FromRequest<AppState> for JsonOrEmpty<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let bytes = body::read_bytes(req, state.config.server.json_body_limit).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(JsonOrEmpty(T::default()));
        }
        Ok(JsonOrEmpty(body::json(&bytes)?))
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

/// The logged-in caller; `-3`/401 otherwise.
pub struct Auth(pub Principal);

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(p) = parts.extensions.get::<Principal>() {
            return Ok(Auth(p.clone()));
        }
        let token = find_token(parts).ok_or(Error::Unauthenticated)?;
        let principal = session::authenticate(&state.db, &token).await?;
        parts.extensions.insert(principal.clone());
        Ok(Auth(principal))
    }
}
