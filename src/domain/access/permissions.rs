//! The permission tree: menus, buttons and API permissions in one table.
//!
//! A permission has an optional `parent_id` (the tree), an optional unique `code` (what
//! routes ask for, e.g. `system:user:view`), a type (`menu`, `button`, `api`), display fields
//! (`path`, `icon`, `sort_order`) and a `status` (a disabled permission grants nothing). An
//! `api` permission may instead carry a Django-style rule (`method` + `api_id`, a row of
//! `backend_apis`); both views live in the same rows.

use std::collections::{HashMap, HashSet};

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::db::{self, Db, Sql, Timestamp, Update};
use crate::error::{Entity, Error, Format, Problem, Result, Rule, Violations};

/// What a permission stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PermissionType {
    /// A navigation entry; shown by `menus_of`.
    Menu,
    /// An action on a page.
    Button,
    /// An API route or rule.
    Api,
}

impl PermissionType {
    pub fn as_str(self) -> &'static str {
        match self {
            PermissionType::Menu => "menu",
            PermissionType::Button => "button",
            PermissionType::Api => "api",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "menu" => Some(PermissionType::Menu),
            "button" => Some(PermissionType::Button),
            "api" => Some(PermissionType::Api),
            _ => None,
        }
    }
}

/// One row of the permission table.
#[derive(Debug, Clone, PartialEq)]
pub struct Permission {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub name: String,
    pub code: Option<String>,
    pub kind: PermissionType,
    pub path: Option<String>,
    pub icon: Option<String>,
    pub sort_order: i64,
    pub enabled: bool,
    /// HTTP method of a Django-style API rule (`GET`, `POST`, …), when one is set.
    pub method: Option<String>,
    /// The `backend_apis` row whose pattern the rule matches, when one is set.
    pub api_id: Option<i64>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

pub(crate) const COLUMNS: &str = "id, parent_id, name, code, type, path, icon, sort_order, status, \
     method, api_id, created_at, updated_at";

impl Permission {
    pub(crate) fn from_row(row: &AnyRow) -> sqlx::Result<Self> {
        let kind: String = row.try_get("type")?;
        Ok(Self {
            id: row.try_get("id")?,
            parent_id: row.try_get("parent_id")?,
            name: row.try_get("name")?,
            code: row.try_get("code")?,
            kind: PermissionType::parse(&kind).unwrap_or(PermissionType::Api),
            path: row.try_get("path")?,
            icon: row.try_get("icon")?,
            sort_order: row.try_get("sort_order")?,
            enabled: row.try_get::<i64, _>("status")? != 0,
            method: row.try_get("method")?,
            api_id: row.try_get("api_id")?,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
        })
    }
}

/// A permission with its children, sorted by `sort_order`, then id.
#[derive(Debug, Clone, PartialEq)]
pub struct PermissionNode {
    pub permission: Permission,
    pub children: Vec<PermissionNode>,
}

/// Arranges rows into a forest. Rows whose parent is not among them become roots; siblings
/// are ordered by `sort_order`, then id.
pub fn build_tree(rows: Vec<Permission>) -> Vec<PermissionNode> {
    let ids: HashSet<i64> = rows.iter().map(|p| p.id).collect();
    let mut by_parent: HashMap<Option<i64>, Vec<Permission>> = HashMap::new();
    for p in rows {
        let parent = p.parent_id.filter(|id| ids.contains(id) && *id != p.id);
        by_parent.entry(parent).or_default().push(p);
    }
    fn attach(
        parent: Option<i64>,
        by_parent: &mut HashMap<Option<i64>, Vec<Permission>>,
    ) -> Vec<PermissionNode> {
        let mut level = by_parent.remove(&parent).unwrap_or_default();
        level.sort_by_key(|p| (p.sort_order, p.id));
        level
            .into_iter()
            .map(|p| {
                let children = attach(Some(p.id), by_parent);
                PermissionNode {
                    permission: p,
                    children,
                }
            })
            .collect()
    }
    attach(None, &mut by_parent)
}

/// Filters of the permission list; `None` means "any".
#[derive(Debug, Clone, Default)]
pub struct PermissionFilter {
    pub kind: Option<PermissionType>,
    /// `Some(None)`: top-level permissions only; `Some(Some(id))`: children of `id`.
    pub parent_id: Option<Option<i64>>,
    pub enabled: Option<bool>,
    /// Matched case-insensitively against name and code.
    pub keyword: Option<String>,
}

/// Every permission that passes the filter, ordered by `sort_order`, then id.
pub async fn list(db: &Db, filter: &PermissionFilter) -> Result<Vec<Permission>> {
    let mut sql = Sql::new(&format!("SELECT {COLUMNS} FROM permissions WHERE 1 = 1"));
    if let Some(kind) = filter.kind {
        sql.push(" AND type = ").bind(kind.as_str());
    }
    match filter.parent_id {
        Some(None) => {
            sql.push(" AND parent_id IS NULL");
        }
        Some(Some(id)) => {
            sql.push(" AND parent_id = ").bind(id);
        }
        None => {}
    }
    if let Some(enabled) = filter.enabled {
        sql.push(" AND status = ").bind(enabled);
    }
    if let Some(k) = filter.keyword.as_deref().filter(|k| !k.is_empty()) {
        let pattern = db::like_pattern(k);
        sql.push(" AND (lower(name) LIKE ")
            .bind(pattern.clone())
            .push(" ESCAPE '\\' OR lower(code) LIKE ")
            .bind(pattern)
            .push(" ESCAPE '\\')");
    }
    sql.push(" ORDER BY sort_order, id");
    let rows = sql.query().fetch_all(db.pool()).await?;
    Ok(rows
        .iter()
        .map(Permission::from_row)
        .collect::<sqlx::Result<_>>()?)
}

/// The whole permission tree.
pub async fn tree(db: &Db) -> Result<Vec<PermissionNode>> {
    Ok(build_tree(list(db, &PermissionFilter::default()).await?))
}

pub async fn get(db: &Db, id: i64) -> Result<Permission> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM permissions WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    .ok_or(Error::NotFound(Entity::Permission))?;
    Ok(Permission::from_row(&row)?)
}

