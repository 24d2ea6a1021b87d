//! The `ops_v1` dialect (`/api/v1`): the OPS API v1 manual. Contract: `CONTRACT.md`.
//!
//! Every route of the dialect is listed twice, on purpose, in this one file: in [`ROUTES`]
//! with what it requires, and in [`router`] with its handler. The route guard
//! ([`guard::guard`], through [`crate::http::guard`]) enforces the table; a routed path
//! missing from it is refused to everyone, and a unit test checks the router against it.

mod config;
mod error;
mod extract;
mod files;
mod guard;
pub mod openapi;
pub mod oplog;
mod purchase;
mod reply;
mod system;
mod users;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use crate::domain::access::routes::{RouteRule, rule};
use crate::domain::access::{Level, Requirement};
use crate::state::AppState;

use Requirement::{Login, Public};
const ADMIN: Requirement = Requirement::Level(Level::Admin);

/// Every route of the dialect and what it requires.
pub const ROUTES: &[RouteRule] = &[
    // 用户
    rule("POST", "/users/register", Public),
    rule("POST", "/users/login", Public),
    rule("POST", "/users/logout", Login),
    rule("GET", "/users/profile", Login),
    rule("PUT", "/users/profile", Login),
    rule("POST", "/users/forgot-password", Public),
    rule("POST", "/users/reset-password", Public),
    // 采购: each user sees and changes their own orders (the domain scopes them).
    rule("POST", "/purchase/getorders", Login),
    rule("POST", "/purchase/addorder", Login),
    rule("GET", "/purchase/orders", Login),
    rule("POST", "/purchase/orders", Login),
    rule("GET", "/purchase/orders/{id}", Login),
    rule("PUT", "/purchase/orders/{id}", Login),
    rule("DELETE", "/purchase/orders/{id}", Login),
    // 系统
    rule("GET", "/system/status", Public),
    rule("GET", "/system/config", ADMIN),
    rule("PUT", "/system/config", ADMIN),
    // 文件: records are the owner's; contents are addressed by hash and public.
    rule("POST", "/files/upload", Login),
    rule("GET", "/files/list", Login),
    rule("GET", "/files/{file_id}", Login),
    rule("DELETE", "/files/{file_id}", Login),
    rule("GET", "/files/download/{hash}", Public),
    rule("GET", "/files/get/{hash}", Public),
];

pub fn router(state: &AppState) -> Router<AppState> {
    Router::<extract::OpsState>::new()
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
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            guard::guard,
        ))
        .merge(crate::http::openapi::router(
            &state.config.dialects.ops_v1.prefix,
            openapi::document(&state.config.dialects.ops_v1.prefix),
        ))
        .fallback(error::not_found)
        .method_not_allowed_fallback(error::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            extract::body_token,
        ))
        .with_state(extract::OpsState::new(state.clone()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_routed_path_is_in_the_table_once() {
        crate::domain::access::routes::assert_table_covers(super::ROUTES, "src/dialects/ops_v1");
    }
}
