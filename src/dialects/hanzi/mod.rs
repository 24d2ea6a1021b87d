//! The `hanzi` dialect (`/hanzi`, or the root when the prefix is `""`): the character
//! decomposition system's API. Contract: `CONTRACT.md`.
//!
//! Every route of the dialect is listed here.

mod equivalence;
mod error;
mod extract;
mod repertoire;
mod stream;
mod users;

use axum::Router;
use axum::routing::{get, post, put};
use tower_http::cors::{Any, CorsLayer};

use crate::state::AppState;

pub fn router(_state: &AppState) -> Router<AppState> {
    // The real web client runs on another origin and reads the refreshed token.
    let cors = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods(Any)
        .allow_headers(Any)
        .expose_headers([extract::NEW_TOKEN.clone()]);
    Router::new()
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
        .fallback(error::not_found)
        .method_not_allowed_fallback(error::not_found)
        .layer(axum::middleware::from_fn(extract::new_token))
        .layer(cors)
}
