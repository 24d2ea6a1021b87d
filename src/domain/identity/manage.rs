//! Account administration on behalf of an acting user, with the rules that depend on who
//! acts: nobody deletes or disables their own account, and only a super admin may act on a
//! super admin's account (delete, disable, reset its password).

use super::session::Principal;
use super::user::{self, User, UserPatch};
use crate::db::{Db, Sql};
use crate::domain::access::{SUPER_ADMIN, roles};
use crate::error::{Error, Result};

/// Refuses when `target` is a super admin and `actor` is not.
async fn guard_super_admin(db: &Db, actor: &Principal, target: i64) -> Result<()> {
    if actor.is_super_admin() {
        return Ok(());
    }
    if roles::codes_of(db, target)
        .await?
        .iter()
        .any(|c| c == SUPER_ADMIN)
    {
        return Err(Error::Forbidden);
    }
    Ok(())
}

/// Deletes a user; their sessions end with them. Refuses the actor's own account
/// ([`Error::Forbidden`]).
pub async fn delete(db: &Db, actor: &Principal, id: i64) -> Result<()> {
    if id == actor.user.id {
        return Err(Error::Forbidden);
    }
    user::get(db, id).await?;
    guard_super_admin(db, actor, id).await?;
    user::delete(db, id).await
}

/// Deletes several users in one transaction and answers how many existed. Unknown ids are
/// skipped; the actor's own id or a super admin (for a non-super-admin) refuses the whole
/// call and deletes nothing.
pub async fn delete_many(db: &Db, actor: &Principal, ids: &[i64]) -> Result<i64> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    if ids.contains(&actor.user.id) {
        return Err(Error::Forbidden);
    }
    if ids.is_empty() {
        return Ok(0);
    }
    if !actor.is_super_admin() {
        let mut sql = Sql::new(
            "SELECT COUNT(*) FROM user_roles ur JOIN roles r ON r.id = ur.role_id \
             WHERE r.code = ",
        );
        sql.bind(SUPER_ADMIN).push(" AND ur.user_id IN (");
        sql.bind_list(ids.iter().copied()).push(")");
        let supers: i64 = sql.query_scalar().fetch_one(db.pool()).await?;
        if supers > 0 {
            return Err(Error::Forbidden);
        }
    }
    let mut tx = db.begin().await?;
    let mut sql = Sql::new("DELETE FROM users WHERE id IN (");
    sql.bind_list(ids.iter().copied()).push(")");
    let done = sql.query().execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(done.rows_affected() as i64)
}

/// Enables or disables a user (disabling ends their sessions at once). Nobody disables
/// themselves ([`Error::Forbidden`]).
pub async fn set_active(db: &Db, actor: &Principal, id: i64, active: bool) -> Result<User> {
    if id == actor.user.id && !active {
        return Err(Error::Forbidden);
    }
    user::get(db, id).await?;
    guard_super_admin(db, actor, id).await?;
    user::set_active(db, id, active).await
}

/// Sets a new password for a user and ends all of their sessions.
pub async fn reset_password(db: &Db, actor: &Principal, id: i64, password: &str) -> Result<()> {
    user::get(db, id).await?;
    guard_super_admin(db, actor, id).await?;
    user::set_password(db, id, password, None).await
}

/// Updates a user's profile, roles (by ids, reported as `roles_field` when unknown) and
/// status in ONE transaction, on behalf of `actor`: nobody disables themselves, only a super
/// admin changes a super admin's status or grants/removes `super_admin`. Every rule that can
/// refuse is checked before anything is written; disabling ends the user's sessions.
pub async fn update(
    db: &Db,
    actor: &Principal,
    id: i64,
    patch: UserPatch,
    roles: Option<(&str, &[i64])>,
    active: Option<bool>,
) -> Result<User> {
    let current = user::get(db, id).await?;
    let active = active.filter(|a| *a != current.is_active);
    if active == Some(false) && id == actor.user.id {
        return Err(Error::Forbidden);
    }
    if active.is_some() {
        guard_super_admin(db, actor, id).await?;
    }
    let role_codes = match roles {
        Some((field, ids)) => Some((roles::codes_for_ids(db, field, ids).await?, ids)),
        None => None,
    };
    let mut tx = db.begin().await?;
    user::update_tx(&mut tx, id, patch).await?;
    if let Some((codes, ids)) = &role_codes {
        roles::set_user_roles_tx(&mut tx, actor, id, codes, ids).await?;
    }
    if let Some(active) = active {
        user::set_active_tx(&mut tx, id, active).await?;
    }
    tx.commit().await?;
    user::get(db, id).await
}
