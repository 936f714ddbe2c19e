//! The database connection: SQLite for development and small installs, PostgreSQL for
//! several instances.

pub mod entities;

use std::time::Duration;

use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    DbErr, SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use sea_orm_migration::MigratorTrait;

use crate::migrations::Migrator;

/// Opens the pool and applies pending migrations.
///
/// # Errors
/// The database cannot be reached, or a migration fails.
pub async fn connect_and_migrate(url: &str) -> Result<DatabaseConnection, DbErr> {
    let db = connect(url).await?;
    Migrator::up(&db, None).await?;
    Ok(db)
}

/// # Errors
/// The database cannot be reached.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    let in_memory = url.contains(":memory:") || url.contains("mode=memory");
    let mut options = ConnectOptions::new(url);
    options
        .sqlx_logging(false)
        .acquire_timeout(Duration::from_secs(10))
        // An in-memory SQLite database lives in one connection; a file takes a few
        // readers beside its one writer (WAL).
        .max_connections(match (url.starts_with("sqlite"), in_memory) {
            (true, true) => 1,
            (true, false) => 4,
            (false, _) => 10,
        })
        .min_connections(1);
    if !in_memory {
        // In WAL mode NORMAL still never corrupts the file and survives a process crash; it
        // skips the fsync per commit that FULL pays, which every shared-limit check (a
        // write on each POST) would otherwise wait for. A power cut may lose the last
        // commits, not the database.
        options.map_sqlx_sqlite_opts(|sqlite| {
            sqlite.synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
        });
    }
    let db = Database::connect(options).await?;
    if db.get_database_backend() == DbBackend::Sqlite && !in_memory {
        // WAL lets pages read while the worker writes; the setting persists in the file.
        db.execute_unprepared("PRAGMA journal_mode = WAL").await?;
    }
    Ok(db)
}

/// Starts a transaction that will write. On SQLite it takes the write lock at once
/// (`BEGIN IMMEDIATE`, waiting its turn like any writer): a transaction that reads first
/// and writes later would otherwise fail at once with "database is locked" whenever
/// another connection wrote in between, since it cannot upgrade its older snapshot.
///
/// # Errors
/// Database errors.
pub(crate) async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    })
    .await
}

/// True when the database refused a write because it would duplicate a unique value.
pub fn is_unique_violation(error: &DbErr) -> bool {
    matches!(
        error.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    )
}
