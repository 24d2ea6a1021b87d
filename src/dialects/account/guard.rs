//! The route guard of `account`: [`super::ROUTES`] enforced by the shared guard, with the
//! caller resolved from the session (bearer or `sessionid` cookie) and refusals rendered by
//! this dialect (401, 403,).

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;

use super::error::ApiError;
use super::extract::find_token;
use crate::domain::access::Requirement;
use crate::domain::identity::{Principal, session};
use crate::error::Error;
use crate::http::guard::{Table, enforce};
use crate::state::AppState;

static TABLE: Table<Requirement> = Table {
    routes: super::ROUTES,
    resolve: |access, _| *access,
};

/// Resolves the session and leaves the principal for the handlers' [`super::extract::Auth`].
struct Caller;

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = find_token(&parts.headers).ok_or(Error::Unauthenticated)?;
        let principal: Principal = session::authenticate(&state.db, &token).await?;
        parts.extensions.insert(principal);
        Ok(Caller)
    }
}

pub async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    enforce::<Caller, _>(&TABLE, &state, req, next).await
}
