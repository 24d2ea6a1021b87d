//! Back-end API patterns (`backend_apis`): a URL regex, named, grouped by app.

use super::*;
use crate::db::{self, Update};
use crate::domain::paging::Page;
use sqlx::FromRow;

/// Lists patterns by id; answers the page and the total count.
pub async fn list_apis(db: &Db, page: Option<Page>) -> Result<(Vec<BackendApi>, i64)> {
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM backend_apis")
        .fetch_one(db.pool())
        .await?;
    let mut sql = Sql::new(&format!(
        "SELECT {API_COLUMNS} FROM backend_apis ORDER BY id"
    ));
    sql.window(page.map(|p| p.window()));
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

pub(super) async fn get_api_in(conn: &mut sqlx::AnyConnection, id: i64) -> Result<BackendApi> {
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
