//! The storage boundary: the pools ([`pool`]), one query code path for SQLite and PostgreSQL.
//!
//! Every query in the code base is written once, in the SQL subset both engines share
//! (`$1` placeholders, `RETURNING`, `ON CONFLICT`, `LIMIT/OFFSET`), and runs through sqlx's
//! `Any` driver. Only DDL differs, so there is one migrations folder per backend.
//!
//! Column conventions that keep the `Any` driver's decoding identical on both engines:
//! integers are `BIGINT`/`INTEGER` (decoded as `i64`), booleans are integers 0/1, times are
//! microseconds since the Unix epoch (UTC) in an integer, JSON is text. `SUM()` must be cast
//! back to `BIGINT` (PostgreSQL widens it to `NUMERIC`, which `Any` cannot decode).
//!
//! Decided: PostgreSQL keeps these `Any`-compatible column types rather than native
//! `boolean`/`timestamptz`/`jsonb`. The `Any` driver decodes a column by the engine's own type
//! and has no `timestamptz` or `jsonb` decoding, so native types would mean either a second
//! row mapping per engine (two code paths for every read, the thing this module exists to
//! avoid) or casts in every `SELECT` (easy to forget, and a forgotten one is a runtime error
//! on one engine only). The price is paid by people reading the database directly: a DBA or a
//! BI tool sees `is_active = 1` and `created_at = 1764547200000000`. For them the columns are
//! named for what they hold (`*_at` is always UTC microseconds, `is_*` always 0/1), and
//! `to_timestamp(created_at / 1e6)` gives a `timestamptz`. If native types become a
//! requirement, the way is views over the tables in a reporting schema, not a change of the
//! tables the server reads.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::Migrator;

use crate::config::{DatabaseConfig, DatabaseDriver};

pub mod builder;
mod create;
mod flag;
mod ids;
pub mod pool;
pub mod time;
mod tx;

pub use builder::{Sql, Update, Val};
pub use flag::Flag;
pub use ids::require_existing;
pub use pool::{Conn, Pool};
pub use tx::Tx;

pub use time::{Timestamp, now};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// Run on every new SQLite connection. WAL lets readers run beside the writer; the busy
/// timeout turns writer contention into waiting instead of "database is locked". (No mmap:
/// mapped pages count as resident memory and would hide whether streaming keeps the process
/// flat.) A page cache of 1 MiB per connection instead of 2: the operating system caches the
/// file too, and eleven connections' caches were a third of the process's resident memory
/// (issue 17).
const SQLITE_SETUP: &str = "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; \
    PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -1024;";

/// Which engine is behind the pool. Queries do not branch on it; only DDL and a few
/// engine-specific diagnostics do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbKind {
    Sqlite,
    Postgres,
}

/// Connections of the pool: open, idle, and the limit.
#[derive(Debug, Clone, Copy)]
pub struct PoolUse {
    pub open: u32,
    pub idle: usize,
    pub max: u32,
}

/// The shared connection pools ([`pool`]: on SQLite the crate's own, without sqlx's check of
/// every connection it takes back).
///
/// On SQLite, writes go through a pool of its own with a single connection ([`Db::begin`],
/// [`Db::write_pool`]): SQLite admits one writer at a time, and writers of one process that
/// race for its lock wait in `busy_timeout`'s sleep-and-retry loop (up to 100 ms a try, so a
/// queue of 32 writers had a p99 of a quarter second and more, issue 17). One connection makes
/// them queue in order in the process instead, and take the lock at once when their turn comes.
/// Readers keep the other pool (WAL: they never wait for the writer). On PostgreSQL both are
/// the same pool.
#[derive(Debug, Clone)]
pub struct Db {
    pool: Pool,
    writer: Pool,
    kind: DbKind,
    /// This connect made the database (a new SQLite file, or `CREATE DATABASE`).
    created: bool,
    /// Unique in the process: keys in-process caches of what this database holds.
    instance: u64,
}

