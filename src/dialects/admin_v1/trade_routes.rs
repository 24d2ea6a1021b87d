//! §7 订单 and §8 财务: the routes of trade orders and financial records (merged into the
//! dialect's router; their rules are in [`super::ROUTES`]).

use axum::Router;
use axum::routing::{get, post};

use super::extract::AdminState;
use super::{finance, orders};

pub fn router() -> Router<AdminState> {
    Router::new()
        .route("/orders", get(orders::list).post(orders::create))
        .route(
            "/orders/{id}",
            get(orders::detail)
                .put(orders::update)
                .delete(orders::delete),
        )
        .route("/orders/{id}/audit", post(orders::audit))
        .route("/orders/{id}/pay", post(orders::pay))
        .route("/orders/{id}/ship", post(orders::ship))
        .route("/orders/{id}/deliver", post(orders::deliver))
        .route("/orders/{id}/complete", post(orders::complete))
        .route("/orders/{id}/cancel", post(orders::cancel))
        .route("/orders/{id}/refund", post(orders::refund))
        .route(
            "/financial-records",
            get(finance::list).post(finance::create),
        )
        .route("/financial-records/statistics", get(finance::statistics))
        .route(
            "/financial-records/{id}",
            get(finance::detail)
                .put(finance::update)
                .delete(finance::delete),
        )
}
