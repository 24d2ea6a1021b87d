//! Domain modules: behaviour and data, no HTTP.

pub mod access;
pub mod identity;
pub mod platform;
pub mod purchase;
