//! Row counts per list filter value (`livestock_counts`, kept by triggers on `farms` and
//! `animals`): a list with no filter, or with exactly one exact-match filter, reads its total
//! here instead of counting the matching rows.

use crate::db::Db;
use crate::error::Result;

/// The counted table: `farms` or `animals`.
pub(crate) type Subject = &'static str;

/// `("", "")` for no filter, `(column, value as text)` for one filter; `None` when the filters
/// cannot be answered from the counts (a keyword, or several filters).
pub(crate) fn single(
    filters: &[(&'static str, Option<String>)],
    keyword: bool,
) -> Option<(&'static str, String)> {
    if keyword {
        return None;
    }
    let mut set = filters
        .iter()
        .filter_map(|(d, v)| v.as_ref().map(|v| (*d, v.clone())));
    match (set.next(), set.next()) {
        (None, _) => Some(("", String::new())),
        (Some(one), None) => Some(one),
        _ => None,
    }
}

/// The stored count of `subject` rows whose `dimension` is `value` (0 when none ever were).
pub(crate) async fn get(db: &Db, subject: Subject, dimension: &str, value: &str) -> Result<i64> {
    let n: Option<i64> = sqlx::query_scalar(
        "SELECT n FROM livestock_counts WHERE subject = $1 AND dimension = $2 AND value = $3",
    )
    .bind(subject)
    .bind(dimension)
    .bind(value)
    .fetch_optional(db.pool())
    .await?;
    Ok(n.unwrap_or(0).max(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_no_filter_or_one_filter_is_counted() {
        assert_eq!(
            single(&[("a", None), ("b", None)], false),
            Some(("", String::new()))
        );
        assert_eq!(
            single(&[("a", None), ("b", Some("2".into()))], false),
            Some(("b", "2".into()))
        );
        assert_eq!(
            single(&[("a", Some("1".into())), ("b", Some("2".into()))], false),
            None
        );
        assert_eq!(single(&[("a", None)], true), None);
    }
}
