//! Domain modules: behaviour and data, no HTTP.

pub mod access;
pub mod files;
pub mod identity;
pub mod platform;
