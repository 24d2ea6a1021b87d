//! The routes of §10 数据统计 and §13 通知管理 (their rules are in [`super::ROUTES`]).

use axum::Router;
use axum::routing::{get, post};

use super::extract::AdminState;
use super::{notifications, statistics};

pub fn router() -> Router<AdminState> {
    Router::new()
        .route("/dashboard/statistics", get(statistics::dashboard))
        .route("/statistics/users", get(statistics::users))
        .route(
            "/notifications",
            get(notifications::list).post(notifications::create),
        )
        .route("/notifications/read-all", post(notifications::read_all))
        .route("/notifications/stream", get(notifications::stream))
        .route("/notifications/{id}/read", post(notifications::read))
}
