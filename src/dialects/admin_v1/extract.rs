//! Extractors whose rejections speak `admin_v1`, the route guard, and the shared checks of
//! list parameters.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use super::error::ApiError;
use crate::domain::identity::{Principal, SessionKind, session};
use crate::domain::paging::Page;
use crate::error::{Entity, Error, Problem, Violations};
pub use crate::http::extract::{Auth, Json, OptionalJson};
use crate::http::extract::{Dialect, DialectState};
use crate::http::{body, token};
use crate::state::AppState;

/// The `typ` of an `admin_v1` access token (the only kind the extractors accept).
pub const ACCESS: &str = "access";

/// A query string. Parameters sent empty (`?status=`) count as absent, as list forms send
/// them; a value of the wrong type is 10001.
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let raw = parts.uri.query().unwrap_or("");
        let kept: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form_urlencoded::parse(raw.as_bytes()).filter(|(_, v)| !v.is_empty()))
            .finish();
        Ok(Query(body::query(Some(&kept))?))
    }
}

/// The `{id}` of a path: a canonical positive integer (decisions §8), otherwise not found.
pub struct Id(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path(raw) =
            axum::extract::Path::<String>::from_request_parts(parts, state)
                .await
                .map_err(|_| ApiError::Malformed(Some("id".into()), "ID格式不正确".into()))?;
        crate::http::path::canonical_id(parts.uri.path(), &raw)
            .map(Id)
            .ok_or(ApiError::Core(Error::NotFound(Entity::Other)))
    }
}

/// The `admin_v1` routes' view of the shared state: the shared extractors answer in this
/// dialect's envelope and find the caller behind its bearer access token.
pub enum AdminV1 {}

pub type AdminState = DialectState<AdminV1>;

impl Dialect for AdminV1 {
    type Rejection = ApiError;

    /// Resolves the bearer access token to its live admin session.
    async fn authenticate(parts: &mut Parts, state: &AppState) -> Result<Principal, ApiError> {
        let token = token::bearer(&parts.headers).ok_or(Error::Unauthenticated)?;
        let (principal, _) = session::authenticate_jwt(
            &state.db,
            &state.jwt_secret,
            &token,
            ACCESS,
            SessionKind::Admin,
        )
        .await?;
        Ok(principal)
    }
}

/// Default and largest `page_size`.
pub const PAGE_SIZE_DEFAULT: i64 = 20;
pub const PAGE_SIZE_MAX: i64 = 100;

/// Checks `page` (≥ 1, default 1) and `page_size` (1–100, default 20).
pub fn page(v: &mut Violations, page: Option<i64>, page_size: Option<i64>) -> Page {
    let number = page.unwrap_or(1);
    let size = page_size.unwrap_or(PAGE_SIZE_DEFAULT);
    if number < 1 {
        v.add("page", Problem::AtLeast { min: 1 });
    }
    if !(1..=PAGE_SIZE_MAX).contains(&size) {
        v.add(
            "page_size",
            Problem::OutOfRange {
                min: 1,
                max: PAGE_SIZE_MAX,
            },
        );
    }
    Page::new(number, size)
}

/// Checks a 0/1 status flag.
pub fn status(v: &mut Violations, field: &str, value: Option<i64>) -> Option<bool> {
    match value {
        None => None,
        Some(0) => Some(false),
        Some(1) => Some(true),
        Some(_) => {
            v.add(
                field,
                Problem::NotOneOf {
                    allowed: &["0", "1"],
                    got: None,
                },
            );
            None
        }
    }
}

/// A required, non-blank string.
pub fn required<'a>(v: &mut Violations, field: &str, value: &'a Option<String>) -> Option<&'a str> {
    match value.as_deref().map(str::trim) {
        Some(s) if !s.is_empty() => Some(s),
        _ => {
            v.add(field, Problem::Required);
            None
        }
    }
}
