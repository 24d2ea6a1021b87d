//! A small dynamic-SQL builder that numbers placeholders `$1, $2, …` for every engine.
//!
//! (sqlx's own `QueryBuilder<Any>` writes `?`, which PostgreSQL rejects.) Used for the
//! statements whose shape depends on input: list filters and partial updates. Only values are
//! bound; column names and SQL fragments must come from code, never from input.

use std::fmt::Write;

use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::{Query, QueryAs, QueryScalar};
use sqlx::{Any, Arguments, AssertSqlSafe, FromRow};

/// A value to bind.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Int(Option<i64>),
    Float(Option<f64>),
    Text(Option<String>),
}

impl From<i64> for Val {
    fn from(v: i64) -> Self {
        Val::Int(Some(v))
    }
}
impl From<Option<i64>> for Val {
    fn from(v: Option<i64>) -> Self {
        Val::Int(v)
    }
}
impl From<bool> for Val {
    fn from(v: bool) -> Self {
        Val::Int(Some(i64::from(v)))
    }
}
impl From<f64> for Val {
    fn from(v: f64) -> Self {
        Val::Float(Some(v))
    }
}
impl From<Option<f64>> for Val {
    fn from(v: Option<f64>) -> Self {
        Val::Float(v)
    }
}
impl From<String> for Val {
    fn from(v: String) -> Self {
        Val::Text(Some(v))
    }
}
impl From<&str> for Val {
    fn from(v: &str) -> Self {
        Val::Text(Some(v.to_owned()))
    }
}
impl From<Option<String>> for Val {
    fn from(v: Option<String>) -> Self {
        Val::Text(v)
    }
}

/// SQL text plus its bound values.
#[derive(Debug, Default, Clone)]
pub struct Sql {
    text: String,
    args: Vec<Val>,
}

impl Sql {
    pub fn new(text: &str) -> Self {
        Self {
            text: text.to_owned(),
            args: Vec::new(),
        }
    }

    /// Appends SQL from code.
    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends a placeholder for `value`.
    pub fn bind(&mut self, value: impl Into<Val>) -> &mut Self {
        self.args.push(value.into());
        let _ = write!(self.text, "${}", self.args.len());
        self
    }

    /// Appends `$a, $b, …` for every value (for `IN (…)`); an empty list writes `NULL`,
    /// which matches nothing.
    pub fn bind_list<V: Into<Val>>(&mut self, values: impl IntoIterator<Item = V>) -> &mut Self {
        let mut first = true;
        for v in values {
            if !first {
                self.text.push_str(", ");
            }
            first = false;
            self.bind(v);
        }
        if first {
            self.text.push_str("NULL");
        }
        self
    }

    /// Appends `(…), (…)`: one parenthesised tuple of placeholders per row (for a multi-row
    /// `INSERT … VALUES`).
    pub fn bind_rows<'a>(&mut self, rows: impl IntoIterator<Item = &'a [Val]>) -> &mut Self {
        for (i, row) in rows.into_iter().enumerate() {
            self.text.push_str(if i == 0 { "(" } else { ", (" });
            for (j, v) in row.iter().enumerate() {
                if j > 0 {
                    self.text.push_str(", ");
                }
                self.bind(v.clone());
            }
            self.text.push(')');
        }
        self
    }

    /// Appends ` LIMIT $a OFFSET $b` for a `(limit, offset)` window; nothing for `None`
    /// (every row).
    pub fn window(&mut self, window: Option<(i64, i64)>) -> &mut Self {
        if let Some((limit, offset)) = window {
            self.push(" LIMIT ")
                .bind(limit)
                .push(" OFFSET ")
                .bind(offset);
        }
        self
    }

    pub fn sql(&self) -> &str {
        &self.text
    }

    /// The statement with its arguments, built once: the values move into sqlx's argument
    /// buffer instead of being cloned per execution. A statement used twice is cloned by its
    /// caller, visibly.
    pub fn query(self) -> Query<'static, Any, AnyArguments> {
        let (text, args) = self.into_parts();
        sqlx::query_with(AssertSqlSafe(text), args)
    }

    pub fn query_as<T>(self) -> QueryAs<'static, Any, T, AnyArguments>
    where
        T: for<'r> FromRow<'r, AnyRow>,
    {
        let (text, args) = self.into_parts();
        sqlx::query_as_with(AssertSqlSafe(text), args)
    }

    pub fn query_scalar<T>(self) -> QueryScalar<'static, Any, T, AnyArguments>
    where
        (T,): for<'r> FromRow<'r, AnyRow>,
    {
        let (text, args) = self.into_parts();
        sqlx::query_scalar_with(AssertSqlSafe(text), args)
    }

    /// The one bind loop.
    fn into_parts(self) -> (String, AnyArguments) {
        let mut args = AnyArguments::default();
        args.reserve(self.args.len(), 0);
        for a in self.args {
            // Encoding an i64, f64 or String into the Any buffer cannot fail.
            let _ = match a {
                Val::Int(v) => args.add(v),
                Val::Float(v) => args.add(v),
                Val::Text(v) => args.add(v),
            };
        }
        (self.text, args)
    }
}

/// Builds `UPDATE <table> SET a = $1, b = $2 … WHERE id = $n` from the columns a patch sets.
#[derive(Debug)]
pub struct Update {
    sql: Sql,
    empty: bool,
}

impl Update {
    pub fn table(table: &str) -> Self {
        Self {
            sql: Sql::new(&format!("UPDATE {table} SET ")),
            empty: true,
        }
    }

    pub fn set(&mut self, column: &str, value: impl Into<Val>) -> &mut Self {
        if !self.empty {
            self.sql.push(", ");
        }
        self.empty = false;
        self.sql.push(column).push(" = ").bind(value);
        self
    }

    /// Sets the column only when the patch carries a value for it.
    pub fn set_opt<V: Into<Val>>(&mut self, column: &str, value: Option<V>) -> &mut Self {
        if let Some(v) = value {
            self.set(column, v);
        }
        self
    }

    pub fn is_empty(&self) -> bool {
        self.empty
    }

    /// Finishes with `WHERE id = $n`.
    pub fn where_id(mut self, id: i64) -> Sql {
        self.sql.push(" WHERE id = ").bind(id);
        self.sql
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_in_order() {
        let mut sql = Sql::new("SELECT * FROM t WHERE a = ");
        sql.bind(1_i64)
            .push(" AND b IN (")
            .bind_list(["x", "y"])
            .push(")");
        assert_eq!(sql.sql(), "SELECT * FROM t WHERE a = $1 AND b IN ($2, $3)");
    }

    #[test]
    fn rows_are_tuples_of_placeholders() {
        let mut sql = Sql::new("INSERT INTO t (a, b) VALUES ");
        let rows = [
            vec![Val::from(1_i64), Val::from("x")],
            vec![Val::from(2_i64), Val::from("y")],
        ];
        sql.bind_rows(rows.iter().map(Vec::as_slice));
        assert_eq!(sql.sql(), "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)");
    }

    #[test]
    fn empty_in_list_matches_nothing() {
        let mut sql = Sql::new("id IN (");
        sql.bind_list(Vec::<i64>::new()).push(")");
        assert_eq!(sql.sql(), "id IN (NULL)");
    }

    #[test]
    fn update_lists_only_set_columns() {
        let mut u = Update::table("users");
        u.set("email", Some("a@b.c".to_owned()))
            .set_opt::<i64>("phone", None)
            .set("updated_at", 5_i64);
        assert_eq!(
            u.where_id(7).sql(),
            "UPDATE users SET email = $1, updated_at = $2 WHERE id = $3"
        );
    }
}
