//! Account administration on behalf of an acting user (`admin_v1`, `hanzi`, `ops_v1`): each
//! function states its [`Intent`], has it decided by [`check_tx`] and writes in the same
//! transaction, so nothing is written when a rule refuses.

use super::{Intent, check_tx};
use crate::db::{Db, Sql};
use crate::domain::access::level::AdminLevel;
use crate::domain::access::user_roles;
use crate::domain::identity::credentials;
use crate::domain::identity::session::Principal;
use crate::domain::identity::user::{self, User, UserPatch};
use crate::domain::identity::{password, validate};
use crate::error::{Entity, Error, Result};

/// Whether `actor` may create an account holding these roles and direct permissions.
pub async fn may_create(
    db: &Db,
    actor: &Principal,
    role_ids: &[i64],
    permission_ids: &[i64],
) -> Result<()> {
    let intent = Intent {
        roles: Some(role_ids.to_vec()),
        permissions: Some(permission_ids.to_vec()),
        ..Intent::default()
    };
    let mut tx = db.begin().await?;
    check_tx(&mut tx, actor, None, &intent).await
}

/// Deletes a user; their sessions end with them.
pub async fn delete(db: &Db, actor: &Principal, id: i64) -> Result<()> {
    let mut tx = db.begin().await?;
    check_tx(&mut tx, actor, Some(id), &Intent::delete()).await?;
    user::delete_tx(&mut tx, id).await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes several users in one transaction and answers how many existed. Unknown ids are
/// skipped; one protected account (the actor's own, one above the actor's level, the last
/// super admin) refuses the whole call and deletes nothing.
pub async fn delete_many(db: &Db, actor: &Principal, ids: &[i64]) -> Result<i64> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(0);
    }
    let mut tx = db.begin().await?;
    let mut existing = Vec::with_capacity(ids.len());
    for &id in &ids {
        match check_tx(&mut tx, actor, Some(id), &Intent::delete()).await {
            Ok(()) => existing.push(id),
            Err(Error::NotFound(Entity::User)) => {}
            Err(e) => return Err(e),
        }
    }
    if !existing.is_empty() {
        // Deleting several super admins at once must still leave one.
        super::keeps_a_super_admin_tx(&mut tx, &existing).await?;
        let mut sql = Sql::new("DELETE FROM users WHERE id IN (");
        sql.bind_list(existing.iter().copied()).push(")");
        sql.query().execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(existing.len() as i64)
}

/// Enables or disables a user (disabling ends their sessions at once).
pub async fn set_active(db: &Db, actor: &Principal, id: i64, active: bool) -> Result<User> {
    let mut tx = db.begin().await?;
    check_tx(&mut tx, actor, Some(id), &Intent::status(active)).await?;
    credentials::set_active_tx(&mut tx, id, active).await?;
    tx.commit().await?;
    user::get(db.pool(), id).await
}

/// Sets a new password for a user and ends all of their sessions except `keep_session`.
pub async fn set_password(
    db: &Db,
    actor: &Principal,
    id: i64,
    new_password: &str,
    keep_session: Option<i64>,
) -> Result<()> {
    let hash = credentials::hash_new(new_password).await?;
    let mut tx = db.begin().await?;
    check_tx(&mut tx, actor, Some(id), &Intent::password()).await?;
    credentials::set_password_tx(&mut tx, id, &hash, keep_session).await?;
    tx.commit().await?;
    Ok(())
}

/// Sets a new password for a user and ends all of their sessions.
pub async fn reset_password(db: &Db, actor: &Principal, id: i64, password: &str) -> Result<()> {
    set_password(db, actor, id, password, None).await
}

/// A user's profile and, optionally, password in one transaction (hanzi `PUT /users/:id`,
/// ops_v1 profile). A new password ends the user's sessions except `keep_session`.
pub async fn update_profile(
    db: &Db,
    actor: &Principal,
    id: i64,
    patch: UserPatch,
    new_password: Option<&str>,
    keep_session: Option<i64>,
) -> Result<User> {
    let hash = match new_password {
        Some(pw) => {
            validate::password("password", pw)?;
            Some(password::hash(pw).await?)
        }
        None => None,
    };
    let intent = Intent {
        profile: true,
        password: hash.is_some(),
        ..Intent::default()
    };
    let mut tx = db.begin().await?;
    check_tx(&mut tx, actor, Some(id), &intent).await?;
    user::update_tx(&mut tx, id, patch).await?;
    if let Some(hash) = hash {
        credentials::set_password_tx(&mut tx, id, &hash, keep_session).await?;
    }
    let user = user::get(&mut *tx, id).await?;
    tx.commit().await?;
    Ok(user)
}

