//! Platform services: the runtime settings store, mail, system status, export jobs.

pub mod export;
pub mod mail;
pub mod maintenance;
pub mod settings;
pub mod status;
