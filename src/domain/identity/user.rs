//! The one user table every dialect reads and writes.

use sqlx::FromRow;
use sqlx::any::AnyExecutor;

use super::{password, validate};
use crate::db::{self, Db, Flag, Timestamp, Tx, Update};
use crate::error::{Entity, Error, Result, Violations};

/// Stored gender; dialects map it to their own spelling (`admin_v1` uses 0/1/2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Gender {
    #[default]
    Unknown,
    Male,
    Female,
    Other,
}

impl Gender {
    pub fn as_str(self) -> &'static str {
        match self {
            Gender::Unknown => "unknown",
            Gender::Male => "male",
            Gender::Female => "female",
            Gender::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "unknown" | "" => Some(Gender::Unknown),
            "male" => Some(Gender::Male),
            "female" => Some(Gender::Female),
            "other" => Some(Gender::Other),
            _ => None,
        }
    }
}

/// A stored spelling no longer known reads as unknown rather than failing the whole row.
impl From<String> for Gender {
    fn from(s: String) -> Self {
        Gender::parse(&s).unwrap_or_default()
    }
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    #[sqlx(try_from = "String")]
    pub gender: Gender,
    pub avatar: Option<String>,
    pub language: Option<String>,
    pub birthday: Option<String>,
    pub address: Option<String>,
    pub id_card: Option<String>,
    pub dingding: Option<String>,
    #[sqlx(try_from = "Flag")]
    pub is_active: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub last_login_at: Option<Timestamp>,
    pub last_login_ip: Option<String>,
}

pub(crate) const COLUMNS: &str = "id, username, display_name, first_name, last_name, email, phone, gender, \
    avatar, language, birthday, address, id_card, dingding, is_active, created_at, updated_at, \
    last_login_at, last_login_ip";

/// The display name other dialects see for Django-style first/last names.
pub fn display_name_of(first: &str, last: &str) -> String {
    format!("{first} {last}").trim().to_owned()
}

/// Everything needed to create a user. Empty optional strings are stored as NULL.
#[derive(Debug, Clone, Default)]
pub struct NewUser {
    pub username: String,
    pub password: String,
    /// Display name; when empty it is derived from first/last name.
    pub display_name: String,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub gender: Gender,
    pub avatar: Option<String>,
    pub language: Option<String>,
    pub birthday: Option<String>,
    pub address: Option<String>,
    pub id_card: Option<String>,
    pub dingding: Option<String>,
    pub is_active: bool,
    /// Role codes to grant; empty means the built-in `user` role.
    pub roles: Vec<String>,
}

impl NewUser {
    pub fn new(username: impl Into<String>, password: impl Into<String>) -> Self {
        Self {
            username: username.into(),
            password: password.into(),
            is_active: true,
            ..Self::default()
        }
    }
}

/// A partial update: `None` leaves a field alone; `Some(None)` clears a nullable one.
#[derive(Debug, Clone, Default)]
pub struct UserPatch {
    pub username: Option<String>,
    pub display_name: Option<String>,
    /// Django-style names; setting them also sets the display name.
    pub names: Option<(String, String)>,
    pub email: Option<Option<String>>,
    pub phone: Option<Option<String>>,
    pub gender: Option<Gender>,
    pub avatar: Option<Option<String>>,
    pub language: Option<Option<String>>,
    pub birthday: Option<Option<String>>,
    pub address: Option<Option<String>>,
    pub id_card: Option<Option<String>>,
    pub dingding: Option<Option<String>>,
}

/// Whether the first user created becomes super admin (the hanzi rule, used when
/// `bootstrap.admin` is off).
#[derive(Debug, Clone, Copy, Default)]
pub struct CreatePolicy {
    pub first_user_is_super_admin: bool,
}

