//! The connection pools: sqlx's on PostgreSQL, this module's own on SQLite.
//!
//! sqlx's pool tests every connection it takes back: `PoolConnection`'s release spawns a task
//! that runs `ping()` before the connection is idle again (unconditionally, in sqlx 0.9). On
//! SQLite each connection runs on a thread of its own, so that is one more round trip to that
//! thread, and one more task, per statement or transaction taken from a pool: 50–100 µs of
//! the 530–820 µs of server CPU a purchase-order create cost (README, "Operation log").
//! A SQLite connection is a file handle in this process; it cannot go stale, and what a
//! dropped future leaves behind is settled by the connection's own thread (a statement whose
//! reader went away is reset, a dropped transaction's rollback is queued at once), so the
//! check buys nothing there. [`Local`] is a pool without it: a fair semaphore for the limit
//! (waiters are served in the order they came), a stack of idle connections (the most recently
//! used first, so a quiet server keeps touching the same few), connections opened when first
//! needed. PostgreSQL keeps sqlx's pool and its checks: a server restart or a proxy's idle
//! cut does make its connections stale.

use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::TryStreamExt;
use futures_util::future::BoxFuture;
use futures_util::stream::BoxStream;
use sqlx::AnyConnection;
use sqlx::any::{AnyConnectOptions, AnyQueryResult, AnyRow, AnyStatement, AnyTypeInfo};
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyPool, ConnectOptions, Connection, Describe, Either, Execute, Executor, SqlStr};
use sqlx_core::ext::async_stream::TryAsyncStream;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// A pool of connections to the one database.
#[derive(Debug, Clone)]
pub enum Pool {
    Sqlx(AnyPool),
    Local(Arc<Local>),
}

/// A connection taken from a [`Pool`]; back in the pool when dropped.
#[derive(Debug)]
pub enum Conn {
    Sqlx(PoolConnection<Any>),
    Local(LocalConn),
}

impl Pool {
    pub async fn acquire(&self) -> sqlx::Result<Conn> {
        match self {
            Pool::Sqlx(p) => p.acquire().await.map(Conn::Sqlx),
            Pool::Local(l) => l.acquire().await.map(Conn::Local),
        }
    }

    /// Connections open now.
    pub fn size(&self) -> u32 {
        match self {
            Pool::Sqlx(p) => p.size(),
            Pool::Local(l) => l.open.load(Ordering::Relaxed),
        }
    }

    /// Connections open and not in use.
    pub fn num_idle(&self) -> usize {
        match self {
            Pool::Sqlx(p) => p.num_idle(),
            Pool::Local(l) => l.idle().len(),
        }
    }

    /// The most connections the pool opens.
    pub fn max_connections(&self) -> u32 {
        match self {
            Pool::Sqlx(p) => p.options().get_max_connections(),
            Pool::Local(l) => l.max,
        }
    }

    /// Closes the idle connections, and each one in use when it comes back; later
    /// acquires fail with [`sqlx::Error::PoolClosed`].
    pub async fn close(&self) {
        match self {
            Pool::Sqlx(p) => p.close().await,
            Pool::Local(l) => l.close().await,
        }
    }
}

/// SQLite's pool (see the module's documentation).
#[derive(Debug)]
pub struct Local {
    options: AnyConnectOptions,
    /// Run on every new connection before its first use.
    setup: &'static str,
    idle: Mutex<Vec<AnyConnection>>,
    permits: Arc<Semaphore>,
    max: u32,
    open: AtomicU32,
    /// How long an acquire may wait, for its turn and for opening a connection together.
    timeout: Duration,
}

impl Local {
    /// A pool of at most `max` connections (at least one). One is opened now, so a path that
    /// cannot be opened is an error at start-up, not at the first request.
    pub async fn open(
        options: AnyConnectOptions,
        setup: &'static str,
        max: u32,
        timeout: Duration,
    ) -> sqlx::Result<Arc<Self>> {
        let max = max.max(1);
        let pool = Arc::new(Self {
            options,
            setup,
            idle: Mutex::new(Vec::with_capacity(max as usize)),
            permits: Arc::new(Semaphore::new(max as usize)),
            max,
            open: AtomicU32::new(0),
            timeout,
        });
        drop(pool.acquire().await?);
        Ok(pool)
    }

