//! Black-box integration tests, one module per dialect area. One binary, so it links once.

#![allow(clippy::unwrap_used)]

mod support;

mod cli;
mod ops_users;
