//! Roles (= Django groups): CRUD and their permissions.
//!
//! Roles are general: the admin back office gives them a name, code, description and status;
//! the Django-style dialect uses only a name (a unique code is then generated). Who holds a
//! role is [`super::user_roles`]; changing that on someone's behalf is
//! `accounts::memberships`, which decides first who may.

use sqlx::FromRow;
use sqlx::Row;

use super::SUPER_ADMIN;
use super::permissions::{self, Permission};
use crate::db::{self, Db, Flag, Sql, Timestamp, Tx, Update};
use crate::domain::paging::Page;
use crate::error::{Entity, Error, Format, Problem, Result, Rule, Violations};

/// One role (= Django group).
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Role {
    pub id: i64,
    pub name: String,
    pub code: String,
    pub description: String,
    /// A disabled role grants nothing.
    #[sqlx(rename = "status", try_from = "Flag")]
    pub enabled: bool,
    /// `super_admin`, `admin` and `user`: cannot be deleted, and their code cannot change.
    #[sqlx(try_from = "Flag")]
    pub is_builtin: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

const COLUMNS: &str = "id, name, code, description, status, is_builtin, created_at, updated_at";

/// A role in a list, with how many users hold it.
#[derive(Debug, Clone, PartialEq)]
pub struct RoleListItem {
    pub role: Role,
    pub user_count: i64,
}

/// The short form of a member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub id: i64,
    pub username: String,
    pub display_name: String,
}

/// A role with its permissions and members.
#[derive(Debug, Clone, PartialEq)]
pub struct RoleDetail {
    pub role: Role,
    pub permissions: Vec<Permission>,
    pub users: Vec<Member>,
}

/// Filters of the role list.
#[derive(Debug, Clone, Default)]
pub struct RoleFilter {
    /// Matched case-insensitively against name, code and description.
    pub keyword: Option<String>,
    pub enabled: Option<bool>,
}

/// A new role. Only `name` is required: without a `code` a unique one is generated
/// (`role_<hex>`), as Django-style groups have only a name.
#[derive(Debug, Clone, Default)]
pub struct NewRole {
    pub name: String,
    pub code: Option<String>,
    pub description: Option<String>,
    /// Defaults to enabled.
    pub enabled: Option<bool>,
    pub permission_ids: Vec<i64>,
}

/// A partial update; `permission_ids: Some(..)` replaces the role's permissions.
#[derive(Debug, Clone, Default)]
pub struct RolePatch {
    pub name: Option<String>,
    pub code: Option<String>,
    pub description: Option<String>,
    pub enabled: Option<bool>,
    pub permission_ids: Option<Vec<i64>>,
}

/// A role code: 1–50 characters of letters, digits, `_`, `-`, `:` and `.`.
pub fn check_code(field: &str, code: &str) -> Result<()> {
    let ok = !code.is_empty()
        && code.chars().count() <= 50
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | ':' | '.'));
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(field, Problem::BadFormat(Format::RoleCode)))
    }
}

fn check_name(v: &mut Violations, name: &str) {
    let n = name.trim().chars().count();
    if n == 0 || n > 150 {
        v.add("name", Problem::Length { min: 1, max: 150 });
    }
}

fn map_unique(err: sqlx::Error) -> Error {
    match db::unique_violation(&err) {
        Some(what) if what.contains("code") => Error::duplicate("code"),
        Some(_) => Error::duplicate("name"),
        None => err.into(),
    }
}

async fn check_unique(db: &Db, except: i64, name: Option<&str>, code: Option<&str>) -> Result<()> {
    if let Some(code) = code {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM roles WHERE code = $1 AND id <> $2")
            .bind(code)
            .bind(except)
            .fetch_one(db.pool())
            .await?;
        if n > 0 {
            return Err(Error::duplicate("code"));
        }
    }
    if let Some(name) = name {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM roles WHERE name = $1 AND id <> $2")
            .bind(name)
            .bind(except)
            .fetch_one(db.pool())
            .await?;
        if n > 0 {
            return Err(Error::duplicate("name"));
        }
    }
    Ok(())
}

