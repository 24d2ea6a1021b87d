//! Platform services: the runtime settings store, mail, system status, notifications.

pub mod mail;
pub mod maintenance;
pub mod notifications;
pub mod settings;
pub mod statistics;
pub mod status;
