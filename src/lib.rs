//! `ops-server`: one back-office server that speaks four documented APIs over one core.
//!
//! # Layout
//!
//! * [`config`] — the layered configuration (template, YAML file, `OPS__*` variables).
//! * [`db`] — the storage boundary: one pool and one query code path for SQLite and PostgreSQL.
//! * [`error`] — the core error vocabulary every domain function returns.
//! * [`domain`] — behaviour and data, no HTTP: `identity`, `access`, `platform`, …
//! * [`dialects`] — thin adapters, one per documented API: routes, wire shapes, envelopes,
//!   and the single mapping from core errors to that dialect's codes.
//! * [`http`] — plumbing shared by dialects (request ids, body parsing, token transports).
//! * [`state`] — [`state::AppState`], what every handler shares.
//! * [`app`] — builds the router from a config and serves it on a given listener.
//! * [`startup`] — what start-up logs: data locations, new databases, ignored settings.
//! * [`cli`] — the `ops-server` command line.
//! * [`private_fs`] — owner-only modes for the data directory and the secrets in it.

pub mod app;
pub mod cli;
pub mod config;
pub mod db;
pub mod dialects;
pub mod domain;
pub mod error;
pub mod http;
pub mod private_fs;
pub mod startup;
pub mod state;
