//! Django-style API rules: back-end API patterns (`backend_apis`: a URL regex) and API
//! permissions (`permissions` rows of type `api`: an HTTP method on one pattern), plus the one
//! check that decides whether a caller may reach an API route.
//!
//! A non-superuser reaches a route only when they hold — directly (`user_permissions`) or
//! through an enabled group (`role_permissions` of a role they are a member of) — an enabled
//! API permission whose method matches the request's and whose pattern matches the full
//! request path as sent (prefix included, e.g. `^/account/user/`).
//!
//! Compiled patterns are cached in memory keyed by the pattern text itself: the permission
//! rows and their pattern texts are read from the database on every check, so a changed,
//! added or deleted pattern or permission takes effect on the next request on every node,
//! while a pattern is compiled only once per process.
//!
//! * [`patterns`] — the back-end API patterns.
//! * [`permissions`] — the API permissions on them.
//! * [`check`] — the check and its cache of compiled patterns.

mod check;
mod patterns;
mod permissions;

pub use check::allows;
pub use patterns::{create_apis, delete_apis, get_api, list_apis, update_api};
pub use permissions::{
    create_permissions, delete_permissions, get_permission, list_permissions, update_permission,
};

use regex::{Regex, RegexBuilder};

use crate::db::{Db, Sql};
use crate::error::{Entity, Error, Format, Problem, Result, Violations};

/// The `type` of permission rows that are API rules.
pub const API_TYPE: &str = "api";

/// Methods an API permission may name; `ALL` matches every method.
pub const METHODS: [&str; 8] = [
    "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ALL",
];

/// Column limits of the documented data dictionary.
pub const NAME_MAX: usize = 50;
pub const PATTERN_MAX: usize = 100;
pub const APP_NAME_MAX: usize = 30;
pub const COMMENT_MAX: usize = 100;

/// One back-end API pattern.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct BackendApi {
    pub id: i64,
    pub name: Option<String>,
    pub pattern: String,
    pub app_name: Option<String>,
    pub comment: Option<String>,
}

/// A new pattern; optional texts that are empty are stored as given (Django keeps `""`).
#[derive(Debug, Clone, Default)]
pub struct NewBackendApi {
    pub name: Option<String>,
    pub pattern: String,
    pub app_name: Option<String>,
    pub comment: Option<String>,
}

/// A partial update: `None` leaves a field alone; `Some(None)` clears a nullable one.
#[derive(Debug, Clone, Default)]
pub struct BackendApiPatch {
    pub name: Option<Option<String>>,
    pub pattern: Option<String>,
    pub app_name: Option<Option<String>>,
    pub comment: Option<Option<String>>,
}

/// One API permission: a method on a pattern.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ApiPermission {
    pub id: i64,
    pub method: String,
    pub api_id: i64,
}

#[derive(Debug, Clone, Default)]
pub struct NewApiPermission {
    pub method: String,
    pub api_id: i64,
}

#[derive(Debug, Clone, Default)]
pub struct ApiPermissionPatch {
    pub method: Option<String>,
    pub api_id: Option<i64>,
}

const API_COLUMNS: &str = "id, name, pattern, app_name, comment";
const PERM_COLUMNS: &str = "id, method, api_id";

/// The one definition of an account API permission, as a condition on the `permissions`
/// row named `alias`: type `api` with both a method and an API. The admin permission tree
/// also holds `api` rows without either (menus' API entries); those are never listed,
/// granted, replaced or checked as API permissions, wherever the question is asked.
pub(crate) fn push_is_api_permission<'s>(sql: &'s mut Sql, alias: &str) -> &'s mut Sql {
    sql.push(&format!("({alias}.type = "))
        .bind(API_TYPE)
        .push(&format!(
            " AND {alias}.method IS NOT NULL AND {alias}.api_id IS NOT NULL)"
        ))
}

fn max_len(v: &mut Violations, field: &str, value: Option<&str>, max: usize) {
    if value.is_some_and(|s| s.chars().count() > max) {
        v.add(field, Problem::TooLong { max });
    }
}

/// Compiles a pattern with bounded size, as the check will.
fn compile(pattern: &str) -> std::result::Result<Regex, regex::Error> {
    RegexBuilder::new(pattern)
        .size_limit(1 << 20)
        .dfa_size_limit(1 << 20)
        .build()
}

/// A pattern is refused at write time when it is empty, too long or not a valid regex.
fn check_pattern(v: &mut Violations, pattern: &str) {
    if pattern.trim().is_empty() {
        v.add("pattern", Problem::Blank);
    } else if pattern.chars().count() > PATTERN_MAX {
        max_len(v, "pattern", Some(pattern), PATTERN_MAX);
    } else if compile(pattern).is_err() {
        v.add("pattern", Problem::BadFormat(Format::Regex));
    }
}

/// Checks a pattern as a write would (blank, length, regex syntax).
pub fn validate_pattern(pattern: &str) -> Result<()> {
    let mut v = Violations::new();
    check_pattern(&mut v, pattern);
    v.into_result()
}

fn check_new_api(new: &NewBackendApi) -> Result<()> {
    let mut v = Violations::new();
    max_len(&mut v, "name", new.name.as_deref(), NAME_MAX);
    check_pattern(&mut v, &new.pattern);
    max_len(&mut v, "app_name", new.app_name.as_deref(), APP_NAME_MAX);
    max_len(&mut v, "comment", new.comment.as_deref(), COMMENT_MAX);
    v.into_result()
}

/// Prefixes every invalid field with the item's index (`"2.pattern"`), for batch writes.
pub fn at_index(index: usize, err: Error) -> Error {
    match err {
        Error::Invalid(fields) => Error::Invalid(
            fields
                .into_iter()
                .map(|mut f| {
                    f.field = format!("{index}.{}", f.field);
                    f
                })
                .collect(),
        ),
        Error::Conflict {
            field,
            problem,
            value,
        } => Error::Conflict {
            field: format!("{index}.{field}"),
            problem,
            value,
        },
        other => other,
    }
}

/// `DELETE FROM <table> WHERE id IN (ids) <extra>` in one transaction; an unknown id
/// rolls everything back with `NotFound(entity)`.
async fn delete_rows(db: &Db, table: &str, extra: &str, ids: &[i64], entity: Entity) -> Result<()> {
    let mut unique = ids.to_vec();
    unique.sort_unstable();
    unique.dedup();
    let mut tx = db.begin().await?;
    let mut sql = Sql::new(&format!("DELETE FROM {table} WHERE id IN ("));
    sql.bind_list(unique.iter().copied()).push(")").push(extra);
    let done = sql.query().execute(&mut *tx).await?;
    if done.rows_affected() != unique.len() as u64 {
        return Err(Error::NotFound(entity));
    }
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_patterns_are_refused_with_the_field_named() {
        let mut v = Violations::new();
        check_pattern(&mut v, "^/account/user/(");
        let err = v.into_result().unwrap_err();
        assert_eq!(err.first_field().unwrap().field, "pattern");
        let mut v = Violations::new();
        check_pattern(&mut v, "^/account/user/");
        assert!(v.is_empty());
        let mut v = Violations::new();
        check_pattern(&mut v, &"a".repeat(101));
        assert!(!v.is_empty());
    }

    #[test]
    fn batch_errors_carry_the_index() {
        let err = at_index(2, Error::invalid("pattern", Problem::Blank));
        assert_eq!(err.first_field().unwrap().field, "2.pattern");
    }
}
