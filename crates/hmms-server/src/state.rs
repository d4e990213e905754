//! Shared server state and the write-transaction discipline.

use std::any::{Any, TypeId};
use std::collections::HashMap;
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
use crate::error::{ApiError, ApiResult};
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
    /// The trusted reverse proxies (`Config::trusted_proxies`, checked when it was loaded).
    pub proxies: Vec<ipnet::IpNet>,
    pub events: crate::events::EventHub,
    /// Where files live: a local folder by default.
    pub files: Arc<dyn object_store::ObjectStore>,
    /// The file store with its URL signer (S3 only).
    pub storage: crate::storage::Storage,
    /// What the modules registered for one another at start-up (`app::registry`).
    pub registry: Arc<Registry>,
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
        registry: Registry,
    ) -> Self {
        let passwords = Passwords::new(config.argon2_memory_kib, config.argon2_iterations);
        let proxies = config.proxies().unwrap_or_default();
        AppState(Arc::new(Inner {
            db,
            config,
            keys,
            clock,
            passwords,
            metrics: Metrics::default(),
            proxies,
            events: crate::events::EventHub::default(),
            files: storage.store.clone(),
            storage,
            registry: Arc::new(registry),
            write_lock: Arc::new(Mutex::new(())),
        }))
    }

    /// What a module registered at start-up (see [`Registry`]).
    pub fn registered<T: Any + Send + Sync>(&self) -> ApiResult<&T> {
        self.registry.get()
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
                    [
                        WRITE_LOCK_KEY.into(),
                        crate::audit::journal::HEAD_KEY.into(),
                    ],
                ))
                .await?;
            let head = row.and_then(|r| r.try_get::<Option<String>>("", "head").ok().flatten());
            crate::audit::journal::Journal::starting_at(head.as_deref())
        } else {
            crate::audit::journal::Journal::default()
        };
        Ok(WriteTx {
            tx,
            registry: self.registry.clone(),
            _guard: guard,
            wake: self.events.waker(),
            journal: std::sync::Mutex::new(journal),
            audit_key: self.keys.audit,
        })
    }
}

/// A write transaction; dropping it without `commit` rolls everything back.
pub struct WriteTx {
    tx: DatabaseTransaction,
    registry: Arc<Registry>,
    _guard: Option<OwnedMutexGuard<()>>,
    wake: std::sync::Arc<tokio::sync::Notify>,
    /// Audit entries and domain events of this transaction, written together at commit.
    journal: std::sync::Mutex<crate::audit::journal::Journal>,
    /// Keys the audit entries this transaction appends.
    audit_key: [u8; 32],
}

impl WriteTx {
    /// Writes the transaction's audit entries and events, commits, then tells the live-event
    /// pump of this server to look for new events.
    pub async fn commit(self) -> ApiResult<()> {
        let journal = std::mem::take(&mut *self.journal());
        journal.flush(&self.tx).await?;
        self.tx.commit().await?;
        self.wake.notify_one();
        Ok(())
    }

    pub(crate) fn journal(&self) -> std::sync::MutexGuard<'_, crate::audit::journal::Journal> {
        // A panic while the journal was held already failed that request; the entries it left
        // are still a consistent list.
        self.journal
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn audit_key(&self) -> &[u8] {
        &self.audit_key
    }

    /// What a module registered, for code that holds only the transaction (hooks run there).
    pub fn registered<T: Any + Send + Sync>(&self) -> ApiResult<&T> {
        self.registry.get()
    }
}

/// What modules register at start-up for one another — work-order hooks, the create queue —
/// found by type. The base names no module: `app::registry` fills it, so one place shows how
/// the modules are wired together.
#[derive(Default)]
pub struct Registry(HashMap<TypeId, Box<dyn Any + Send + Sync>>);

impl Registry {
    /// Adds `value`, replacing one of the same type.
    pub fn with<T: Any + Send + Sync>(mut self, value: T) -> Self {
        self.0.insert(TypeId::of::<T>(), Box::new(value));
        self
    }

    /// The registered value of type `T`; missing means the application was wired wrongly.
    pub fn get<T: Any + Send + Sync>(&self) -> ApiResult<&T> {
        self.0
            .get(&TypeId::of::<T>())
            .and_then(|v| v.downcast_ref::<T>())
            .ok_or_else(|| {
                ApiError::Internal(anyhow::anyhow!(
                    "{} was not registered (app::registry)",
                    std::any::type_name::<T>()
                ))
            })
    }
}

impl Deref for WriteTx {
    type Target = DatabaseTransaction;
    fn deref(&self) -> &DatabaseTransaction {
        &self.tx
    }
}
