//! The `keyword` filters of the farm, animal and order lists, answered from the gram tables
//! `farm_grams`, `animal_grams` (migration `…33`) and `trade_order_grams` (`…43`), one SQL text
//! for both engines.
//!
//! Each table holds, per searched column and character position, the bigram, the trigram and
//! the suffix (cut at [`SUFFIX_MAX`] characters, kept when at least 4 are left) found there,
//! once per row id, with the primary key `(gram, id)`. So a term of
//!
//! * 2 or 3 characters is one key: its entries are exactly the matching ids, in id order, so
//!   a page newest first reads only the page's entries and the total counts one key;
//! * 4 to [`SUFFIX_MAX`] characters is a prefix range of the suffixes: exactly the matching
//!   ids (one per occurrence, so `DISTINCT`), as many entries as the term occurs;
//! * longer is the range of its first [`SUFFIX_MAX`] characters: candidates, which the
//!   caller narrows with its `LIKE` on the row;
//! * 1 character has no gram: the caller scans (as before these tables).
//!
//! The gram text is the column as the list's own `LIKE` sees it (`lower()` for farms and
//! animals, `upper()` for order numbers), so the answers are those of a `LIKE '%term%'` scan.
//! Ranges compare bytewise (SQLite's `BINARY`, PostgreSQL's `collate "C"` on the column),
//! which is code-point order for UTF-8.

use crate::db::Sql;
use crate::domain::purchase::search::SearchTerm;

/// The longest suffix stored; the `16` of `search_gram_widths` (migration `…33`).
pub const SUFFIX_MAX: usize = 16;

/// A gram table: its name and the id column it maps grams to.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Grams {
    table: &'static str,
    id: &'static str,
}

impl Grams {
    /// The id column.
    pub(crate) fn id(&self) -> &'static str {
        self.id
    }
}

pub(crate) const FARMS: Grams = Grams {
    table: "farm_grams",
    id: "farm_id",
};
pub(crate) const ANIMALS: Grams = Grams {
    table: "animal_grams",
    id: "animal_id",
};
pub(crate) const ORDERS: Grams = Grams {
    table: "trade_order_grams",
    id: "order_id",
};

/// How a gram table answers a term (already cased as the table's text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Lookup {
    /// A bigram or trigram: its ids are exactly the matches.
    Gram(String),
    /// A prefix of the suffixes: its ids are exactly the matches.
    Prefix(String),
    /// A prefix of the suffixes whose ids are only candidates (the term is longer).
    Candidates(String),
}

impl Lookup {
    /// `None` for a term of fewer than 2 characters: no gram holds it.
    pub(crate) fn of(term: &str) -> Option<Self> {
        match term.chars().count() {
            0 | 1 => None,
            2 | 3 => Some(Self::Gram(term.to_owned())),
            n if n <= SUFFIX_MAX => Some(Self::Prefix(term.to_owned())),
            _ => Some(Self::Candidates(term.chars().take(SUFFIX_MAX).collect())),
        }
    }

    /// Whether the ids are exactly the matches (no `LIKE` on the row needed).
    pub(crate) fn is_exact(&self) -> bool {
        !matches!(self, Self::Candidates(_))
    }

    /// `g.gram = $n`, or the prefix range `g.gram >= $n AND g.gram < $m`.
    fn push_condition(&self, sql: &mut Sql) {
        match self {
            Self::Gram(gram) => {
                sql.push("g.gram = ").bind(gram.as_str());
            }
            Self::Prefix(prefix) | Self::Candidates(prefix) => {
                sql.push("g.gram >= ").bind(prefix.as_str());
                if let Some(end) = prefix_end(prefix) {
                    sql.push(" AND g.gram < ").bind(end);
                }
            }
        }
    }

    /// A range may hold several entries per id (one per occurrence); a gram key one.
    fn distinct(&self) -> &'static str {
        match self {
            Self::Gram(_) => "",
            Self::Prefix(_) | Self::Candidates(_) => "DISTINCT ",
        }
    }
}

