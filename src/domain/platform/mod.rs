//! Platform services: the runtime settings store, the operation log, mail, system status.

pub mod mail;
pub mod maintenance;
pub mod oplog;
pub mod settings;
pub mod status;
