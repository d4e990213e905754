//! Shared server state and the write-transaction discipline.

use std::ops::Deref;
use std::sync::Arc;

use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, Statement,
    TransactionTrait,
};
use tokio::sync::{Mutex, OwnedMutexGuard};

use crate::auth::password::Passwords;
use crate::clock::Clock;
use crate::config::{Config, Keys};
use crate::error::ApiResult;
use crate::metrics::Metrics;

/// The PostgreSQL advisory lock every writer holds until it commits.
const WRITE_LOCK_KEY: i64 = 7243001;

/// Everything a request handler may need. Cheap to clone.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub db: DatabaseConnection,
    pub config: Config,
    pub keys: Keys,
    pub clock: Clock,
    pub passwords: Passwords,
    pub metrics: Metrics,
    pub events: crate::events::EventHub,
    /// Where files live: a local folder by default.
    pub files: Arc<dyn object_store::ObjectStore>,
    /// The file store with its URL signer (S3 only).
    pub storage: crate::storage::Storage,
    /// New work orders waiting to be written together (group commit).
    pub creates: crate::modules::work_orders::group_commit::CreateQueue,
    /// SQLite allows one writer at a time; taking this before a write transaction queues writers
    /// in the server instead of failing them with "database is locked".
    write_lock: Arc<Mutex<()>>,
}

impl Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    pub fn new(
        db: DatabaseConnection,
        config: Config,
        keys: Keys,
        clock: Clock,
        storage: crate::storage::Storage,
    ) -> Self {
        let passwords = Passwords::new(config.argon2_memory_kib, config.argon2_iterations);
        AppState(Arc::new(Inner {
            db,
            config,
            keys,
            clock,
            passwords,
            metrics: Metrics::default(),
            events: crate::events::EventHub::default(),
            files: storage.store.clone(),
            storage,
            creates: Default::default(),
            write_lock: Arc::new(Mutex::new(())),
        }))
    }

    /// Opens the transaction every mutation runs in: the change, its audit record and its domain
    /// event commit together or not at all. Writers are serialized (the audit hash chain needs a
    /// single order): in-process on SQLite, by an advisory lock on PostgreSQL so several servers
    /// sharing one database agree too.
    pub async fn begin_write(&self) -> ApiResult<WriteTx> {
        let guard = match self.db.get_database_backend() {
            DbBackend::Sqlite => Some(self.write_lock.clone().lock_owned().await),
            _ => None,
        };
        let tx = self.db.begin().await?;
        if tx.get_database_backend() == DbBackend::Sqlite {
            // BEGIN IMMEDIATE: SQLite's write lock before the first read. A deferred transaction
            // that reads and then writes fails at once (SQLITE_BUSY_SNAPSHOT, not a wait) when
            // another connection wrote in between — job bookkeeping and idempotency records are
            // written outside the in-process lock. A write statement touching no row takes the
            // lock, waiting up to the busy timeout.
            tx.execute_unprepared("UPDATE settings SET key = key WHERE 0")
                .await?;
        }
        let journal = if tx.get_database_backend() == DbBackend::Postgres {
            // The lock and, once it is held, the audit chain's head, in one round trip (m0014).
            let row = tx
                .query_one_raw(Statement::from_sql_and_values(
                    DbBackend::Postgres,
                    "SELECT hmms_begin_write($1, $2) AS head",
                    [WRITE_LOCK_KEY.into(), crate::audit::HEAD_KEY.into()],
                ))
                .await?;
            let head = row.and_then(|r| r.try_get::<Option<String>>("", "head").ok().flatten());
            crate::audit::Journal::starting_at(head.as_deref())
        } else {
            crate::audit::Journal::default()
        };
        Ok(WriteTx {
            tx,
            _guard: guard,
            wake: self.events.waker(),
            journal: std::sync::Mutex::new(journal),
        })
    }
}

/// A write transaction; dropping it without `commit` rolls everything back.
pub struct WriteTx {
    tx: DatabaseTransaction,
    _guard: Option<OwnedMutexGuard<()>>,
    wake: std::sync::Arc<tokio::sync::Notify>,
    /// Audit entries and domain events of this transaction, written together at commit.
    journal: std::sync::Mutex<crate::audit::Journal>,
}

impl WriteTx {
    /// Writes the transaction's audit entries and events, commits, then tells the live-event
    /// pump of this server to look for new events.
    pub async fn commit(self) -> ApiResult<()> {
        let journal = std::mem::take(&mut *self.journal.lock().expect("journal lock"));
        journal.flush(&self.tx).await?;
        self.tx.commit().await?;
        self.wake.notify_one();
        Ok(())
    }

    pub(crate) fn journal(&self) -> std::sync::MutexGuard<'_, crate::audit::Journal> {
        self.journal.lock().expect("journal lock")
    }
}

impl Deref for WriteTx {
    type Target = DatabaseTransaction;
    fn deref(&self) -> &DatabaseTransaction {
        &self.tx
    }
}
