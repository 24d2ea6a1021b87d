//! Domain modules: behaviour and data, no HTTP.

pub mod access;
pub mod accounts;
pub mod files;
pub mod glyphs;
pub mod identity;
pub mod livestock;
pub mod paging;
pub mod platform;
pub mod purchase;
