//! Black-box integration tests, one module per dialect area. One binary, so it links once.

#![allow(clippy::unwrap_used)]

mod support;

mod hanzi_client;
mod hanzi_repertoire;
mod hanzi_users;
mod ops_users;
