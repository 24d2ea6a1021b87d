//! Extractors whose rejections speak `account`.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde_json::{Map, Value};

use super::error::ApiError;
use crate::domain::identity::{Principal, session};
use crate::error::{Entity, Error, Problem};
pub use crate::http::extract::Auth;
use crate::http::extract::{Dialect, DialectState};
use crate::http::form_body::{self, BodyKind, MultipartError};
use crate::http::token;
use crate::state::AppState;

/// The session cookie set at login (Django's name).
pub const COOKIE: &str = "sessionid";

/// The session token of a request: `Authorization: Bearer`, else the `sessionid` cookie.
pub fn find_token(headers: &axum::http::HeaderMap) -> Option<String> {
    token::bearer(headers).or_else(|| token::cookie(headers, COOKIE))
}

/// The `account` routes' view of the shared state: the shared extractors answer as DRF does
/// and find the caller behind the session (bearer or `sessionid` cookie).
pub enum Account {}

pub type AccountState = DialectState<Account>;

impl Dialect for Account {
    type Rejection = ApiError;

    async fn authenticate(parts: &mut Parts, state: &AppState) -> Result<Principal, ApiError> {
        let token = find_token(&parts.headers).ok_or(Error::Unauthenticated)?;
        Ok(session::authenticate(&state.db, &token).await?)
    }
}

/// Fields that are lists in the account serializers (many-to-many fields). A form sends a
/// list as the key repeated, and DRF reads these with `getlist`, so one value is a list of one.
const LIST_FIELDS: &[&str] = &["groups", "permissions", "user_permissions"];

/// A request body, as DRF's default parsers read it: JSON (any other `Content-Type`),
/// `application/x-www-form-urlencoded` or `multipart/form-data`, up to
/// `server.json_body_limit` bytes. An empty body reads as `{}` so that missing fields are
/// reported one by one.
pub struct Body(pub Value);

impl FromRequest<AccountState> for Body {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AccountState) -> Result<Self, Self::Rejection> {
        let limit = state.config.server.json_body_limit;
        let value = match form_body::kind(&req) {
            BodyKind::Json => json(&crate::http::body::read_bytes(req, limit).await?)?,
            BodyKind::UrlEncoded => form(form_body::urlencoded(
                &crate::http::body::read_bytes(req, limit).await?,
            )),
            BodyKind::Multipart => match form_body::multipart(req, state, limit).await {
                Ok(map) => form(map),
                Err(MultipartError::TooLarge) => return Err(Error::TooLarge.into()),
                Err(MultipartError::Malformed(why)) => {
                    return Err(Error::invalid(
                        "detail",
                        Problem::Unparsable {
                            detail: format!("Multipart form parse error - {why}"),
                        },
                    )
                    .into());
                }
            },
        };
        // U+0000 cannot be stored (PostgreSQL) and is never meant: a field error (§8).
        if let Some(field) = crate::http::body::nul_in(&value) {
            let field = if field == "." {
                "detail".to_owned()
            } else {
                field
            };
            return Err(Error::invalid(field, Problem::ForbiddenCharacter).into());
        }
        Ok(Body(value))
    }
}

fn json(bytes: &[u8]) -> Result<Value, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Map::new()));
    }
    serde_json::from_slice(bytes).map_err(|e| {
        ApiError::Core(Error::invalid(
            "detail",
            Problem::Unparsable {
                detail: format!("JSON parse error - {e}"),
            },
        ))
    })
}

/// A form's fields as the serializers read them: list fields always lists.
fn form(mut map: Map<String, Value>) -> Value {
    for key in LIST_FIELDS {
        if let Some(v @ Value::String(_)) = map.get_mut(*key) {
            *v = Value::Array(vec![v.take()]);
        }
    }
    Value::Object(map)
}

/// A primary key in the path; anything but a canonical positive integer is 404 (as a DRF
/// lookup, and so an API rule about `/user/1/` is never side-stepped by `/user/01/`).
pub struct Pk(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for Pk {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path(raw) =
            axum::extract::Path::<String>::from_request_parts(parts, state)
                .await
                .map_err(|_| ApiError::Core(Error::NotFound(Entity::Other)))?;
        crate::http::path::canonical_id(parts.uri.path(), &raw)
            .map(Pk)
            .ok_or(ApiError::Core(Error::NotFound(Entity::Other)))
    }
}

/// Parses a comma-separated id list (`1,2,3`); a missing, empty or non-numeric list is an
/// invalid `field` and nothing is done.
pub fn id_list(query: Option<&str>, field: &str) -> Result<Option<Vec<i64>>, Error> {
    let raw: Vec<String> = form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .filter(|(k, _)| k == field)
        .map(|(_, v)| v.into_owned())
        .collect();
    if raw.is_empty() {
        return Ok(None);
    }
    let mut ids = Vec::new();
    for part in raw.iter().flat_map(|v| v.split(',')) {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        match part.parse::<i64>() {
            Ok(id) if id > 0 => ids.push(id),
            _ => {
                return Err(Error::invalid(
                    field,
                    Problem::NotAnId {
                        got: part.to_owned(),
                    },
                ));
            }
        }
    }
    if ids.is_empty() {
        return Err(Error::invalid(field, Problem::Blank));
    }
    Ok(Some(ids))
}

/// `?ids=1,2,3` of the `multiple_delete` routes (required).
pub struct Ids(pub Vec<i64>);

impl<S: Send + Sync> FromRequestParts<S> for Ids {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        match id_list(parts.uri.query(), "ids")? {
            Some(ids) => Ok(Ids(ids)),
            None => Err(Error::invalid("ids", Problem::Required).into()),
        }
    }
}
