//! On PostgreSQL, new domain events wake the servers listening on `hmms_events` from a trigger,
//! instead of a separate `NOTIFY` statement in every write transaction (one round trip less
//! under the write lock). PostgreSQL delivers one notification per transaction however many
//! statements fire it. Nothing to do on SQLite, where one server owns the file.

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
            "CREATE OR REPLACE FUNCTION hmms_notify_events() RETURNS trigger AS $$ \
             BEGIN PERFORM pg_notify('hmms_events', ''); RETURN NULL; END; \
             $$ LANGUAGE plpgsql",
        )
        .await?;
        db.execute_unprepared(
            "CREATE TRIGGER domain_events_notify AFTER INSERT ON domain_events \
             FOR EACH STATEMENT EXECUTE FUNCTION hmms_notify_events()",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        if db.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        db.execute_unprepared("DROP TRIGGER IF EXISTS domain_events_notify ON domain_events")
            .await?;
        db.execute_unprepared("DROP FUNCTION IF EXISTS hmms_notify_events()")
            .await?;
        Ok(())
    }
}
