//! Black-box integration tests, one module per dialect area. One binary, so it links once.

#![allow(clippy::unwrap_used)]

mod support;

mod cli;
mod admin_access;
mod admin_auth;
mod admin_common;
mod admin_permissions;
mod admin_roles;
mod admin_users;
mod ops_users;
