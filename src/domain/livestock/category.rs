//! Animal categories (猪, 牛, 羊, …): a name and a code, both unique. A category that animals
//! still use is not deleted.

use sqlx::Row;
use sqlx::any::AnyRow;

use super::{Field, fields, kept, overlay};
use crate::db::{self, Db, Sql, Timestamp};
use crate::domain::paging::Page;
use crate::error::{Entity, Error, Result, Rule, Violations};

pub const NAME_MAX: usize = 50;
pub const CODE_MAX: usize = 50;
pub const DESCRIPTION_MAX: usize = 500;

#[derive(Debug, Clone, PartialEq)]
pub struct Category {
    pub id: i64,
    pub name: String,
    pub code: String,
    pub description: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

const COLUMNS: &str = "id, name, code, description, created_at, updated_at";

impl Category {
    fn from_row(row: &AnyRow) -> sqlx::Result<Self> {
        Ok(Self {
            id: row.try_get("id")?,
            name: row.try_get("name")?,
            code: row.try_get("code")?,
            description: row.try_get("description")?,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
        })
    }
}

/// A create body, or an update's patch.
#[derive(Debug, Clone, Default)]
pub struct RawCategory {
    pub name: Field<String>,
    pub code: Field<String>,
    pub description: Field<String>,
}

struct Valid {
    name: String,
    code: String,
    description: Option<String>,
}

fn check(raw: RawCategory) -> Result<Valid> {
    let mut v = Violations::new();
    let name = fields::required_text(&mut v, "name", raw.name, NAME_MAX);
    let code = fields::code(&mut v, "code", raw.code, CODE_MAX);
    let description =
        fields::optional_text(&mut v, "description", raw.description, DESCRIPTION_MAX);
    v.into_result()?;
    Ok(Valid {
        name: name.unwrap_or_default(),
        code: code.unwrap_or_default(),
        description,
    })
}

/// A duplicate name or code, named by its field.
fn clash(err: sqlx::Error) -> Error {
    match db::unique_violation(&err) {
        Some(c) if c.contains("name") => Error::duplicate("category.name"),
        Some(_) => Error::duplicate("category.code"),
        None => err.into(),
    }
}

pub async fn create(db: &Db, raw: RawCategory) -> Result<Category> {
    let c = check(raw)?;
    let now = db::now();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO animal_categories (name, code, description, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $4) RETURNING id",
    )
    .bind(&c.name)
    .bind(&c.code)
    .bind(&c.description)
    .bind(now)
    .fetch_one(db.pool())
    .await
    .map_err(clash)?;
    get(db, id).await
}

pub async fn get(db: &Db, id: i64) -> Result<Category> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM animal_categories WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    .ok_or(Error::NotFound(Entity::Other))?;
    Ok(Category::from_row(&row)?)
}

/// Whether a category exists (for reference checks).
pub async fn exists(db: &Db, id: i64) -> Result<bool> {
    Ok(
        sqlx::query_scalar::<_, i64>("SELECT id FROM animal_categories WHERE id = $1")
            .bind(id)
            .fetch_optional(db.pool())
            .await?
            .is_some(),
    )
}

/// Overlays `patch` on the stored category and checks the result like a create.
pub async fn update(db: &Db, id: i64, patch: RawCategory) -> Result<Category> {
    let stored = get(db, id).await?;
    let c = check(RawCategory {
        name: overlay(patch.name, kept(Some(stored.name))),
        code: overlay(patch.code, kept(Some(stored.code))),
        description: overlay(patch.description, kept(stored.description)),
    })?;
    let done = sqlx::query(
        "UPDATE animal_categories SET name = $1, code = $2, description = $3, updated_at = $4 \
         WHERE id = $5",
    )
    .bind(&c.name)
    .bind(&c.code)
    .bind(&c.description)
    .bind(db::now())
    .bind(id)
    .execute(db.pool())
    .await
    .map_err(clash)?;
    if done.rows_affected() == 0 {
        return Err(Error::NotFound(Entity::Other));
    }
    get(db, id).await
}

/// Deletes a category no animal uses; one that is used is refused and kept.
pub async fn delete(db: &Db, id: i64) -> Result<()> {
    let done = sqlx::query(
        "DELETE FROM animal_categories WHERE id = $1 \
         AND NOT EXISTS (SELECT 1 FROM animals WHERE category_id = $1)",
    )
    .bind(id)
    .execute(db.pool())
    .await;
    let done = match done {
        Ok(d) => d,
        // An animal created with this category at the same moment: the key refuses.
        Err(sqlx::Error::Database(e)) if e.is_foreign_key_violation() => return Err(in_use()),
        Err(e) => return Err(e.into()),
    };
    if done.rows_affected() == 1 {
        return Ok(());
    }
    get(db, id).await?;
    Err(in_use())
}

fn in_use() -> Error {
    Error::StateNotAllowed(Rule::StillReferenced)
}

/// Categories by id, filtered by `keyword` (name or code).
pub async fn list(db: &Db, keyword: Option<&str>, page: Page) -> Result<(Vec<Category>, i64)> {
    let keyword = keyword.map(str::trim).filter(|k| !k.is_empty());
    let filter = |sql: &mut Sql| {
        if let Some(k) = keyword {
            let pat = db::like_pattern(k);
            sql.push(" AND (lower(name) LIKE ")
                .bind(pat.as_str())
                .push(" ESCAPE '\\' OR lower(code) LIKE ")
                .bind(pat)
                .push(" ESCAPE '\\')");
        }
    };
    let mut count = Sql::new("SELECT COUNT(*) FROM animal_categories WHERE 1 = 1");
    filter(&mut count);
    let total: i64 = count.query_scalar().fetch_one(db.pool()).await?;
    let mut rows = Sql::new(&format!(
        "SELECT {COLUMNS} FROM animal_categories WHERE 1 = 1"
    ));
    filter(&mut rows);
    rows.push(" ORDER BY id").window(Some(page.window()));
    let list = rows
        .query()
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(Category::from_row)
        .collect::<sqlx::Result<Vec<_>>>()?;
    Ok((list, total))
}
