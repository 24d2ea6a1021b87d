//! §5–6 养殖场 / 动物: the routes of farms, animal categories, animals and health records,
//! and the wire helpers they share. Their rows of the route table are in `mod.rs` (`ROUTES`).

use axum::Router;
use axum::routing::{get, post};
use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serializer};

use super::{animal_categories, animals, farms, health_records};
use crate::domain::livestock::Field;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
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

/// Reads a body field as a [`Field`]: with `#[serde(default)]` an absent field stays `None`,
/// `null` becomes `Some(None)`.
pub fn field<'de, D, T>(d: D) -> Result<Field<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// Hundredths of a percent as a JSON number with two decimals (`5333` → `53.33`).
pub fn percent<S: Serializer>(value: &i64, s: S) -> Result<S::Ok, S::Error> {
    crate::domain::livestock::money::serialize_hundredths(*value, s)
}

/// The server's calendar day.
pub fn today(state: &AppState) -> NaiveDate {
    chrono::Utc::now().with_timezone(&state.tz).date_naive()
}