/// The permissions with these ids (unknown ids are skipped), in tree order.
pub async fn by_ids(db: &Db, ids: &[i64]) -> Result<Vec<Permission>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(&format!("SELECT {COLUMNS} FROM permissions WHERE id IN ("));
    sql.bind_list(ids.iter().copied())
        .push(") ORDER BY sort_order, id");
    let rows = sql.query().fetch_all(db.pool()).await?;
    Ok(rows
        .iter()
        .map(Permission::from_row)
        .collect::<sqlx::Result<_>>()?)
}

/// A new permission. Empty optional strings are stored as NULL.
#[derive(Debug, Clone)]
pub struct NewPermission {
    pub parent_id: Option<i64>,
    pub name: String,
    pub code: Option<String>,
    pub kind: PermissionType,
    pub path: Option<String>,
    pub icon: Option<String>,
    pub sort_order: i64,
    pub enabled: bool,
    pub method: Option<String>,
    pub api_id: Option<i64>,
}

impl NewPermission {
    pub fn new(name: impl Into<String>, kind: PermissionType) -> Self {
        Self {
            parent_id: None,
            name: name.into(),
            code: None,
            kind,
            path: None,
            icon: None,
            sort_order: 0,
            enabled: true,
            method: None,
            api_id: None,
        }
    }
}

/// A partial update; `Some(None)` clears a nullable field.
#[derive(Debug, Clone, Default)]
pub struct PermissionPatch {
    pub parent_id: Option<Option<i64>>,
    pub name: Option<String>,
    pub code: Option<Option<String>>,
    pub kind: Option<PermissionType>,
    pub path: Option<Option<String>>,
    pub icon: Option<Option<String>>,
    pub sort_order: Option<i64>,
    pub enabled: Option<bool>,
    pub method: Option<Option<String>>,
    pub api_id: Option<Option<i64>>,
}