/// `base` followed by the filter's conditions.
fn filtered(base: &str, filter: &RoleFilter) -> Sql {
    let mut sql = Sql::new(base);
    sql.push(" WHERE 1 = 1");
    if let Some(k) = filter.keyword.as_deref().filter(|k| !k.trim().is_empty()) {
        let pattern = db::like_pattern(k.trim());
        sql.push(" AND (lower(r.name) LIKE ")
            .bind(pattern.clone())
            .push(" ESCAPE '\\' OR lower(r.code) LIKE ")
            .bind(pattern.clone())
            .push(" ESCAPE '\\' OR lower(r.description) LIKE ")
            .bind(pattern)
            .push(" ESCAPE '\\')");
    }
    if let Some(enabled) = filter.enabled {
        sql.push(" AND r.status = ").bind(enabled);
    }
    sql
}

/// One page of roles, with the total count, ordered by id.
pub async fn list(db: &Db, filter: &RoleFilter, page: Page) -> Result<(Vec<RoleListItem>, i64)> {
    let total: i64 = filtered("SELECT COUNT(*) FROM roles r", filter)
        .query_scalar()
        .fetch_one(db.pool())
        .await?;
    let mut sql = filtered(
        "SELECT r.id, r.name, r.code, r.description, r.status, r.is_builtin, r.created_at, \
         r.updated_at, (SELECT COUNT(*) FROM user_roles ur WHERE ur.role_id = r.id) AS user_count \
         FROM roles r",
        filter,
    );
    sql.push(" ORDER BY r.id LIMIT ")
        .bind(page.limit())
        .push(" OFFSET ")
        .bind(page.offset());
    let rows = sql.query().fetch_all(db.pool()).await?;
    let items = rows
        .iter()
        .map(|row| {
            Ok(RoleListItem {
                role: Role::from_row(row)?,
                user_count: row.try_get("user_count")?,
            })
        })
        .collect::<sqlx::Result<_>>()?;
    Ok((items, total))
}

pub async fn get(db: &Db, id: i64) -> Result<Role> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM roles WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    .ok_or(Error::NotFound(Entity::Role))?;
    Ok(Role::from_row(&row)?)
}

pub async fn find_by_code(db: &Db, code: &str) -> Result<Option<Role>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM roles WHERE code = $1"
    )))
    .bind(code)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.as_ref().map(Role::from_row).transpose()?)
}

/// A role with its permissions (tree order) and members (by id).
pub async fn detail(db: &Db, id: i64) -> Result<RoleDetail> {
    let role = get(db, id).await?;
    let perm_cols = crate::db::qualify(permissions::COLUMNS, "p");
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {perm_cols} FROM permissions p JOIN role_permissions rp ON rp.permission_id = p.id \
         WHERE rp.role_id = $1 ORDER BY p.sort_order, p.id"
    )))
    .bind(id)
    .fetch_all(db.pool())
    .await?;
    let permissions = rows
        .iter()
        .map(Permission::from_row)
        .collect::<sqlx::Result<_>>()?;
    let users = members(db, id).await?;
    Ok(RoleDetail {
        role,
        permissions,
        users,
    })
}

/// The users who hold the role, by id.
pub async fn members(db: &Db, role_id: i64) -> Result<Vec<Member>> {
    let rows = sqlx::query(
        "SELECT u.id, u.username, u.display_name FROM users u JOIN user_roles ur ON ur.user_id = u.id \
         WHERE ur.role_id = $1 ORDER BY u.id",
    )
    .bind(role_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .iter()
        .map(|r| {
            Ok(Member {
                id: r.try_get("id")?,
                username: r.try_get("username")?,
                display_name: r.try_get("display_name")?,
            })
        })
        .collect::<sqlx::Result<_>>()?)
}

