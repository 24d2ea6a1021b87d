//! The route guard of `ops_v1`: [`super::ROUTES`] enforced by the shared guard, with the
//! caller resolved from any of the manual's three token transports and refusals rendered by
//! this dialect (`-3`/401, `-6`/403).

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use super::extract::OpsV1;
use crate::domain::access::Requirement;
use crate::http::guard::{Table, enforce};
use crate::state::AppState;

static TABLE: Table<Requirement> = Table {
    routes: super::ROUTES,
    resolve: |access, _| *access,
};

pub async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    enforce::<OpsV1, _>(&TABLE, &state, req, next).await
}
