//! Platform services: the runtime settings store, mail, system status.

pub mod mail;
pub mod maintenance;
pub mod settings;
pub mod status;
