//! The export tasks table as a durable job queue shared by every node.
//!
//! A task is `pending` until a worker claims it, `processing` while a worker holds its lease,
//! then `completed` (with its file) or `failed`. A worker renews the lease with every batch;
//! a worker that dies (SIGKILL, power loss) stops renewing, and once the lease has run out
//! any node claims the task again and runs it from the start. A task that keeps killing its
//! workers is failed after [`MAX_ATTEMPTS`], so none stays `processing` forever.
//!
//! Claiming is one statement: on PostgreSQL the candidate row is picked with
//! `FOR UPDATE SKIP LOCKED`, so workers on several nodes never block on or take the same
//! row; SQLite runs the single `UPDATE … RETURNING` under its database write lock, which
//! is already exclusive.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::db::{self, Db, DbKind, Timestamp, Tx};
use crate::error::{Entity, Error, Result};

/// Claims of one task before it is failed instead of retried.
pub const MAX_ATTEMPTS: i64 = 5;

/// Why a task failed. Stored as its code in `export_tasks.error`; the dialect that shows a
/// task words it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The stored filters no longer describe a valid export.
    BadFilters,
    /// Its workers stopped mid-run [`MAX_ATTEMPTS`] times.
    Abandoned,
    /// Anything else; the server log has the cause.
    Failed,
}

impl Failure {
    pub fn code(self) -> &'static str {
        match self {
            Self::BadFilters => "bad_filters",
            Self::Abandoned => "abandoned",
            Self::Failed => "failed",
        }
    }

    /// A stored code. Anything else (free text written by an earlier version) is `Failed`.
    fn parse(code: &str) -> Self {
        match code {
            "bad_filters" => Self::BadFilters,
            "abandoned" => Self::Abandoned,
            _ => Self::Failed,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Pending,
    Processing,
    Completed,
    Failed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Processing => "processing",
            Status::Completed => "completed",
            Status::Failed => "failed",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "processing" => Status::Processing,
            "completed" => Status::Completed,
            "failed" => Status::Failed,
            _ => Status::Pending,
        }
    }
}

/// One export task.
#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    pub id: i64,
    pub user_id: i64,
    pub resource: String,
    pub format: String,
    pub request: String,
    pub status: Status,
    /// 0–100.
    pub progress: i64,
    /// Rows expected (counted when the run starts).
    pub total: i64,
    /// Rows written, once completed.
    pub record_count: i64,
    pub file_size: Option<i64>,
    pub file_sha256: Option<String>,
    pub attempts: i64,
    /// Set when the task failed.
    pub error: Option<Failure>,
    pub created_at: Timestamp,
    pub started_at: Option<Timestamp>,
    pub completed_at: Option<Timestamp>,
    pub expires_at: Option<Timestamp>,
}

const COLUMNS: &str = "id, user_id, resource, format, request, status, progress, total, \
    record_count, file_size, file_sha256, attempts, error, created_at, started_at, completed_at, \
    expires_at";

impl Task {
    fn from_row(row: &AnyRow) -> sqlx::Result<Self> {
        Ok(Self {
            id: row.try_get("id")?,
            user_id: row.try_get("user_id")?,
            resource: row.try_get("resource")?,
            format: row.try_get("format")?,
            request: row.try_get("request")?,
            status: Status::parse(&row.try_get::<String, _>("status")?),
            progress: row.try_get("progress")?,
            total: row.try_get("total")?,
            record_count: row.try_get("record_count")?,
            file_size: row.try_get("file_size")?,
            file_sha256: row.try_get("file_sha256")?,
            attempts: row.try_get("attempts")?,
            error: row
                .try_get::<Option<String>, _>("error")?
                .map(|c| Failure::parse(&c)),
            created_at: row.try_get("created_at")?,
            started_at: row.try_get("started_at")?,
            completed_at: row.try_get("completed_at")?,
            expires_at: row.try_get("expires_at")?,
        })
    }
}

/// A task to insert.
#[derive(Debug, Clone)]
pub struct NewTask<'a> {
    pub user_id: i64,
    pub resource: &'a str,
    pub format: &'a str,
    pub request: &'a str,
    pub dedupe_key: &'a str,
    pub total: i64,
}

/// The live (pending or processing) task of `user_id` with `dedupe_key`, if any.
async fn live(db: &Db, user_id: i64, dedupe_key: &str) -> Result<Option<Task>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM export_tasks WHERE user_id = $1 AND dedupe_key = $2 \
         AND status IN ('pending', 'processing')"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(user_id)
        .bind(dedupe_key)
        .fetch_optional(db.pool())
        .await?;
    Ok(row.as_ref().map(Task::from_row).transpose()?)
}

/// Queues `new`, or answers the identical live task of the same user (`false`: not new).
/// The partial unique index settles a race between two identical requests.
pub async fn enqueue(db: &Db, new: &NewTask<'_>) -> Result<(Task, bool)> {
    if let Some(t) = live(db, new.user_id, new.dedupe_key).await? {
        return Ok((t, false));
    }
    let sql = format!(
        "INSERT INTO export_tasks (user_id, resource, format, request, dedupe_key, status, \
         total, created_at) VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7) RETURNING {COLUMNS}"
    );
    let inserted = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(new.user_id)
        .bind(new.resource)
        .bind(new.format)
        .bind(new.request)
        .bind(new.dedupe_key)
        .bind(new.total)
        .bind(db::now())
        .fetch_one(db.pool())
        .await;
    match inserted {
        Ok(row) => Ok((Task::from_row(&row)?, true)),
        Err(e) if db::unique_violation(&e).is_some() => live(db, new.user_id, new.dedupe_key)
            .await?
            .map(|t| (t, false))
            .ok_or_else(|| Error::Internal(anyhow::Error::new(e))),
        Err(e) => Err(e.into()),
    }
}

