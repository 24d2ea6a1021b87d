//! The people and farms trade records point at: existence checks inside a write (an unknown id
//! is a violation naming the field) and the small nested objects answers carry.

use std::collections::HashMap;

use sqlx::AnyConnection;

use crate::db::Sql;
use crate::error::{Entity, Problem, Result, Violations};

/// A user as nested in orders and records (`buyer`, `seller`, `user`, `created_by`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRef {
    pub id: i64,
    pub username: String,
    pub real_name: String,
    pub phone: Option<String>,
}

/// A farm as nested in orders and records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FarmRef {
    pub id: i64,
    pub name: String,
    pub address: String,
}

fn distinct(ids: impl IntoIterator<Item = Option<i64>>) -> Vec<i64> {
    let mut ids: Vec<i64> = ids.into_iter().flatten().collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

pub async fn users(
    conn: &mut AnyConnection,
    ids: impl IntoIterator<Item = Option<i64>>,
) -> Result<HashMap<i64, UserRef>> {
    let ids = distinct(ids);
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut sql = Sql::new("SELECT id, username, display_name, phone FROM users WHERE id IN (");
    sql.bind_list(ids).push(")");
    let rows: Vec<(i64, String, String, Option<String>)> = sql.query_as().fetch_all(conn).await?;
    Ok(rows
        .into_iter()
        .map(|(id, username, real_name, phone)| {
            (
                id,
                UserRef {
                    id,
                    username,
                    real_name,
                    phone,
                },
            )
        })
        .collect())
}

pub async fn farms(
    conn: &mut AnyConnection,
    ids: impl IntoIterator<Item = Option<i64>>,
) -> Result<HashMap<i64, FarmRef>> {
    let ids = distinct(ids);
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut sql = Sql::new("SELECT id, name, address FROM farms WHERE id IN (");
    sql.bind_list(ids).push(")");
    let rows: Vec<(i64, String, String)> = sql.query_as().fetch_all(conn).await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, address)| (id, FarmRef { id, name, address }))
        .collect())
}

/// Records a violation on `field` when the user `id` does not exist.
pub async fn require_user(
    conn: &mut AnyConnection,
    v: &mut Violations,
    field: &str,
    id: Option<i64>,
) -> Result<()> {
    if let Some(id) = id {
        let found: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE id = $1")
            .bind(id)
            .fetch_optional(conn)
            .await?;
        if found.is_none() {
            v.add(
                field,
                Problem::UnknownReference {
                    entity: Entity::User,
                    id: Some(id),
                },
            );
        }
    }
    Ok(())
}

/// Records a violation on `field` when the farm `id` does not exist.
pub async fn require_farm(
    conn: &mut AnyConnection,
    v: &mut Violations,
    field: &str,
    id: Option<i64>,
) -> Result<()> {
    if let Some(id) = id {
        let found: Option<i64> = sqlx::query_scalar("SELECT id FROM farms WHERE id = $1")
            .bind(id)
            .fetch_optional(conn)
            .await?;
        if found.is_none() {
            v.add(
                field,
                Problem::UnknownReference {
                    entity: Entity::Other,
                    id: Some(id),
                },
            );
        }
    }
    Ok(())
}
