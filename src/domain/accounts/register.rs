//! Self-registration, governed by the runtime setting `registration_open` in every dialect.

use super::enrol;
use crate::db::Db;
use crate::domain::identity::user::{CreatePolicy, NewUser, User};
use crate::domain::platform::settings;
use crate::error::{Error, Result};

/// Registers a new account when registration is open; [`Error::Forbidden`] when closed.
pub async fn register(db: &Db, new: NewUser, policy: CreatePolicy) -> Result<User> {
    if !settings::load(db).await?.registration_open {
        return Err(Error::Forbidden);
    }
    let mut new = new;
    // Self-registration never grants roles beyond the default, whatever the client sent.
    new.roles.clear();
    new.is_active = true;
    enrol::create(db, new, policy).await
}
