//! How the operation log names `hanzi` routes (decisions §3). Routes not listed that write
//! are named by the generic rule; reads are not recorded.

use crate::domain::platform::oplog::Naming::{self, Auth, Change};

const fn c(module: &'static str, action: &'static str) -> Naming {
    Change { module, action }
}

/// The naming of a routed `(method, path)`.
pub fn naming(method: &str, path: &str) -> Option<Naming> {
    Some(match (method, path) {
        ("POST", "/login") => Auth {
            module: "user",
            action: "login",
        },
        ("POST", "/users") => c("user", "register"),
        ("PUT", "/users/{id}/promote") => c("user", "promote"),
        ("PUT", "/users/{id}/disable") => c("user", "disable"),
        ("POST", "/repertoire") => c("repertoire", "allocate"),
        ("PUT", "/repertoire") => c("repertoire", "renumber"),
        ("POST", "/repertoire/batch") => c("repertoire", "create-batch"),
        ("PUT", "/repertoire/batch") => c("repertoire", "update-batch"),
        ("DELETE", "/repertoire/batch") => c("repertoire", "delete-batch"),
        _ => return None,
    })
}
