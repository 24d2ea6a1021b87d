//! §5–6 养殖场 / 动物: the wire helpers the farm, animal-category, animal and health-record
//! handlers share. Their routes are in `livestock_routes.rs`, their rules in `mod.rs`
//! (`ROUTES`).

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serializer};

use crate::domain::livestock::Field;
use crate::state::AppState;

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
