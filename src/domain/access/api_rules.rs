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

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, RwLock};

use regex::{Regex, RegexBuilder};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::db::{self, Db, Sql, Update};
use crate::domain::identity::Principal;
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackendApi {
    pub id: i64,
    pub name: Option<String>,
    pub pattern: String,
    pub app_name: Option<String>,
    pub comment: Option<String>,
}

impl BackendApi {
    fn from_row(row: &AnyRow) -> sqlx::Result<Self> {
        Ok(Self {
            id: row.try_get("id")?,
            name: row.try_get("name")?,
            pattern: row.try_get("pattern")?,
            app_name: row.try_get("app_name")?,
            comment: row.try_get("comment")?,
        })
    }
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiPermission {
    pub id: i64,
    pub method: String,
    pub api_id: i64,
}

impl ApiPermission {
    fn from_row(row: &AnyRow) -> sqlx::Result<Self> {
        Ok(Self {
            id: row.try_get("id")?,
            method: row.try_get("method")?,
            api_id: row.try_get("api_id")?,
        })
    }
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

/// A page request: `None` lists everything.
pub type Window = Option<(i64, i64)>;

const API_COLUMNS: &str = "id, name, pattern, app_name, comment";
const PERM_COLUMNS: &str = "id, method, api_id";

/// API permissions are `(method, api)` pairs; the permission tree of admin_v1 also holds
/// entries of type `api` without either (menus' API entries), which are not these.
const OWN_API_ROW: &str = "method IS NOT NULL AND api_id IS NOT NULL";

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

// ----- back-end API patterns -------------------------------------------------------------

/// Lists patterns by id; answers the page and the total count.
pub async fn list_apis(db: &Db, window: Window) -> Result<(Vec<BackendApi>, i64)> {
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM backend_apis")
        .fetch_one(db.pool())
        .await?;
    let mut sql = Sql::new(&format!(
        "SELECT {API_COLUMNS} FROM backend_apis ORDER BY id"
    ));
    sql.window(window);
    let rows = sql.query().fetch_all(db.pool()).await?;
    let items = rows
        .iter()
        .map(BackendApi::from_row)
        .collect::<sqlx::Result<_>>()?;
    Ok((items, total))
}

pub async fn get_api(db: &Db, id: i64) -> Result<BackendApi> {
    let mut conn = db.pool().acquire().await?;
    get_api_in(&mut conn, id).await
}

async fn get_api_in(conn: &mut sqlx::AnyConnection, id: i64) -> Result<BackendApi> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {API_COLUMNS} FROM backend_apis WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(Error::NotFound(Entity::Other))?;
    Ok(BackendApi::from_row(&row)?)
}

/// Creates every pattern or none (one transaction); errors name the item's index when
/// there is more than one.
pub async fn create_apis(db: &Db, items: Vec<NewBackendApi>) -> Result<Vec<BackendApi>> {
    let batch = items.len() > 1;
    for (i, item) in items.iter().enumerate() {
        check_new_api(item).map_err(|e| if batch { at_index(i, e) } else { e })?;
    }
    let now = db::now();
    let mut tx = db.begin().await?;
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO backend_apis (name, pattern, app_name, comment, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $5) RETURNING {API_COLUMNS}"
        )))
        .bind(item.name)
        .bind(item.pattern)
        .bind(item.app_name)
        .bind(item.comment)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        out.push(BackendApi::from_row(&row)?);
    }
    tx.commit().await?;
    Ok(out)
}

/// Applies a partial update; a new pattern is checked like a created one.
pub async fn update_api(db: &Db, id: i64, patch: BackendApiPatch) -> Result<BackendApi> {
    let mut v = Violations::new();
    max_len(
        &mut v,
        "name",
        patch.name.clone().flatten().as_deref(),
        NAME_MAX,
    );
    if let Some(p) = &patch.pattern {
        check_pattern(&mut v, p);
    }
    max_len(
        &mut v,
        "app_name",
        patch.app_name.clone().flatten().as_deref(),
        APP_NAME_MAX,
    );
    max_len(
        &mut v,
        "comment",
        patch.comment.clone().flatten().as_deref(),
        COMMENT_MAX,
    );
    v.into_result()?;
    let mut tx = db.begin().await?;
    get_api_in(&mut tx, id).await?;
    let mut u = Update::table("backend_apis");
    if let Some(name) = patch.name {
        u.set("name", name);
    }
    u.set_opt("pattern", patch.pattern);
    if let Some(app) = patch.app_name {
        u.set("app_name", app);
    }
    if let Some(comment) = patch.comment {
        u.set("comment", comment);
    }
    u.set("updated_at", db::now());
    u.where_id(id).query().execute(&mut *tx).await?;
    let api = get_api_in(&mut tx, id).await?;
    tx.commit().await?;
    Ok(api)
}

