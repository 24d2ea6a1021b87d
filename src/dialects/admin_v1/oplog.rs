//! How the operation log names `admin_v1` routes (decisions §3): from the route table, a
//! write's module and action are those of the permission it needs (`system:user:create` ->
//! `user`/`create`, as the document's example); auth routes are named here.

use super::{Access, rule_for};
use crate::domain::platform::oplog::Naming::{self, Auth, Change};
use crate::domain::platform::oplog::naming;

/// The naming of a routed `(method, path)`.
pub fn naming(method: &str, path: &str) -> Option<Naming> {
    match (method, path) {
        ("POST", "/auth/login") => {
            return Some(Auth {
                module: "auth",
                action: "login",
            });
        }
        ("POST", "/auth/refresh") => {
            return Some(Auth {
                module: "auth",
                action: "refresh",
            });
        }
        _ => {}
    }
    if !naming::is_write(method) {
        return None;
    }
    match rule_for(method, path)?.access {
        Access::Permission(code) => {
            naming::from_permission(code).map(|(module, action)| Change { module, action })
        }
        Access::Public | Access::Login => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_take_their_permission_names() {
        assert_eq!(
            naming("POST", "/users"),
            Some(Change {
                module: "user",
                action: "create"
            })
        );
        assert_eq!(
            naming("POST", "/users/{id}/toggle-status"),
            Some(Change {
                module: "user",
                action: "toggle-status"
            })
        );
        assert_eq!(naming("GET", "/users"), None);
        assert!(matches!(naming("POST", "/auth/login"), Some(Auth { .. })));
        // Logout needs only a login: the generic rule names it `auth`/`logout`.
        assert_eq!(naming("POST", "/auth/logout"), None);
    }
}
