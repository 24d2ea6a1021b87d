//! The parent rules, checked inside the write that sets them: a father is male and a mother
//! female, both born before the child (when both birth dates are known), and neither is the
//! animal itself or one of its descendants, so the family tree never has a cycle.
//!
//! Two writes could each pass the check alone and close a cycle together (A's father := B
//! while B's father := A). Every write that changes parents, sex or birth date therefore
//! first takes the write lock of the one `livestock_locks` row named `lineage`: on PostgreSQL
//! the row lock serialises those writes (and each statement after it sees what the previous
//! writer committed); on SQLite the update makes the transaction the single writer.

use chrono::NaiveDate;
use sqlx::AnyConnection;

use super::animal::{FEMALE, MALE};
use super::fields;
use crate::error::{Problem, Result, Rule, Violations};

/// Takes the lineage lock for the rest of the transaction.
pub(crate) async fn lock(conn: &mut AnyConnection) -> Result<()> {
    sqlx::query("UPDATE livestock_locks SET version = version + 1 WHERE name = 'lineage'")
        .execute(conn)
        .await?;
    Ok(())
}

/// What the rules need of the animal being written.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Child {
    /// `None` for a new animal (it has no descendants yet).
    pub id: Option<i64>,
    pub birth_date: Option<NaiveDate>,
}

/// Checks both parents of `child` (under [`lock`]); violations go to `v`.
pub(crate) async fn check_parents(
    conn: &mut AnyConnection,
    v: &mut Violations,
    child: Child,
    father_id: Option<i64>,
    mother_id: Option<i64>,
) -> Result<()> {
    for (field, parent, sex) in [
        ("father_id", father_id, MALE),
        ("mother_id", mother_id, FEMALE),
    ] {
        let Some(parent) = parent else { continue };
        if Some(parent) == child.id {
            v.add(field, Problem::Rule(Rule::OwnParent));
            continue;
        }
        let row: Option<(i64, Option<String>)> =
            sqlx::query_as("SELECT gender, birth_date FROM animals WHERE id = $1")
                .bind(parent)
                .fetch_optional(&mut *conn)
                .await?;
        let Some((gender, born)) = row else {
            fields::unknown(v, field);
            continue;
        };
        if gender != sex {
            v.add(field, Problem::Rule(Rule::ParentWrongSex));
            continue;
        }
        let born = born.as_deref().and_then(fields::parse_date);
        if let (Some(parent_born), Some(child_born)) = (born, child.birth_date)
            && parent_born >= child_born
        {
            v.add(field, Problem::Rule(Rule::ParentNotOlder));
            continue;
        }
        if let Some(id) = child.id
            && is_descendant(conn, id, parent).await?
        {
            v.add(field, Problem::Rule(Rule::ParentIsDescendant));
        }
    }
    Ok(())
}

/// Whether `candidate` descends from `ancestor`. `UNION` (not `UNION ALL`) stops at animals
/// already seen, so even a damaged tree cannot make the walk endless.
async fn is_descendant(conn: &mut AnyConnection, ancestor: i64, candidate: i64) -> Result<bool> {
    let hit: Option<i64> = sqlx::query_scalar(
        "WITH RECURSIVE d (id) AS ( \
             SELECT id FROM animals WHERE father_id = $1 OR mother_id = $1 \
             UNION \
             SELECT a.id FROM animals a JOIN d ON a.father_id = d.id OR a.mother_id = d.id \
         ) SELECT id FROM d WHERE id = $2 LIMIT 1",
    )
    .bind(ancestor)
    .bind(candidate)
    .fetch_optional(conn)
    .await?;
    Ok(hit.is_some())
}

/// Checks that `child`'s new sex and birth date still fit the animals recorded as its
/// offspring (an animal that fathered calves stays male; a parent stays older than its young).
pub(crate) async fn check_offspring(
    conn: &mut AnyConnection,
    v: &mut Violations,
    id: i64,
    gender: i64,
    birth_date: Option<NaiveDate>,
) -> Result<()> {
    let (as_father, as_mother, youngest_first): (i64, i64, Option<String>) = sqlx::query_as(
        "SELECT \
             CAST(COALESCE(SUM(CASE WHEN father_id = $1 THEN 1 ELSE 0 END), 0) AS BIGINT), \
             CAST(COALESCE(SUM(CASE WHEN mother_id = $1 THEN 1 ELSE 0 END), 0) AS BIGINT), \
             MIN(birth_date) \
         FROM animals WHERE father_id = $1 OR mother_id = $1",
    )
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    if (as_father > 0 && gender != MALE) || (as_mother > 0 && gender != FEMALE) {
        v.add("gender", Problem::Rule(Rule::ParentGenderLocked));
    }
    let earliest_child = youngest_first.as_deref().and_then(fields::parse_date);
    if let (Some(born), Some(child)) = (birth_date, earliest_child)
        && born >= child
    {
        v.add("birth_date", Problem::Rule(Rule::BornAfterOffspring));
    }
    Ok(())
}
