//! Role changes made by the machine's operator (`ops-server user grant|revoke`), who acts
//! with a super admin's authority and no session. The checks every API write makes apply
//! (the role must exist, the user too) and one more: the last active super admin keeps the
//! role, so the system can always be administered through the API.

use super::SUPER_ADMIN;
use super::roles;
use crate::db::Db;
use crate::error::{Entity, Error, Problem, Result, Rule};

/// Whether the user now holds the role (false: they already did, nothing changed).
pub async fn grant(db: &Db, user_id: i64, code: &str) -> Result<bool> {
    let mut tx = db.begin().await?;
    let held = holds(&mut tx, user_id, code).await?;
    if !held {
        roles::grant_codes(&mut tx, user_id, &[code.to_owned()]).await?;
    }
    tx.commit().await?;
    Ok(!held)
}

/// Whether the role was taken away (false: the user did not hold it).
pub async fn revoke(db: &Db, user_id: i64, code: &str) -> Result<bool> {
    let mut tx = db.begin().await?;
    if !holds(&mut tx, user_id, code).await? {
        return Ok(false);
    }
    if code == SUPER_ADMIN {
        let others: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM user_roles ur JOIN roles r ON r.id = ur.role_id \
             JOIN users u ON u.id = ur.user_id \
             WHERE r.code = $1 AND u.is_active = 1 AND u.id <> $2",
        )
        .bind(SUPER_ADMIN)
        .bind(user_id)
        .fetch_one(&mut *tx)
        .await?;
        if others == 0 {
            return Err(Error::StateNotAllowed(Rule::LastSuperAdmin));
        }
    }
    roles::revoke_codes(&mut tx, user_id, &[code.to_owned()]).await?;
    tx.commit().await?;
    Ok(true)
}

/// Whether `user_id` holds the role `code`; an unknown role is an invalid `role`, an unknown
/// user is not found.
async fn holds(tx: &mut crate::db::Tx<'_>, user_id: i64, code: &str) -> Result<bool> {
    let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_one(&mut **tx)
        .await?;
    if users == 0 {
        return Err(Error::NotFound(Entity::User));
    }
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
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM user_roles WHERE user_id = $1 AND role_id = $2")
            .bind(user_id)
            .bind(role)
            .fetch_one(&mut **tx)
            .await?;
    Ok(n > 0)
}
