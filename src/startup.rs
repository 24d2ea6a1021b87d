//! What start-up tells the operator, so nothing happens silently: where the data lives (as
//! absolute paths: relative ones resolve against the working directory), whether the database
//! was just created, and every configuration value that is not taking effect.

use std::path::Path;

use crate::config::{Config, DatabaseDriver};
use crate::db::Db;
use crate::domain::platform::settings;

/// `path` made absolute against the working directory, for display.
fn absolute(path: &Path) -> String {
    std::path::absolute(path)
        .unwrap_or_else(|_| path.to_path_buf())
        .display()
        .to_string()
}

/// Where blobs live: the local folder, or the bucket.
fn blob_location(config: &Config) -> String {
    match config.file.store {
        crate::config::FileStoreKind::Local => absolute(&config.file.paths.image),
        crate::config::FileStoreKind::S3 => {
            let s3 = &config.file.s3;
            let at = if s3.endpoint.is_empty() {
                "AWS"
            } else {
                &s3.endpoint
            };
            format!("s3://{} at {at}", s3.bucket)
        }
    }
}

/// Logs the configuration file, database, blob store and secret locations, then (at WARN)
/// that the database is new when this start created it.
pub fn report_paths(config: &Config, db: &Db) {
    let database = match config.database.driver {
        DatabaseDriver::Sqlite => absolute(Path::new(&config.database.path)),
        DatabaseDriver::Postgres => crate::config::redact_url(&config.database.url),
    };
    let jwt_secret = if config.security.jwt_secret.is_empty() {
        "the database (shared_secrets, one key for every node)".to_owned()
    } else {
        "security.jwt_secret (from the configuration)".to_owned()
    };
    let config_file = config
        .loaded_from
        .as_deref()
        .map_or_else(|| "none (built-in template)".to_owned(), absolute);
    let cwd = absolute(Path::new("."));
    tracing::info!(
        config = %config_file,
        database = %database,
        blobs = %blob_location(config),
        jwt_secret = %jwt_secret,
        data_dir = %absolute(&config.data_dir),
        working_directory = %cwd,
        "data locations (relative paths in the configuration resolve against the working directory)"
    );
    if db.created_new() {
        tracing::warn!(
            database = %database,
            "created a new, empty database; if you expected existing data, check the working \
             directory and database.path / database.url"
        );
    }
}

/// Logs at WARN every first-start key whose configured value differs from the live setting,
/// with both values and how to change the live one.
pub async fn warn_settings_drift(config: &Config, db: &Db) -> anyhow::Result<()> {
    let drift = settings::drift(db, config)
        .await
        .map_err(|e| anyhow::anyhow!("reading settings: {e}"))?;
    for d in drift {
        tracing::warn!(
            key = d.config_key,
            configured = %d.configured,
            live = %d.live,
            setting = d.key,
            "{} only seeds the runtime setting {} on the first start; the live value {} is in \
             effect, not the configured {}. Change it with `ops-server settings set {} VALUE` \
             or the admin API (PUT /api/v1/system/config)",
            d.config_key,
            d.key,
            d.live,
            d.configured,
            d.key,
        );
    }
    Ok(())
}

/// Keys that are still read but no longer do anything.
pub fn warn_ignored_keys(config: &Config) {
    if !config.smtp.reset_url.is_empty() {
        tracing::warn!(
            key = "smtp.reset_url",
            value = %config.smtp.reset_url,
            "smtp.reset_url is no longer used; the reset link is security.password_reset_url \
             (default {{public_url}}/reset-password?token={{token}}) with server.public_url"
        );
    }
}