fn blank_to_none(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

fn check_new(u: &NewUser) -> Result<()> {
    let mut v = Violations::new();
    v.check(validate::username("username", &u.username))?;
    v.check(validate::password("password", &u.password))?;
    if let Some(e) = u.email.as_deref().filter(|e| !e.is_empty()) {
        v.check(validate::email("email", e))?;
    }
    if let Some(p) = u.phone.as_deref().filter(|p| !p.is_empty()) {
        v.check(validate::phone("phone", p))?;
    }
    v.check(validate::text("display_name", &u.display_name, 150))?;
    v.check(validate::text("first_name", &u.first_name, 150))?;
    v.check(validate::text("last_name", &u.last_name, 150))?;
    for (field, value, max) in [
        ("avatar", &u.avatar, 1000),
        ("language", &u.language, 20),
        ("birthday", &u.birthday, 20),
        ("address", &u.address, 500),
        ("id_card", &u.id_card, 32),
        ("dingding", &u.dingding, 32),
    ] {
        if let Some(s) = value {
            v.check(validate::text(field, s, max))?;
        }
    }
    v.into_result()
}

/// Maps a unique violation on the users table to the field it concerns.
pub(crate) fn map_unique(err: sqlx::Error) -> Error {
    match db::unique_violation(&err) {
        Some(what) if what.contains("email") => Error::duplicate("email"),
        Some(what) if what.contains("phone") => Error::duplicate("phone"),
        Some(_) => Error::duplicate("username"),
        None => err.into(),
    }
}

/// Checks uniqueness up front so the caller hears about every clash (the unique indexes
/// remain the final word under races).
async fn check_unique(
    conn: &mut sqlx::AnyConnection,
    except: Option<i64>,
    username: Option<&str>,
    email: Option<&str>,
    phone: Option<&str>,
) -> Result<()> {
    let except = except.unwrap_or(-1);
    if let Some(name) = username {
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE username = $1 AND id <> $2")
                .bind(name)
                .bind(except)
                .fetch_one(&mut *conn)
                .await?;
        if n > 0 {
            return Err(Error::duplicate("username"));
        }
    }
    if let Some(email) = email {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM users WHERE lower(email) = lower($1) AND id <> $2",
        )
        .bind(email)
        .bind(except)
        .fetch_one(&mut *conn)
        .await?;
        if n > 0 {
            return Err(Error::duplicate("email"));
        }
    }
    if let Some(phone) = phone {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE phone = $1 AND id <> $2")
            .bind(phone)
            .bind(except)
            .fetch_one(&mut *conn)
            .await?;
        if n > 0 {
            return Err(Error::duplicate("phone"));
        }
    }
    Ok(())
}

/// A validated new user with its password hashed, ready to be inserted inside a caller's
/// transaction by [`crate::domain::accounts::enrol::create_tx`]. Hashing happens here so no transaction waits on argon2.
#[derive(Debug, Clone)]
pub struct PreparedUser {
    new: NewUser,
    hash: String,
}

impl PreparedUser {
    /// The role codes the new user asked for (empty: the default role).
    pub fn roles(&self) -> &[String] {
        &self.new.roles
    }
}

/// Normalises and validates a new user and hashes its password.
pub async fn prepare(new: NewUser) -> Result<PreparedUser> {
    let mut new = new;
    new.email = blank_to_none(new.email);
    new.phone = blank_to_none(new.phone);
    check_new(&new)?;
    let hash = password::hash(&new.password).await?;
    Ok(PreparedUser { new, hash })
}

/// Inserts a prepared user inside the caller's transaction; also says whether it is the
/// first user of the database. Roles are granted by [`crate::domain::accounts::enrol`],
/// which every creation goes through.
pub(in crate::domain) async fn insert_tx(
    tx: &mut Tx<'_>,
    prepared: PreparedUser,
) -> Result<(User, bool)> {
    let PreparedUser { new, hash } = prepared;
    check_unique(
        tx,
        None,
        Some(&new.username),
        new.email.as_deref(),
        new.phone.as_deref(),
    )
    .await?;
    let display = if new.display_name.trim().is_empty() {
        display_name_of(&new.first_name, &new.last_name)
    } else {
        new.display_name.trim().to_owned()
    };
    let (first, last) = if new.first_name.is_empty() && new.last_name.is_empty() {
        (display.clone(), String::new())
    } else {
        (new.first_name.clone(), new.last_name.clone())
    };
    let now = db::now();
    let first_user: bool = sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM users")
        .fetch_one(&mut **tx)
        .await?
        == 0;
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO users (username, password_hash, display_name, first_name, last_name, email, phone, gender, \
         avatar, language, birthday, address, id_card, dingding, is_active, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16) RETURNING {COLUMNS}"
    )))
    .bind(&new.username)
    .bind(hash)
    .bind(display)
    .bind(first)
    .bind(last)
    .bind(new.email.clone())
    .bind(new.phone.clone())
    .bind(new.gender.as_str())
    .bind(blank_to_none(new.avatar.clone()))
    .bind(blank_to_none(new.language.clone()))
    .bind(blank_to_none(new.birthday.clone()))
    .bind(blank_to_none(new.address.clone()))
    .bind(blank_to_none(new.id_card.clone()))
    .bind(blank_to_none(new.dingding.clone()))
    .bind(i64::from(new.is_active))
    .bind(now)
    .fetch_one(&mut **tx)
    .await
    .map_err(map_unique)?;
    let user = User::from_row(&row)?;
    Ok((user, first_user))
}

/// The user, read from the pool (`db.pool()`) or inside a transaction (`&mut *tx`, which
/// sees the transaction's own writes): one function for both, not an `x`/`x_tx` pair.
pub async fn get<'e>(conn: impl AnyExecutor<'e>, id: i64) -> Result<User> {
    find_by(conn, "id = $1", id)
        .await?
        .ok_or(Error::NotFound(Entity::User))
}

