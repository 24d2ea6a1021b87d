//! Extractors whose rejections speak `hanzi`, and the `New-Token` refresh.

use std::sync::{Arc, Mutex};

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use serde::de::DeserializeOwned;

use super::error::{ApiError, code};
use crate::domain::glyphs::CodePoint;
use crate::domain::identity::{Principal, SessionKind, jwt, session};
use crate::error::Error;
use crate::http::body;
pub use crate::http::extract::{Auth, Json};
use crate::http::extract::{Dialect, DialectState, caller};
use crate::state::AppState;

/// The response header that carries a refreshed token.
pub static NEW_TOKEN: HeaderName = HeaderName::from_static("new-token");

/// A token older than this (seconds) is answered with a fresh one in `New-Token`.
const REFRESH_AFTER_SECS: i64 = 3600;

/// The JWT purpose this dialect issues and accepts.
pub const TOKEN_TYPE: &str = "access";

/// Batch writes carry whole repertoires; they get a larger body limit than other routes.
const BULK_BODY_LIMIT: usize = 64 * 1024 * 1024;

/// The `hanzi` routes' view of the shared state: the shared extractors answer in this
/// dialect's envelope and find the caller behind its JWT (refreshing an old one).
pub enum Hanzi {}

pub type HanziState = DialectState<Hanzi>;

/// A JSON body for batch routes: like [`Json`], with a limit of 64 MiB.
pub struct BulkJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<HanziState> for BulkJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &HanziState) -> Result<Self, Self::Rejection> {
        let limit = state.config.server.json_body_limit.max(BULK_BODY_LIMIT);
        Ok(BulkJson(body::read_json(req, limit).await?))
    }
}

/// Routes that must refuse more than 1 MiB (`/equivalence`) whatever `server.json_body_limit`
/// allows.
const SMALL_BODY_LIMIT: usize = 1024 * 1024;

/// A JSON body like [`Json`], never over 1 MiB.
pub struct SmallJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<HanziState> for SmallJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &HanziState) -> Result<Self, Self::Rejection> {
        let limit = state.config.server.json_body_limit.min(SMALL_BODY_LIMIT);
        Ok(SmallJson(body::read_json(req, limit).await?))
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

/// The `:unicode` path segment: a decimal code point, checked before any query runs.
pub struct UnicodePath(pub CodePoint);

impl<S: Send + Sync> FromRequestParts<S> for UnicodePath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path(raw) =
            axum::extract::Path::<String>::from_request_parts(parts, state)
                .await
                .map_err(|_| ApiError::plain(code::BAD_PARAMETER, "Unicode不正确"))?;
        CodePoint::parse_decimal(&raw)
            .map(UnicodePath)
            .ok_or_else(|| ApiError::plain(code::BAD_PARAMETER, "Unicode不正确"))
    }
}

/// The `:id` path segment of the user routes (a login name).
pub struct IdPath(pub String);

impl<S: Send + Sync> FromRequestParts<S> for IdPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path(raw) =
            axum::extract::Path::<String>::from_request_parts(parts, state)
                .await
                .map_err(|_| ApiError::plain(code::BAD_PARAMETER, "用户名不正确"))?;
        Ok(IdPath(raw))
    }
}

/// Where the auth guard leaves a refreshed token for [`new_token`] to send.
#[derive(Clone, Default)]
struct NewTokenSlot(Arc<Mutex<Option<HeaderValue>>>);

/// Sends the token the guard refreshed (if any) in the `New-Token` response header.
pub async fn new_token(mut req: Request, next: Next) -> Response {
    let slot = NewTokenSlot::default();
    req.extensions_mut().insert(slot.clone());
    let mut response = next.run(req).await;
    let fresh = slot.0.lock().ok().and_then(|mut s| s.take());
    if let Some(value) = fresh {
        response.headers_mut().insert(NEW_TOKEN.clone(), value);
    }
    response
}

/// `Authorization: Bearer <jwt>`; the original also accepted the bare token.
fn presented_token(parts: &Parts) -> Option<String> {
    let raw = parts.headers.get(AUTHORIZATION)?.to_str().ok()?.trim();
    let token = match raw.split_once(' ') {
        Some((scheme, t)) if scheme.eq_ignore_ascii_case("bearer") => t.trim(),
        Some(_) => return None,
        None => raw,
    };
    (!token.is_empty()).then(|| token.to_owned())
}

impl Dialect for Hanzi {
    type Rejection = ApiError;

    /// Resolves the caller behind the JWT: signature, expiry, and a live session of this
    /// dialect; a token older than an hour is answered with a fresh one (`New-Token`).
    async fn authenticate(parts: &mut Parts, state: &AppState) -> Result<Principal, ApiError> {
        let token = presented_token(parts).ok_or(Error::Unauthenticated)?;
        let (principal, claims) = session::authenticate_jwt(
            &state.db,
            &state.jwt_secret,
            &token,
            TOKEN_TYPE,
            SessionKind::Hanzi,
        )
        .await?;
        let now = chrono::Utc::now().timestamp();
        if now - claims.iat > REFRESH_AFTER_SECS {
            let remaining = (principal.session.expires_at - crate::db::now()) / 1_000_000;
            let fresh = jwt::issue(
                &state.jwt_secret,
                principal.user.id,
                principal.session.id,
                TOKEN_TYPE,
                remaining.max(1),
            )?;
            if let (Some(slot), Ok(value)) = (
                parts.extensions.get::<NewTokenSlot>(),
                HeaderValue::from_str(&fresh),
            ) && let Ok(mut s) = slot.0.lock()
            {
                *s = Some(value);
            }
        }
        Ok(principal)
    }
}

/// The caller when a valid token came with the request; nobody otherwise.
pub struct MaybeAuth(pub Option<Principal>);

impl FromRequestParts<HanziState> for MaybeAuth {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &HanziState,
    ) -> Result<Self, Self::Rejection> {
        if presented_token(parts).is_none() {
            return Ok(MaybeAuth(None));
        }
        Ok(MaybeAuth(caller::<Hanzi>(parts, state).await.ok()))
    }
}
