//! The group-commit writer: requests hand their entry over and wait until it is committed;
//! one task writes whatever has queued up meanwhile in one transaction. Under load many
//! entries share a commit; a lone request waits for its own.

use tokio::sync::{mpsc, oneshot};

use super::store::{self, NewEntry};
use crate::db::Db;
use crate::error::{Error, Result};

/// Entries written per transaction at most.
const BATCH: usize = 32;

struct Job {
    entry: NewEntry,
    done: oneshot::Sender<std::result::Result<(), String>>,
}

/// A handle to the writer task; cheap to clone.
#[derive(Clone)]
pub struct Writer {
    jobs: mpsc::Sender<Job>,
}

impl Writer {
    /// Starts the writer task (on the current Tokio runtime).
    pub fn spawn(db: Db) -> Self {
        let (jobs, rx) = mpsc::channel(4 * BATCH);
        tokio::spawn(run(db, rx));
        Self { jobs }
    }

    /// Writes `entry`; answers once it is committed.
    pub async fn write(&self, entry: NewEntry) -> Result<()> {
        let (done, wait) = oneshot::channel();
        self.jobs
            .send(Job { entry, done })
            .await
            .map_err(|_| Error::Internal(anyhow::anyhow!("operation-log writer stopped")))?;
        match wait.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(Error::Internal(anyhow::anyhow!(
                "writing the operation log: {e}"
            ))),
            Err(_) => Err(Error::Internal(anyhow::anyhow!(
                "operation-log writer stopped"
            ))),
        }
    }
}

async fn run(db: Db, mut rx: mpsc::Receiver<Job>) {
    let mut batch = Vec::with_capacity(BATCH);
    while rx.recv_many(&mut batch, BATCH).await > 0 {
        let entries: Vec<NewEntry> = batch.iter().map(|j| j.entry.clone()).collect();
        match store::insert(&db, &entries).await {
            Ok(()) => {
                for job in batch.drain(..) {
                    let _ = job.done.send(Ok(()));
                }
            }
            // One entry the database refuses must not cost the others theirs.
            Err(_) => {
                for job in batch.drain(..) {
                    let res = store::insert(&db, std::slice::from_ref(&job.entry)).await;
                    let _ = job.done.send(res.map_err(|e| e.to_string()));
                }
            }
        }
    }
}
