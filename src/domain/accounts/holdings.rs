//! What a user holds — groups (roles) and directly granted permissions — read in bulk, and
//! written together with the user in one transaction; and a group's members and permissions
//! changed on behalf of an actor. Every write is decided by [`super::check_tx`] first.
//!
//! The superuser and staff flags are memberships of the built-in roles `super_admin` and
//! `admin` (decisions §7).

use std::collections::HashMap;

use crate::db::{self, Db, Sql, Tx};
use crate::domain::access::groups::{self, Group, dedup, require_permissions};
use crate::domain::access::{ADMIN, SUPER_ADMIN, api_rules, roles};
use crate::domain::accounts;
use crate::domain::identity::credentials;
use crate::domain::identity::user::{self, NewUser, PreparedUser, User, UserPatch};
use crate::domain::identity::{CreatePolicy, Principal, password, validate};
use crate::error::{Entity, Error, Result};

/// A user's groups and direct permissions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Holdings {
    /// Every role the user is a member of, by id.
    pub role_ids: Vec<i64>,
    /// Codes of the user's enabled roles.
    pub role_codes: Vec<String>,
    /// Permissions granted to the user directly, by id.
    pub permission_ids: Vec<i64>,
}

impl Holdings {
    pub fn is_superuser(&self) -> bool {
        self.role_codes.iter().any(|c| c == SUPER_ADMIN)
    }

    pub fn is_staff(&self) -> bool {
        self.role_codes.iter().any(|c| c == ADMIN)
    }
}

/// Requested changes to what a user holds; `None` leaves that part alone.
#[derive(Debug, Clone, Default)]
pub struct Grants {
    /// The complete set of groups (role ids).
    pub groups: Option<Vec<i64>>,
    /// The complete set of direct permissions.
    pub permissions: Option<Vec<i64>>,
    /// Membership of `super_admin`, applied after `groups`.
    pub superuser: Option<bool>,
    /// Membership of `admin`, applied after `groups`.
    pub staff: Option<bool>,
}

/// A partial update of a user together with their password, state and holdings.
#[derive(Debug, Clone, Default)]
pub struct AccountPatch {
    pub user: UserPatch,
    /// Django-style names; a missing half keeps its current value.
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub password: Option<String>,
    pub is_active: Option<bool>,
    pub grants: Grants,
}

/// Holdings of each listed user (users without any appear with empty holdings).
pub async fn of_users(db: &Db, user_ids: &[i64]) -> Result<HashMap<i64, Holdings>> {
    let mut out: HashMap<i64, Holdings> = user_ids
        .iter()
        .map(|&id| (id, Holdings::default()))
        .collect();
    if user_ids.is_empty() {
        return Ok(out);
    }
    let mut sql = Sql::new(
        "SELECT ur.user_id, r.id, r.code, r.status FROM user_roles ur \
         JOIN roles r ON r.id = ur.role_id WHERE ur.user_id IN (",
    );
    sql.bind_list(user_ids.iter().copied())
        .push(") ORDER BY r.id");
    let rows: Vec<(i64, i64, String, i64)> = sql.query_as().fetch_all(db.pool()).await?;
    for (uid, rid, code, status) in rows {
        let h = out.entry(uid).or_default();
        h.role_ids.push(rid);
        if status == 1 {
            h.role_codes.push(code);
        }
    }
    let mut sql = Sql::new(
        "SELECT up.user_id, up.permission_id FROM user_permissions up \
         JOIN permissions p ON p.id = up.permission_id WHERE ",
    );
    api_rules::push_is_api_permission(&mut sql, "p").push(" AND up.user_id IN (");
    sql.bind_list(user_ids.iter().copied())
        .push(") ORDER BY up.permission_id");
    let rows: Vec<(i64, i64)> = sql.query_as().fetch_all(db.pool()).await?;
    for (uid, pid) in rows {
        out.entry(uid).or_default().permission_ids.push(pid);
    }
    Ok(out)
}

/// Holdings of one user.
pub async fn of_user(db: &Db, user_id: i64) -> Result<Holdings> {
    Ok(of_users(db, &[user_id])
        .await?
        .remove(&user_id)
        .unwrap_or_default())
}

/// `(id, code)` of the given roles; an unknown id is an invalid `field`.
async fn roles_by_id(tx: &mut Tx<'_>, field: &str, ids: &[i64]) -> Result<Vec<(i64, String)>> {
    let ids = db::require_existing(tx, "roles", Entity::Role, field, ids).await?;
    let mut sql = Sql::new("SELECT id, code FROM roles WHERE id IN (");
    sql.bind_list(ids.iter().copied()).push(") ORDER BY id");
    Ok(sql.query_as().fetch_all(&mut **tx).await?)
}

async fn role_id_of(tx: &mut Tx<'_>, code: &str) -> Result<i64> {
    sqlx::query_scalar("SELECT id FROM roles WHERE code = $1")
        .bind(code)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(Error::NotFound(Entity::Role))
}

