//! The HMMS server as a library: the binary and the tests both start it through [`open`] and
//! [`serve`].

/// A wire enum (with its OpenAPI schema) and the domain enum it stands for have the same
/// variants: conversions both ways, exhaustive, so a variant added to one breaks the build.
macro_rules! same_variants {
    ($wire:ty, $domain:ty, [$($v:ident),* $(,)?]) => {
        impl From<$domain> for $wire {
            fn from(v: $domain) -> Self {
                match v { $(<$domain>::$v => Self::$v),* }
            }
        }
        impl From<$wire> for $domain {
            fn from(v: $wire) -> Self {
                match v { $(<$wire>::$v => Self::$v),* }
            }
        }
    };
}

pub mod app;
pub mod audit;
pub mod auth;
pub mod bootstrap;
pub mod clock;
pub mod config;
pub mod error;
pub mod events;
pub mod extract;
pub mod health;
pub mod http;
pub mod idempotency;
pub mod jobs;
pub mod metrics;
pub mod modules;
pub mod pagination;
pub mod pdf;
pub mod scope;
pub mod spreadsheet;
pub mod state;
pub mod storage;
pub mod system_users;
pub mod web;
pub mod workbook;

use std::future::{Future, IntoFuture};
use std::net::SocketAddr;

use anyhow::Context;

pub use clock::Clock;
pub use config::Config;
pub use state::AppState;

/// Prepares the data folder, opens and migrates the database, and loads or creates the keys.
pub async fn open(config: Config, clock: Clock) -> anyhow::Result<AppState> {
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("creating {}", config.data_dir.display()))?;
    // rustls (S3 storage, Web Push) signs and encrypts with ring; installing twice is harmless.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let keys = config::Keys::load_or_create(&config)?;
    let durability = match config.sqlite_synchronous.as_str() {
        "normal" => hmms_store::SqliteDurability::Normal,
        _ => hmms_store::SqliteDurability::Full,
    };
    let db = hmms_store::connect(&config.database_url(), durability)
        .await
        .context("opening the database")?;
    hmms_store::migrate(&db)
        .await
        .context("migrating the database")?;
    let storage = storage::Storage::open(&config)?;
    let state = AppState::new(db, config, keys, clock, storage, app::registry());
    audit::carry_over(&state)
        .await
        .context("carrying the audit trail over to the keyed chain")?;
    Ok(state)
}

/// Serves until `shutdown` resolves, then lets in-flight requests finish.
pub async fn serve(
    state: AppState,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    events::start(
        state.db.clone(),
        state.config.database_url(),
        state.events.clone(),
    )
    .await;
    modules::push::start_dispatch(state.clone()).await?;
    let hub = state.events.clone();
    let app = app::router(state);
    let (stopping, mut stopped) = tokio::sync::watch::channel(false);
    let shutdown = async move {
        shutdown.await;
        // Live streams never end on their own; close them so requests in flight can finish.
        hub.close();
        let _ = stopping.send(true);
    };
    let server = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .into_future();
    // Requests in flight get a grace period; then they are dropped, so a stop is never
    // held up by one slow request.
    let grace = async move {
        let _ = stopped.wait_for(|s| *s).await;
        tokio::time::sleep(http::SHUTDOWN_GRACE).await;
    };
    tokio::select! {
        served = server => served?,
        _ = grace => tracing::warn!(
            "requests still in flight {} s after the stop signal were cancelled",
            http::SHUTDOWN_GRACE.as_secs()
        ),
    }
    Ok(())
}