const METHODS: [&str; 8] = [
    "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "*",
];

fn blank_to_none(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// A permission code: 1–100 characters of letters, digits and `: _ - . *`.
pub fn check_code(field: &str, code: &str) -> Result<()> {
    let ok = !code.is_empty()
        && code.chars().count() <= 100
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '_' | '-' | '.' | '*'));
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            field,
            Problem::BadFormat(Format::PermissionCode),
        ))
    }
}

fn check_fields(
    v: &mut Violations,
    name: Option<&str>,
    code: Option<&str>,
    path: Option<&str>,
    icon: Option<&str>,
    method: Option<&str>,
) -> Result<()> {
    if let Some(name) = name {
        let n = name.trim().chars().count();
        if n == 0 || n > 100 {
            v.add("name", Problem::Length { min: 1, max: 100 });
        }
    }
    if let Some(code) = code {
        v.check(check_code("code", code))?;
    }
    if path.is_some_and(|p| p.chars().count() > 255) {
        v.add("path", Problem::TooLong { max: 255 });
    }
    if icon.is_some_and(|p| p.chars().count() > 100) {
        v.add("icon", Problem::TooLong { max: 100 });
    }
    if let Some(m) = method
        && !METHODS.contains(&m)
    {
        v.add(
            "method",
            Problem::NotOneOf {
                allowed: &METHODS,
                got: Some(m.to_owned()),
            },
        );
    }
    Ok(())
}

async fn exists(db: &Db, table_sql: &'static str, id: i64) -> Result<bool> {
    let n: i64 = sqlx::query_scalar(table_sql)
        .bind(id)
        .fetch_one(db.pool())
        .await?;
    Ok(n > 0)
}

async fn check_refs(
    db: &Db,
    v: &mut Violations,
    parent_id: Option<i64>,
    api_id: Option<i64>,
) -> Result<()> {
    if let Some(pid) = parent_id
        && !exists(db, "SELECT COUNT(*) FROM permissions WHERE id = $1", pid).await?
    {
        v.add(
            "parent_id",
            Problem::UnknownReference {
                entity: Entity::Permission,
                id: Some(pid),
            },
        );
    }
    if let Some(aid) = api_id
        && !exists(db, "SELECT COUNT(*) FROM backend_apis WHERE id = $1", aid).await?
    {
        v.add(
            "api_id",
            Problem::UnknownReference {
                entity: Entity::Api,
                id: Some(aid),
            },
        );
    }
    Ok(())
}

fn map_unique(err: sqlx::Error) -> Error {
    match db::unique_violation(&err) {
        Some(_) => Error::duplicate("code"),
        None => err.into(),
    }
}

async fn code_taken(db: &Db, code: &str, except: i64) -> Result<bool> {
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM permissions WHERE code = $1 AND id <> $2")
            .bind(code)
            .bind(except)
            .fetch_one(db.pool())
            .await?;
    Ok(n > 0)
}

