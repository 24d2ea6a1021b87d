//! Black-box integration tests, one module per dialect area. One binary, so it links once.

#![allow(clippy::unwrap_used)]

mod support;

mod account_auth;
mod account_support;
mod account_users;
mod ops_users;
