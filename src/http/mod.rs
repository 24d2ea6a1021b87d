//! HTTP plumbing shared by every dialect: request ids, client info, path normalisation,
//! body and query parsing with field-naming errors, token transports, error and access logging.
//! No dialect shapes live here.

pub mod access;
pub mod blob;
pub mod body;
pub mod client;
pub mod conn;
pub mod deadline;
pub mod extract;
pub mod form_body;
pub mod guard;
pub mod headers;
pub mod internal;
pub mod metrics;
pub mod openapi;
pub mod oplog;
pub mod path;
pub mod request_id;
pub mod token;
