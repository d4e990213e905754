//! HMMS persistence: SeaORM entities and portable migrations, plus connecting to the database
//! with the settings each backend needs.

pub mod entities;
pub mod migration;

pub use migration::Migrator;
pub use sea_orm;
pub use sea_orm_migration::MigratorTrait;

use std::time::Duration;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};

/// How SQLite makes a commit durable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SqliteDurability {
    /// `synchronous=FULL`: a commit is on disk before it is acknowledged, so a power cut loses
    /// nothing acknowledged. Group commit shares one sync among concurrent writers.
    #[default]
    Full,
    /// `synchronous=NORMAL`: safe against a crash of the process, but a power cut may lose the
    /// last commits. Faster; an opt-in for machines with a UPS.
    Normal,
}

/// Opens the database. SQLite gets WAL, foreign keys, a busy timeout and the chosen
/// durability; the file is created if missing.
pub async fn connect(url: &str, durability: SqliteDurability) -> Result<DatabaseConnection, DbErr> {
    let sqlite = url.starts_with("sqlite:");
    let url = if sqlite && !url.contains("mode=") {
        let sep = if url.contains('?') { '&' } else { '?' };
        format!("{url}{sep}mode=rwc")
    } else {
        url.to_string()
    };
    let mut opt = ConnectOptions::new(url);
    opt.sqlx_logging(false)
        .acquire_timeout(Duration::from_secs(10));
    if sqlite {
        opt.max_connections(8)
            .min_connections(1)
            .map_sqlx_sqlite_opts(move |o| {
                o.journal_mode(SqliteJournalMode::Wal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10))
                    .synchronous(match durability {
                        SqliteDurability::Full => SqliteSynchronous::Full,
                        SqliteDurability::Normal => SqliteSynchronous::Normal,
                    })
                    // Reads through a shared memory map instead of a read syscall and a copy
                    // per page into each connection's own cache (measured in benchmarks.md).
                    .pragma("mmap_size", "268435456")
                    // Bulk writes (the preventive generator, imports) outgrow the default 2 MB
                    // page cache and spill to the WAL mid-transaction; 32 MB per connection
                    // (allocated only as used) keeps a chunk in memory until it commits.
                    .pragma("cache_size", "-32768")
                    .pragma("wal_autocheckpoint", "10000")
            });
    } else {
        opt.max_connections(16)
            .min_connections(1)
            // Reports' aggregates look costly to the planner, which then JIT-compiles them:
            // measured 0.3–0.9 s of compiling for a 0.3 s query at a million work orders. An
            // OLTP server's short queries never gain from JIT.
            .map_sqlx_postgres_opts(|o| o.options([("jit", "off")]));
    }
    Database::connect(opt).await
}

/// Runs every pending migration.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}