/// Creates a permission.
///
/// Errors: [`Error::Invalid`] for a bad field or an unknown `parent_id` / `api_id` (each named);
/// [`Error::Conflict`] (`code`) when the code is taken.
pub async fn create(db: &Db, new: NewPermission) -> Result<Permission> {
    let mut new = new;
    new.code = blank_to_none(new.code);
    new.path = blank_to_none(new.path);
    new.icon = blank_to_none(new.icon);
    new.method = blank_to_none(new.method).map(|m| m.to_uppercase());
    let mut v = Violations::new();
    check_fields(
        &mut v,
        Some(&new.name),
        new.code.as_deref(),
        new.path.as_deref(),
        new.icon.as_deref(),
        new.method.as_deref(),
    )?;
    check_refs(db, &mut v, new.parent_id, new.api_id).await?;
    v.into_result()?;
    if let Some(code) = &new.code
        && code_taken(db, code, -1).await?
    {
        return Err(Error::duplicate("code"));
    }
    let now = db::now();
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO permissions (parent_id, name, code, type, path, icon, sort_order, status, \
         method, api_id, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING {COLUMNS}"
    )))
    .bind(new.parent_id)
    .bind(new.name.trim().to_owned())
    .bind(new.code)
    .bind(new.kind.as_str())
    .bind(new.path)
    .bind(new.icon)
    .bind(new.sort_order)
    .bind(i64::from(new.enabled))
    .bind(new.method)
    .bind(new.api_id)
    .bind(now)
    .fetch_one(db.pool())
    .await
    .map_err(map_unique)?;
    Ok(Permission::from_row(&row)?)
}

/// Applies a partial update. A permission cannot become its own ancestor.
pub async fn update(db: &Db, id: i64, patch: PermissionPatch) -> Result<Permission> {
    let current = get(db, id).await?;
    let mut patch = patch;
    patch.code = patch.code.map(blank_to_none);
    patch.path = patch.path.map(blank_to_none);
    patch.icon = patch.icon.map(blank_to_none);
    patch.method = patch
        .method
        .map(|m| blank_to_none(m).map(|m| m.to_uppercase()));
    let mut v = Violations::new();
    check_fields(
        &mut v,
        patch.name.as_deref(),
        patch.code.clone().flatten().as_deref(),
        patch.path.clone().flatten().as_deref(),
        patch.icon.clone().flatten().as_deref(),
        patch.method.clone().flatten().as_deref(),
    )?;
    check_refs(
        db,
        &mut v,
        patch.parent_id.flatten(),
        patch.api_id.flatten(),
    )
    .await?;
    if let Some(Some(pid)) = patch.parent_id
        && v.is_empty()
    {
        // Walk up from the new parent; meeting `id` would make a cycle.
        let all = list(db, &PermissionFilter::default()).await?;
        let parents: HashMap<i64, Option<i64>> = all.iter().map(|p| (p.id, p.parent_id)).collect();
        let mut at = Some(pid);
        let mut steps = 0;
        while let Some(node) = at {
            if node == id {
                v.add("parent_id", Problem::Rule(Rule::WouldCreateCycle));
                break;
            }
            at = parents.get(&node).copied().flatten();
            steps += 1;
            if steps > all.len() {
                break;
            }
        }
    }
    v.into_result()?;
    if let Some(Some(code)) = &patch.code
        && code_taken(db, code, id).await?
    {
        return Err(Error::duplicate("code"));
    }
    let mut u = Update::table("permissions");
    u.set_opt("parent_id", patch.parent_id)
        .set_opt("name", patch.name.map(|n| n.trim().to_owned()))
        .set_opt("code", patch.code)
        .set_opt("type", patch.kind.map(|k| k.as_str()))
        .set_opt("path", patch.path)
        .set_opt("icon", patch.icon)
        .set_opt("sort_order", patch.sort_order)
        .set_opt("status", patch.enabled)
        .set_opt("method", patch.method)
        .set_opt("api_id", patch.api_id)
        .set("updated_at", db::now());
    u.where_id(current.id)
        .query()
        .execute(db.pool())
        .await
        .map_err(map_unique)?;
    get(db, id).await
}

/// Deletes a permission and its subtree (role and user links go with them).
pub async fn delete(db: &Db, id: i64) -> Result<()> {
    let done = sqlx::query("DELETE FROM permissions WHERE id = $1")
        .bind(id)
        .execute(db.pool())
        .await?;
    if done.rows_affected() == 0 {
        return Err(Error::NotFound(Entity::Permission));
    }
    Ok(())
}