async fn current_role_ids(tx: &mut Tx<'_>, user_id: i64) -> Result<Vec<i64>> {
    Ok(
        sqlx::query_scalar("SELECT role_id FROM user_roles WHERE user_id = $1 ORDER BY role_id")
            .bind(user_id)
            .fetch_all(&mut **tx)
            .await?,
    )
}

/// The complete role set `grants` leads to (groups, then the staff/superuser flags), and
/// the current one; unknown group ids are an invalid `groups`.
async fn planned_roles(
    tx: &mut Tx<'_>,
    user_id: Option<i64>,
    grants: &Grants,
) -> Result<(Vec<i64>, Vec<i64>)> {
    let current = match user_id {
        Some(id) => current_role_ids(tx, id).await?,
        None => Vec::new(),
    };
    let super_id = role_id_of(tx, SUPER_ADMIN).await?;
    let admin_id = role_id_of(tx, ADMIN).await?;
    let mut current = current;
    current.sort_unstable();
    let mut wanted = match &grants.groups {
        Some(ids) => {
            roles_by_id(tx, "groups", ids).await?;
            dedup(ids)
        }
        None => current.clone(),
    };
    for (flag, id) in [(grants.superuser, super_id), (grants.staff, admin_id)] {
        match flag {
            Some(true) if !wanted.contains(&id) => wanted.push(id),
            Some(false) => wanted.retain(|r| *r != id),
            _ => {}
        }
    }
    wanted.sort_unstable();
    Ok((current, wanted))
}

/// Decides ([`accounts::check_tx`]) whether `actor` may apply `patch`-like changes and these
/// `grants` to account `user_id` (`None`: a new account); answers the planned role set.
async fn decide_tx(
    tx: &mut Tx<'_>,
    actor: &Principal,
    user_id: Option<i64>,
    intent: accounts::Intent,
    grants: &Grants,
) -> Result<Vec<i64>> {
    let (_, wanted) = planned_roles(tx, user_id, grants).await?;
    let touches_roles =
        grants.groups.is_some() || grants.staff.is_some() || grants.superuser.is_some();
    let intent = accounts::Intent {
        roles: touches_roles.then(|| wanted.clone()),
        permissions: grants.permissions.clone(),
        ..intent
    };
    // Who may act first: a caller who may not grant permissions is refused as such, whatever
    // ids they sent; then the ids must be API permissions.
    accounts::check_tx(tx, actor, user_id, &intent).await?;
    if let Some(perms) = &grants.permissions {
        require_permissions(tx, "permissions", &dedup(perms)).await?;
    }
    Ok(wanted)
}

