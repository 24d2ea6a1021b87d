//! Making the configured PostgreSQL database when it does not exist yet, so a first start
//! against a fresh server works like SQLite's first start; and the one-sentence messages for
//! when it cannot.

use std::str::FromStr;

use anyhow::bail;
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{Connection, Executor};

/// PostgreSQL's "invalid catalog name": the database in the URL does not exist.
const MISSING_DATABASE: &str = "3D000";
/// "insufficient privilege": the role may not create databases.
const NO_PRIVILEGE: &str = "42501";

/// Whether `err` says the database named in the URL does not exist.
pub fn is_missing_database(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(e) if e.code().as_deref() == Some(MISSING_DATABASE))
}

/// An engine error in one sentence: the server's own message, without sqlx's prefix or
/// PostgreSQL's source line number.
pub fn describe(err: &sqlx::Error) -> String {
    match err {
        sqlx::Error::Database(e) => e.message().to_owned(),
        other => other.to_string(),
    }
}

/// Creates the database `url` names, connecting to the server's `postgres` database as the
/// same role. Fails with one sentence when the role may not, saying what to do instead.
pub async fn postgres_database(url: &str) -> anyhow::Result<String> {
    let options = PgConnectOptions::from_str(url)?;
    let Some(name) = options.get_database().map(str::to_owned) else {
        bail!("database.url names no database");
    };
    let role = options.get_username().to_owned();
    let mut conn = PgConnection::connect_with(&options.clone().database("postgres"))
        .await
        .map_err(|e| anyhow::anyhow!("cannot create it: {}", describe(&e)))?;
    // An identifier cannot be a bind parameter; quoting doubles any embedded quote.
    let statement = format!("CREATE DATABASE \"{}\"", name.replace('"', "\"\""));
    let done = conn.execute(sqlx::AssertSqlSafe(statement)).await;
    let _ = conn.close().await;
    match done {
        Ok(_) => Ok(name),
        Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some(NO_PRIVILEGE) => bail!(
            "PostgreSQL database {name:?} does not exist and role {role:?} may not create it: \
             create it (createdb -O {role} {name}) or point database.url at an existing one"
        ),
        Err(e) => bail!(
            "PostgreSQL database {name:?} does not exist and creating it failed: {}",
            describe(&e)
        ),
    }
}
