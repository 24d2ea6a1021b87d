//! The notice an export sends its requester when the file is ready: the facts are the
//! domain's, the words the dialect's that offers exports (handed in through
//! [`super::worker::WorkerConfig`]).

pub trait ExportWords: Send + Sync {
    /// The title and content of the notice that `task_id`'s file of `records` rows of
    /// `resource` is ready.
    fn completed(&self, resource: &str, records: i64, task_id: &str) -> (String, String);
}
