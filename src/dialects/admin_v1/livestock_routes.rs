//! §5–6 养殖场 / 动物: the routes of farms, animal categories, animals and health records
//! (merged into the dialect's router; their rules are in [`super::ROUTES`]).

use axum::Router;
use axum::routing::{get, post};

use super::extract::AdminState;
use super::{animal_categories, animals, farms, health_records};

pub fn router() -> Router<AdminState> {
    Router::new()
        .route("/farms", get(farms::list).post(farms::create))
        .route(
            "/farms/{id}",
            get(farms::detail).put(farms::update).delete(farms::delete),
        )
        .route("/farms/{id}/audit", post(farms::audit))
        .route("/farms/{id}/statistics", get(farms::statistics))
        .route(
            "/animal-categories",
            get(animal_categories::list).post(animal_categories::create),
        )
        .route(
            "/animal-categories/{id}",
            get(animal_categories::detail)
                .put(animal_categories::update)
                .delete(animal_categories::delete),
        )
        .route("/animals", get(animals::list).post(animals::create))
        .route(
            "/animals/{id}",
            get(animals::detail)
                .put(animals::update)
                .delete(animals::delete),
        )
        .route(
            "/animals/{id}/health-records",
            get(health_records::list).post(health_records::create),
        )
}
