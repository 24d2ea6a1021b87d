//! Role memberships changed on someone's behalf: members added to or removed from a role,
//! a user's roles replaced. Each change is decided by [`super::check_tx`] first (only a
//! super admin may grant or take `super_admin`, an admin may not touch a super admin, …),
//! inside the transaction that makes it.

use crate::db::{self, Db, Tx};
use crate::domain::access::{roles, user_roles};
use crate::domain::identity::Principal;
use crate::error::{Entity, Error, Result};

/// Checks that every id names a user (sorted, no repeats); an unknown one fails on `field`.
async fn require_users(
    conn: &mut sqlx::AnyConnection,
    field: &str,
    ids: &[i64],
) -> Result<Vec<i64>> {
    db::require_existing(conn, "users", Entity::User, field, ids).await
}

/// Adds members to a role on behalf of `actor`, each one decided by [`super::check_tx`]
/// ([`Error::Forbidden`] refuses the whole call); an unknown user id fails the whole call.
pub async fn add_members(
    db: &Db,
    actor: &Principal,
    role_id: i64,
    field: &str,
    user_ids: &[i64],
) -> Result<()> {
    change_members(db, actor, role_id, field, user_ids, Change::Add).await
}

/// Removes members from a role on behalf of `actor` (same rules as [`add_members`]).
pub async fn remove_members(
    db: &Db,
    actor: &Principal,
    role_id: i64,
    field: &str,
    user_ids: &[i64],
) -> Result<()> {
    change_members(db, actor, role_id, field, user_ids, Change::Remove).await
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Change {
    Add,
    Remove,
}

async fn change_members(
    db: &Db,
    actor: &Principal,
    role_id: i64,
    field: &str,
    user_ids: &[i64],
    change: Change,
) -> Result<()> {
    roles::get(db, role_id).await?;
    let mut tx = db.begin().await?;
    let ids = require_users(&mut tx, field, user_ids).await?;
    // Every member's new set is decided before any link changes: one refusal, nothing written.
    for &uid in &ids {
        let mut after = user_roles::current_role_ids_tx(&mut tx, uid).await?;
        match change {
            Change::Add => after.push(role_id),
            Change::Remove => after.retain(|r| *r != role_id),
        }
        let intent = super::Intent {
            roles: Some(after),
            ..Default::default()
        };
        super::check_tx(&mut tx, actor, Some(uid), &intent).await?;
    }
    match change {
        Change::Add => user_roles::link_members(&mut tx, role_id, &ids).await?,
        Change::Remove => user_roles::unlink_members(&mut tx, role_id, &ids).await?,
    }
    tx.commit().await?;
    Ok(())
}

/// Replaces a user's roles by ids, in one transaction, on behalf of `actor`.
///
/// Errors: [`Error::Invalid`] (`field`) for an unknown role id; [`Error::Forbidden`] when
/// [`super::check_tx`] refuses; [`Error::NotFound`] for an unknown user. Takes effect on the user's next request.
pub async fn set_user_roles(
    db: &Db,
    actor: &Principal,
    user_id: i64,
    field: &str,
    role_ids: &[i64],
) -> Result<()> {
    user_roles::codes_for_ids(db, field, role_ids).await?;
    let mut tx = db.begin().await?;
    set_user_roles_tx(&mut tx, actor, user_id, role_ids).await?;
    tx.commit().await?;
    Ok(())
}

/// [`set_user_roles`] inside the caller's transaction; unknown ids are the caller's to
/// report first ([`user_roles::codes_for_ids`]).
pub async fn set_user_roles_tx(
    tx: &mut Tx<'_>,
    actor: &Principal,
    user_id: i64,
    role_ids: &[i64],
) -> Result<()> {
    let exists: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_one(&mut **tx)
        .await?;
    if exists == 0 {
        return Err(Error::NotFound(Entity::User));
    }
    let intent = super::Intent {
        roles: Some(role_ids.to_vec()),
        ..Default::default()
    };
    super::check_tx(tx, actor, Some(user_id), &intent).await?;
    user_roles::replace_user_roles_tx(tx, user_id, role_ids).await
}
