//! Which requests the operation log records, and under which `module` and `action`.
//!
//! Each dialect names its routes (from its route table, see `dialects/*/oplog.rs`); a route a
//! dialect does not name falls back to [`derive`]: every request that may change data
//! (`POST`, `PUT`, `PATCH`, `DELETE`) is recorded, named after its path.

/// How one route is logged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Naming {
    /// Not recorded (reads, including reads sent as `POST`).
    Skip,
    /// Recorded unless refused with 401/403.
    Change {
        module: &'static str,
        action: &'static str,
    },
    /// Recorded whatever the answer: logins (failed ones too) and token refreshes.
    Auth {
        module: &'static str,
        action: &'static str,
    },
}

/// A `(module, action)` naming that owns its text (for derived names).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    pub module: String,
    pub action: String,
    /// Logged even when answered 401/403.
    pub always: bool,
}

impl Naming {
    pub fn named(self) -> Option<Named> {
        match self {
            Naming::Skip => None,
            Naming::Change { module, action } => Some(Named {
                module: module.to_owned(),
                action: action.to_owned(),
                always: false,
            }),
            Naming::Auth { module, action } => Some(Named {
                module: module.to_owned(),
                action: action.to_owned(),
                always: true,
            }),
        }
    }
}

/// Whether a method may change data.
pub fn is_write(method: &str) -> bool {
    matches!(
        method.to_ascii_uppercase().as_str(),
        "POST" | "PUT" | "PATCH" | "DELETE"
    )
}

/// The generic naming of a write to `path` (a route pattern relative to the dialect prefix,
/// e.g. `/users/{id}/reset-password`): the module is the first segment in the singular, the
/// action the last fixed segment after it, or else the method's verb. Reads: `None`.
pub fn derive(method: &str, path: &str) -> Option<Named> {
    if !is_write(method) {
        return None;
    }
    let fixed: Vec<&str> = path
        .split('/')
        .filter(|s| !s.is_empty() && !s.starts_with('{'))
        .collect();
    let module = fixed
        .first()
        .map_or_else(|| "root".to_owned(), |s| singular(s));
    let ends_fixed = path
        .rsplit('/')
        .find(|s| !s.is_empty())
        .is_some_and(|s| !s.starts_with('{'));
    let action = match fixed.as_slice() {
        [_, .., last] if ends_fixed => (*last).to_owned(),
        _ => verb(method).to_owned(),
    };
    Some(Named {
        module,
        action,
        always: false,
    })
}

/// `create`, `update` or `delete` for a write method.
pub fn verb(method: &str) -> &'static str {
    match method.to_ascii_uppercase().as_str() {
        "POST" => "create",
        "PUT" | "PATCH" => "update",
        "DELETE" => "delete",
        _ => "view",
    }
}

/// `users` -> `user`, `animal-categories` -> `animal-category`; other words unchanged.
fn singular(word: &str) -> String {
    if let Some(stem) = word.strip_suffix("ies") {
        format!("{stem}y")
    } else if word.len() > 3 && word.ends_with('s') && !word.ends_with("ss") {
        word[..word.len() - 1].to_owned()
    } else {
        word.to_owned()
    }
}

/// `(module, action)` from a permission code `section:module:action`
/// (`system:user:create` -> `user`, `create`), the admin document's own naming.
pub fn from_permission(code: &str) -> Option<(&str, &str)> {
    let mut it = code.split(':');
    let (_, module, action) = (it.next()?, it.next()?, it.next()?);
    Some((module, action))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(method: &str, path: &str) -> Option<(String, String)> {
        derive(method, path).map(|n| (n.module, n.action))
    }

    #[test]
    fn writes_are_named_after_their_path() {
        let s = |a: &str, b: &str| Some((a.to_owned(), b.to_owned()));
        assert_eq!(d("POST", "/users"), s("user", "create"));
        assert_eq!(d("PUT", "/users/{id}"), s("user", "update"));
        assert_eq!(
            d("DELETE", "/animal-categories/{id}"),
            s("animal-category", "delete")
        );
        assert_eq!(
            d("POST", "/users/{id}/reset-password"),
            s("user", "reset-password")
        );
        assert_eq!(d("POST", "/auth/logout"), s("auth", "logout"));
        assert_eq!(
            d("POST", "/notifications/read-all"),
            s("notification", "read-all")
        );
        assert_eq!(d("PATCH", "/group/{pk}"), s("group", "update"));
        assert_eq!(d("POST", "/"), s("root", "create"));
    }

    #[test]
    fn reads_are_not_named() {
        assert_eq!(d("GET", "/users"), None);
        assert_eq!(d("HEAD", "/users"), None);
        assert_eq!(d("OPTIONS", "/users"), None);
    }

    #[test]
    fn permission_codes_give_module_and_action() {
        assert_eq!(
            from_permission("system:user:create"),
            Some(("user", "create"))
        );
        assert_eq!(
            from_permission("livestock:farm:audit"),
            Some(("farm", "audit"))
        );
        assert_eq!(from_permission("dashboard:view"), None);
    }
}
