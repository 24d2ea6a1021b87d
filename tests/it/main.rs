//! Black-box integration tests, one module per dialect area. One binary, so it links once.

#![allow(clippy::unwrap_used)]

mod support;

mod account_auth;
mod account_forms;
mod account_groups;
mod account_permission_lists;
mod account_rules;
mod account_support;
mod account_users;
mod accounts_matrix;
mod admin_access;
mod admin_animals;
mod admin_auth;
mod admin_common;
mod admin_export_crash;
mod admin_export_sources;
mod admin_exports;
mod admin_farms;
mod admin_finance;
mod admin_livestock;
mod admin_notifications;
mod admin_orders;
mod admin_permissions;
mod admin_roles;
mod admin_statistics;
mod admin_system;
mod admin_uploads;
mod admin_users;
mod backup;
mod blob_store;
mod blob_store_s3;
mod cli;
mod counters_bulk;
mod crash;
mod cross_dialect;
mod hanzi_client;
mod hanzi_equivalence;
mod hanzi_repertoire;
mod hanzi_users;
mod hanzi_wire;
mod hardening_http;
mod hardening_rules;
mod metrics;
mod node_process;
mod openapi;
mod openapi_fuzz_findings;
mod operator;
mod oplog;
mod ops_config;
mod ops_files;
mod ops_purchase;
mod ops_users;
mod snapshots;
mod two_nodes;