/// Deletes every listed pattern (and the permissions on them) or, when one is unknown,
/// nothing.
pub async fn delete_apis(db: &Db, ids: &[i64]) -> Result<()> {
    delete_rows(db, "backend_apis", "", ids, Entity::Other).await
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

// ----- API permissions -------------------------------------------------------------------

fn normalise_method(v: &mut Violations, method: &str) -> String {
    let upper = method.trim().to_ascii_uppercase();
    if !METHODS.contains(&upper.as_str()) {
        v.add(
            "method",
            Problem::NotOneOf {
                allowed: &METHODS,
                got: Some(method.to_owned()),
            },
        );
    }
    upper
}

/// The pair an API permission is unique on.
const UNIQUE_TOGETHER: &[&str] = &["method", "api_id"];

/// Code and name of an API permission row: the code keeps (api, method) pairs unique.
fn code_of(api_id: i64, method: &str) -> String {
    format!("api:{api_id}:{method}")
}

async fn name_of(conn: &mut sqlx::AnyConnection, api_id: i64, method: &str) -> Result<String> {
    let api = get_api_in(conn, api_id).await.map_err(|_| {
        Error::invalid(
            "api_id",
            Problem::UnknownReference {
                entity: Entity::Api,
                id: Some(api_id),
            },
        )
    })?;
    let label = api.name.filter(|n| !n.is_empty()).unwrap_or(api.pattern);
    Ok(format!("{method} {label}"))
}

fn map_duplicate(err: sqlx::Error) -> Error {
    match db::unique_violation(&err) {
        Some(_) => Error::invalid(
            "non_field_errors",
            Problem::NotUniqueTogether {
                fields: UNIQUE_TOGETHER,
            },
        ),
        None => err.into(),
    }
}

/// Lists API permissions by id; answers the page and the total count.
pub async fn list_permissions(db: &Db, window: Window) -> Result<(Vec<ApiPermission>, i64)> {
    let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM permissions WHERE {OWN_API_ROW} AND type = $1"
    )))
    .bind(API_TYPE)
    .fetch_one(db.pool())
    .await?;
    let mut sql = Sql::new(&format!(
        "SELECT {PERM_COLUMNS} FROM permissions WHERE {OWN_API_ROW} AND type = "
    ));
    sql.bind(API_TYPE).push(" ORDER BY id");
    sql.window(window);
    let rows = sql.query().fetch_all(db.pool()).await?;
    let items = rows
        .iter()
        .map(ApiPermission::from_row)
        .collect::<sqlx::Result<_>>()?;
    Ok((items, total))
}

pub async fn get_permission(db: &Db, id: i64) -> Result<ApiPermission> {
    let mut conn = db.pool().acquire().await?;
    get_permission_in(&mut conn, id).await
}

async fn get_permission_in(conn: &mut sqlx::AnyConnection, id: i64) -> Result<ApiPermission> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {PERM_COLUMNS} FROM permissions WHERE id = $1 AND {OWN_API_ROW} AND type = $2"
    )))
    .bind(id)
    .bind(API_TYPE)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(Error::NotFound(Entity::Permission))?;
    Ok(ApiPermission::from_row(&row)?)
}

/// Creates every permission or none (one transaction). A method outside [`METHODS`], an
/// unknown `api_id` or a second permission for the same (method, api) pair is refused.
pub async fn create_permissions(
    db: &Db,
    items: Vec<NewApiPermission>,
) -> Result<Vec<ApiPermission>> {
    let batch = items.len() > 1;
    let wrap = |i: usize, e: Error| if batch { at_index(i, e) } else { e };
    let mut methods = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let mut v = Violations::new();
        methods.push(normalise_method(&mut v, &item.method));
        v.into_result().map_err(|e| wrap(i, e))?;
    }
    let now = db::now();
    let mut tx = db.begin().await?;
    let mut out = Vec::with_capacity(items.len());
    for (i, (item, method)) in items.into_iter().zip(methods).enumerate() {
        let name = name_of(&mut tx, item.api_id, &method)
            .await
            .map_err(|e| wrap(i, e))?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO permissions (name, code, type, method, api_id, status, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, 1, $6, $6) RETURNING {PERM_COLUMNS}"
        )))
        .bind(name)
        .bind(code_of(item.api_id, &method))
        .bind(API_TYPE)
        .bind(method)
        .bind(item.api_id)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| wrap(i, map_duplicate(e)))?;
        out.push(ApiPermission::from_row(&row)?);
    }
    tx.commit().await?;
    Ok(out)
}

