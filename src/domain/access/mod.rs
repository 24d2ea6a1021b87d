//! Access control: roles (= Django groups), the permission tree, API rules, and the one
//! check every dialect uses.
//!
//! * [`roles`] — role CRUD and role permissions.
//! * [`user_roles`] — who holds which role, read and written unchecked (changes on someone's
//!   behalf go through `accounts::memberships`).
//! * [`permissions`] — the permission tree (menus, buttons, API permissions).
//! * [`catalog`] — the built-in permission tree seeded at start-up.
//! * [`check`] — "may this user do X", and the menus a user may see.
//! * [`api_rules`] — Django-style API patterns and API permissions, and their check.
//! * [`authorize`] — the one authorisation decision every route goes through.
//! * [`routes`] — the per-dialect route tables it reads, failing closed.
//! * [`groups`] — roles seen as Django groups: their permissions and members.
//! * [`level`] — a user's administrative level (the hanzi `role`) as a view of the roles.

pub mod api_rules;
pub mod authorize;
pub mod catalog;
pub mod check;
pub mod groups;
pub mod level;
pub mod permissions;
pub mod roles;
pub mod routes;
pub mod user_roles;

pub use authorize::{Decision, Level, RequestFacts, Requirement, authorize};
pub use check::{PermissionSet, may, menus_of};

/// Codes of the built-in roles.
pub const SUPER_ADMIN: &str = "super_admin";
pub const ADMIN: &str = "admin";
pub const USER: &str = "user";