/// Ids of the permissions the role holds.
pub async fn permission_ids(db: &Db, role_id: i64) -> Result<Vec<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT permission_id FROM role_permissions WHERE role_id = $1 ORDER BY permission_id",
    )
    .bind(role_id)
    .fetch_all(db.pool())
    .await?)
}

fn generated_code() -> String {
    let hex = uuid::Uuid::new_v4().simple().to_string();
    format!("role_{}", &hex[..12])
}

/// Creates a role with its permissions in one transaction.
///
/// Errors: [`Error::Invalid`] for a bad `name`/`code` or an unknown id in `permission_ids`;
/// [`Error::Conflict`] (`name` or `code`) when taken.
pub async fn create(db: &Db, new: NewRole) -> Result<Role> {
    let name = new.name.trim().to_owned();
    let code = new.code.as_deref().map(str::trim).filter(|c| !c.is_empty());
    check_unique(db, -1, Some(&name), code).await?;
    let mut tx = db.begin().await?;
    let role = create_tx(&mut tx, new).await?;
    tx.commit().await?;
    Ok(role)
}

/// [`create`] inside the caller's transaction (a clash is caught by the unique indexes).
pub async fn create_tx(tx: &mut Tx<'_>, new: NewRole) -> Result<Role> {
    let code = new
        .code
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty());
    let name = new.name.trim().to_owned();
    let description = new.description.unwrap_or_default().trim().to_owned();
    let mut v = Violations::new();
    check_name(&mut v, &name);
    if let Some(c) = &code {
        v.check(check_code("code", c))?;
    }
    if description.chars().count() > 500 {
        v.add("description", Problem::TooLong { max: 500 });
    }
    v.into_result()?;
    let code = code.unwrap_or_else(generated_code);
    let now = db::now();
    let perm_ids = require_permissions(tx, "permission_ids", &new.permission_ids).await?;
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO roles (name, code, description, status, is_builtin, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, 0, $5, $5) RETURNING {COLUMNS}"
    )))
    .bind(name)
    .bind(code)
    .bind(description)
    .bind(i64::from(new.enabled.unwrap_or(true)))
    .bind(now)
    .fetch_one(&mut **tx)
    .await
    .map_err(map_unique)?;
    let role = Role::from_row(&row)?;
    link_permissions(tx, role.id, &perm_ids).await?;
    Ok(role)
}