impl Db {
    /// Connects to the configured database. The SQLite file and its folder are created when
    /// missing, and so is a missing PostgreSQL database when the role may create one; an
    /// unreachable PostgreSQL is an error that names the URL (password hidden).
    pub async fn connect(cfg: &DatabaseConfig) -> anyhow::Result<Self> {
        sqlx::any::install_default_drivers();
        let (url, kind, mut created) = match cfg.driver {
            DatabaseDriver::Sqlite => {
                let path = Path::new(&cfg.path);
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    crate::private_fs::create_dir(dir)
                        .with_context(|| format!("creating database folder {}", dir.display()))?;
                }
                // Before the file is touched below: was there a database at all?
                let new = !cfg.path.starts_with(':') && !path.exists();
                if !cfg.path.starts_with(':') && !cfg.path.contains("mode=memory") {
                    crate::private_fs::touch(path)?;
                    crate::private_fs::restrict_sqlite(path)?;
                }
                (
                    format!("sqlite://{}?mode=rwc", cfg.path),
                    DbKind::Sqlite,
                    new,
                )
            }
            DatabaseDriver::Postgres => (cfg.url.clone(), DbKind::Postgres, false),
        };
        let options =
            AnyConnectOptions::from_str(&url).context("database.url is not a valid URL")?;
        let where_ = || match kind {
            DbKind::Sqlite => format!("opening SQLite database {}", cfg.path),
            DbKind::Postgres => format!(
                "connecting to PostgreSQL at {}",
                crate::config::redact_url(&cfg.url)
            ),
        };
        let failed = |e: sqlx::Error| anyhow::anyhow!("{}: {}", where_(), create::describe(&e));
        let timeout = Duration::from_secs(cfg.connect_timeout_secs);
        let (pool, writer) = match kind {
            DbKind::Sqlite => {
                let open = |max| pool::Local::open(options.clone(), SQLITE_SETUP, max, timeout);
                let pool = open(cfg.max_connections).await.map_err(failed)?;
                let writer = open(1).await.map_err(failed)?;
                (Pool::Local(pool), Pool::Local(writer))
            }
            DbKind::Postgres => {
                let pool = match Self::open_postgres(cfg.max_connections, timeout, options.clone())
                    .await
                {
                    Err(e) if create::is_missing_database(&e) => {
                        let name = create::postgres_database(&cfg.url)
                            .await
                            .map_err(|e| anyhow::anyhow!("{}: {e}", where_()))?;
                        tracing::info!(database = %name, "created the PostgreSQL database");
                        created = true;
                        Self::open_postgres(cfg.max_connections, timeout, options).await
                    }
                    other => other,
                }
                .map_err(failed)?;
                (Pool::Sqlx(pool.clone()), Pool::Sqlx(pool))
            }
        };
        static INSTANCES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        Ok(Self {
            pool,
            writer,
            kind,
            created,
            instance: INSTANCES.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        })
    }

    async fn open_postgres(
        max_connections: u32,
        timeout: Duration,
        options: AnyConnectOptions,
    ) -> sqlx::Result<sqlx::AnyPool> {
        AnyPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(timeout)
            .connect_with(options)
            .await
    }

    /// Whether connecting made the database: start-up says so, since a new empty database
    /// where an old one was expected is how a wrong working directory shows.
    pub fn created_new(&self) -> bool {
        self.created
    }

    /// Applies every pending migration of this engine.
    /// Answers how many were applied now (0: the database was up to date).
    pub async fn migrate(&self) -> anyhow::Result<usize> {
        let migrator = match self.kind {
            DbKind::Sqlite => &SQLITE_MIGRATIONS,
            DbKind::Postgres => &POSTGRES_MIGRATIONS,
        };
        let before = self.applied_migrations().await;
        let mut conn = self
            .pool
            .acquire()
            .await
            .context("running database migrations")?;
        migrator
            .run(&mut *conn)
            .await
            .context("running database migrations")?;
        drop(conn);
        Ok(self.applied_migrations().await.saturating_sub(before))
    }

    /// Migrations recorded as applied; 0 before the first run (no bookkeeping table yet).
    async fn applied_migrations(&self) -> usize {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM _sqlx_migrations WHERE success")
            .fetch_one(&self.pool)
            .await
            .map_or(0, |n| n.max(0) as usize)
    }

    /// The pool for reads (and, on PostgreSQL, for everything).
    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    /// How the pools are used right now (for metrics): the reading pool and, on SQLite, the
    /// writer's one connection.
    pub fn pool_use(&self) -> PoolUse {
        let mut use_ = PoolUse {
            open: self.pool.size(),
            idle: self.pool.num_idle(),
            max: self.pool.max_connections(),
        };
        if self.kind == DbKind::Sqlite {
            use_.open += self.writer.size();
            use_.idle += self.writer.num_idle();
            use_.max += self.writer.max_connections();
        }
        use_
    }

    /// The pool for a write outside a transaction: the single writer connection on SQLite.
    /// Hot single-statement writes (sessions, the operation log) use it so they queue with
    /// the transactions instead of racing them for SQLite's lock.
    pub fn write_pool(&self) -> &Pool {
        &self.writer
    }

    /// This connection's number in the process (for caches keyed by database).
    pub fn instance(&self) -> u64 {
        self.instance
    }

    pub fn kind(&self) -> DbKind {
        self.kind
    }

    /// Ends a bulk load (each seed command, once, after the steps' own `ANALYZE`): on
    /// PostgreSQL a `VACUUM`, which sets the visibility map. A bulk-loaded table has an empty
    /// one, so its index-only scans (the gram keys, the amount and date walks) visit the heap
    /// for every entry until then: lists 2–8× slower at a million rows (README, "PostgreSQL
    /// at full size"). SQLite has no visibility map (its `VACUUM` would rewrite the whole
    /// file), so there it does nothing.
    pub async fn vacuum_after_bulk_load(&self) -> sqlx::Result<()> {
        if self.kind == DbKind::Postgres {
            sqlx::query("VACUUM").execute(self.write_pool()).await?;
        }
        Ok(())
    }

    /// A transaction on the writer (see [`Db`]): on SQLite, transactions run one at a time,
    /// in the order they asked. Never open one while holding another. On SQLite it also takes
    /// the write lock at `BEGIN` (`IMMEDIATE`): single-statement writes on the reading pool
    /// still exist, and a deferred transaction that reads, then writes after one of them
    /// committed, fails at once with "database is locked" (`SQLITE_BUSY_SNAPSHOT`, which the
    /// busy timeout does not wait out).
    pub async fn begin(&self) -> sqlx::Result<Tx<'static>> {
        match self.kind {
            DbKind::Sqlite => self.writer.begin_with(Some("BEGIN IMMEDIATE")).await,
            DbKind::Postgres => self.writer.begin_with(None).await,
        }
    }

    /// A cheap round trip, for readiness and status checks.
    pub async fn ping(&self) -> bool {
        sqlx::query_scalar::<_, i64>("SELECT 1")
            .fetch_one(&self.pool)
            .await
            .is_ok()
    }

    pub async fn close(&self) {
        self.writer.close().await;
        self.pool.close().await;
    }
}

/// If `err` is a unique-constraint violation, returns the engine's text naming the
/// constraint or column (e.g. `users.username`, `users_email_uq`), so the caller can say
/// which field clashed.
pub fn unique_violation(err: &sqlx::Error) -> Option<String> {
    match err {
        sqlx::Error::Database(db) if db.is_unique_violation() => Some(
            db.constraint()
                .map(str::to_owned)
                .unwrap_or_else(|| db.message().to_owned()),
        ),
        _ => None,
    }
}

/// `a, b, c` -> `t.a, t.b, t.c`: a column list qualified with a table alias, for joins.
pub fn qualify(columns: &str, alias: &str) -> String {
    columns
        .split(", ")
        .map(|c| format!("{alias}.{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Escapes `%`, `_` and `\` so user text is matched literally by `LIKE ... ESCAPE '\'`.
pub fn like_pattern(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('%');
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qualify_prefixes_each_column() {
        assert_eq!(qualify("id, name, code", "r"), "r.id, r.name, r.code");
    }

    #[test]
    fn like_pattern_escapes_metacharacters() {
        assert_eq!(like_pattern("50%_a\\B"), "%50\\%\\_a\\\\b%");
    }
}
