//! Substring search over an order's title, part name, remark and tracking number that stays
//! fast at a million orders, with one SQL text for SQLite and PostgreSQL.
//!
//! Each order has one row in `purchase_search` (`rowid` = order id, `search_text` = the four
//! fields, lower-cased here in Rust so both engines see the same text). The table is a trigram
//! index on both engines: an FTS5 table with the `trigram` tokenizer in SQLite, a GIN
//! `gin_trgm_ops` index in PostgreSQL. Both serve `search_text LIKE '%…%'` from the index —
//! but FTS5 only for a plain two-argument `LIKE`, not for `LIKE … ESCAPE`. So a search is two
//! conditions on the same column:
//!
//! * a *coarse* `LIKE $n` whose pattern is the term with every `%`, `_` and `\` turned into the
//!   `%` wildcard: it matches a superset of the literal matches, needs no escape character,
//!   and is what FTS5 (and pg_trgm) answer from the index;
//! * an *exact* `LIKE $m ESCAPE '\'` ([`crate::db::like_pattern`]) that keeps only literal
//!   matches among those candidates.
//!
//! A term without a run of three ordinary characters gives the trigram index nothing to look
//! up, so the coarse condition is left out and the exact one scans (about 0.1–0.3 s at a million
//! orders).

use crate::db::{Sql, like_pattern};
use crate::error::{Error, Problem, Result};

/// The longest search term, in characters.
pub const TERM_MAX: usize = 100;

/// Separates the fields in the indexed text, so a term does not match across two fields.
const FIELD_SEPARATOR: char = '\n';

/// The text indexed for an order.
pub fn document(title: &str, part_name: &str, remark: &str, tracking_number: &str) -> String {
    let mut text = String::with_capacity(
        title.len() + part_name.len() + remark.len() + tracking_number.len() + 3,
    );
    for (i, field) in [title, part_name, remark, tracking_number]
        .into_iter()
        .enumerate()
    {
        if i > 0 {
            text.push(FIELD_SEPARATOR);
        }
        text.push_str(field);
    }
    text.to_lowercase()
}

/// A non-empty search term, matched literally and case-insensitively.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchTerm(String);

impl SearchTerm {
    /// Trims the input; blank input means "no search" (`None`).
    pub fn parse(field: &str, input: &str) -> Result<Option<Self>> {
        let term = input.trim();
        if term.is_empty() {
            return Ok(None);
        }
        if term.chars().count() > TERM_MAX {
            return Err(Error::invalid(field, Problem::TooLong { max: TERM_MAX }));
        }
        Ok(Some(Self(term.to_lowercase())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The exact pattern, for `LIKE $n ESCAPE '\'`.
    pub fn exact_pattern(&self) -> String {
        like_pattern(&self.0)
    }

    /// Appends "`s.search_text` contains the term" for a search table aliased `s` (purchase
    /// orders, farms, animals): the coarse pattern the trigram index answers, then the exact
    /// one. The exact one is written on `(s.search_text || '')` to keep it out of the index:
    /// PostgreSQL's generic plan for a prepared statement cannot see the pattern, and for a
    /// term without trigrams a GIN scan reads the whole index (about 5× slower than a
    /// sequential scan at a million orders).
    pub fn push_match(&self, sql: &mut Sql) {
        if let Some(coarse) = self.coarse_pattern() {
            sql.push("s.search_text LIKE ").bind(coarse).push(" AND ");
        }
        sql.push("(s.search_text || '') LIKE ")
            .bind(self.exact_pattern())
            .push(" ESCAPE '\\'");
    }

    /// The index-friendly superset pattern, for a plain `LIKE $n`; `None` when the term has
    /// no run of three ordinary characters for a trigram index to use.
    pub fn coarse_pattern(&self) -> Option<String> {
        let is_meta = |c: char| matches!(c, '%' | '_' | '\\');
        let longest_run = self
            .0
            .split(is_meta)
            .map(|run| run.chars().count())
            .max()
            .unwrap_or(0);
        if longest_run < 3 {
            return None;
        }
        let mut pattern = String::with_capacity(self.0.len() + 2);
        pattern.push('%');
        for c in self.0.chars() {
            if is_meta(c) {
                if !pattern.ends_with('%') {
                    pattern.push('%');
                }
            } else {
                pattern.push(c);
            }
        }
        if !pattern.ends_with('%') {
            pattern.push('%');
        }
        Some(pattern)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn term(s: &str) -> SearchTerm {
        SearchTerm::parse("search", s).unwrap().unwrap()
    }

    #[test]
    fn blank_terms_mean_no_search_and_long_ones_are_refused() {
        assert_eq!(SearchTerm::parse("search", "  ").unwrap(), None);
        assert!(SearchTerm::parse("search", &"x".repeat(TERM_MAX + 1)).is_err());
        assert_eq!(term("  Server ").as_str(), "server");
    }

    #[test]
    fn the_exact_pattern_escapes_metacharacters() {
        assert_eq!(term("50%_off\\").exact_pattern(), "%50\\%\\_off\\\\%");
        assert_eq!(term("o'Brien").exact_pattern(), "%o'brien%");
    }

    #[test]
    fn the_coarse_pattern_widens_metacharacters_into_wildcards() {
        assert_eq!(
            term("abc_def").coarse_pattern().as_deref(),
            Some("%abc%def%")
        );
        assert_eq!(term("%%100%").coarse_pattern().as_deref(), Some("%100%"));
        assert_eq!(term("服务器").coarse_pattern().as_deref(), Some("%服务器%"));
        assert_eq!(term("服务").coarse_pattern(), None);
        assert_eq!(term("ab_cd").coarse_pattern(), None);
    }

    #[test]
    fn the_document_is_lower_case_with_fields_kept_apart() {
        assert_eq!(
            document("Server", "CPU", "备注", "TN1"),
            "server\ncpu\n备注\ntn1"
        );
    }
}
