//! What a trade needs to know about the animals it sells: that they exist, are alive, and are
//! outside any drug withdrawal period (the health records of the farms part).

use std::collections::HashMap;

use chrono::NaiveDate;
use sqlx::AnyConnection;

use crate::db::Sql;
use crate::error::{Error, OrderRefusal, Result};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnimalFacts {
    pub code: String,
    pub name: String,
    pub breed: String,
    pub dead: bool,
}

impl AnimalFacts {
    /// The line name of an animal sent without one: its name, else its breed, else its code.
    pub fn display_name(&self) -> String {
        [&self.name, &self.breed, &self.code]
            .into_iter()
            .find(|s| !s.trim().is_empty())
            .cloned()
            .unwrap_or_default()
    }
}

pub async fn animals(conn: &mut AnyConnection, ids: &[i64]) -> Result<HashMap<i64, AnimalFacts>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut sql =
        Sql::new("SELECT id, code, name, breed, health_status FROM animals WHERE id IN (");
    sql.bind_list(ids.iter().copied()).push(")");
    let rows: Vec<(i64, String, String, String, String)> = sql.query_as().fetch_all(conn).await?;
    Ok(rows
        .into_iter()
        .map(|(id, code, name, breed, health)| {
            (
                id,
                AnimalFacts {
                    code,
                    name,
                    breed,
                    dead: health == "dead",
                },
            )
        })
        .collect())
}

/// Refuses (50001) when one of `animal_ids` is inside a withdrawal period on `today`, naming
/// the animal and the first day it may be sold again. The period itself is the farms part's
/// ([`super::health::active_withdrawal`]); only the refusal (an order-state refusal, 50001) is
/// the trade's.
pub async fn ensure_outside_withdrawal(
    conn: &mut AnyConnection,
    animal_ids: &[i64],
    today: NaiveDate,
) -> Result<()> {
    match super::health::active_withdrawal(conn, animal_ids, today).await? {
        None => Ok(()),
        Some(w) => Err(Error::OrderState(OrderRefusal::Withdrawal {
            animal_id: w.animal_id,
            code: w.code,
            ends: w.ends.format("%Y-%m-%d").to_string(),
        })),
    }
}
