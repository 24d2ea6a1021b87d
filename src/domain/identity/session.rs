//! Server-side sessions. Every login creates one; the client holds a random token (or a JWT
//! carrying it), the database holds only the token's hash.

use sqlx::{FromRow, Row};

use super::actor;
use super::password::{random_token, token_hash};
use super::user::{COLUMNS, User};
use crate::db::{self, Db, Timestamp, Tx};
use crate::error::{Error, Result};

/// Which dialect's login created the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    Ops,
    Admin,
    Hanzi,
    Account,
}

impl SessionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SessionKind::Ops => "ops",
            SessionKind::Admin => "admin",
            SessionKind::Hanzi => "hanzi",
            SessionKind::Account => "account",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub id: i64,
    pub user_id: i64,
    pub kind: String,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

/// An authenticated caller: the user, the session the request came with, and the codes of
/// the user's enabled roles.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user: User,
    pub session: Session,
    pub roles: Vec<String>,
}

impl Principal {
    pub fn is_super_admin(&self) -> bool {
        self.roles.iter().any(|r| r == "super_admin")
    }

    /// Admins and super admins.
    pub fn is_admin(&self) -> bool {
        self.roles
            .iter()
            .any(|r| r == "super_admin" || r == "admin")
    }
}

/// Who is logging in from where, for the session row and the operation log.
#[derive(Debug, Clone, Default)]
pub struct ClientInfo {
    pub ip: String,
    pub user_agent: Option<String>,
}

/// Creates a session valid for `ttl_micros`; answers it with the bearer token.
pub async fn create(
    db: &Db,
    user_id: i64,
    kind: SessionKind,
    ttl_micros: i64,
    client: &ClientInfo,
) -> Result<(Session, String)> {
    let token = random_token();
    let now = db::now();
    let expires_at = now.saturating_add(ttl_micros);
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO sessions (user_id, token_hash, kind, created_at, expires_at, last_seen_at, ip, user_agent) \
         VALUES ($1, $2, $3, $4, $5, $4, $6, $7) RETURNING id",
    )
    .bind(user_id)
    .bind(token_hash(&token))
    .bind(kind.as_str())
    .bind(now)
    .bind(expires_at)
    .bind(client.ip.clone())
    .bind(client.user_agent.clone())
    .fetch_one(db.write_pool())
    .await?;
    let session = Session {
        id,
        user_id,
        kind: kind.as_str().to_owned(),
        created_at: now,
        expires_at,
    };
    Ok((session, token))
}

/// Resolves a bearer token to its live session and active user. Anything else (unknown,
/// revoked or expired token, disabled user) is [`Error::Unauthenticated`].
pub async fn authenticate(db: &Db, token: &str) -> Result<Principal> {
    if token.is_empty() || token.len() > 512 {
        return Err(Error::Unauthenticated);
    }
    resolve(db, "s.token_hash = $1", Lookup::Hash(token_hash(token))).await
}

/// Resolves a session by id (the `sid` of a JWT), with the same checks as [`authenticate`].
pub async fn authenticate_id(db: &Db, session_id: i64) -> Result<Principal> {
    resolve(db, "s.id = $1", Lookup::Id(session_id)).await
}

/// Resolves a signed JWT (see [`super::jwt`]) to its live session: the signature, expiry and
/// purpose must hold, the session must be one of `kind` (a JWT of another dialect's session,
/// signed with the same secret, opens nothing here) and belong to the token's subject.
/// Answers the caller and the token's claims. Any failure is [`Error::Unauthenticated`].
pub async fn authenticate_jwt(
    db: &Db,
    secret: &[u8],
    token: &str,
    typ: &str,
    kind: SessionKind,
) -> Result<(Principal, super::jwt::Claims)> {
    let claims = super::jwt::verify(secret, token, typ)?;
    let principal = authenticate_id(db, claims.sid).await?;
    if principal.session.kind != kind.as_str() || claims.sub != principal.user.id.to_string() {
        return Err(Error::Unauthenticated);
    }
    Ok((principal, claims))
}

tokio::task_local! {
    /// The user a request was authenticated as, for the access log.
    static CALLER: std::cell::Cell<Option<i64>>;
}

