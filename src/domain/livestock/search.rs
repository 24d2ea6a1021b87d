//! The `keyword` filters of the farm and animal lists, answered from the trigram tables
//! `farm_search` and `animal_search` (migration `…32`: one row per farm / animal, `rowid` its
//! id, `search_text` its searched columns as `lower()` gives them, joined by newlines; an FTS5
//! `trigram` table in SQLite, a `pg_trgm` GIN index in PostgreSQL). The conditions are the
//! purchase search's coarse/exact pair ([`crate::domain::purchase::search`]): a plain `LIKE` the
//! index answers, then the literal `LIKE … ESCAPE` on the same text. The exact condition is
//! the one the lists always applied to each column (`lower(column) LIKE pattern`), so the
//! matches are the same; a term with no run of three ordinary characters scans the table.

use crate::db::Sql;
use crate::domain::purchase::search::SearchTerm;

/// The term to look up, or `None` when the table cannot answer it: a keyword containing the
/// column separator (it could match across two columns) or longer than the search allows.
pub(crate) fn term(keyword: &str) -> Option<SearchTerm> {
    if keyword.contains('\n') {
        return None;
    }
    SearchTerm::parse("keyword", keyword).ok().flatten()
}

/// `{id} IN (SELECT s.rowid FROM {table} s WHERE …)`; with `window`, only that window of the
/// matches, newest (highest id) first.
pub(crate) fn push_ids(
    sql: &mut Sql,
    id: &str,
    table: &str,
    term: &SearchTerm,
    window: Option<(i64, i64)>,
) {
    sql.push(&format!("{id} IN (SELECT s.rowid FROM {table} s WHERE "));
    term.push_match(sql);
    if window.is_some() {
        sql.push(" ORDER BY s.rowid DESC").window(window);
    }
    sql.push(")");
}

/// The number of rows of `table` that match.
pub(crate) fn count(table: &str, term: &SearchTerm) -> Sql {
    let mut sql = Sql::new(&format!("SELECT COUNT(*) FROM {table} s WHERE "));
    term.push_match(&mut sql);
    sql
}
