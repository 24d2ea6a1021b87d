//! Black-box integration tests, one module per dialect area. One binary, so it links once.

#![allow(clippy::unwrap_used)]

mod support;

mod ops_config;
mod ops_purchase;
mod ops_users;
