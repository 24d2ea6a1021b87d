//! The `account` dialect (`/account`): the Django-style account API (document
//! `003_ea9ddc67cc366037.txt`). Contract: `CONTRACT.md`.
//!
//! Every route of the dialect is listed here. All but login and logout pass the API-rule
//! guard ([`extract::guard`]): a session is required, and a caller who is not a superuser
//! needs an API permission matching the method and the path as sent.

mod auth;
mod backendapi;
pub(crate) mod error;
mod extract;
mod form;
mod groups;
pub mod oplog;
mod page;
mod permissions;
mod reply;
mod users;

use axum::Router;
use axum::routing::{delete, get, post};

use crate::state::AppState;

pub fn router(state: &AppState) -> Router<AppState> {
    let public = Router::new()
        .route("/login", post(auth::login))
        .route("/logout", get(auth::logout).post(auth::logout));
    let protected = Router::new()
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
        .route("/group", get(groups::list).post(groups::create))
        .route("/group/multiple_delete", delete(groups::delete_many))
        .route(
            "/group/{pk}",
            get(groups::retrieve)
                .put(groups::replace)
                .patch(groups::patch)
                .delete(groups::destroy),
        )
        .route(
            "/group/{pk}/permission",
            post(groups::add).delete(groups::remove),
        )
        .route(
            "/backendapi",
            get(backendapi::list).post(backendapi::create),
        )
        .route(
            "/backendapi/multiple_delete",
            delete(backendapi::delete_many),
        )
        .route(
            "/backendapi/{pk}",
            get(backendapi::retrieve)
                .put(backendapi::replace)
                .patch(backendapi::patch)
                .delete(backendapi::destroy),
        )
        .route(
            "/permission",
            get(permissions::list).post(permissions::create),
        )
        .route(
            "/permission/multiple_delete",
            delete(permissions::delete_many),
        )
        .route(
            "/permission/{pk}",
            get(permissions::retrieve)
                .put(permissions::replace)
                .patch(permissions::patch)
                .delete(permissions::destroy),
        )
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            extract::guard,
        ));
    public
        .merge(protected)
        .fallback(error::not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
}