/// The task `id`.
pub async fn get(db: &Db, id: i64) -> Result<Task> {
    let sql = format!("SELECT {COLUMNS} FROM export_tasks WHERE id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .ok_or(Error::NotFound(Entity::Other))?;
    Ok(Task::from_row(&row)?)
}

/// Claims the oldest claimable task for `owner` with a lease until `lease_until`: a pending
/// one, or a processing one whose lease ran out. Tasks whose workers died too often are
/// failed first.
pub async fn claim(
    db: &Db,
    owner: &str,
    lease_until: Timestamp,
    retention: i64,
) -> Result<Option<Task>> {
    let now = db::now();
    sqlx::query(
        "UPDATE export_tasks SET status = 'failed', error = $1, lease_owner = NULL, \
         completed_at = $2, expires_at = $3 \
         WHERE status = 'processing' AND lease_until < $2 AND attempts >= $4",
    )
    .bind(Failure::Abandoned.code())
    .bind(now)
    .bind(now + retention)
    .bind(MAX_ATTEMPTS)
    .execute(db.pool())
    .await?;
    let lock = match db.kind() {
        DbKind::Postgres => " FOR UPDATE SKIP LOCKED",
        DbKind::Sqlite => "",
    };
    let sql = format!(
        "UPDATE export_tasks SET status = 'processing', lease_owner = $1, lease_until = $2, \
         attempts = attempts + 1, progress = 0, started_at = $3 \
         WHERE id = (SELECT id FROM export_tasks WHERE status = 'pending' \
         OR (status = 'processing' AND lease_until < $3) ORDER BY id LIMIT 1{lock}) \
         RETURNING {COLUMNS}"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(owner)
        .bind(lease_until)
        .bind(now)
        .fetch_optional(db.pool())
        .await?;
    Ok(row.as_ref().map(Task::from_row).transpose()?)
}

/// Records progress and renews the lease; `false` when `owner` no longer holds the task (its
/// lease ran out and another worker took it), so the caller must stop.
pub async fn renew(
    db: &Db,
    id: i64,
    owner: &str,
    progress: i64,
    total: i64,
    lease_until: Timestamp,
) -> Result<bool> {
    let n = sqlx::query(
        "UPDATE export_tasks SET progress = $1, total = $2, lease_until = $3 \
         WHERE id = $4 AND lease_owner = $5 AND status = 'processing'",
    )
    .bind(progress)
    .bind(total)
    .bind(lease_until)
    .bind(id)
    .bind(owner)
    .execute(db.pool())
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// What a finished run produced.
#[derive(Debug, Clone)]
pub struct Finished<'a> {
    pub record_count: i64,
    pub file_size: i64,
    pub file_sha256: &'a str,
    pub completed_at: Timestamp,
    pub expires_at: Timestamp,
}

/// Marks the task completed inside `tx` (whose caller has placed the file's blob); `false`
/// when `owner` lost the task meanwhile.
pub async fn complete(tx: &mut Tx<'_>, id: i64, owner: &str, done: &Finished<'_>) -> Result<bool> {
    let n = sqlx::query(
        "UPDATE export_tasks SET status = 'completed', progress = 100, record_count = $1, \
         file_size = $2, file_sha256 = $3, completed_at = $4, expires_at = $5, \
         lease_owner = NULL, lease_until = NULL WHERE id = $6 AND lease_owner = $7 \
         AND status = 'processing'",
    )
    .bind(done.record_count)
    .bind(done.file_size)
    .bind(done.file_sha256)
    .bind(done.completed_at)
    .bind(done.expires_at)
    .bind(id)
    .bind(owner)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// Marks the task failed with a reason fit to show.
pub async fn fail(db: &Db, id: i64, owner: &str, why: Failure, retention: i64) -> Result<()> {
    let now = db::now();
    sqlx::query(
        "UPDATE export_tasks SET status = 'failed', error = $1, completed_at = $2, \
         expires_at = $3, lease_owner = NULL, lease_until = NULL \
         WHERE id = $4 AND lease_owner = $5 AND status = 'processing'",
    )
    .bind(why.code())
    .bind(now)
    .bind(now + retention)
    .bind(id)
    .bind(owner)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Deletes finished tasks past their expiry; answers the file hashes they held (the caller
/// releases those blobs).
pub async fn remove_expired(db: &Db, now: Timestamp) -> Result<Vec<String>> {
    let rows = sqlx::query(
        "DELETE FROM export_tasks WHERE expires_at < $1 \
         AND status IN ('completed', 'failed') RETURNING file_sha256",
    )
    .bind(now)
    .fetch_all(db.pool())
    .await?;
    let mut hashes = Vec::new();
    for row in rows {
        if let Some(h) = row.try_get::<Option<String>, _>("file_sha256")? {
            hashes.push(h);
        }
    }
    Ok(hashes)
}
