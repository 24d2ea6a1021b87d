//! The route guard of `account`: [`super::ROUTES`] enforced by the shared guard, with the
//! caller resolved from the session (bearer or `sessionid` cookie) and refusals rendered by
//! this dialect (401, 403,).

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use super::extract::Account;
use crate::domain::access::Requirement;
use crate::http::guard::{Table, enforce};
use crate::state::AppState;

static TABLE: Table<Requirement> = Table {
    routes: super::ROUTES,
    resolve: |access, _| *access,
};

pub async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    enforce::<Account, _>(&TABLE, &state, req, next).await
}
