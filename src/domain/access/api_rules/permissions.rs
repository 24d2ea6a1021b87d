//! API permissions: `permissions` rows of type `api`, an HTTP method on one pattern.

use super::patterns::get_api_in;
use super::*;
use crate::db::{self, Update};
use crate::domain::paging::Page;
use sqlx::FromRow;

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
pub async fn list_permissions(db: &Db, page: Option<Page>) -> Result<(Vec<ApiPermission>, i64)> {
    let mut count = Sql::new("SELECT COUNT(*) FROM permissions p WHERE ");
    push_is_api_permission(&mut count, "p");
    let total: i64 = count.query_scalar().fetch_one(db.pool()).await?;
    let mut sql = Sql::new(&format!("SELECT {PERM_COLUMNS} FROM permissions p WHERE "));
    push_is_api_permission(&mut sql, "p").push(" ORDER BY id");
    sql.window(page.map(|p| p.window()));
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
    let mut sql = Sql::new(&format!(
        "SELECT {PERM_COLUMNS} FROM permissions p WHERE id = "
    ));
    sql.bind(id).push(" AND ");
    push_is_api_permission(&mut sql, "p");
    let row = sql
        .query()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_are_upper_cased_and_checked() {
        let mut v = Violations::new();
        assert_eq!(normalise_method(&mut v, "get"), "GET");
        assert!(v.is_empty());
        normalise_method(&mut v, "FETCH");
        assert!(!v.is_empty());
    }
}