/// Applies `grants` to a user inside the caller's transaction, unchecked: callers decide
/// first with [`decide_tx`]. `fresh` users start with no groups.
async fn apply_tx(tx: &mut Tx<'_>, user_id: i64, grants: &Grants, fresh: bool) -> Result<()> {
    let (current, wanted) = planned_roles(tx, (!fresh).then_some(user_id), grants).await?;
    if wanted != current || fresh {
        sqlx::query("DELETE FROM user_roles WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut **tx)
            .await?;
        for role_id in &wanted {
            sqlx::query("INSERT INTO user_roles (user_id, role_id) VALUES ($1, $2)")
                .bind(user_id)
                .bind(role_id)
                .execute(&mut **tx)
                .await?;
        }
    }
    if let Some(perms) = &grants.permissions {
        let perms = dedup(perms);
        require_permissions(tx, "permissions", &perms).await?;
        // The list is the user's API permissions; any other direct grant stays.
        let mut delete = Sql::new("DELETE FROM user_permissions WHERE user_id = ");
        delete
            .bind(user_id)
            .push(" AND permission_id IN (SELECT p.id FROM permissions p WHERE ");
        api_rules::push_is_api_permission(&mut delete, "p").push(")");
        delete.query().execute(&mut **tx).await?;
        for pid in perms {
            sqlx::query("INSERT INTO user_permissions (user_id, permission_id) VALUES ($1, $2)")
                .bind(user_id)
                .bind(pid)
                .execute(&mut **tx)
                .await?;
        }
    }
    Ok(())
}

/// Creates every user with their groups and permissions, or nothing (one transaction).
/// With more than one item, invalid fields are named `"<index>.<field>"`.
pub async fn create_users(
    db: &Db,
    actor: &Principal,
    items: Vec<(NewUser, Grants)>,
) -> Result<Vec<User>> {
    let batch = items.len() > 1;
    let wrap = |i: usize, e: Error| {
        if batch { api_rules::at_index(i, e) } else { e }
    };
    let mut prepared: Vec<(PreparedUser, Grants)> = Vec::with_capacity(items.len());
    for (i, (new, grants)) in items.into_iter().enumerate() {
        let p = user::prepare(new).await.map_err(|e| wrap(i, e))?;
        prepared.push((p, grants));
    }
    let mut tx = db.begin().await?;
    let mut out = Vec::with_capacity(prepared.len());
    for (i, (p, grants)) in prepared.into_iter().enumerate() {
        decide_tx(&mut tx, actor, None, accounts::Intent::profile(), &grants)
            .await
            .map_err(|e| wrap(i, e))?;
        let created = super::enrol::create_tx(&mut tx, p, CreatePolicy::default())
            .await
            .map_err(|e| wrap(i, e))?;
        apply_tx(&mut tx, created.id, &grants, true)
            .await
            .map_err(|e| wrap(i, e))?;
        out.push(created);
    }
    tx.commit().await?;
    Ok(out)
}

/// Updates a user, their password, state, groups and permissions in one transaction.
/// A new password or disabling the account ends the user's sessions.
pub async fn update_user(db: &Db, actor: &Principal, id: i64, patch: AccountPatch) -> Result<User> {
    let hash = match &patch.password {
        Some(pw) => {
            validate::password("password", pw)?;
            Some(password::hash(pw).await?)
        }
        None => None,
    };
    let mut tx = db.begin().await?;
    let current = user::get(&mut *tx, id).await?;
    // Every part of the body is decided before anything is written: a body with allowed
    // and forbidden fields is refused whole.
    let intent = accounts::Intent {
        profile: true,
        password: hash.is_some(),
        active: patch.is_active,
        ..accounts::Intent::default()
    };
    decide_tx(&mut tx, actor, Some(id), intent, &patch.grants).await?;
    let mut up = patch.user;
    if patch.first_name.is_some() || patch.last_name.is_some() {
        up.names = Some((
            patch.first_name.unwrap_or(current.first_name),
            patch.last_name.unwrap_or(current.last_name),
        ));
    }
    user::update_tx(&mut tx, id, up).await?;
    if let Some(active) = patch.is_active {
        credentials::set_active_tx(&mut tx, id, active).await?;
    }
    if let Some(hash) = hash {
        credentials::set_password_tx(&mut tx, id, &hash, None).await?;
    }
    apply_tx(&mut tx, id, &patch.grants, false).await?;
    let user = user::get(&mut *tx, id).await?;
    tx.commit().await?;
    Ok(user)
}

/// Deletes every listed user or, when one is unknown or protected, nothing.
pub async fn delete_users(db: &Db, actor: &Principal, ids: &[i64]) -> Result<()> {
    let ids = dedup(ids);
    let mut tx = db.begin().await?;
    for &id in &ids {
        accounts::check_tx(&mut tx, actor, Some(id), &accounts::Intent::delete()).await?;
    }
    accounts::keeps_a_super_admin_tx(&mut tx, &ids).await?;
    let mut sql = Sql::new("DELETE FROM users WHERE id IN (");
    sql.bind_list(ids.iter().copied()).push(")");
    sql.query().execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(())
}

/// Adds (`add`) or removes members and permissions of a group in one transaction, on behalf
/// of `actor`. An unknown id fails the whole call and changes nothing; only a superuser may
/// change the members of `super_admin`.
pub async fn change_group(
    db: &Db,
    actor: &Principal,
    role_id: i64,
    add: bool,
    user_ids: &[i64],
    perm_ids: &[i64],
) -> Result<Group> {
    let role = roles::get(db, role_id).await?;
    let user_ids = dedup(user_ids);
    let perm_ids = dedup(perm_ids);
    let mut tx = db.begin().await?;
    db::require_existing(&mut tx, "users", Entity::User, "user_ids", &user_ids).await?;
    require_permissions(&mut tx, "perm_ids", &perm_ids).await?;
    // Each member added or removed is a role change on that account; each permission
    // added or removed changes what every member holds.
    for &uid in &user_ids {
        let mut after = current_role_ids(&mut tx, uid).await?;
        if add {
            after.push(role_id);
        } else {
            after.retain(|r| *r != role_id);
        }
        let intent = accounts::Intent {
            roles: Some(after),
            ..accounts::Intent::default()
        };
        accounts::check_tx(&mut tx, actor, Some(uid), &intent).await?;
    }
    accounts::check_group_permissions_tx(&mut tx, actor, &role.code, &perm_ids).await?;
    let (members, perms) = if add {
        (
            "INSERT INTO user_roles (role_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            "INSERT INTO role_permissions (role_id, permission_id) VALUES ($1, $2) \
             ON CONFLICT DO NOTHING",
        )
    } else {
        (
            "DELETE FROM user_roles WHERE role_id = $1 AND user_id = $2",
            "DELETE FROM role_permissions WHERE role_id = $1 AND permission_id = $2",
        )
    };
    for (statement, ids) in [(members, &user_ids), (perms, &perm_ids)] {
        for &id in ids {
            sqlx::query(statement)
                .bind(role_id)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
    }
    tx.commit().await?;
    groups::get_group(db, role_id).await
}
