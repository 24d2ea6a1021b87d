//! Platform services: the runtime settings store, the operation log, mail, system status,
//! notifications, export jobs.

pub mod export;
pub mod gauges;
pub mod mail;
pub mod maintenance;
pub mod notifications;
pub mod oplog;
pub mod settings;
pub mod statistics;
pub mod status;
