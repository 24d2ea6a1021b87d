//! Creating an account: the user row (identity) and its role links (access) in one
//! transaction. Every creation — an admin's, self-registration, the first admin, the CLI, a
//! seed — goes through here, so the default role and the first-user rule live in one place.

use crate::db::{Db, Tx};
use crate::domain::access::user_roles;
use crate::domain::access::{SUPER_ADMIN, USER};
use crate::domain::identity::user::{self, CreatePolicy, NewUser, PreparedUser, User};
use crate::error::Result;

/// Validates, hashes the password and creates the user with their roles.
pub async fn create(db: &Db, new: NewUser, policy: CreatePolicy) -> Result<User> {
    let prepared = user::prepare(new).await?;
    let mut tx = db.begin().await?;
    let user = create_tx(&mut tx, prepared, policy).await?;
    tx.commit().await?;
    Ok(user)
}

/// Creates a prepared user and their role links inside the caller's transaction.
pub async fn create_tx(
    tx: &mut Tx<'_>,
    prepared: PreparedUser,
    policy: CreatePolicy,
) -> Result<User> {
    let mut codes = match prepared.roles() {
        [] => vec![USER.to_owned()],
        asked => asked.to_vec(),
    };
    let (user, first_user) = user::insert_tx(tx, prepared).await?;
    if policy.first_user_is_super_admin && first_user && !codes.iter().any(|c| c == SUPER_ADMIN) {
        codes.push(SUPER_ADMIN.to_owned());
    }
    user_roles::grant_codes(tx, user.id, &codes).await?;
    Ok(user)
}