/// Applies a partial update (method and/or pattern).
pub async fn update_permission(
    db: &Db,
    id: i64,
    patch: ApiPermissionPatch,
) -> Result<ApiPermission> {
    let mut v = Violations::new();
    let method = patch.method.map(|m| normalise_method(&mut v, &m));
    v.into_result()?;
    let mut tx = db.begin().await?;
    let current = get_permission_in(&mut tx, id).await?;
    let method = method.unwrap_or(current.method);
    let api_id = patch.api_id.unwrap_or(current.api_id);
    let name = name_of(&mut tx, api_id, &method).await?;
    let mut u = Update::table("permissions");
    u.set("method", method.as_str())
        .set("api_id", api_id)
        .set("code", code_of(api_id, &method))
        .set("name", name)
        .set("updated_at", db::now());
    u.where_id(id)
        .query()
        .execute(&mut *tx)
        .await
        .map_err(map_duplicate)?;
    let perm = get_permission_in(&mut tx, id).await?;
    tx.commit().await?;
    Ok(perm)
}

/// Deletes every listed API permission or, when one is unknown, nothing.
pub async fn delete_permissions(db: &Db, ids: &[i64]) -> Result<()> {
    delete_rows(
        db,
        "permissions",
        " AND type = 'api'",
        ids,
        Entity::Permission,
    )
    .await
}

// ----- the check -----------------------------------------------------------------------

/// Compiled patterns by text. Bounded: cleared when it grows past [`CACHE_MAX`] entries.
static COMPILED: LazyLock<RwLock<HashMap<String, Option<Arc<Regex>>>>> =
    LazyLock::new(|| RwLock::new(HashMap::new()));
const CACHE_MAX: usize = 10_000;

/// The compiled form of `pattern`, compiled at most once per process; `None` for a pattern
/// that does not compile (one stored by other means), which then matches nothing.
fn compiled(pattern: &str) -> Option<Arc<Regex>> {
    if let Ok(cache) = COMPILED.read()
        && let Some(hit) = cache.get(pattern)
    {
        return hit.clone();
    }
    let built = match compile(pattern) {
        Ok(re) => Some(Arc::new(re)),
        Err(e) => {
            tracing::warn!(%pattern, error = %e, "stored API pattern does not compile; it matches nothing");
            None
        }
    };
    if let Ok(mut cache) = COMPILED.write() {
        if cache.len() >= CACHE_MAX {
            cache.clear();
        }
        cache.insert(pattern.to_owned(), built.clone());
    }
    built
}

/// Whether `principal` may call `method path` under the API rules. Superusers always may.
/// `path` is the request path as sent, prefix included. `HEAD` is allowed by `GET`.
pub async fn allows(db: &Db, principal: &Principal, method: &str, path: &str) -> Result<bool> {
    if principal.is_super_admin() {
        return Ok(true);
    }
    let method = method.to_ascii_uppercase();
    let alt = if method == "HEAD" { "GET" } else { "ALL" };
    let patterns: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT b.pattern FROM permissions p JOIN backend_apis b ON b.id = p.api_id \
         WHERE p.type = 'api' AND p.status = 1 AND upper(p.method) IN ($2, $3, 'ALL') AND p.id IN ( \
           SELECT up.permission_id FROM user_permissions up WHERE up.user_id = $1 \
           UNION \
           SELECT rp.permission_id FROM role_permissions rp \
           JOIN user_roles ur ON ur.role_id = rp.role_id \
           JOIN roles r ON r.id = rp.role_id \
           WHERE ur.user_id = $1 AND r.status = 1)",
    )
    .bind(principal.user.id)
    .bind(method)
    .bind(alt)
    .fetch_all(db.pool())
    .await?;
    Ok(patterns
        .iter()
        .any(|p| compiled(p).is_some_and(|re| re.is_match(path))))
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
    fn methods_are_upper_cased_and_checked() {
        let mut v = Violations::new();
        assert_eq!(normalise_method(&mut v, "get"), "GET");
        assert!(v.is_empty());
        normalise_method(&mut v, "FETCH");
        assert!(!v.is_empty());
    }

    #[test]
    fn compiled_patterns_are_cached_and_search_the_path() {
        let re = compiled("^/account/user/").unwrap();
        assert!(re.is_match("/account/user/"));
        assert!(re.is_match("/account/user/5/"));
        assert!(!re.is_match("/account/group/"));
        assert!(Arc::ptr_eq(&re, &compiled("^/account/user/").unwrap()));
        assert!(compiled("(").is_none());
    }

    #[test]
    fn batch_errors_carry_the_index() {
        let err = at_index(2, Error::invalid("pattern", Problem::Blank));
        assert_eq!(err.first_field().unwrap().field, "2.pattern");
    }
}
