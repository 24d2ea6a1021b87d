//! "Every id of this list names a row": one check for every list of references a request
//! carries (role permissions, group members, user roles, …).

use super::Sql;
use crate::error::{Entity, Error, Problem, Result};

/// Checks that every id of `ids` names a row of `table`, and answers them sorted and without
/// repeats. The first unknown id (in ascending order) fails the call as
/// [`Problem::UnknownReference`] on `field`, so dialects can name it (DRF shows the id).
///
/// `table` is a constant of the caller, never input: it is written into the SQL text.
pub async fn require_existing(
    conn: &mut sqlx::AnyConnection,
    table: &'static str,
    entity: Entity,
    field: &str,
    ids: &[i64],
) -> Result<Vec<i64>> {
    let mut unique = ids.to_vec();
    unique.sort_unstable();
    unique.dedup();
    if unique.is_empty() {
        return Ok(unique);
    }
    let mut sql = Sql::new(&format!("SELECT id FROM {table} WHERE id IN ("));
    sql.bind_list(unique.iter().copied()).push(")");
    let mut found: Vec<i64> = sql.query_scalar().fetch_all(&mut *conn).await?;
    found.sort_unstable();
    if let Some(&missing) = unique.iter().find(|id| found.binary_search(id).is_err()) {
        return Err(Error::invalid(
            field,
            Problem::UnknownReference {
                entity,
                id: Some(missing),
            },
        ));
    }
    Ok(unique)
}
