//! The route guard of `hanzi`: [`super::ROUTES`] enforced by the shared guard, with the
//! caller resolved from the JWT (refreshing it in `New-Token`) and refusals rendered by this
//! dialect (401 `AUTH-10000001`, 403 `AUTH-10000002`).

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use super::HanziAccess;
use super::extract::Hanzi;
use crate::domain::access::Requirement;
use crate::http::guard::{Table, enforce};
use crate::state::AppState;

static TABLE: Table<HanziAccess> = Table {
    routes: super::ROUTES,
    resolve,
};

fn resolve(access: &HanziAccess, state: &AppState) -> Requirement {
    match access {
        HanziAccess::Is(r) => *r,
        HanziAccess::UserRead if state.config.dialects.hanzi.public_users => Requirement::Public,
        HanziAccess::UserRead => Requirement::Login,
    }
}

pub async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    enforce::<Hanzi, _>(&TABLE, &state, req, next).await
}
