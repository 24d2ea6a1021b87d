//! The `ops_v1` dialect (`/api/v1`): the OPS API v1 manual. Contract: `CONTRACT.md`.
//!
//! Every route of the dialect is listed here.

mod config;
mod error;
mod extract;
mod files;
mod purchase;
mod reply;
mod system;
mod users;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use crate::state::AppState;

pub fn router(state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/users/register", post(users::register))
        .route("/users/login", post(users::login))
        .route("/users/logout", post(users::logout))
        .route(
            "/users/profile",
            get(users::profile).put(users::update_profile),
        )
        .route("/users/forgot-password", post(users::forgot_password))
        .route("/users/reset-password", post(users::reset_password))
        .route("/purchase/getorders", post(purchase::get_orders))
        .route("/purchase/addorder", post(purchase::create))
        .route(
            "/purchase/orders",
            get(purchase::orders).post(purchase::create),
        )
        .route(
            "/purchase/orders/{id}",
            get(purchase::detail)
                .put(purchase::replace)
                .delete(purchase::delete),
        )
        .route("/system/status", get(system::status))
        // The upload enforces `file_max_size` itself while streaming.
        .route(
            "/files/upload",
            post(files::upload).layer(DefaultBodyLimit::disable()),
        )
        .route("/files/list", get(files::list))
        .route("/files/{file_id}", get(files::info).delete(files::delete))
        .route("/files/download/{hash}", get(files::download))
        .route("/files/get/{hash}", get(files::preview))
        .route(
            "/system/config",
            get(config::get_config).put(config::put_config),
        )
        .fallback(error::not_found)
        .method_not_allowed_fallback(error::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            extract::body_token,
        ))
}
