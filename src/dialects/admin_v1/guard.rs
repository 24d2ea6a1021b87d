//! The route guard of `admin_v1`: [`super::ROUTES`] enforced by the shared guard, with the
//! caller resolved and refusals rendered by this dialect (10002/401, 10003/403).

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use super::Access;
use super::extract::AdminV1;
use crate::http::guard::{Table, enforce};
use crate::state::AppState;

static TABLE: Table<Access> = Table {
    routes: super::ROUTES,
    resolve: |access, _| access.requirement(),
};

pub async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    enforce::<AdminV1, _>(&TABLE, &state, req, next).await
}
