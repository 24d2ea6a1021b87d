//! Access control: roles (= Django groups), the permission tree, API rules, and the one
//! check every dialect uses.

pub mod api_rules;
pub mod grants;
pub mod roles;

/// Codes of the built-in roles.
pub const SUPER_ADMIN: &str = "super_admin";
pub const ADMIN: &str = "admin";
pub const USER: &str = "user";