/// Runs `work` (a request), answering its output together with the id of the user any
/// session lookup inside it resolved. Every dialect authenticates through [`resolve`], so the
/// access log learns the caller without each dialect's extractor reporting it.
pub async fn caller_scope<T>(work: impl std::future::Future<Output = T>) -> (T, Option<i64>) {
    CALLER
        .scope(std::cell::Cell::new(None), async {
            let out = work.await;
            (out, CALLER.with(std::cell::Cell::get))
        })
        .await
}

/// The user columns, qualified for the session join (built once: this runs on every request).
static USER_COLUMNS: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| db::qualify(COLUMNS, "u"));

enum Lookup {
    Hash(String),
    Id(i64),
}

/// One query answers the session, its user and the user's enabled roles (one row per role;
/// a user without roles gives one row with a null code): this runs on every authenticated
/// request, and each round trip costs more than the lookup itself. Nothing is cached, so a
/// revoked session, a disabled user or a removed role counts from the very next request on
/// every node.
async fn resolve(db: &Db, condition: &str, key: Lookup) -> Result<Principal> {
    let now = db::now();
    let cols = USER_COLUMNS.as_str();
    // `condition` is code; `$1` is its one placeholder.
    let sql = format!(
        "SELECT s.id AS session_id, s.kind AS session_kind, s.created_at AS session_created_at, \
         s.expires_at AS session_expires_at, s.last_seen_at AS session_last_seen_at, {cols}, \
         r.code AS role_code \
         FROM sessions s JOIN users u ON u.id = s.user_id \
         LEFT JOIN user_roles ur ON ur.user_id = u.id \
         LEFT JOIN roles r ON r.id = ur.role_id AND r.status = 1 \
         WHERE {condition} AND s.revoked_at IS NULL AND s.expires_at > $2 AND u.is_active = 1 \
         ORDER BY r.id"
    );
    let query = sqlx::query(sqlx::AssertSqlSafe(sql));
    let query = match key {
        Lookup::Hash(h) => query.bind(h),
        Lookup::Id(id) => query.bind(id),
    };
    let rows = query.bind(now).fetch_all(db.pool()).await?;
    let row = rows.first().ok_or(Error::Unauthenticated)?;
    let user = User::from_row(row)?;
    let session = Session {
        id: row.try_get("session_id")?,
        user_id: user.id,
        kind: row.try_get("session_kind")?,
        created_at: row.try_get("session_created_at")?,
        expires_at: row.try_get("session_expires_at")?,
    };
    let mut roles = Vec::with_capacity(rows.len());
    for row in &rows {
        if let Some(code) = row.try_get::<Option<String>, _>("role_code")? {
            roles.push(code);
        }
    }
    // Touch at most once a minute: a write per request would serialise SQLite.
    let last_seen: i64 = row.try_get("session_last_seen_at")?;
    if now - last_seen > 60_000_000 {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2")
            .bind(now)
            .bind(session.id)
            .execute(db.write_pool())
            .await?;
    }
    // The request acts as this user (its operation-log entry names them).
    actor::note(user.id, &user.username);
    // Outside a request (CLI, tests) there is no scope; nothing to record.
    let _ = CALLER.try_with(|c| c.set(Some(user.id)));
    Ok(Principal {
        user,
        session,
        roles,
    })
}

/// Ends one session (logout).
pub async fn revoke(db: &Db, session_id: i64) -> Result<()> {
    sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
        .bind(db::now())
        .bind(session_id)
        .execute(db.write_pool())
        .await?;
    Ok(())
}

/// Ends every session of a user, except `keep` when given.
pub async fn revoke_all(db: &Db, user_id: i64, keep: Option<i64>) -> Result<()> {
    let mut tx = db.begin().await?;
    revoke_all_tx(&mut tx, user_id, keep).await?;
    tx.commit().await?;
    Ok(())
}

pub(crate) async fn revoke_all_tx(tx: &mut Tx<'_>, user_id: i64, keep: Option<i64>) -> Result<()> {
    sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL AND id <> $3")
        .bind(db::now())
        .bind(user_id)
        .bind(keep.unwrap_or(-1))
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Sessions neither revoked nor expired.
pub async fn count_active(db: &Db) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM sessions WHERE revoked_at IS NULL AND expires_at > $1",
    )
    .bind(db::now())
    .fetch_one(db.pool())
    .await?)
}