/// One node of a built-in permission tree (see [`super::catalog`]).
#[derive(Debug, Clone, Copy)]
pub struct SeedNode {
    pub code: &'static str,
    /// Code of the parent node; `None` for a top-level node.
    pub parent: Option<&'static str>,
    pub name: &'static str,
    pub kind: PermissionType,
    pub path: Option<&'static str>,
    pub icon: Option<&'static str>,
    pub sort_order: i64,
}

/// Inserts the nodes whose code is missing, parents first, and grants every newly inserted
/// node to the roles `grant_to` (by code). Idempotent: existing rows — possibly edited by an
/// administrator — are left as they are, so restarts never undo those edits. Safe when several
/// nodes start at once (`ON CONFLICT DO NOTHING`).
pub async fn seed(db: &Db, nodes: &[SeedNode], grant_to: &[&str]) -> Result<()> {
    let now = db::now();
    let mut tx = db.begin().await?;
    for node in nodes {
        let parent_id: Option<i64> = match node.parent {
            Some(code) => Some(
                sqlx::query_scalar("SELECT id FROM permissions WHERE code = $1")
                    .bind(code)
                    .fetch_optional(&mut *tx)
                    .await?
                    .ok_or_else(|| {
                        Error::Internal(anyhow::anyhow!(
                            "seed node {} lists unknown parent {code}",
                            node.code
                        ))
                    })?,
            ),
            None => None,
        };
        let inserted: Option<i64> = sqlx::query_scalar(
            "INSERT INTO permissions (parent_id, name, code, type, path, icon, sort_order, status, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $8) \
             ON CONFLICT (code) WHERE code IS NOT NULL DO NOTHING RETURNING id",
        )
        .bind(parent_id)
        .bind(node.name)
        .bind(node.code)
        .bind(node.kind.as_str())
        .bind(node.path)
        .bind(node.icon)
        .bind(node.sort_order)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(id) = inserted {
            let mut sql =
                Sql::new("INSERT INTO role_permissions (role_id, permission_id) SELECT id, ");
            sql.bind(id).push(" FROM roles WHERE code IN (");
            sql.bind_list(grant_to.iter().copied())
                .push(") ON CONFLICT DO NOTHING");
            sql.query().execute(&mut *tx).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn perm(id: i64, parent: Option<i64>, sort: i64) -> Permission {
        Permission {
            id,
            parent_id: parent,
            name: format!("p{id}"),
            code: Some(format!("c{id}")),
            kind: PermissionType::Menu,
            path: None,
            icon: None,
            sort_order: sort,
            enabled: true,
            method: None,
            api_id: None,
            created_at: 0,
            updated_at: 0,
        }
    }

    #[test]
    fn tree_nests_and_sorts_by_sort_order_then_id() {
        let forest = build_tree(vec![
            perm(1, None, 2),
            perm(2, None, 1),
            perm(3, Some(1), 5),
            perm(4, Some(1), 1),
            perm(5, Some(4), 0),
            perm(6, Some(99), 0),
        ]);
        let ids: Vec<i64> = forest.iter().map(|n| n.permission.id).collect();
        // 6's parent is absent, so it is a root.
        assert_eq!(ids, vec![6, 2, 1]);
        let one = &forest[2];
        let kids: Vec<i64> = one.children.iter().map(|n| n.permission.id).collect();
        assert_eq!(kids, vec![4, 3]);
        assert_eq!(one.children[0].children[0].permission.id, 5);
    }

    #[test]
    fn codes_and_types() {
        assert!(check_code("code", "system:user:view").is_ok());
        assert!(check_code("code", "*").is_ok());
        assert!(check_code("code", "").is_err());
        assert!(check_code("code", "has space").is_err());
        for t in [
            PermissionType::Menu,
            PermissionType::Button,
            PermissionType::Api,
        ] {
            assert_eq!(PermissionType::parse(t.as_str()), Some(t));
        }
        assert_eq!(PermissionType::parse("page"), None);
    }
}
