//! A transaction on a connection of a [`Pool`]: sqlx's `Transaction`, over this crate's
//! connections (sqlx's only holds its own pool's).

use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};

use sqlx::AnyConnection;
use sqlx::SqlSafeStr;
use sqlx::any::AnyTransactionManager;
use sqlx_core::transaction::TransactionManager;

use super::pool::{Conn, Pool};

/// An open transaction; rolled back when dropped uncommitted. Derefs to its connection, so
/// `&mut *tx` (or `&mut **tx` through a `&mut Tx`) runs a statement in it.
#[derive(Debug)]
pub struct Tx<'a> {
    conn: Conn,
    open: bool,
    // Kept so signatures can say `Tx<'_>` as they did for sqlx's `Transaction<'_, _>`.
    _life: PhantomData<&'a mut ()>,
}

impl Pool {
    /// Takes a connection and begins a transaction on it with `statement` (`BEGIN` when
    /// `None`).
    pub async fn begin_with(&self, statement: Option<&'static str>) -> sqlx::Result<Tx<'static>> {
        let conn = self.acquire().await?;
        // Open before `BEGIN` is sent: if it fails half-way, the drop still rolls back.
        let mut tx = Tx {
            conn,
            open: true,
            _life: PhantomData,
        };
        AnyTransactionManager::begin(&mut tx.conn, statement.map(SqlSafeStr::into_sql_str)).await?;
        Ok(tx)
    }
}

impl Tx<'_> {
    pub async fn commit(mut self) -> sqlx::Result<()> {
        AnyTransactionManager::commit(&mut self.conn).await?;
        self.open = false;
        Ok(())
    }

    pub async fn rollback(mut self) -> sqlx::Result<()> {
        AnyTransactionManager::rollback(&mut self.conn).await?;
        self.open = false;
        Ok(())
    }
}

impl Drop for Tx<'_> {
    fn drop(&mut self) {
        if self.open {
            // Queues the rollback on the connection before it goes back to its pool: SQLite's
            // thread runs it at once, ahead of the next statement; PostgreSQL's runs it when
            // sqlx's pool checks the connection on its way back.
            AnyTransactionManager::start_rollback(&mut self.conn);
        }
    }
}

impl Deref for Tx<'_> {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        &self.conn
    }
}

impl DerefMut for Tx<'_> {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.conn
    }
}