    fn idle(&self) -> std::sync::MutexGuard<'_, Vec<AnyConnection>> {
        // The lock guards a push or a pop; a panic cannot leave the vector half-changed.
        self.idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    async fn acquire(self: &Arc<Self>) -> sqlx::Result<LocalConn> {
        let taken = async {
            let permit = Arc::clone(&self.permits)
                .acquire_owned()
                .await
                .map_err(|_| sqlx::Error::PoolClosed)?;
            let idle = self.idle().pop();
            let conn = match idle {
                Some(conn) => conn,
                None => self.connect().await?,
            };
            Ok(LocalConn {
                conn: Some(conn),
                pool: Arc::clone(self),
                broken: false,
                _permit: permit,
            })
        };
        tokio::time::timeout(self.timeout, taken)
            .await
            .map_err(|_| sqlx::Error::PoolTimedOut)?
    }

    async fn connect(&self) -> sqlx::Result<AnyConnection> {
        let mut conn = self.options.connect().await?;
        conn.execute(self.setup).await?;
        self.open.fetch_add(1, Ordering::Relaxed);
        Ok(conn)
    }

    async fn close(&self) {
        self.permits.close();
        let idle: Vec<AnyConnection> = std::mem::take(&mut *self.idle());
        for conn in idle {
            self.open.fetch_sub(1, Ordering::Relaxed);
            let _ = conn.close().await;
        }
    }

    fn give_back(&self, conn: AnyConnection, broken: bool) {
        if broken || self.permits.is_closed() {
            // Dropping it ends its thread, which closes the handle.
            self.open.fetch_sub(1, Ordering::Relaxed);
            drop(conn);
        } else {
            self.idle().push(conn);
        }
    }
}

/// A connection of a [`Local`] pool.
#[derive(Debug)]
pub struct LocalConn {
    conn: Option<AnyConnection>,
    pool: Arc<Local>,
    /// Its thread is gone or its channel failed: closed instead of given back. Seen only by
    /// the statements run on the pool itself (the [`Executor`] below), not by those run
    /// through a taken connection or a transaction; a connection broken there fails its
    /// next pool statement and is closed then. (sqlx's release ping would have caught it
    /// at once, at the price this module exists to save.)
    broken: bool,
    // Dropped after `Drop::drop` gave the connection back: the next waiter finds it idle.
    _permit: OwnedSemaphorePermit,
}

impl LocalConn {
    fn note(&mut self, err: &sqlx::Error) {
        if matches!(err, sqlx::Error::WorkerCrashed | sqlx::Error::Io(_)) {
            self.broken = true;
        }
    }
}

impl Drop for LocalConn {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            self.pool.give_back(conn, self.broken);
        }
    }
}

impl Deref for LocalConn {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        self.conn
            .as_ref()
            .expect("a pooled connection is present until dropped")
    }
}

impl DerefMut for LocalConn {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        self.conn
            .as_mut()
            .expect("a pooled connection is present until dropped")
    }
}

impl Deref for Conn {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        match self {
            Conn::Sqlx(c) => c,
            Conn::Local(c) => c,
        }
    }
}

impl DerefMut for Conn {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        match self {
            Conn::Sqlx(c) => c,
            Conn::Local(c) => c,
        }
    }
}

