//! Black-box integration tests, one module per dialect area. One binary, so it links once.

#![allow(clippy::unwrap_used)]

mod support;

mod admin_access;
mod ops_users;
