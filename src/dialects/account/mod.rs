//! The `account` dialect (`/account`): the Django-style account API (document
//! `003_ea9ddc67cc366037.txt`). Contract: `CONTRACT.md`.
//!
//! Every route of the dialect is listed twice, on purpose, in this one file: in [`ROUTES`]
//! with what it requires, and in [`router`] with its handler. The route guard
//! ([`guard::guard`], through [`crate::http::guard`]) enforces the table: all but login and
//! logout need a session and, unless the caller is a superuser, an API permission matching
//! the method and the full path as sent. A routed path missing from the table is refused to
//! everyone, and a unit test checks the router against it.

mod auth;
mod backendapi;
pub(crate) mod error;
mod extract;
mod form;
mod groups;
mod guard;
pub mod openapi;
pub mod oplog;
mod page;
mod permissions;
mod reply;
mod users;
mod viewset;

use axum::Router;
use axum::routing::{delete, get, post};
use backendapi::BackendApis;
use groups::Groups;
use permissions::ApiPermissions;

use crate::domain::access::Requirement::{self, ApiRule, Public};
use crate::domain::access::routes::{RouteRule, rule};
use crate::state::AppState;

/// Every route of the dialect and what it requires.
pub const ROUTES: &[RouteRule<Requirement>] = &[
    rule("POST", "/login", Public),
    // Logout ends the presented session if there is one; without one it is a no-op.
    rule("GET", "/logout", Public),
    rule("POST", "/logout", Public),
    rule("GET", "/user", ApiRule),
    rule("POST", "/user", ApiRule),
    rule("DELETE", "/user/multiple_delete", ApiRule),
    rule("DELETE", "/usr/multiple_delete", ApiRule),
    rule("GET", "/user/{pk}", ApiRule),
    rule("PUT", "/user/{pk}", ApiRule),
    rule("PATCH", "/user/{pk}", ApiRule),
    rule("DELETE", "/user/{pk}", ApiRule),
    rule("GET", "/group", ApiRule),
    rule("POST", "/group", ApiRule),
    rule("DELETE", "/group/multiple_delete", ApiRule),
    rule("GET", "/group/{pk}", ApiRule),
    rule("PUT", "/group/{pk}", ApiRule),
    rule("PATCH", "/group/{pk}", ApiRule),
    rule("DELETE", "/group/{pk}", ApiRule),
    rule("POST", "/group/{pk}/permission", ApiRule),
    rule("DELETE", "/group/{pk}/permission", ApiRule),
    rule("GET", "/backendapi", ApiRule),
    rule("POST", "/backendapi", ApiRule),
    rule("DELETE", "/backendapi/multiple_delete", ApiRule),
    rule("GET", "/backendapi/{pk}", ApiRule),
    rule("PUT", "/backendapi/{pk}", ApiRule),
    rule("PATCH", "/backendapi/{pk}", ApiRule),
    rule("DELETE", "/backendapi/{pk}", ApiRule),
    rule("GET", "/permission", ApiRule),
    rule("POST", "/permission", ApiRule),
    rule("DELETE", "/permission/multiple_delete", ApiRule),
    rule("GET", "/permission/{pk}", ApiRule),
    rule("PUT", "/permission/{pk}", ApiRule),
    rule("PATCH", "/permission/{pk}", ApiRule),
    rule("DELETE", "/permission/{pk}", ApiRule),
];

pub fn router(state: &AppState) -> Router<AppState> {
    let public = Router::<extract::AccountState>::new()
        .route("/login", post(auth::login))
        .route("/logout", get(auth::logout).post(auth::logout));
    let protected = Router::<extract::AccountState>::new()
        .route("/user", get(users::list).post(users::create))
        .route("/user/multiple_delete", delete(users::delete_many))
        .route("/usr/multiple_delete", delete(users::delete_many))
        .route(
            "/user/{pk}",
            get(users::retrieve)
                .put(users::replace)
                .patch(users::patch)
                .delete(users::destroy),
        )
        .route(
            "/group",
            get(viewset::list::<Groups>).post(viewset::create::<Groups>),
        )
        .route(
            "/group/multiple_delete",
            delete(viewset::delete_many::<Groups>),
        )
        .route(
            "/group/{pk}",
            get(viewset::retrieve::<Groups>)
                .put(viewset::replace::<Groups>)
                .patch(viewset::patch::<Groups>)
                .delete(viewset::destroy::<Groups>),
        )
        .route(
            "/group/{pk}/permission",
            post(groups::add).delete(groups::remove),
        )
        .route(
            "/backendapi",
            get(viewset::list::<BackendApis>).post(viewset::create::<BackendApis>),
        )
        .route(
            "/backendapi/multiple_delete",
            delete(viewset::delete_many::<BackendApis>),
        )
        .route(
            "/backendapi/{pk}",
            get(viewset::retrieve::<BackendApis>)
                .put(viewset::replace::<BackendApis>)
                .patch(viewset::patch::<BackendApis>)
                .delete(viewset::destroy::<BackendApis>),
        )
        .route(
            "/permission",
            get(viewset::list::<ApiPermissions>).post(viewset::create::<ApiPermissions>),
        )
        .route(
            "/permission/multiple_delete",
            delete(viewset::delete_many::<ApiPermissions>),
        )
        .route(
            "/permission/{pk}",
            get(viewset::retrieve::<ApiPermissions>)
                .put(viewset::replace::<ApiPermissions>)
                .patch(viewset::patch::<ApiPermissions>)
                .delete(viewset::destroy::<ApiPermissions>),
        );
    public
        .merge(protected)
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            guard::guard,
        ))
        .merge(crate::http::openapi::router(
            &state.config.dialects.account.prefix,
            openapi::document(&state.config.dialects.account.prefix),
        ))
        .fallback(error::not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
        .with_state(extract::AccountState::new(state.clone()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_routed_path_is_in_the_table_once() {
        crate::domain::access::routes::assert_table_covers(super::ROUTES, "src/dialects/account");
    }
}
