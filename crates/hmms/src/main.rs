//! `hmms`: the Hospital Maintenance Management System in one program.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use hmms_demo::{self as demo, DemoOutcome};
use hmms_domain::BuiltinRole;
use hmms_server::{Clock, Config, bootstrap};

#[derive(Parser)]
#[command(
    name = "hmms",
    version,
    about = "Hospital Maintenance Management System"
)]
struct Cli {
    /// Configuration file (default: ./hmms.toml if it exists, or $HMMS_CONFIG).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server.
    Serve {
        /// Address to listen on (also HMMS_LISTEN).
        #[arg(long)]
        listen: Option<String>,
        /// Load the demo hospital into an empty database first.
        #[arg(long)]
        demo: bool,
    },
    /// Load the demo hospital into an empty database, then serve it. With `--scale`, add a
    /// large generated data set for benchmarks instead, and exit.
    Demo {
        #[arg(long)]
        listen: Option<String>,
        /// Generate benchmark data and exit instead of serving.
        #[arg(long)]
        scale: bool,
        /// How many work orders `--scale` adds.
        #[arg(long, default_value_t = 1_000_000)]
        work_orders: usize,
        /// How many assets `--scale` adds (before the work orders, which are spread over them).
        #[arg(long, default_value_t = 50_000)]
        assets: usize,
        /// How many preventive plans `--scale` adds, one per added asset.
        #[arg(long, default_value_t = 0)]
        pm_plans: usize,
        /// How many days ahead those plans generate work (365: a year in the first run).
        #[arg(long, default_value_t = 365, value_parser = clap::value_parser!(i32).range(0..=365))]
        pm_lead_days: i32,
        /// How many spare parts `--scale` adds to St. Mary's main store.
        #[arg(long, default_value_t = 0)]
        parts: usize,
        /// About how many stock ledger entries `--scale` spreads over those parts.
        #[arg(long, default_value_t = 0)]
        stock_entries: usize,
    },
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Print the effective configuration, with secrets redacted.
    Config,
    /// Audit trail tools.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Run database migrations and exit.
    Migrate,
    /// Print the OpenAPI document (the web app's client is generated from it).
    Openapi,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user with a one-time password (printed once).
    Create {
        #[arg(long)]
        email: String,
        /// admin, facility_manager, technician, staff, procurement, vendor or it.
        #[arg(long)]
        role: String,
        #[arg(long, default_value = "")]
        name: String,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the audit trail's hash chain; exits non-zero naming the first broken entry.
    Verify,
}

fn init_logs(cfg: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("HMMS_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if cfg.log_format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down: finishing requests in flight");
}

async fn serve(mut cfg: Config, listen: Option<String>, demo: bool) -> anyhow::Result<ExitCode> {
    if let Some(l) = listen {
        cfg.listen = l;
    }
    let state = hmms_server::open(cfg.clone(), Clock::default()).await?;
    if demo {
        match demo::load(&state).await? {
            DemoOutcome::Loaded => {
                println!(
                    "Loaded the demo hospital. Sign in as admin@demo.hmms, manager@demo.hmms, technician@demo.hmms,"
                );
                println!(
                    "staff@demo.hmms, procurement@demo.hmms, vendor@demo.hmms or it@demo.hmms with the password {}.",
                    demo::DEMO_PASSWORD
                );
                println!(
                    "admin, manager and it also need a code from the TOTP secret {}.",
                    demo::DEMO_TOTP_SECRET
                );
            }
            DemoOutcome::AlreadyPresent => {
                println!("The demo hospital is already loaded; serving it.")
            }
            DemoOutcome::Refused => {
                eprintln!(
                    "error: --demo needs an empty database, and {} already holds other data. Nothing was changed.\n\
                     Point HMMS_DATABASE_URL (or HMMS_DATA_DIR) at a new database to try the demo.",
                    cfg.database_url()
                        .split('@')
                        .next_back()
                        .unwrap_or_default()
                );
                return Ok(ExitCode::from(2));
            }
        }
    } else if let Some((email, password)) = bootstrap::first_admin(&state).await? {
        println!("Created the first administrator. This password is shown only once:");
        println!("  e-mail:   {email}");
        println!("  password: {password}");
        println!("Sign in, change the password, and set up two-factor sign-in when asked.");
    }
    let listener = tokio::net::TcpListener::bind(&cfg.listen)
        .await
        .with_context(|| format!("listening on {}", cfg.listen))?;
    let addr = listener.local_addr()?;
    println!("HMMS is listening on http://{addr}  (API docs: http://{addr}/api/docs)");
    hmms_server::jobs::start(state.clone());
    hmms_server::serve(state, listener, shutdown_signal()).await?;
    Ok(ExitCode::SUCCESS)
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let cfg = Config::load(cli.config.as_deref())?;
    init_logs(&cfg);
    match cli.command {
        Command::Serve { listen, demo } => serve(cfg, listen, demo).await,
        Command::Demo {
            listen,
            scale: false,
            ..
        } => serve(cfg, listen, true).await,
        Command::Demo {
            scale: true,
            work_orders,
            assets,
            pm_plans,
            pm_lead_days,
            parts,
            stock_entries,
            ..
        } => {
            let state = hmms_server::open(cfg, Clock::default()).await?;
            let started = std::time::Instant::now();
            let want = demo::Scale {
                assets,
                work_orders,
                pm_plans,
                pm_lead_days,
                parts,
                stock_entries,
            };
            let added = demo::scale(&state, want).await?;
            println!(
                "Added {} assets, {} work orders, {} preventive plans, {} parts and {} stock entries in {:.1} s.",
                added.assets,
                added.work_orders,
                added.pm_plans,
                added.parts,
                added.stock_entries,
                started.elapsed().as_secs_f64()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Openapi => {
            println!("{}", hmms_server::app::openapi().to_pretty_json()?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Config => {
            print!("{}", toml::to_string(&cfg.redacted())?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate => {
            hmms_server::open(cfg, Clock::default()).await?;
            println!("The database is up to date.");
            Ok(ExitCode::SUCCESS)
        }
        Command::User {
            command: UserCommand::Create { email, role, name },
        } => {
            let role = BuiltinRole::from_key(&role).with_context(|| {
                format!("unknown role `{role}`; use one of admin, facility_manager, technician, staff, procurement, vendor, it")
            })?;
            let state = hmms_server::open(cfg, Clock::default()).await?;
            let name = if name.is_empty() {
                email.split('@').next().unwrap_or("user").to_string()
            } else {
                name
            };
            let password = bootstrap::create_user_cli(&state, &email, &name, role).await?;
            println!(
                "Created {email} ({}). One-time password, shown only once: {password}",
                role.key()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit {
            command: AuditCommand::Verify,
        } => {
            let state = hmms_server::open(cfg, Clock::default()).await?;
            match hmms_server::audit::verify(&state.db, &state.keys.audit).await? {
                Ok(n) => {
                    println!("The audit trail is intact: {n} entries verified.");
                    Ok(ExitCode::SUCCESS)
                }
                Err(b) => {
                    eprintln!("The audit trail is broken: {b}");
                    Ok(ExitCode::from(1))
                }
            }
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    match run(Cli::parse()).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}