/// Sets a user's level (hanzi `promote`): the `admin` and `super_admin` roles are revoked,
/// then the one for `level` granted; other roles stay.
pub async fn set_level(db: &Db, actor: &Principal, id: i64, level: AdminLevel) -> Result<()> {
    let mut tx = db.begin().await?;
    let mut role_ids: Vec<i64> =
        sqlx::query_scalar("SELECT role_id FROM user_roles WHERE user_id = $1")
            .bind(id)
            .fetch_all(&mut *tx)
            .await?;
    let levels: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, code FROM roles WHERE code IN ('admin', 'super_admin')")
            .fetch_all(&mut *tx)
            .await?;
    role_ids.retain(|r| !levels.iter().any(|(id, _)| id == r));
    let wanted = match level {
        AdminLevel::None => None,
        AdminLevel::Admin => Some("admin"),
        AdminLevel::SuperAdmin => Some("super_admin"),
    };
    if let Some((rid, _)) = levels.iter().find(|(_, c)| Some(c.as_str()) == wanted) {
        role_ids.push(*rid);
    }
    let intent = Intent {
        roles: Some(role_ids.clone()),
        ..Intent::default()
    };
    check_tx(&mut tx, actor, Some(id), &intent).await?;
    user_roles::replace_user_roles_tx(&mut tx, id, &role_ids).await?;
    tx.commit().await?;
    Ok(())
}

/// Updates a user's profile, roles (by ids, reported as `roles_field` when unknown) and
/// status in ONE transaction, on behalf of `actor` (admin_v1 `PUT /users/{id}`). Every rule
/// that can refuse is checked before anything is written; disabling ends the user's
/// sessions.
pub async fn update(
    db: &Db,
    actor: &Principal,
    id: i64,
    patch: UserPatch,
    roles: Option<(&str, &[i64])>,
    active: Option<bool>,
) -> Result<User> {
    user::get(db.pool(), id).await?;
    if let Some((field, ids)) = roles {
        user_roles::codes_for_ids(db, field, ids).await?;
    }
    let intent = Intent {
        profile: true,
        active,
        roles: roles.map(|(_, ids)| ids.to_vec()),
        ..Intent::default()
    };
    let mut tx = db.begin().await?;
    check_tx(&mut tx, actor, Some(id), &intent).await?;
    user::update_tx(&mut tx, id, patch).await?;
    if let Some((_, ids)) = roles {
        user_roles::replace_user_roles_tx(&mut tx, id, ids).await?;
    }
    if let Some(active) = active {
        credentials::set_active_tx(&mut tx, id, active).await?;
    }
    tx.commit().await?;
    user::get(db.pool(), id).await
}

/// The operator at the command line acts with the machine's authority, outside any
/// session: these are the only unchecked account writes, and no dialect calls them.
pub mod operator {
    use crate::db::{Db, Tx};
    use crate::domain::access::{SUPER_ADMIN, user_roles};
    use crate::domain::identity::credentials;
    use crate::domain::identity::user::{self, User};
    use crate::error::{Entity, Error, Problem, Result, Rule};

    /// Sets a password and ends every session of the user.
    pub async fn set_password(db: &Db, id: i64, password: &str) -> Result<()> {
        credentials::set_password(db, id, password, None).await
    }

    /// Enables or disables an account (disabling ends its sessions).
    pub async fn set_active(db: &Db, id: i64, active: bool) -> Result<User> {
        let mut tx = db.begin().await?;
        credentials::set_active_tx(&mut tx, id, active).await?;
        tx.commit().await?;
        user::get(db.pool(), id).await
    }

    /// Gives the user the role `code`; answers whether anything changed. An unknown role is
    /// an invalid `role`, an unknown user not found.
    pub async fn grant_role(db: &Db, id: i64, code: &str) -> Result<bool> {
        let mut tx = db.begin().await?;
        let held = holds_tx(&mut tx, id, code).await?;
        if !held {
            user_roles::grant_codes(&mut tx, id, &[code.to_owned()]).await?;
        }
        tx.commit().await?;
        Ok(!held)
    }

    /// Takes the role `code` away; answers whether anything changed. The last active super
    /// admin keeps `super_admin`, as in every dialect, so the API stays administrable.
    pub async fn revoke_role(db: &Db, id: i64, code: &str) -> Result<bool> {
        let mut tx = db.begin().await?;
        if !holds_tx(&mut tx, id, code).await? {
            return Ok(false);
        }
        if code == SUPER_ADMIN {
            super::super::keeps_a_super_admin_tx(&mut tx, &[id])
                .await
                .map_err(|e| match e {
                    Error::Forbidden => Error::StateNotAllowed(Rule::LastSuperAdmin),
                    other => other,
                })?;
        }
        user_roles::revoke_codes(&mut tx, id, &[code.to_owned()]).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn holds_tx(tx: &mut Tx<'_>, id: i64, code: &str) -> Result<bool> {
        user::get(&mut **tx, id).await?;
        let role: Option<i64> = sqlx::query_scalar("SELECT id FROM roles WHERE code = $1")
            .bind(code)
            .fetch_optional(&mut **tx)
            .await?;
        let Some(role) = role else {
            return Err(Error::invalid(
                "role",
                Problem::UnknownReference {
                    entity: Entity::Role,
                    id: None,
                },
            ));
        };
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM user_roles WHERE user_id = $1 AND role_id = $2",
        )
        .bind(id)
        .bind(role)
        .fetch_one(&mut **tx)
        .await?;
        Ok(n > 0)
    }
}
