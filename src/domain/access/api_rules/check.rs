//! The check: may this caller reach `method path`, and the cache of compiled patterns.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, RwLock};

use super::*;
use crate::domain::identity::Principal;

/// Compiled patterns by text. Bounded: cleared when it grows past [`CACHE_MAX`] entries.
static COMPILED: LazyLock<RwLock<HashMap<String, Option<Arc<Regex>>>>> =
    LazyLock::new(|| RwLock::new(HashMap::new()));
const CACHE_MAX: usize = 10_000;

/// The compiled form of `pattern`, compiled at most once per process; `None` for a pattern
/// that does not compile (one stored by other means), which then matches nothing.
fn compiled(pattern: &str) -> Option<Arc<Regex>> {
    if let Ok(cache) = COMPILED.read()
        && let Some(hit) = cache.get(pattern)
    {
        return hit.clone();
    }
    let built = match compile(pattern) {
        Ok(re) => Some(Arc::new(re)),
        Err(e) => {
            tracing::warn!(%pattern, error = %e, "stored API pattern does not compile; it matches nothing");
            None
        }
    };
    if let Ok(mut cache) = COMPILED.write() {
        if cache.len() >= CACHE_MAX {
            cache.clear();
        }
        cache.insert(pattern.to_owned(), built.clone());
    }
    built
}

/// Whether `principal` may call `method path` under the API rules. Superusers always may.
/// `path` is the request path as sent, prefix included. `HEAD` is allowed by `GET`.
pub async fn allows(db: &Db, principal: &Principal, method: &str, path: &str) -> Result<bool> {
    if principal.is_super_admin() {
        return Ok(true);
    }
    let method = method.to_ascii_uppercase();
    let alt = if method == "HEAD" { "GET" } else { "ALL" };
    let patterns: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT b.pattern FROM permissions p JOIN backend_apis b ON b.id = p.api_id \
         WHERE p.type = 'api' AND p.status = 1 AND upper(p.method) IN ($2, $3, 'ALL') AND p.id IN ( \
           SELECT up.permission_id FROM user_permissions up WHERE up.user_id = $1 \
           UNION \
           SELECT rp.permission_id FROM role_permissions rp \
           JOIN user_roles ur ON ur.role_id = rp.role_id \
           JOIN roles r ON r.id = rp.role_id \
           WHERE ur.user_id = $1 AND r.status = 1)",
    )
    .bind(principal.user.id)
    .bind(method)
    .bind(alt)
    .fetch_all(db.pool())
    .await?;
    Ok(patterns
        .iter()
        .any(|p| compiled(p).is_some_and(|re| re.is_match(path))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compiled_patterns_are_cached_and_search_the_path() {
        let re = compiled("^/account/user/").unwrap();
        assert!(re.is_match("/account/user/"));
        assert!(re.is_match("/account/user/5/"));
        assert!(!re.is_match("/account/group/"));
        assert!(Arc::ptr_eq(&re, &compiled("^/account/user/").unwrap()));
        assert!(compiled("(").is_none());
    }
}
