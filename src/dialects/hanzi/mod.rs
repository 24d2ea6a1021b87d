//! The `hanzi` dialect (`/hanzi`, or the root when the prefix is `""`): the character
//! decomposition system's API. Contract: `CONTRACT.md`.
//!
//! Every route of the dialect is listed twice, on purpose, in this one file: in [`ROUTES`]
//! with what it requires, and in [`router`] with its handler. The route guard
//! ([`guard::guard`], through [`crate::http::guard`]) enforces the table; a routed path
//! missing from it is refused to everyone, and a unit test checks the router against it.

mod equivalence;
mod error;
mod extract;
mod guard;
pub mod openapi;
pub mod oplog;
mod repertoire;
mod stream;
mod users;

use axum::Router;
use axum::routing::{get, post, put};
use tower_http::cors::{Any, CorsLayer};

use crate::domain::access::routes::{RouteRule, rule};
use crate::domain::access::{Level, Requirement};
use crate::state::AppState;

/// What a route of this dialect requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HanziAccess {
    Is(Requirement),
    /// The user reads: a login, or anyone when `dialects.hanzi.public_users` restores the
    /// original's public reads (decisions §8).
    UserRead,
}

use HanziAccess::{Is, UserRead};
const PUBLIC: HanziAccess = Is(Requirement::Public);
const LOGIN: HanziAccess = Is(Requirement::Login);
/// Role ≥ 1 (`admin` or super admin).
const ADMIN: HanziAccess = Is(Requirement::Level(Level::Admin));
/// Role 2.
const SUPER_ADMIN: HanziAccess = Is(Requirement::Level(Level::SuperAdmin));

/// Every route of the dialect and what it requires. Who may act on which account is decided
/// past this, by the accounts domain.
pub const ROUTES: &[RouteRule<HanziAccess>] = &[
    rule("POST", "/login", PUBLIC),
    rule("GET", "/users", UserRead),
    // Registration is open; what a logged-in caller may create is the domain's decision.
    rule("POST", "/users", PUBLIC),
    rule("GET", "/users/{id}", UserRead),
    rule("PUT", "/users/{id}", LOGIN),
    rule("DELETE", "/users/{id}", ADMIN),
    rule("PUT", "/users/{id}/promote", SUPER_ADMIN),
    rule("PUT", "/users/{id}/disable", SUPER_ADMIN),
    rule("GET", "/repertoire", PUBLIC),
    rule("POST", "/repertoire", ADMIN),
    rule("PUT", "/repertoire", ADMIN),
    rule("GET", "/repertoire/all", PUBLIC),
    rule("POST", "/repertoire/batch", ADMIN),
    rule("PUT", "/repertoire/batch", ADMIN),
    rule("DELETE", "/repertoire/batch", ADMIN),
    rule("GET", "/repertoire/{unicode}", PUBLIC),
    rule("POST", "/repertoire/{unicode}", ADMIN),
    rule("PUT", "/repertoire/{unicode}", ADMIN),
    rule("DELETE", "/repertoire/{unicode}", ADMIN),
    rule("GET", "/equivalence", PUBLIC),
    rule("POST", "/equivalence", LOGIN),
];

pub fn router(state: &AppState) -> Router<AppState> {
    let hanzi = &state.config.dialects.hanzi;
    // The real web client runs on another origin and reads the refreshed token.
    let cors = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods(Any)
        .allow_headers(Any)
        .expose_headers([extract::NEW_TOKEN.clone()]);
    Router::<extract::HanziState>::new()
        .route("/login", post(users::login))
        .route("/users", get(users::list).post(users::register))
        .route(
            "/users/{id}",
            get(users::get).put(users::update).delete(users::delete),
        )
        .route("/users/{id}/promote", put(users::promote))
        .route("/users/{id}/disable", put(users::disable))
        .route(
            "/repertoire",
            get(repertoire::list)
                .post(repertoire::allocate)
                .put(repertoire::renumber),
        )
        .route("/repertoire/all", get(repertoire::all))
        .route(
            "/repertoire/batch",
            post(repertoire::create_batch)
                .put(repertoire::update_batch)
                .delete(repertoire::delete_batch),
        )
        .route(
            "/repertoire/{unicode}",
            get(repertoire::get)
                .post(repertoire::create)
                .put(repertoire::update)
                .delete(repertoire::delete),
        )
        .route(
            "/equivalence",
            get(equivalence::list).post(equivalence::create),
        )
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            guard::guard,
        ))
        .merge(crate::http::openapi::router(
            &hanzi.prefix,
            openapi::document(&hanzi.prefix, hanzi.public_users),
        ))
        .fallback(error::not_found)
        .method_not_allowed_fallback(error::not_found)
        .layer(axum::middleware::from_fn(extract::new_token))
        .layer(cors)
        .with_state(extract::HanziState::new(state.clone()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_routed_path_is_in_the_table_once() {
        crate::domain::access::routes::assert_table_covers(super::ROUTES, "src/dialects/hanzi");
    }
}
