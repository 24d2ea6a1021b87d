//! Export jobs (admin_v1 §12): a request is checked, stored as a task in the database, and
//! run in the background by any node's worker; the finished file lives in the blob store
//! until it expires.
//!
//! * [`model`] — resources, formats, cells, column and filter checks.
//! * [`plan`] — a checked request, identical when stored and when run.
//! * [`filters`] — an export's `filters` read as the list's query parameters.
//! * [`users`], [`farms`], [`animals`], [`orders`], [`financial_records`],
//!   [`operation_logs`] — each list as rows, with its filters (one source per file).
//! * [`queue`] — the tasks table as a durable queue with leases.
//! * [`worker`] — claims and runs tasks: keyset batches into a [`sink`].
//! * [`sink`] — CSV and XLSX writers with constant memory and formula-safe cells.

pub mod animals;
pub mod farms;
pub mod filters;
pub mod financial_records;
pub mod model;
pub mod operation_logs;
pub mod orders;
pub mod plan;
pub mod queue;
pub mod sink;
pub mod users;
pub mod words;
pub mod worker;

use crate::db::{Db, Timestamp};
use crate::domain::files::blobs;
use crate::domain::files::hash::ContentHash;
use crate::domain::files::store::{BlobStore, OpenBlob};
use crate::domain::identity::Principal;
use crate::error::{Entity, Error, Result};

pub use model::{Format, Resource};
pub use plan::Plan;
pub use queue::{Failure, Status, Task};

/// Rows per second an export is expected to manage, for the first answer's estimate.
const ROWS_PER_SECOND: i64 = 20_000;

/// The task id as clients see it: `export_task_<n>`.
pub fn public_id(id: i64) -> String {
    format!("export_task_{id}")
}

/// The number of a public task id; anything else names no task.
pub fn parse_public_id(raw: &str) -> Option<i64> {
    let digits = raw.strip_prefix("export_task_")?;
    // Canonical decimal only (decisions §8): no sign, no leading zero.
    if digits.is_empty() || digits.starts_with('0') || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// A queued (or joined) task and the seconds it is expected to take.
#[derive(Debug, Clone)]
pub struct Queued {
    pub task: Task,
    pub estimated_seconds: i64,
}

/// Queues `plan` for `user_id`, or answers their identical task that is still pending or
/// running.
pub async fn request(db: &Db, user_id: i64, plan: &Plan) -> Result<Queued> {
    let total = plan.count(db).await?;
    let key = plan.dedupe_key();
    let (task, _new) = queue::enqueue(
        db,
        &queue::NewTask {
            user_id,
            resource: plan.resource.as_str(),
            format: plan.format.as_str(),
            request: plan.request_text(),
            dedupe_key: &key,
            total,
        },
    )
    .await?;
    let estimated_seconds = (task.total / ROWS_PER_SECOND).max(1);
    Ok(Queued {
        task,
        estimated_seconds,
    })
}

/// The task `id` as `who` may see it: their own, or any for admins. Another user's task is
/// "not found", so ids reveal nothing.
pub async fn get(db: &Db, who: &Principal, id: i64) -> Result<Task> {
    let task = queue::get(db, id).await?;
    if task.user_id == who.user.id || who.is_admin() {
        Ok(task)
    } else {
        Err(Error::NotFound(Entity::Other))
    }
}

/// The finished file of a task `who` may see.
pub struct Download {
    pub task: Task,
    pub format: Format,
    pub blob: Box<dyn OpenBlob>,
}

/// Opens the file of task `id`; a task that is not completed (or whose file expired) is
/// "not found".
pub async fn download(
    db: &Db,
    store: &dyn BlobStore,
    who: &Principal,
    id: i64,
) -> Result<Download> {
    let task = get(db, who, id).await?;
    let missing = || Error::NotFound(Entity::File);
    if task.status != Status::Completed {
        return Err(missing());
    }
    let hash = task
        .file_sha256
        .as_deref()
        .and_then(ContentHash::parse)
        .ok_or_else(missing)?;
    let format = Format::parse(&task.format).ok_or_else(missing)?;
    let blob = store.open(&hash).await?.ok_or_else(missing)?;
    Ok(Download { task, format, blob })
}

/// Removes finished tasks past their expiry and their files; answers how many files went.
pub async fn remove_expired(db: &Db, store: &dyn BlobStore, now: Timestamp) -> Result<u64> {
    let mut removed = 0;
    for hash in queue::remove_expired(db, now).await? {
        if blobs::release(db, store, &hash).await? {
            removed += 1;
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_ids_round_trip_and_refuse_lookalikes() {
        assert_eq!(parse_public_id(&public_id(42)), Some(42));
        for bad in [
            "42",
            "export_task_",
            "export_task_042",
            "export_task_-1",
            "export_task_1a",
        ] {
            assert_eq!(parse_public_id(bad), None, "{bad}");
        }
    }
}
