//! The one decision: may this user do X?
//!
//! A user holds a permission when it is enabled and either one of their *enabled* roles holds
//! it or it was given to them directly. Members of an enabled `super_admin` role may do
//! everything. Nothing is cached across requests, so a change of roles or permissions takes
//! effect on the user's next request, on every node.

use std::collections::HashSet;

use super::permissions::{self, Permission, PermissionFilter, PermissionNode, PermissionType};
use crate::db::Db;
use crate::domain::identity::Principal;
use crate::error::Result;

/// Held by enabled roles of the user, or directly; the permission itself enabled.
const HELD: &str = "p.status = 1 AND (\
     EXISTS (SELECT 1 FROM role_permissions rp \
             JOIN roles r ON r.id = rp.role_id \
             JOIN user_roles ur ON ur.role_id = r.id \
             WHERE rp.permission_id = p.id AND ur.user_id = $1 AND r.status = 1) \
     OR EXISTS (SELECT 1 FROM user_permissions up \
                WHERE up.permission_id = p.id AND up.user_id = $1))";

/// Whether `principal` may do what permission `code` stands for.
pub async fn may(db: &Db, principal: &Principal, code: &str) -> Result<bool> {
    if principal.is_super_admin() {
        return Ok(true);
    }
    let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM permissions p WHERE p.code = $2 AND {HELD}"
    )))
    .bind(principal.user.id)
    .bind(code)
    .fetch_one(db.pool())
    .await?;
    Ok(n > 0)
}

/// Everything a user holds, loaded once for a request that needs more than one answer.
#[derive(Debug, Clone, Default)]
pub struct PermissionSet {
    all: bool,
    held: Vec<Permission>,
}

impl PermissionSet {
    /// Loads the permissions of `principal` (super admins hold everything).
    pub async fn load(db: &Db, principal: &Principal) -> Result<Self> {
        if principal.is_super_admin() {
            return Ok(Self {
                all: true,
                held: Vec::new(),
            });
        }
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {} FROM permissions p WHERE {HELD} ORDER BY p.sort_order, p.id",
            prefixed_columns()
        )))
        .bind(principal.user.id)
        .fetch_all(db.pool())
        .await?;
        Ok(Self {
            all: false,
            held: rows
                .iter()
                .map(Permission::from_row)
                .collect::<sqlx::Result<_>>()?,
        })
    }

    /// Whether everything is allowed (super admin).
    pub fn is_all(&self) -> bool {
        self.all
    }

    pub fn allows(&self, code: &str) -> bool {
        self.all || self.held.iter().any(|p| p.code.as_deref() == Some(code))
    }

    /// Codes of the held permissions, in tree order (empty for super admins: see
    /// [`Self::is_all`]).
    pub fn codes(&self) -> Vec<String> {
        self.held.iter().filter_map(|p| p.code.clone()).collect()
    }

    /// The held permissions themselves (empty for super admins).
    pub fn permissions(&self) -> &[Permission] {
        &self.held
    }
}

/// The permission columns, qualified for joins (built once: the check runs on every request).
static PREFIXED_COLUMNS: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| crate::db::qualify(permissions::COLUMNS, "p"));

fn prefixed_columns() -> &'static str {
    PREFIXED_COLUMNS.as_str()
}

/// The menus `principal` may see, nested and sorted by `sort_order`.
///
/// A menu is visible when it is enabled and the user holds it or anything below it (holding a
/// button or API permission shows the menus that lead to it); super admins see every enabled
/// menu. A menu under a disabled menu is hidden with it. Buttons and API permissions are not
/// part of the answer.
pub async fn menus_of(db: &Db, principal: &Principal) -> Result<Vec<PermissionNode>> {
    let set = PermissionSet::load(db, principal).await?;
    let all = permissions::list(db, &PermissionFilter::default()).await?;
    Ok(visible_menus(all, &set))
}

/// The pure part of [`menus_of`].
pub fn visible_menus(all: Vec<Permission>, set: &PermissionSet) -> Vec<PermissionNode> {
    let parent_of: std::collections::HashMap<i64, Option<i64>> =
        all.iter().map(|p| (p.id, p.parent_id)).collect();
    let enabled: HashSet<i64> = all.iter().filter(|p| p.enabled).map(|p| p.id).collect();
    let mut visible: HashSet<i64> = HashSet::new();
    let seeds: Vec<i64> = if set.all {
        all.iter().map(|p| p.id).collect()
    } else {
        set.held.iter().map(|p| p.id).collect()
    };
    for id in seeds {
        // The held permission and every ancestor, as long as each is enabled.
        let mut chain = Vec::new();
        let mut at = Some(id);
        let mut ok = true;
        while let Some(node) = at {
            if !enabled.contains(&node) || chain.len() > parent_of.len() {
                ok = false;
                break;
            }
            chain.push(node);
            at = parent_of.get(&node).copied().flatten();
        }
        if ok {
            visible.extend(chain);
        }
    }
    let menus = all
        .into_iter()
        .filter(|p| p.kind == PermissionType::Menu && visible.contains(&p.id))
        .collect();
    permissions::build_tree(menus)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(id: i64, parent: Option<i64>, kind: PermissionType, enabled: bool) -> Permission {
        Permission {
            id,
            parent_id: parent,
            name: format!("p{id}"),
            code: Some(format!("c{id}")),
            kind,
            path: None,
            icon: None,
            sort_order: 0,
            enabled,
            method: None,
            api_id: None,
            created_at: 0,
            updated_at: 0,
        }
    }

    fn tree() -> Vec<Permission> {
        use PermissionType::*;
        vec![
            p(1, None, Menu, true),
            p(2, Some(1), Menu, true),
            p(3, Some(2), Button, true),
            p(4, Some(1), Menu, true),
            p(5, None, Menu, false),
            p(6, Some(5), Menu, true),
            p(7, Some(6), Button, true),
        ]
    }

    fn ids(nodes: &[PermissionNode]) -> Vec<(i64, Vec<i64>)> {
        nodes
            .iter()
            .map(|n| {
                (
                    n.permission.id,
                    n.children.iter().map(|c| c.permission.id).collect(),
                )
            })
            .collect()
    }

    #[test]
    fn a_held_button_shows_the_menus_leading_to_it() {
        let all = tree();
        let set = PermissionSet {
            all: false,
            held: vec![all[2].clone()],
        };
        assert_eq!(ids(&visible_menus(all, &set)), vec![(1, vec![2])]);
    }

    #[test]
    fn disabled_menus_hide_their_subtree_even_for_super_admins() {
        let set = PermissionSet {
            all: true,
            held: vec![],
        };
        assert_eq!(ids(&visible_menus(tree(), &set)), vec![(1, vec![2, 4])]);
        let all = tree();
        let set = PermissionSet {
            all: false,
            held: vec![all[6].clone()],
        };
        assert!(visible_menus(all, &set).is_empty());
    }

    #[test]
    fn allows_checks_codes() {
        let all = tree();
        let set = PermissionSet {
            all: false,
            held: vec![all[2].clone()],
        };
        assert!(set.allows("c3"));
        assert!(!set.allows("c2"));
        assert_eq!(set.codes(), vec!["c3".to_owned()]);
        assert!(
            PermissionSet {
                all: true,
                held: vec![]
            }
            .allows("anything")
        );
    }
}
