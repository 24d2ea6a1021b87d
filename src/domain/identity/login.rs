//! The login flow shared by every dialect.

use super::password;
use super::session::{self, ClientInfo, Session, SessionKind};
use super::throttle::{self, ThrottlePolicy};
use super::user::{self, User};
use crate::db::Db;
use crate::error::{Entity, Error, Result};

/// How a dialect names the account at login.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginName {
    /// The login name only.
    Username,
    /// An email when the text contains `@` (the hanzi rule), otherwise the login name.
    UsernameOrEmail,
}

#[derive(Debug, Clone)]
pub struct LoginRequest<'a> {
    pub login: &'a str,
    pub password: &'a str,
    pub name_kind: LoginName,
    pub session_kind: SessionKind,
    pub ttl_micros: i64,
    pub client: &'a ClientInfo,
}

/// Verifies the credentials and opens a session.
///
/// Errors: [`Error::RateLimited`] while locked out; [`Error::NotFound`] (user) for an unknown
/// name and [`Error::BadCredentials`] for a wrong password (dialects that must not reveal
/// which one map both to one answer); [`Error::UserDisabled`] for a disabled account.
pub async fn login(
    db: &Db,
    policy: ThrottlePolicy,
    req: LoginRequest<'_>,
) -> Result<(User, Session, String)> {
    let ip = req.client.ip.as_str();
    let key = throttle::key_for(db, req.login).await?;
    throttle::check(db, policy, &key, ip).await?;
    let found = match req.name_kind {
        LoginName::UsernameOrEmail if req.login.contains('@') => {
            user::find_by_email(db, req.login).await?
        }
        _ => user::find_by_username(db, req.login).await?,
    };
    let Some(user) = found else {
        password::verify_dummy(req.password).await;
        throttle::record_failure(db, &key, ip).await?;
        return Err(Error::NotFound(Entity::User));
    };
    let stored = user::password_hash(db, user.id).await?;
    if !password::verify(req.password, &stored).await? {
        throttle::record_failure(db, &key, ip).await?;
        return Err(Error::BadCredentials);
    }
    if !user.is_active {
        return Err(Error::UserDisabled);
    }
    throttle::clear(db, &key, ip).await?;
    user::record_login(db, user.id, ip).await?;
    let (session, token) =
        session::create(db, user.id, req.session_kind, req.ttl_micros, req.client).await?;
    let user = user::get(db.pool(), user.id).await?;
    // The login's operation-log entry names who logged in.
    super::actor::note(user.id, &user.username);
    Ok((user, session, token))
}

/// Checks a user's current password (for flows that re-confirm it).
pub async fn check_password(db: &Db, user_id: i64, candidate: &str) -> Result<bool> {
    let stored = user::password_hash(db, user_id).await?;
    password::verify(candidate, &stored).await
}
