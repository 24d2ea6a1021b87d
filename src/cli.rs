//! The `ops-server` command line: serve (default), migrate, configuration check, runtime
//! settings, user administration, the hanzi repertoire, demo purchase orders, backup and
//! restore.
//! Passwords are read from a prompt or standard input, never from an argument.

mod backup;
mod check;
mod explain;
mod settings;
mod users;

use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};

use crate::app::{self, AppState};
use crate::config::{Config, LogFormat};
use crate::db::Db;
use crate::domain::accounts::manage::operator;
use crate::domain::identity::{CreatePolicy, NewUser, user};
use crate::domain::purchase;

/// `1.0.0 (commit 1a2b3c4d5e6f)`: the commit comes from build.rs (`unknown` outside a checkout).
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("OPS_GIT_COMMIT"),
    ")"
);

#[derive(Debug, Parser)]
#[command(
    name = "ops-server",
    version = VERSION,
    about = "One back-office server, four documented APIs"
)]
pub struct Cli {
    /// The configuration file; created from the built-in template when missing.
    #[arg(
        long,
        global = true,
        default_value = "./data/config.yaml",
        env = "OPS_CONFIG"
    )]
    pub config: PathBuf,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve HTTP (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// The configuration.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// The runtime settings every node reads (the config file only seeds them).
    #[command(subcommand)]
    Settings(settings::SettingsCommand),
    /// Manage user accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// The hanzi character repertoire.
    #[command(subcommand)]
    Hanzi(HanziCommand),
    /// Purchase orders.
    #[command(subcommand)]
    Purchase(PurchaseCommand),
    /// The livestock platform (admin_v1 §5–8).
    #[command(subcommand)]
    Livestock(LivestockCommand),
    /// Write a consistent copy of the installation into a new folder while it serves
    /// (SQLite: the database and the local blobs; PostgreSQL: the local blobs, the database
    /// with pg_dump).
    Backup {
        /// A folder that does not exist yet (or is empty).
        dir: PathBuf,
    },
    /// Put a backup back into an empty data directory (no database, no blobs yet).
    Restore {
        /// A folder written by `ops-server backup`.
        dir: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum LivestockCommand {
    /// Load demo data in bulk (benchmarks, trials): farms first (with demo owners), then
    /// animals over them, then trade orders and financial records over the users and farms.
    Seed {
        /// Farms, with demo owners `farmer0001`… (one per 500 farms, at most 200).
        #[arg(long, default_value_t = 0)]
        farms: u64,
        /// Animals spread over the existing farms; every second one gets a vaccination record.
        #[arg(long, default_value_t = 0)]
        animals: u64,
        /// Trade orders, spread over the last 365 days.
        #[arg(long, default_value_t = 0)]
        orders: u64,
        /// Financial records, spread over the last 730 days.
        #[arg(long, default_value_t = 0)]
        records: u64,
    },
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Validate the configuration (file given by --config, plus OPS__* variables) and print
    /// the effective values with secrets masked; creates nothing.
    Check,
}

#[derive(Debug, Subcommand)]
pub enum HanziCommand {
    /// Load a repertoire from a JSON file (an array of Characters), all or nothing.
    Import {
        /// The file, in the shape `GET /hanzi/repertoire/all` answers.
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum PurchaseCommand {
    /// Load demo orders for a user quickly (batched multi-row inserts), e.g. for benchmarks.
    Seed {
        /// The owner's login name.
        #[arg(long)]
        user: String,
        /// How many orders to create.
        #[arg(long, default_value_t = 1000)]
        orders: u64,
        /// Seconds between two consecutive orders' creation times (the newest is now).
        #[arg(long, default_value_t = 60)]
        spacing_secs: i64,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// List every account with its state and roles.
    List,
    /// Create a user; the password is read from a prompt or standard input.
    Create {
        /// The login name.
        #[arg(long)]
        name: String,
        /// The email address (for password reset mails).
        #[arg(long)]
        email: Option<String>,
        /// Grant the `super_admin` role.
        #[arg(long)]
        super_admin: bool,
    },
    /// Set a new password (ends all of the user's sessions).
    ResetPassword {
        /// The user's login name.
        #[arg(long)]
        name: String,
    },
    /// Disable the account (ends all of its sessions).
    Disable {
        /// The user's login name.
        #[arg(long)]
        name: String,
    },
    /// Enable the account.
    Enable {
        /// The user's login name.
        #[arg(long)]
        name: String,
    },
    /// Give a user a role (e.g. `admin`, `super_admin`); takes effect on their next request.
    Grant {
        /// The user's login name.
        #[arg(long)]
        name: String,
        /// The role's code (`ops-server user grant` with an unknown code lists them).
        #[arg(long)]
        role: String,
    },
    /// Take a role away from a user; the last active super admin keeps `super_admin`.
    Revoke {
        /// The user's login name.
        #[arg(long)]
        name: String,
        /// The role's code.
        #[arg(long)]
        role: String,
    },
}

/// Runs the command line; the process exit code follows the result.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    if let Some(Command::Config(ConfigCommand::Check)) = cli.command {
        // Before anything is created or logged: a check only reads.
        return check::run(&cli.config);
    }
    let config = Config::load_or_init(&cli.config)?;
    init_tracing(&config);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config).await,
        Command::Migrate => {
            let db = Db::connect(&config.database).await?;
            crate::startup::report_paths(&config, &db);
            match db.migrate().await? {
                0 => println!("nothing to apply: the database is up to date"),
                n => println!("applied {n} migrations"),
            }
            db.close().await;
            Ok(())
        }
        Command::Config(ConfigCommand::Check) => check::run(&cli.config),
        Command::Settings(cmd) => settings::run(&config, cmd).await,
        Command::User(cmd) => user_command(config, cmd).await,
        Command::Hanzi(HanziCommand::Import { file }) => hanzi_import(config, &file).await,
        Command::Purchase(cmd) => purchase_command(config, cmd).await,
        Command::Livestock(cmd) => livestock_command(config, cmd).await,
        Command::Backup { dir } => backup::backup(&config, &dir).await,
        Command::Restore { dir } => backup::restore(&config, &dir).await,
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let addr = format!("{}:{}", config.server.host, config.server.port);
    let tls = config.server.tls_enable;
    let state = AppState::init(config).await?;
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .with_context(|| format!("binding {addr}"))?;
    let scheme = if tls { "https" } else { "http" };
    if tls {
        // Read the certificate and key now, so "listening" is never logged by a server
        // that then fails on them.
        let (cert, key) = (&state.config.server.tls_cert, &state.config.server.tls_key);
        axum_server::tls_rustls::RustlsConfig::from_pem_file(cert, key)
            .await
            .with_context(|| format!("loading server.tls_cert {cert} / server.tls_key {key}"))?;
    }
    tracing::info!(address = %listener.local_addr()?, scheme, "ops-server listening");
    if tls {
        app::serve_tls(state, listener.into_std()?, app::shutdown_signal()).await
    } else {
        app::serve(state, listener, app::shutdown_signal()).await
    }
}

async fn user_command(config: Config, cmd: UserCommand) -> anyhow::Result<()> {
    let db = Db::connect(&config.database).await?;
    db.migrate().await?;
    let find = |name: String| {
        let db = db.clone();
        async move {
            user::find_by_username(&db, &name)
                .await?
                .with_context(|| format!("no user named {name:?}"))
        }
    };
    match cmd {
        UserCommand::List => users::list(&db).await?,
        UserCommand::Grant { name, role } => users::grant(&db, &name, &role).await?,
        UserCommand::Revoke { name, role } => users::revoke(&db, &name, &role).await?,
        UserCommand::Create {
            name,
            email,
            super_admin,
        } => {
            let password = read_password()?;
            let mut new = NewUser::new(name, password);
            new.email = email;
            if super_admin {
                new.roles = vec![crate::domain::access::SUPER_ADMIN.to_owned()];
            }
            let u =
                crate::domain::accounts::enrol::create(&db, new, CreatePolicy::default()).await?;
            println!("created user {} (id {})", u.username, u.id);
        }
        UserCommand::ResetPassword { name } => {
            let u = find(name).await?;
            let password = read_password()?;
            operator::set_password(&db, u.id, &password).await?;
            println!(
                "password of {} changed; their sessions have ended",
                u.username
            );
        }
        UserCommand::Disable { name } => {
            let u = find(name).await?;
            operator::set_active(&db, u.id, false).await?;
            println!("{} disabled; their sessions have ended", u.username);
        }
        UserCommand::Enable { name } => {
            let u = find(name).await?;
            operator::set_active(&db, u.id, true).await?;
            println!("{} enabled", u.username);
        }
    }
    db.close().await;
    Ok(())
}

async fn hanzi_import(config: Config, file: &std::path::Path) -> anyhow::Result<()> {
    use crate::domain::glyphs::import;
    let db = Db::connect(&config.database).await?;
    db.migrate().await?;
    let started = std::time::Instant::now();
    let progress = |n: usize| {
        if n % 10_000 == 0 {
            eprintln!(
                "{n} characters read and stored so far ({:.1?})",
                started.elapsed()
            );
        }
    };
    let loaded = import::import_file(&db, file, progress)
        .await
        .map_err(|e| {
            let item = match (e.index, e.unicode) {
                (Some(i), Some(u)) => {
                    format!("character [{i}] (U+{:04X} {}): ", u.value(), u.as_char())
                }
                (Some(i), None) => format!("character [{i}]: "),
                _ => String::new(),
            };
            anyhow::anyhow!(
                "importing {}: {item}{:#}; nothing was stored",
                file.display(),
                explain::explain(e.error)
            )
        })?;
    println!(
        "imported {loaded} characters from {} in {:.1}s",
        file.display(),
        started.elapsed().as_secs_f64()
    );
    db.close().await;
    Ok(())
}

async fn purchase_command(config: Config, cmd: PurchaseCommand) -> anyhow::Result<()> {
    let db = Db::connect(&config.database).await?;
    db.migrate().await?;
    match cmd {
        PurchaseCommand::Seed {
            user: name,
            orders,
            spacing_secs,
        } => {
            let owner = user::find_by_username(&db, &name)
                .await?
                .with_context(|| format!("no user named {name:?}"))?;
            let started = std::time::Instant::now();
            let step = (orders / 10).max(purchase::seed::BATCH as u64);
            purchase::seed::load(&db, owner.id, orders, spacing_secs * 1_000_000, |done| {
                if done % step < purchase::seed::BATCH as u64 || done == orders {
                    eprintln!("{done}/{orders} orders ({:.1?})", started.elapsed());
                }
            })
            .await?;
            db.vacuum_after_bulk_load().await?;
            println!(
                "loaded {orders} orders for {} in {:.1?}",
                owner.username,
                started.elapsed()
            );
        }
    }
    db.close().await;
    Ok(())
}

async fn livestock_command(config: Config, cmd: LivestockCommand) -> anyhow::Result<()> {
    use crate::domain::livestock::{farm_seed, trade_seed};
    let db = Db::connect(&config.database).await?;
    db.migrate().await?;
    let tz = config.timezone()?;
    match cmd {
        LivestockCommand::Seed {
            farms,
            animals,
            orders,
            records,
        } => {
            let started = std::time::Instant::now();
            let report = |what: &'static str, total: u64| {
                let step = (total / 10).max(trade_seed::BATCH as u64);
                move |done: u64| {
                    if done % step < trade_seed::BATCH as u64 || done == total {
                        eprintln!("{done}/{total} {what} ({:.1?})", started.elapsed());
                    }
                }
            };
            let today = chrono::Utc::now().with_timezone(&tz).date_naive();
            if farms > 0 {
                farm_seed::farms(&db, farms, report("farms", farms))
                    .await
                    .map_err(|e| anyhow::anyhow!("seeding farms: {e}"))?;
            }
            if animals > 0 {
                farm_seed::animals(&db, animals, today, report("animals", animals))
                    .await
                    .map_err(|e| anyhow::anyhow!("seeding animals: {e}"))?;
            }
            if orders > 0 {
                trade_seed::orders(&db, orders, tz, report("orders", orders)).await?;
            }
            if records > 0 {
                trade_seed::records(&db, records, today, report("records", records)).await?;
            }
            db.vacuum_after_bulk_load().await?;
            println!(
                "loaded {farms} farms, {animals} animals, {orders} orders and {records} financial records in {:.1?}",
                started.elapsed()
            );
        }
    }
    db.close().await;
    Ok(())
}

/// From a hidden prompt on a terminal (asked twice), otherwise the first line of stdin.
fn read_password() -> anyhow::Result<String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ")?;
        let second = rpassword::prompt_password("Repeat password: ")?;
        if first != second {
            bail!("the passwords do not match");
        }
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        let pw = line.trim_end_matches(['\r', '\n']).to_owned();
        if pw.is_empty() {
            bail!("no password on standard input");
        }
        Ok(pw)
    }
}

fn init_tracing(config: &Config) {
    use tracing_subscriber::EnvFilter;
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(&config.log.level));
    // Colour codes only for a person at a terminal: journald, files and pipes get plain text.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    let _ = match config.log.format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}
