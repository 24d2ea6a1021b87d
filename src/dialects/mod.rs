//! Dialects: thin adapters that speak one documented API each over the shared domain.
//! Routing, wire shapes, envelopes and the error table live here; business rules do not.

pub mod account;
pub mod admin_v1;
pub mod hanzi;
pub mod ops_v1;
pub mod zh;