/// The lookup of a farm or animal keyword, lower-cased as the lists' `LIKE` sees it; `None`
/// when the gram table cannot answer it (one character, or longer than a search allows: the
/// list scans, as it did before these tables).
pub(crate) fn term(keyword: &str) -> Option<Lookup> {
    let term = SearchTerm::parse("keyword", keyword).ok().flatten()?;
    Lookup::of(term.as_str())
}

/// The smallest string above every string starting with `prefix` (bytewise, which is
/// code-point order in UTF-8); `None` when there is none.
fn prefix_end(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let next = match u32::from(last) + 1 {
            0xD800 => 0xE000,
            n => n,
        };
        if let Some(c) = char::from_u32(next) {
            chars.push(c);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

/// `SELECT [DISTINCT] g.{id} FROM {table} g WHERE …`: the ids the lookup gives, each once
/// (for `x IN (…)` or as a derived table).
pub(crate) fn push_ids(sql: &mut Sql, grams: Grams, lookup: &Lookup) {
    sql.push(&format!(
        "SELECT {}g.{} FROM {} g WHERE ",
        lookup.distinct(),
        grams.id,
        grams.table
    ));
    lookup.push_condition(sql);
}

/// ` AND {id} IN (…)`: the row's id is one the lookup gives.
pub(crate) fn push_in(sql: &mut Sql, id: &str, grams: Grams, lookup: &Lookup) {
    sql.push(&format!(" AND {id} IN ("));
    push_ids(sql, grams, lookup);
    sql.push(")");
}

/// `{id} IN (…)`: one window of an exact lookup's ids, newest (highest id) first. A gram key
/// is read backwards from its end, so the window costs its own entries only.
pub(crate) fn push_window(
    sql: &mut Sql,
    id: &str,
    grams: Grams,
    lookup: &Lookup,
    window: (i64, i64),
) {
    sql.push(&format!("{id} IN ("));
    push_ids(sql, grams, lookup);
    sql.push(&format!(" ORDER BY g.{} DESC", grams.id))
        .window(Some(window));
    sql.push(")");
}

/// The number of ids an exact lookup gives.
pub(crate) fn count(grams: Grams, lookup: &Lookup) -> Sql {
    let counted = match lookup {
        Lookup::Gram(_) => "*".to_owned(),
        Lookup::Prefix(_) | Lookup::Candidates(_) => format!("DISTINCT g.{}", grams.id),
    };
    let mut sql = Sql::new(&format!(
        "SELECT COUNT({counted}) FROM {} g WHERE ",
        grams.table
    ));
    lookup.push_condition(&mut sql);
    sql
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_are_looked_up_by_their_length() {
        assert_eq!(Lookup::of("a"), None);
        assert_eq!(Lookup::of("成都"), Some(Lookup::Gram("成都".into())));
        assert_eq!(Lookup::of("pig"), Some(Lookup::Gram("pig".into())));
        assert_eq!(
            Lookup::of("pig0001"),
            Some(Lookup::Prefix("pig0001".into()))
        );
        let long = "x".repeat(SUFFIX_MAX + 3);
        assert_eq!(
            Lookup::of(&long),
            Some(Lookup::Candidates("x".repeat(SUFFIX_MAX)))
        );
        assert!(!Lookup::of(&long).unwrap().is_exact());
    }

    #[test]
    fn prefix_ranges_end_above_every_extension() {
        assert_eq!(prefix_end("pig0").as_deref(), Some("pig1"));
        assert_eq!(prefix_end("成都").as_deref(), Some("成郾"));
        assert_eq!(prefix_end("a\u{D7FF}").as_deref(), Some("a\u{E000}"));
        assert_eq!(prefix_end("a\u{10FFFF}").as_deref(), Some("b"));
        assert_eq!(prefix_end("\u{10FFFF}"), None);
        let end = prefix_end("100%").unwrap();
        for inside in ["100%", "100%x", "100%\u{10FFFF}"] {
            assert!(inside >= "100%" && inside < end.as_str(), "{inside}");
        }
    }
}
