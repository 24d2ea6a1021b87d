//! The state every request handler shares: configuration, the pool, the mailer, the JWT key.
//!
//! Its own module so dialects depend on it without depending on `app` (which builds their
//! routers): no `app` <-> `dialects` cycle.

use std::ops::Deref;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono_tz::Tz;

use crate::config::Config;
use crate::db::Db;
use crate::domain::accounts;
use crate::domain::files::thumbnail::{self, Thumbnailer};
use crate::domain::identity::{self, CreatePolicy, ThrottlePolicy};
use crate::domain::platform::mail::Mailer;
use crate::domain::platform::settings::{self, RuntimeSettings};

/// Everything a request handler may need, shared by every dialect.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub config: Config,
    pub db: Db,
    pub tz: Tz,
    pub mailer: Mailer,
    /// HS256 key for the dialects that hand out JWTs.
    pub jwt_secret: Vec<u8>,
    pub started: Instant,
    /// Bounded image decoding for upload thumbnails (one limiter for the process).
    pub thumbnails: Thumbnailer,
    /// Wakes this node's export workers when a task is queued here.
    pub export_wake: Arc<tokio::sync::Notify>,
    /// The figures of `GET /system/status`, refreshed in the background.
    pub status: crate::domain::platform::status::Cache,
}

impl Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    /// Connects, migrates, seeds settings and the first admin: everything the server needs
    /// before it answers.
    pub async fn init(config: Config) -> anyhow::Result<Self> {
        let tz = config.timezone()?;
        crate::private_fs::create_dir(&config.data_dir)
            .with_context(|| format!("creating data_dir {}", config.data_dir.display()))?;
        let db = Db::connect(&config.database).await?;
        crate::startup::report_paths(&config, &db);
        crate::startup::warn_ignored_keys(&config);
        db.migrate().await?;
        settings::seed(&db, &config)
            .await
            .map_err(|e| anyhow::anyhow!("seeding settings: {e}"))?;
        crate::startup::warn_settings_drift(&config, &db).await?;
        crate::domain::access::catalog::seed(&db)
            .await
            .map_err(|e| anyhow::anyhow!("seeding permissions: {e}"))?;
        if config.bootstrap.admin {
            accounts::bootstrap::ensure_admin(
                &db,
                &config.bootstrap.admin_password,
                &config.bootstrap.admin_display_name,
                &config.data_dir,
            )
            .await?;
        }
        accounts::bootstrap::forget_changed_password(&db, &config.data_dir).await?;
        let jwt_secret =
            identity::signing_key::load(&db, &config.security.jwt_secret, &config.data_dir).await?;
        // Fail now, not at the first upload, when `file.*` cannot make a blob store.
        crate::domain::files::open_store(&config.file)?;
        let mailer = Mailer::from_config(&config)?;
        let thumbnails = Thumbnailer::new(
            thumbnail::Policy {
                max_side: config.file.thumbnail_max_side,
                max_pixels: config.file.image_max_pixels,
                max_decode_bytes: config.file.image_max_decode_bytes,
            },
            config.file.decode_concurrency,
        );
        Ok(Self(Arc::new(Inner {
            config,
            db,
            tz,
            mailer,
            jwt_secret,
            started: Instant::now(),
            thumbnails,
            export_wake: Arc::new(tokio::sync::Notify::new()),
            status: Default::default(),
        })))
    }

    /// The runtime settings as they are now (read on every use: a change made on any node
    /// takes effect on the next request).
    pub async fn settings(&self) -> crate::error::Result<RuntimeSettings> {
        settings::load(&self.db).await
    }

    pub fn throttle_policy(&self, s: &RuntimeSettings) -> ThrottlePolicy {
        ThrottlePolicy {
            max_failures: s.login_max_failures,
            window_minutes: self.config.security.login_window_minutes,
            lockout_minutes: s.login_lockout_minutes,
        }
    }

    /// How long this process has been serving.
    pub fn uptime(&self) -> Duration {
        self.started.elapsed()
    }

    pub fn create_policy(&self) -> CreatePolicy {
        CreatePolicy {
            first_user_is_super_admin: !self.config.bootstrap.admin,
        }
    }
}
