//! A user's administrative level as one number (the hanzi `role`): none, admin, super admin.
//! It is a view of the shared roles, so a level set here is seen by every dialect.

use crate::db::Db;
use crate::domain::access::user_roles;
use crate::domain::access::{ADMIN, SUPER_ADMIN};
use crate::error::{Entity, Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum AdminLevel {
    /// Neither `admin` nor `super_admin`.
    None,
    Admin,
    SuperAdmin,
}

impl AdminLevel {
    /// The level the role codes grant (the highest one wins).
    pub fn of(codes: &[String]) -> Self {
        if codes.iter().any(|c| c == SUPER_ADMIN) {
            AdminLevel::SuperAdmin
        } else if codes.iter().any(|c| c == ADMIN) {
            AdminLevel::Admin
        } else {
            AdminLevel::None
        }
    }

    /// 0, 1 or 2.
    pub fn as_number(self) -> i64 {
        match self {
            AdminLevel::None => 0,
            AdminLevel::Admin => 1,
            AdminLevel::SuperAdmin => 2,
        }
    }

    pub fn from_number(n: i64) -> Option<Self> {
        match n {
            0 => Some(AdminLevel::None),
            1 => Some(AdminLevel::Admin),
            2 => Some(AdminLevel::SuperAdmin),
            _ => None,
        }
    }
}

/// The user's current level.
pub async fn get(db: &Db, user_id: i64) -> Result<AdminLevel> {
    Ok(AdminLevel::of(&user_roles::codes_of(db, user_id).await?))
}

/// Sets the user's level in one transaction: the `admin` and `super_admin` roles are
/// revoked, then the one for `level` is granted. Other roles stay.
pub async fn set(db: &Db, user_id: i64, level: AdminLevel) -> Result<()> {
    let mut tx = db.begin().await?;
    let found: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_one(&mut *tx)
        .await?;
    if found == 0 {
        return Err(Error::NotFound(Entity::User));
    }
    user_roles::revoke_codes(
        &mut tx,
        user_id,
        &[ADMIN.to_owned(), SUPER_ADMIN.to_owned()],
    )
    .await?;
    let grant = match level {
        AdminLevel::None => None,
        AdminLevel::Admin => Some(ADMIN),
        AdminLevel::SuperAdmin => Some(SUPER_ADMIN),
    };
    if let Some(code) = grant {
        user_roles::grant_codes(&mut tx, user_id, &[code.to_owned()]).await?;
    }
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_highest_role_wins_and_numbers_round_trip() {
        let codes = |c: &[&str]| c.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(AdminLevel::of(&codes(&["user"])), AdminLevel::None);
        assert_eq!(
            AdminLevel::of(&codes(&["admin", "user"])),
            AdminLevel::Admin
        );
        assert_eq!(
            AdminLevel::of(&codes(&["admin", "super_admin"])),
            AdminLevel::SuperAdmin
        );
        for n in 0..=2 {
            assert_eq!(AdminLevel::from_number(n).unwrap().as_number(), n);
        }
        assert_eq!(AdminLevel::from_number(3), None);
        assert_eq!(AdminLevel::from_number(-1), None);
    }
}