pub async fn find_by_username(db: &Db, username: &str) -> Result<Option<User>> {
    // No stored name holds U+0000 (validation refuses it), and PostgreSQL would refuse the
    // query: such a name names nobody.
    if username.contains('\0') {
        return Ok(None);
    }
    find_by(db.pool(), "username = $1", username.to_owned()).await
}

pub async fn find_by_email(db: &Db, email: &str) -> Result<Option<User>> {
    if email.contains('\0') {
        return Ok(None);
    }
    find_by(db.pool(), "lower(email) = lower($1)", email.to_owned()).await
}

async fn find_by<'e, E, T>(conn: E, condition: &str, value: T) -> Result<Option<User>>
where
    E: AnyExecutor<'e>,
    T: for<'q> sqlx::Encode<'q, sqlx::Any> + sqlx::Type<sqlx::Any> + Send + 'static,
{
    // `condition` is code, never input; `$1` is its one placeholder.
    let sql = format!("SELECT {COLUMNS} FROM users WHERE {condition}");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(value)
        .fetch_optional(conn)
        .await?;
    row.as_ref()
        .map(User::from_row)
        .transpose()
        .map_err(Into::into)
}

/// The stored hash, for login and password checks only.
pub(crate) async fn password_hash(db: &Db, id: i64) -> Result<String> {
    sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .ok_or(Error::NotFound(Entity::User))
}

/// Applies a partial update inside the caller's transaction and answers the updated user.
pub(in crate::domain) async fn update_tx(
    tx: &mut Tx<'_>,
    id: i64,
    patch: UserPatch,
) -> Result<User> {
    let mut v = Violations::new();
    if let Some(name) = &patch.username {
        v.check(validate::username("username", name))?;
    }
    let email = patch.email.clone().map(blank_to_none);
    let phone = patch.phone.clone().map(blank_to_none);
    if let Some(Some(e)) = &email {
        v.check(validate::email("email", e))?;
    }
    if let Some(Some(p)) = &phone {
        v.check(validate::phone("phone", p))?;
    }
    if let Some(d) = &patch.display_name {
        v.check(validate::text("display_name", d, 150))?;
    }
    if let Some((f, l)) = &patch.names {
        v.check(validate::text("first_name", f, 150))?;
        v.check(validate::text("last_name", l, 150))?;
    }
    v.into_result()?;
    let current = get(&mut **tx, id).await?;
    check_unique(
        tx,
        Some(id),
        patch.username.as_deref().filter(|u| *u != current.username),
        email.clone().flatten().as_deref(),
        phone.clone().flatten().as_deref(),
    )
    .await?;

    let mut u = Update::table("users");
    u.set_opt("username", patch.username.clone());
    if let Some(d) = &patch.display_name {
        // A display name set outside the Django dialect shows there as first_name.
        u.set("display_name", d.trim())
            .set("first_name", d.trim())
            .set("last_name", "");
    }
    if let Some((f, l)) = &patch.names {
        u.set("display_name", display_name_of(f, l))
            .set("first_name", f.as_str())
            .set("last_name", l.as_str());
    }
    u.set_opt("email", email)
        .set_opt("phone", phone)
        .set_opt("gender", patch.gender.map(|g| g.as_str()));
    for (column, value) in [
        ("avatar", patch.avatar),
        ("language", patch.language),
        ("birthday", patch.birthday),
        ("address", patch.address),
        ("id_card", patch.id_card),
        ("dingding", patch.dingding),
    ] {
        u.set_opt(column, value.map(blank_to_none));
    }
    u.set("updated_at", db::now());
    u.where_id(id)
        .query()
        .execute(&mut **tx)
        .await
        .map_err(map_unique)?;
    get(&mut **tx, id).await
}

/// Deletes a user inside the caller's transaction; sessions, role links and reset tokens
/// go with them (foreign keys).
pub(in crate::domain) async fn delete_tx(tx: &mut Tx<'_>, id: i64) -> Result<()> {
    let done = sqlx::query("DELETE FROM users WHERE id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    if done.rows_affected() == 0 {
        return Err(Error::NotFound(Entity::User));
    }
    Ok(())
}

pub async fn count(db: &Db) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(db.pool())
        .await?)
}

pub(crate) async fn record_login(db: &Db, id: i64, ip: &str) -> Result<()> {
    sqlx::query("UPDATE users SET last_login_at = $1, last_login_ip = $2 WHERE id = $3")
        .bind(db::now())
        .bind(ip)
        .bind(id)
        .execute(db.write_pool())
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_name_joins_and_trims() {
        assert_eq!(display_name_of("三", "张"), "三 张");
        assert_eq!(display_name_of("", "Li"), "Li");
        assert_eq!(display_name_of("", ""), "");
    }

    #[test]
    fn gender_round_trips() {
        for g in [Gender::Unknown, Gender::Male, Gender::Female, Gender::Other] {
            assert_eq!(Gender::parse(g.as_str()), Some(g));
        }
        assert_eq!(Gender::parse("robot"), None);
    }
}
