//! How the operation log names `account` routes (decisions §3). Routes not listed that
//! write are named by the generic rule (`POST /user` -> `user`/`create`,
//! `DELETE /group/multiple_delete` -> `group`/`multiple_delete`); reads are not recorded.

use crate::domain::platform::oplog::Naming::{self, Auth, Change};

const fn c(module: &'static str, action: &'static str) -> Naming {
    Change { module, action }
}

/// The naming of a routed `(method, path)`.
pub fn naming(method: &str, path: &str) -> Option<Naming> {
    Some(match (method, path) {
        ("POST", "/login") => Auth {
            module: "auth",
            action: "login",
        },
        // Django's logout answers GET too; it ends a session either way.
        ("GET" | "POST", "/logout") => c("auth", "logout"),
        ("DELETE", "/usr/multiple_delete") => c("user", "multiple_delete"),
        ("POST", "/group/{pk}/permission") => c("group", "add-permission"),
        ("DELETE", "/group/{pk}/permission") => c("group", "remove-permission"),
        _ => return None,
    })
}