async fn link_permissions(tx: &mut Tx<'_>, role_id: i64, ids: &[i64]) -> Result<()> {
    for id in ids {
        sqlx::query(
            "INSERT INTO role_permissions (role_id, permission_id) VALUES ($1, $2) \
             ON CONFLICT DO NOTHING",
        )
        .bind(role_id)
        .bind(*id)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Applies a partial update in one transaction; `permission_ids` replaces the permissions.
///
/// The code of a built-in role cannot change and `super_admin` cannot be disabled (either
/// would lock every administrator out): both are [`Error::Invalid`].
pub async fn update(db: &Db, id: i64, patch: RolePatch) -> Result<Role> {
    let current = get(db, id).await?;
    let name = patch.name.map(|n| n.trim().to_owned());
    let code = patch.code.map(|c| c.trim().to_owned());
    let description = patch.description.map(|d| d.trim().to_owned());
    let mut v = Violations::new();
    if let Some(n) = &name {
        check_name(&mut v, n);
    }
    if let Some(c) = &code {
        if current.is_builtin && *c != current.code {
            v.add("code", Problem::Rule(Rule::BuiltInRoleCode));
        } else {
            v.check(check_code("code", c))?;
        }
    }
    if description
        .as_ref()
        .is_some_and(|d| d.chars().count() > 500)
    {
        v.add("description", Problem::TooLong { max: 500 });
    }
    if current.code == SUPER_ADMIN && patch.enabled == Some(false) {
        v.add("status", Problem::Rule(Rule::SuperAdminRoleDisabled));
    }
    v.into_result()?;
    check_unique(db, id, name.as_deref(), code.as_deref()).await?;
    let mut tx = db.begin().await?;
    let perm_ids = match &patch.permission_ids {
        Some(ids) => Some(require_permissions(&mut tx, "permission_ids", ids).await?),
        None => None,
    };
    let mut u = Update::table("roles");
    u.set_opt("name", name)
        .set_opt("code", code)
        .set_opt("description", description)
        .set_opt("status", patch.enabled)
        .set("updated_at", db::now());
    u.where_id(id)
        .query()
        .execute(&mut *tx)
        .await
        .map_err(map_unique)?;
    if let Some(ids) = perm_ids {
        sqlx::query("DELETE FROM role_permissions WHERE role_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        link_permissions(&mut tx, id, &ids).await?;
    }
    tx.commit().await?;
    get(db, id).await
}

/// Deletes a role. Refused with [`Error::Conflict`] (`id`) while users hold it or when it is
/// built in.
pub async fn delete(db: &Db, id: i64) -> Result<()> {
    let mut tx = db.begin().await?;
    delete_tx(&mut tx, id).await?;
    tx.commit().await?;
    Ok(())
}

/// [`delete`] inside the caller's transaction.
pub async fn delete_tx(tx: &mut Tx<'_>, id: i64) -> Result<()> {
    let builtin: i64 = sqlx::query_scalar("SELECT is_builtin FROM roles WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(Error::NotFound(Entity::Role))?;
    if builtin != 0 {
        return Err(Error::conflict("id", Rule::BuiltInRoleUndeletable));
    }
    let holders: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM user_roles WHERE role_id = $1")
        .bind(id)
        .fetch_one(&mut **tx)
        .await?;
    if holders > 0 {
        return Err(Error::conflict("id", Rule::RoleInUse));
    }
    sqlx::query("DELETE FROM roles WHERE id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Adds permissions to a role (those it already holds are kept). An unknown id fails the
/// whole call with [`Error::Invalid`] (`field`) and changes nothing.
pub async fn add_permissions(db: &Db, role_id: i64, field: &str, ids: &[i64]) -> Result<()> {
    get(db, role_id).await?;
    let mut tx = db.begin().await?;
    let ids = require_permissions(&mut tx, field, ids).await?;
    link_permissions(&mut tx, role_id, &ids).await?;
    tx.commit().await?;
    Ok(())
}

/// Removes permissions from a role. An unknown id fails the whole call ([`Error::Invalid`]).
pub async fn remove_permissions(db: &Db, role_id: i64, field: &str, ids: &[i64]) -> Result<()> {
    get(db, role_id).await?;
    let mut tx = db.begin().await?;
    let ids = require_permissions(&mut tx, field, ids).await?;
    if !ids.is_empty() {
        let mut sql = Sql::new("DELETE FROM role_permissions WHERE role_id = ");
        sql.bind(role_id).push(" AND permission_id IN (");
        sql.bind_list(ids).push(")");
        sql.query().execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Replaces a role's permissions.
pub async fn set_permissions(db: &Db, role_id: i64, field: &str, ids: &[i64]) -> Result<()> {
    update(
        db,
        role_id,
        RolePatch {
            permission_ids: Some(ids.to_vec()),
            ..RolePatch::default()
        },
    )
    .await
    .map(|_| ())
    .map_err(|e| rename(e, "permission_ids", field))
}

fn rename(err: Error, from: &str, to: &str) -> Error {
    match err {
        Error::Invalid(mut fields) => {
            for f in &mut fields {
                if f.field == from {
                    f.field = to.to_owned();
                }
            }
            Error::Invalid(fields)
        }
        other => other,
    }
}

/// Checks that every id names a permission (sorted, no repeats); an unknown one fails on
/// `field`.
async fn require_permissions(
    conn: &mut sqlx::AnyConnection,
    field: &str,
    ids: &[i64],
) -> Result<Vec<i64>> {
    db::require_existing(conn, "permissions", Entity::Permission, field, ids).await
}
