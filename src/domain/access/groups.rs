//! Groups (= roles) seen as Django groups: their permissions and members, listed, created,
//! renamed and deleted. What a user holds, and every change of a user's groups or of a
//! group's members, is an account write: `domain::accounts::holdings`.

use std::collections::HashMap;

use super::api_rules;
use super::roles::{self, NewRole, Role, RoleFilter, RolePatch};
use crate::db::{Db, Sql, Tx};
use crate::domain::paging::Page;
use crate::error::{Entity, Error, Problem, Result};

/// The ids once each, in order.
pub(crate) fn dedup(ids: &[i64]) -> Vec<i64> {
    let mut v = ids.to_vec();
    v.sort_unstable();
    v.dedup();
    v
}

/// Checks that every id names an API permission (the rows `/account/permission/` lists); an
/// admin menu id or an unknown id fails on `field`. Django-style groups and users hold API
/// permissions only: menus belong to the admin back office's roles.
pub(crate) async fn require_permissions(
    tx: &mut Tx<'_>,
    field: &str,
    ids: &[i64],
) -> Result<Vec<i64>> {
    let unique = dedup(ids);
    if unique.is_empty() {
        return Ok(unique);
    }
    let mut sql = Sql::new("SELECT id FROM permissions p WHERE ");
    api_rules::push_is_api_permission(&mut sql, "p").push(" AND id IN (");
    sql.bind_list(unique.iter().copied()).push(")");
    let found: Vec<i64> = sql.query_scalar().fetch_all(&mut **tx).await?;
    if let Some(&missing) = unique.iter().find(|id| !found.contains(id)) {
        return Err(Error::invalid(
            field,
            Problem::UnknownReference {
                entity: Entity::Permission,
                id: Some(missing),
            },
        ));
    }
    Ok(unique)
}

/// A role's permissions that are not API permissions (admin menus, buttons and their API
/// entries): a group's `permissions` list neither shows nor replaces them.
async fn non_api_permissions(tx: &mut Tx<'_>, role_id: i64) -> Result<Vec<i64>> {
    let mut sql = Sql::new(
        "SELECT rp.permission_id FROM role_permissions rp \
         JOIN permissions p ON p.id = rp.permission_id WHERE rp.role_id = ",
    );
    sql.bind(role_id).push(" AND NOT ");
    api_rules::push_is_api_permission(&mut sql, "p");
    Ok(sql.query_scalar().fetch_all(&mut **tx).await?)
}

// ----- groups (= roles) ------------------------------------------------------------------

/// A group with the ids of its permissions and members.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub role: Role,
    pub permission_ids: Vec<i64>,
    pub user_ids: Vec<i64>,
}

/// Groups with their permissions and members, by role id.
async fn groups_of(db: &Db, role_list: Vec<Role>) -> Result<Vec<Group>> {
    let ids: Vec<i64> = role_list.iter().map(|r| r.id).collect();
    let mut perms: HashMap<i64, Vec<i64>> = HashMap::new();
    let mut users: HashMap<i64, Vec<i64>> = HashMap::new();
    if !ids.is_empty() {
        let mut sql = Sql::new(
            "SELECT rp.role_id, rp.permission_id FROM role_permissions rp \
             JOIN permissions p ON p.id = rp.permission_id WHERE ",
        );
        api_rules::push_is_api_permission(&mut sql, "p").push(" AND rp.role_id IN (");
        sql.bind_list(ids.iter().copied())
            .push(") ORDER BY rp.permission_id");
        let rows: Vec<(i64, i64)> = sql.query_as().fetch_all(db.pool()).await?;
        for (rid, pid) in rows {
            perms.entry(rid).or_default().push(pid);
        }
        let mut sql = Sql::new("SELECT role_id, user_id FROM user_roles WHERE role_id IN (");
        sql.bind_list(ids.iter().copied())
            .push(") ORDER BY user_id");
        let rows: Vec<(i64, i64)> = sql.query_as().fetch_all(db.pool()).await?;
        for (rid, uid) in rows {
            users.entry(rid).or_default().push(uid);
        }
    }
    Ok(role_list
        .into_iter()
        .map(|role| Group {
            permission_ids: perms.remove(&role.id).unwrap_or_default(),
            user_ids: users.remove(&role.id).unwrap_or_default(),
            role,
        })
        .collect())
}

/// Lists groups by id; answers the page and the total count.
/// `None` lists every group.
pub async fn list_groups(db: &Db, page: Option<Page>) -> Result<(Vec<Group>, i64)> {
    // "Everything" is one page larger than any table.
    let page = page.unwrap_or(Page::new(1, i64::MAX / 4));
    let (items, total) = roles::list(db, &RoleFilter::default(), page).await?;
    let groups = groups_of(db, items.into_iter().map(|i| i.role).collect()).await?;
    Ok((groups, total))
}

pub async fn get_group(db: &Db, id: i64) -> Result<Group> {
    let role = roles::get(db, id).await?;
    let mut out = groups_of(db, vec![role]).await?;
    out.pop().ok_or(Error::NotFound(Entity::Role))
}

/// Creates every group with its permissions, or nothing (one transaction). With more than
/// one item, invalid fields are named `"<index>.<field>"`.
pub async fn create_groups(db: &Db, items: Vec<(String, Vec<i64>)>) -> Result<Vec<Group>> {
    let batch = items.len() > 1;
    let wrap = |i: usize, e: Error| {
        if batch { api_rules::at_index(i, e) } else { e }
    };
    let mut tx = db.begin().await?;
    let mut created = Vec::with_capacity(items.len());
    for (i, (name, perms)) in items.into_iter().enumerate() {
        require_permissions(&mut tx, "permissions", &perms)
            .await
            .map_err(|e| wrap(i, e))?;
        let role = roles::create_tx(
            &mut tx,
            NewRole {
                name,
                permission_ids: perms,
                ..NewRole::default()
            },
        )
        .await
        .map_err(|e| wrap(i, e))?;
        created.push(role);
    }
    tx.commit().await?;
    groups_of(db, created).await
}

/// Renames a group and/or replaces its permissions.
pub async fn update_group(
    db: &Db,
    id: i64,
    name: Option<String>,
    permissions: Option<Vec<i64>>,
) -> Result<Group> {
    roles::get(db, id).await?;
    // The new API permissions, plus the menus the role keeps (see `non_api_permissions`).
    let permissions = match permissions {
        Some(perms) => {
            let mut tx = db.begin().await?;
            let mut all = require_permissions(&mut tx, "permissions", &perms).await?;
            all.extend(non_api_permissions(&mut tx, id).await?);
            tx.rollback().await?;
            Some(all)
        }
        None => None,
    };
    roles::update(
        db,
        id,
        RolePatch {
            name,
            permission_ids: permissions,
            ..RolePatch::default()
        },
    )
    .await?;
    get_group(db, id).await
}

/// Deletes every listed group or, when one is unknown, built in or still held, nothing.
pub async fn delete_groups(db: &Db, ids: &[i64]) -> Result<()> {
    let mut tx = db.begin().await?;
    for id in dedup(ids) {
        roles::delete_tx(&mut tx, id).await?;
    }
    tx.commit().await?;
    Ok(())
}
