//! How the operation log names `ops_v1` routes (decisions §3). Routes not listed that
//! write are named by the generic rule; reads are not recorded.

use crate::domain::platform::oplog::Naming::{self, Auth, Change, Skip};

const fn c(module: &'static str, action: &'static str) -> Naming {
    Change { module, action }
}

/// The naming of a routed `(method, path)`.
pub fn naming(method: &str, path: &str) -> Option<Naming> {
    Some(match (method, path) {
        ("POST", "/users/login") => Auth {
            module: "user",
            action: "login",
        },
        ("POST", "/users/register") => c("user", "register"),
        ("POST", "/users/logout") => c("user", "logout"),
        ("PUT", "/users/profile") => c("user", "update-profile"),
        ("POST", "/users/forgot-password") => c("user", "forgot-password"),
        ("POST", "/users/reset-password") => c("user", "reset-password"),
        // A list sent as POST (the manual's compatibility route): a read.
        ("POST", "/purchase/getorders") => Skip,
        ("POST", "/purchase/addorder" | "/purchase/orders") => c("purchase", "create"),
        ("PUT", "/purchase/orders/{id}") => c("purchase", "update"),
        ("DELETE", "/purchase/orders/{id}") => c("purchase", "delete"),
        ("POST", "/files/upload") => c("file", "upload"),
        ("DELETE", "/files/{file_id}") => c("file", "delete"),
        ("PUT", "/system/config") => c("config", "update"),
        _ => return None,
    })
}
