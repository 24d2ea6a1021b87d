//! File records: one per upload (owner, name, type, description, MIME type, size, hash, date),
//! each pointing at a stored blob by its hash.

use sqlx::FromRow;

use super::hash::ContentHash;
use crate::db::{Db, Sql, Timestamp, Tx};
use crate::domain::identity::Principal;
use crate::error::{Entity, Error, Result};

/// One upload.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct FileRecord {
    pub id: i64,
    pub user_id: i64,
    /// The client's file name, cleaned; only ever shown, never used as a path.
    pub name: String,
    #[sqlx(rename = "type")]
    pub file_type: String,
    pub description: String,
    pub mime: String,
    pub size: i64,
    pub sha256: String,
    pub created_at: Timestamp,
    /// A free-text grouping chosen at upload (`admin_v1` `category`).
    pub category: Option<String>,
    /// The hash of the thumbnail blob, for uploads that made one.
    pub thumb_sha256: Option<String>,
}

const COLUMNS: &str =
    "id, user_id, name, type, description, mime, size, sha256, created_at, category, thumb_sha256";

/// Whose records a caller may see: their own, or (admins) everyone's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Owner(i64),
    All,
}

impl Scope {
    pub fn of(p: &Principal) -> Self {
        if p.is_admin() {
            Scope::All
        } else {
            Scope::Owner(p.user.id)
        }
    }

    /// Appends ` AND user_id = $n` when the scope is one owner's.
    fn restrict(self, sql: &mut Sql) {
        if let Scope::Owner(user_id) = self {
            sql.push(" AND user_id = ").bind(user_id);
        }
    }
}

/// A record about to be inserted (its blob is already in place).
#[derive(Debug, Clone)]
pub struct NewRecord<'a> {
    pub user_id: i64,
    pub name: &'a str,
    pub file_type: &'a str,
    pub description: &'a str,
    pub mime: &'a str,
    pub size: i64,
    pub sha256: &'a ContentHash,
    pub created_at: Timestamp,
    pub category: Option<&'a str>,
    /// Already in place, like the blob itself.
    pub thumb_sha256: Option<&'a ContentHash>,
}

pub(super) async fn insert(tx: &mut Tx<'_>, new: &NewRecord<'_>) -> Result<FileRecord> {
    let sql = format!(
        "INSERT INTO files (user_id, name, type, description, mime, size, sha256, created_at, \
         category, thumb_sha256) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
         RETURNING {COLUMNS}"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(new.user_id)
        .bind(new.name)
        .bind(new.file_type)
        .bind(new.description)
        .bind(new.mime)
        .bind(new.size)
        .bind(new.sha256.as_str())
        .bind(new.created_at)
        .bind(new.category)
        .bind(new.thumb_sha256.map(ContentHash::as_str))
        .fetch_one(&mut **tx)
        .await?;
    Ok(FileRecord::from_row(&row)?)
}

/// The record `id` if `scope` may see it; another user's record is "not found".
pub async fn get(db: &Db, scope: Scope, id: i64) -> Result<FileRecord> {
    let mut sql = Sql::new(&format!("SELECT {COLUMNS} FROM files WHERE id = "));
    sql.bind(id);
    scope.restrict(&mut sql);
    let row = sql.query().fetch_optional(db.pool()).await?;
    match row {
        Some(row) => Ok(FileRecord::from_row(&row)?),
        None => Err(Error::NotFound(Entity::File)),
    }
}

/// The MIME type of a blob that at least one record references, as the upload itself or as
/// its thumbnail; `None` when no record does (the hash is then unknown, whatever is on disk).
pub async fn mime_of(db: &Db, hash: &ContentHash) -> Result<Option<String>> {
    Ok(sqlx::query_scalar::<_, String>(
        "SELECT b.mime FROM blobs b WHERE b.sha256 = $1 AND (\
         EXISTS (SELECT 1 FROM files f WHERE f.sha256 = b.sha256) OR \
         EXISTS (SELECT 1 FROM files t WHERE t.thumb_sha256 = b.sha256))",
    )
    .bind(hash.as_str())
    .fetch_optional(db.pool())
    .await?)
}

/// Which records a list shows.
#[derive(Debug, Clone)]
pub struct ListFilter {
    pub scope: Scope,
    /// Only this owner's records; honoured for [`Scope::All`] only.
    pub user_id: Option<i64>,
    pub file_type: Option<String>,
    /// 1-based.
    pub page: i64,
    pub entries: i64,
}

/// `select` followed by the filter's conditions.
fn filtered(select: &str, filter: &ListFilter) -> Sql {
    let mut sql = Sql::new(select);
    sql.push(" WHERE 1 = 1");
    filter.scope.restrict(&mut sql);
    if let (Scope::All, Some(user_id)) = (filter.scope, filter.user_id) {
        sql.push(" AND user_id = ").bind(user_id);
    }
    if let Some(t) = &filter.file_type {
        sql.push(" AND type = ").bind(t.as_str());
    }
    sql
}

/// One page of records, newest first, and how many match in all.
pub async fn list(db: &Db, filter: &ListFilter) -> Result<(Vec<FileRecord>, i64)> {
    let total: i64 = filtered("SELECT COUNT(*) FROM files", filter)
        .query_scalar()
        .fetch_one(db.pool())
        .await?;
    let mut page = filtered(&format!("SELECT {COLUMNS} FROM files"), filter);
    page.push(" ORDER BY id DESC LIMIT ")
        .bind(filter.entries)
        .push(" OFFSET ")
        .bind((filter.page - 1).saturating_mul(filter.entries));
    let rows = page.query().fetch_all(db.pool()).await?;
    let items = rows
        .iter()
        .map(FileRecord::from_row)
        .collect::<sqlx::Result<Vec<_>>>()?;
    Ok((items, total))
}

/// Deletes the record `id` if `scope` may see it; answers it.
pub(super) async fn delete(db: &Db, scope: Scope, id: i64) -> Result<FileRecord> {
    let mut sql = Sql::new("DELETE FROM files WHERE id = ");
    sql.bind(id);
    scope.restrict(&mut sql);
    sql.push(&format!(" RETURNING {COLUMNS}"));
    match sql.query().fetch_optional(db.pool()).await? {
        Some(row) => Ok(FileRecord::from_row(&row)?),
        None => Err(Error::NotFound(Entity::File)),
    }
}

/// Every place that may name a blob: a record's upload, a record's thumbnail, a finished
/// export. A blob is kept while any of them does.
pub(super) const REFERENCED: &str = "(EXISTS (SELECT 1 FROM files f WHERE f.sha256 = b.sha256) \
     OR EXISTS (SELECT 1 FROM files t WHERE t.thumb_sha256 = b.sha256) \
     OR EXISTS (SELECT 1 FROM export_tasks e WHERE e.file_sha256 = b.sha256))";

/// Whether anything still references `hash` (inside the blob's lock, see `blobs.rs`).
pub(super) async fn is_referenced(tx: &mut Tx<'_>, hash: &str) -> Result<bool> {
    let sql = format!("SELECT COUNT(*) FROM blobs b WHERE b.sha256 = $1 AND {REFERENCED}");
    let n = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql))
        .bind(hash)
        .fetch_one(&mut **tx)
        .await?;
    Ok(n > 0)
}
