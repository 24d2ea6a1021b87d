//! 当量 (key equivalence): measurements the hanzi web client uploads as `{user, model, data}`
//! and lists for everyone, oldest first. `data` is a JSON array kept exactly as sent (as
//! text); `user` and `model` are the client's own labels.

use futures_util::Stream;
use serde_json::Value;
use sqlx::Row;

use crate::db::{self, Db};
use crate::error::{Error, Kind, Problem, Result, Violations};

/// Longest `user` / `model` label accepted, in characters.
const LABEL_MAX: usize = 255;

/// Rows per round trip while streaming the list (a row may hold up to a request's size).
const STREAM_BATCH: i64 = 32;

/// A validated upload.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEquivalence {
    user: String,
    model: String,
    data: Value,
}

impl NewEquivalence {
    /// Parses `{user, model, data}`: two labels (1–255 characters, no control characters) and
    /// a JSON array.
    pub fn parse(body: &Value) -> Result<Self> {
        let Some(obj) = body.as_object() else {
            return Err(Error::invalid(
                "body",
                Problem::WrongType {
                    expected: Kind::Object,
                    got: None,
                },
            ));
        };
        let mut v = Violations::new();
        let mut label = |key: &str| match obj.get(key) {
            None => {
                v.add(key, Problem::Required);
                None
            }
            // No control characters: U+0000 cannot even be stored by PostgreSQL.
            Some(Value::String(s))
                if !s.is_empty()
                    && s.chars().count() <= LABEL_MAX
                    && !s.chars().any(char::is_control) =>
            {
                Some(s.clone())
            }
            Some(Value::String(s)) if s.chars().any(char::is_control) => {
                v.add(key, Problem::ForbiddenCharacter);
                None
            }
            Some(Value::String(_)) => {
                v.add(
                    key,
                    Problem::Length {
                        min: 1,
                        max: LABEL_MAX,
                    },
                );
                None
            }
            Some(_) => {
                v.add(
                    key,
                    Problem::WrongType {
                        expected: Kind::String,
                        got: None,
                    },
                );
                None
            }
        };
        let user = label("user");
        let model = label("model");
        let data = match obj.get("data") {
            None => {
                v.add("data", Problem::Required);
                None
            }
            Some(d @ Value::Array(_)) => Some(d.clone()),
            Some(_) => {
                v.add(
                    "data",
                    Problem::WrongType {
                        expected: Kind::Array,
                        got: None,
                    },
                );
                None
            }
        };
        v.into_result()?;
        match (user, model, data) {
            (Some(user), Some(model), Some(data)) => Ok(Self { user, model, data }),
            _ => Err(Error::invalid("body", Problem::Required)),
        }
    }
}

/// A stored upload; `data` is its JSON array as text, ready to be written out unparsed.
#[derive(Debug, Clone, PartialEq)]
pub struct Equivalence {
    pub id: i64,
    pub user: String,
    pub model: String,
    pub data: String,
}

/// Stores one upload, posted by the account `posted_by`.
pub async fn create(db: &Db, posted_by: i64, new: &NewEquivalence) -> Result<()> {
    sqlx::query(
        "INSERT INTO glyph_equivalences (user_name, model, data, posted_by, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&new.user)
    .bind(&new.model)
    .bind(new.data.to_string())
    .bind(posted_by)
    .bind(db::now())
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Up to `limit` uploads with an id above `after`, oldest first.
pub async fn after(db: &Db, after: i64, limit: i64) -> Result<Vec<Equivalence>> {
    let rows = sqlx::query(
        "SELECT id, user_name, model, data FROM glyph_equivalences WHERE id > $1 \
         ORDER BY id LIMIT $2",
    )
    .bind(after)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Equivalence {
                id: r.try_get("id")?,
                user: r.try_get("user_name")?,
                model: r.try_get("model")?,
                data: r.try_get("data")?,
            })
        })
        .collect()
}

/// Every upload, oldest first, as a stream of batches: one short keyset query per batch, so
/// memory stays at one batch however many uploads there are.
pub fn stream_all(db: Db) -> impl Stream<Item = Result<Vec<Equivalence>>> + Send + 'static {
    futures_util::stream::unfold(Some(0_i64), move |cursor| {
        let db = db.clone();
        async move {
            let last = cursor?;
            match after(&db, last, STREAM_BATCH).await {
                Ok(batch) if batch.is_empty() => None,
                Ok(batch) => {
                    let next = (batch.len() as i64 == STREAM_BATCH)
                        .then(|| batch.last().map(|e| e.id))
                        .flatten();
                    Some((Ok(batch), next))
                }
                Err(e) => Some((Err(e), None)),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn fields_of(err: Error) -> Vec<String> {
        match err {
            Error::Invalid(f) => f.into_iter().map(|f| f.field).collect(),
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    #[test]
    fn an_upload_needs_two_labels_and_an_array() {
        let ok = NewEquivalence::parse(&json!({"user": "chai", "model": "m1", "data": [[1, 2]]}))
            .unwrap();
        assert_eq!(ok.data, json!([[1, 2]]));
        for (body, fields) in [
            (
                json!({"user": "chai", "model": "m1", "data": {"a": 1}}),
                vec!["data"],
            ),
            (
                json!({"user": "chai", "model": "m1", "data": "[1]"}),
                vec!["data"],
            ),
            (json!({"user": "chai", "model": "m1"}), vec!["data"]),
            (
                json!({"user": "", "model": 5, "data": []}),
                vec!["user", "model"],
            ),
            (json!({"model": "m", "data": []}), vec!["user"]),
            (
                json!({"user": "a\u{0}b", "model": "m", "data": []}),
                vec!["user"],
            ),
        ] {
            assert_eq!(fields_of(NewEquivalence::parse(&body).unwrap_err()), fields);
        }
        let long = "x".repeat(256);
        assert!(NewEquivalence::parse(&json!({"user": long, "model": "m", "data": []})).is_err());
        assert!(NewEquivalence::parse(&json!([1])).is_err());
    }
}
