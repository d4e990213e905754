//! On PostgreSQL, one function takes the write lock and then reads the audit chain's head, so
//! a write transaction costs one round trip less under the lock. The read must come after the
//! lock, in a snapshot taken once the previous writer has committed: a single SQL statement
//! would read in a snapshot taken before it waited, while each statement of a volatile PL/pgSQL
//! function takes a fresh one (READ COMMITTED). Nothing to do on SQLite, where the lock is in
//! the process.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        if db.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        db.execute_unprepared(
            "CREATE OR REPLACE FUNCTION hmms_begin_write(lock_key bigint, head_key text) \
             RETURNS text VOLATILE AS $$ \
             BEGIN \
               PERFORM pg_advisory_xact_lock(lock_key); \
               RETURN (SELECT value FROM settings WHERE key = head_key); \
             END; $$ LANGUAGE plpgsql",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        if db.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        db.execute_unprepared("DROP FUNCTION IF EXISTS hmms_begin_write(bigint, text)")
            .await?;
        Ok(())
    }
}