/// A pool runs a statement on a connection it takes for that statement alone, as sqlx's
/// `&Pool` does.
impl<'p> Executor<'p> for &'_ Pool {
    type Database = Any;

    fn fetch_many<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> BoxStream<'e, sqlx::Result<Either<AnyQueryResult, AnyRow>>>
    where
        E: 'q + Execute<'q, Any>,
    {
        match self {
            Pool::Sqlx(p) => p.fetch_many(query),
            Pool::Local(l) => {
                let pool = Arc::clone(l);
                Box::pin(TryAsyncStream::new(move |yielder| async move {
                    let mut conn = pool.acquire().await?;
                    let failed = {
                        let mut rows = conn.fetch_many(query);
                        loop {
                            match rows.try_next().await {
                                Ok(Some(v)) => yielder.r#yield(v).await,
                                Ok(None) => break None,
                                Err(e) => break Some(e),
                            }
                        }
                    };
                    match failed {
                        None => Ok(()),
                        Some(e) => {
                            conn.note(&e);
                            Err(e)
                        }
                    }
                }))
            }
        }
    }

    fn fetch_optional<'e, 'q: 'e, E>(self, query: E) -> BoxFuture<'e, sqlx::Result<Option<AnyRow>>>
    where
        E: 'q + Execute<'q, Any>,
    {
        match self {
            Pool::Sqlx(p) => p.fetch_optional(query),
            Pool::Local(l) => {
                let pool = Arc::clone(l);
                Box::pin(async move {
                    let mut conn = pool.acquire().await?;
                    let res = conn.fetch_optional(query).await;
                    if let Err(e) = &res {
                        conn.note(e);
                    }
                    res
                })
            }
        }
    }

    fn prepare_with<'e>(
        self,
        sql: SqlStr,
        parameters: &'e [AnyTypeInfo],
    ) -> BoxFuture<'e, sqlx::Result<AnyStatement>>
    where
        'p: 'e,
    {
        match self {
            Pool::Sqlx(p) => p.prepare_with(sql, parameters),
            Pool::Local(l) => {
                let pool = Arc::clone(l);
                Box::pin(async move { pool.acquire().await?.prepare_with(sql, parameters).await })
            }
        }
    }

    fn describe<'e>(self, sql: SqlStr) -> BoxFuture<'e, sqlx::Result<Describe<Any>>>
    where
        'p: 'e,
    {
        match self {
            Pool::Sqlx(p) => p.describe(sql),
            Pool::Local(l) => {
                let pool = Arc::clone(l);
                Box::pin(async move { pool.acquire().await?.describe(sql).await })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;
    use crate::db::Tx;

    async fn local(dir: &tempfile::TempDir, max: u32, timeout: Duration) -> Pool {
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
        sqlx::any::install_default_drivers();
        let options = AnyConnectOptions::from_str(&url).unwrap();
        let pool = Local::open(options, "PRAGMA journal_mode = WAL;", max, timeout)
            .await
            .unwrap();
        let pool = Pool::Local(pool);
        sqlx::query("CREATE TABLE t (n INTEGER NOT NULL)")
            .execute(&pool)
            .await
            .unwrap();
        pool
    }

    /// A transaction that has inserted `n` and is still open.
    async fn inserting(pool: &Pool, n: i64) -> Tx<'static> {
        let mut tx = pool.begin_with(Some("BEGIN IMMEDIATE")).await.unwrap();
        sqlx::query("INSERT INTO t (n) VALUES ($1)")
            .bind(n)
            .execute(&mut *tx)
            .await
            .unwrap();
        tx
    }

    async fn count(pool: &Pool) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM t")
            .fetch_one(pool)
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn a_dropped_transaction_is_rolled_back_before_the_connection_is_used_again() {
        let dir = tempfile::tempdir().unwrap();
        let pool = local(&dir, 1, Duration::from_secs(5)).await;
        drop(inserting(&pool, 1).await);
        // The one connection again: not inside the dropped transaction, and without its row.
        assert_eq!(count(&pool).await, 0);
        inserting(&pool, 2).await.commit().await.unwrap();
        assert_eq!(count(&pool).await, 1);
        assert_eq!(pool.size(), 1);
        assert_eq!(pool.num_idle(), 1);
    }

    #[tokio::test]
    async fn acquires_wait_for_the_limit_and_time_out() {
        let dir = tempfile::tempdir().unwrap();
        let pool = local(&dir, 1, Duration::from_millis(100)).await;
        let held = pool.acquire().await.unwrap();
        assert_eq!(pool.num_idle(), 0);
        let err = pool.acquire().await.unwrap_err();
        assert!(matches!(err, sqlx::Error::PoolTimedOut), "{err}");
        // A statement on the pool waits for the held connection, then runs on it.
        let waiting = tokio::spawn({
            let pool = pool.clone();
            async move { count(&pool).await }
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!waiting.is_finished());
        drop(held);
        assert_eq!(waiting.await.unwrap(), 0);
        assert_eq!(pool.size(), 1, "one connection, reused");
    }

    #[tokio::test]
    async fn connections_open_on_demand_up_to_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let pool = local(&dir, 3, Duration::from_secs(5)).await;
        assert_eq!(pool.size(), 1);
        let a = pool.acquire().await.unwrap();
        let b = pool.acquire().await.unwrap();
        assert_eq!(pool.size(), 2);
        drop((a, b));
        assert_eq!(pool.num_idle(), 2);
        assert_eq!(pool.max_connections(), 3);
    }

    #[tokio::test]
    async fn a_closed_pool_refuses_and_closes_what_comes_back() {
        let dir = tempfile::tempdir().unwrap();
        let pool = local(&dir, 2, Duration::from_secs(5)).await;
        let held = pool.acquire().await.unwrap();
        pool.close().await;
        let err = pool.acquire().await.unwrap_err();
        assert!(matches!(err, sqlx::Error::PoolClosed), "{err}");
        drop(held);
        assert_eq!(pool.size(), 0);
        assert_eq!(pool.num_idle(), 0);
    }

    #[tokio::test]
    async fn a_failed_statement_leaves_the_connection_usable() {
        let dir = tempfile::tempdir().unwrap();
        let pool = local(&dir, 1, Duration::from_secs(5)).await;
        let err = sqlx::query("INSERT INTO missing (n) VALUES (1)")
            .execute(&pool)
            .await
            .unwrap_err();
        assert!(matches!(err, sqlx::Error::Database(_)), "{err}");
        assert_eq!(count(&pool).await, 0);
        assert_eq!(pool.size(), 1);
    }
}
