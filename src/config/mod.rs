//! Configuration: built-in template, then the YAML file, then `OPS__SECTION__KEY` variables.
//!
//! Loaded once at start-up and passed down explicitly; there is no global. An invalid file
//! stops start-up with a message that names the key; it is never silently replaced.

use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

mod choice;
mod source;

use choice::choice;

/// The template shipped as `defConfig/configTemp.yaml` and copied on first start.
pub const TEMPLATE: &str = include_str!("../../defConfig/configTemp.yaml");

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The file this configuration was read from (`None`: template and environment only).
    #[serde(skip)]
    pub loaded_from: Option<PathBuf>,
    pub data_dir: PathBuf,
    pub server: ServerConfig,
    pub database: DatabaseConfig,
    pub file: FileConfig,
    pub registration: RegistrationConfig,
    pub bootstrap: BootstrapConfig,
    pub security: SecurityConfig,
    pub smtp: SmtpConfig,
    pub site: SiteConfig,
    pub dialects: DialectsConfig,
    pub log: LogConfig,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    pub host: String,
    pub port: u16,
    pub tls_enable: bool,
    pub tls_cert: String,
    pub tls_key: String,
    pub timezone: String,
    pub json_body_limit: usize,
    /// The server's public origin (`https://ops.example.com`, optionally with a path) that
    /// absolute links are built from; empty means links are relative (and the reset mail's
    /// link uses `http(s)://host:port`). The `Host` header is never used for links.
    pub public_url: String,
}

choice! {
    pub enum DatabaseDriver {
        Sqlite => "sqlite",
        Postgres => "postgres" | "postgresql",
    }
}

#[derive(Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseConfig {
    pub driver: DatabaseDriver,
    pub path: String,
    pub url: String,
    pub max_connections: u32,
    pub connect_timeout_secs: u64,
}

impl fmt::Debug for DatabaseConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DatabaseConfig")
            .field("driver", &self.driver)
            .field("path", &self.path)
            .field("url", &if self.url.is_empty() { "" } else { "***" })
            .finish()
    }
}

choice! {
    pub enum FileStoreKind {
        Local => "local",
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub store: FileStoreKind,
    pub paths: FilePaths,
    pub max_size: u64,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FilePaths {
    pub image: PathBuf,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RegistrationConfig {
    pub open: bool,
}

#[derive(Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BootstrapConfig {
    pub admin: bool,
    pub admin_password: String,
}

impl fmt::Debug for BootstrapConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BootstrapConfig")
            .field("admin", &self.admin)
            .finish_non_exhaustive()
    }
}

#[derive(Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SecurityConfig {
    pub jwt_secret: String,
    pub session_ttl_hours: i64,
    pub admin_access_ttl_minutes: i64,
    pub admin_refresh_ttl_hours: i64,
    pub login_max_failures: i64,
    pub login_window_minutes: i64,
    pub login_lockout_minutes: i64,
    pub captcha: bool,
    pub password_reset_ttl_minutes: i64,
    /// The link of the reset mail: `{token}` is replaced by the token, `{public_url}` by
    /// [`Config::public_origin`].
    pub password_reset_url: String,
}

impl fmt::Debug for SecurityConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecurityConfig")
            .field("session_ttl_hours", &self.session_ttl_hours)
            .field("captcha", &self.captcha)
            .finish_non_exhaustive()
    }
}

choice! {
    pub enum SmtpTls {
        None => "none",
        Starttls => "starttls",
        Tls => "tls",
    }
}

#[derive(Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub username: String,
    pub password: String,
    pub tls: SmtpTls,
    pub from: String,
    /// Replaced by `security.password_reset_url`; still accepted so a config file written by
    /// an older version keeps loading, and a non-empty value is warned about at start-up.
    #[serde(default, skip_serializing)]
    pub reset_url: String,
}

impl fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    pub name: String,
    pub operation_log_retention_days: i64,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DialectsConfig {
    pub ops_v1: DialectConfig,
    pub admin_v1: DialectConfig,
    pub hanzi: DialectConfig,
    pub account: DialectConfig,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DialectConfig {
    pub enabled: bool,
    pub prefix: String,
}

choice! {
    pub enum LogFormat {
        Text => "text",
        Json => "json",
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LogConfig {
    pub level: String,
    pub format: LogFormat,
    /// One info line per request (target `ops::access`).
    pub access: bool,
}

impl Config {
    /// Loads `path`, creating it from the template when it does not exist yet.
    pub fn load_or_init(path: &Path) -> anyhow::Result<Self> {
        if !path.exists() {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("creating {}", dir.display()))?;
            }
            std::fs::write(path, TEMPLATE)
                .with_context(|| format!("writing {}", path.display()))?;
        }
        Self::load(path)
    }

    /// Loads an existing file with the environment's overrides; creates nothing.
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let mut config = Self::from_layers(Some((&text, path)), std::env::vars())?;
        config.loaded_from = Some(path.to_path_buf());
        Ok(config)
    }

    /// The template with the environment's overrides: what a server would run with before
    /// its file exists.
    pub fn from_template_and_env() -> anyhow::Result<Self> {
        Self::from_layers(None, std::env::vars())
    }

    /// The template alone, with environment overrides: what tests and tools start from.
    pub fn defaults() -> anyhow::Result<Self> {
        Self::from_layers(None, std::iter::empty())
    }

    fn from_layers(
        file: Option<(&str, &Path)>,
        env: impl Iterator<Item = (String, String)>,
    ) -> anyhow::Result<Self> {
        use config::{Environment, File, FileFormat};
        let overrides: config::Map<String, String> =
            env.filter(|(k, _)| k.starts_with("OPS__")).collect();
        let env_keys: Vec<String> = overrides.keys().cloned().collect();
        let mut builder =
            config::Config::builder().add_source(File::from_str(TEMPLATE, FileFormat::Yaml));
        if let Some((text, _)) = file {
            builder = builder.add_source(File::from_str(text, FileFormat::Yaml));
        }
        builder = builder.add_source(
            Environment::with_prefix("OPS")
                .prefix_separator("__")
                .separator("__")
                .try_parsing(true)
                .source(Some(overrides)),
        );
        // Every message names the key and where its value came from: the variable, the
        // file and line, or the template.
        let explain = |message: &str, key: Option<&str>| match key {
            Some(key) => anyhow::anyhow!(
                "invalid configuration: {key} (set in {}): {message}",
                source::describe(key, &env_keys, file)
            ),
            None => anyhow::anyhow!("invalid configuration: {message}"),
        };
        let cfg: Config = builder
            .build()
            .and_then(|c| c.try_deserialize())
            .map_err(|e| {
                let (message, key) = source::split_key(&e.to_string());
                explain(&message, key.as_deref())
            })?;
        cfg.validate().map_err(|e| {
            let message = e.to_string();
            // Validation messages start with the key they are about.
            let key = message.split_whitespace().next().unwrap_or("").to_owned();
            if key.contains('.') {
                explain(message.trim_start_matches(&key).trim_start(), Some(&key))
            } else {
                explain(&message, None)
            }
        })?;
        Ok(cfg)
    }

    /// Checks what types alone cannot; each message names the key.
    pub fn validate(&self) -> anyhow::Result<()> {
        if self.server.port == 0 {
            bail!("server.port must be between 1 and 65535");
        }
        self.timezone()?;
        if self.server.tls_enable
            && (self.server.tls_cert.is_empty() || self.server.tls_key.is_empty())
        {
            bail!("server.tls_enable needs server.tls_cert and server.tls_key");
        }
        if self.database.driver == DatabaseDriver::Postgres && self.database.url.is_empty() {
            bail!("database.url is required when database.driver is postgres");
        }
        if self.database.driver == DatabaseDriver::Sqlite && self.database.path.is_empty() {
            bail!("database.path is required when database.driver is sqlite");
        }
        if self.database.max_connections == 0 {
            bail!("database.max_connections must be at least 1");
        }
        if !(1024..=1 << 30).contains(&self.file.max_size) {
            bail!("file.max_size must be between 1024 and 1073741824 bytes");
        }
        let s = &self.security;
        let ranges = [
            ("security.session_ttl_hours", s.session_ttl_hours, 1, 8760),
            (
                "security.admin_access_ttl_minutes",
                s.admin_access_ttl_minutes,
                1,
                10080,
            ),
            (
                "security.admin_refresh_ttl_hours",
                s.admin_refresh_ttl_hours,
                1,
                8760,
            ),
            ("security.login_max_failures", s.login_max_failures, 1, 100),
            (
                "security.login_window_minutes",
                s.login_window_minutes,
                1,
                1440,
            ),
            (
                "security.login_lockout_minutes",
                s.login_lockout_minutes,
                1,
                1440,
            ),
            (
                "security.password_reset_ttl_minutes",
                s.password_reset_ttl_minutes,
                1,
                10080,
            ),
            (
                "site.operation_log_retention_days",
                self.site.operation_log_retention_days,
                1,
                3650,
            ),
        ];
        for (key, value, min, max) in ranges {
            if !(min..=max).contains(&value) {
                bail!("{key} must be between {min} and {max}");
            }
        }
        for (name, d) in [
            ("ops_v1", &self.dialects.ops_v1),
            ("admin_v1", &self.dialects.admin_v1),
            ("hanzi", &self.dialects.hanzi),
            ("account", &self.dialects.account),
        ] {
            if !(d.prefix.is_empty() || d.prefix.starts_with('/') && !d.prefix.ends_with('/')) {
                bail!(
                    "dialects.{name}.prefix must be empty or start with '/' and not end with '/'"
                );
            }
        }
        check_log_level(&self.log.level)?;
        if !self.security.password_reset_url.contains("{token}") {
            bail!("security.password_reset_url must contain {{token}}, where the reset token goes");
        }
        Ok(())
    }

    /// Where absolute links point: `server.public_url` without a trailing slash, or this
    /// server's own `http(s)://host:port` when it is empty.
    pub fn public_origin(&self) -> String {
        let url = self.server.public_url.trim_end_matches('/');
        if !url.is_empty() {
            return url.to_owned();
        }
        let scheme = if self.server.tls_enable {
            "https"
        } else {
            "http"
        };
        format!("{scheme}://{}:{}", self.server.host, self.server.port)
    }

    /// The link a password-reset mail carries (`security.password_reset_url` filled in).
    pub fn password_reset_link(&self, token: &str) -> String {
        self.security
            .password_reset_url
            .replace("{public_url}", &self.public_origin())
            .replace("{token}", token)
    }

    /// The effective configuration as a tree, with every secret replaced by `***` (and the
    /// database URL's password hidden): what `ops-server config check` prints.
    pub fn masked(&self) -> serde_json::Value {
        let mut tree = serde_json::to_value(self).unwrap_or_default();
        for (section, key) in [
            ("bootstrap", "admin_password"),
            ("security", "jwt_secret"),
            ("smtp", "password"),
        ] {
            if let Some(v) = tree.get_mut(section).and_then(|s| s.get_mut(key))
                && v.as_str().is_some_and(|s| !s.is_empty())
            {
                *v = serde_json::Value::from("***");
            }
        }
        if let Some(v) = tree.get_mut("database").and_then(|s| s.get_mut("url")) {
            *v = serde_json::Value::from(crate::db::redact_url(&self.database.url));
        }
        tree
    }

    pub fn timezone(&self) -> anyhow::Result<Tz> {
        self.server.timezone.parse::<Tz>().map_err(|_| {
            anyhow::anyhow!(
                "server.timezone {:?} is not a known time zone",
                self.server.timezone
            )
        })
    }
}

/// `log.level`: comma-separated directives, each a level or `target=level`. Checked word by
/// word: a tracing filter would take `infoo` as the name of a target and print nothing.
fn check_log_level(filter: &str) -> anyhow::Result<()> {
    const LEVELS: &[&str] = &["trace", "debug", "info", "warn", "error", "off"];
    let bad = |directive: &str| {
        anyhow::anyhow!(
            "log.level {directive:?} is not a level or target=level; levels are: {}",
            LEVELS.join(", ")
        )
    };
    if filter.trim().is_empty() {
        return Err(bad(filter));
    }
    for directive in filter.split(',').map(str::trim) {
        let (target, level) = match directive.split_once('=') {
            Some((target, level)) => (Some(target), level),
            None => (None, directive),
        };
        let target_ok = target.is_none_or(|t| {
            !t.is_empty()
                && t.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | ':' | '-'))
        });
        if !target_ok || !LEVELS.contains(&level.to_ascii_lowercase().as_str()) {
            return Err(bad(directive));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(yaml: &str, env: &[(&str, &str)]) -> anyhow::Result<Config> {
        let env = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<Vec<_>>();
        Config::from_layers(Some((yaml, Path::new("test.yaml"))), env.into_iter())
    }

    #[test]
    fn template_is_valid_and_matches_the_manual() {
        let cfg = load("", &[]).unwrap();
        assert_eq!(cfg.server.host, "localhost");
        assert_eq!(cfg.server.port, 8080);
        assert_eq!(cfg.database.driver, DatabaseDriver::Sqlite);
        assert_eq!(cfg.database.path, "./data/db.db");
        assert_eq!(cfg.file.paths.image, PathBuf::from("./data/images"));
        assert_eq!(cfg.file.max_size, 5_242_880);
    }

    #[test]
    fn environment_overrides_single_keys() {
        let cfg = load(
            "server:\n  port: 9000\n",
            &[
                ("OPS__SERVER__PORT", "9191"),
                ("OPS__DIALECTS__HANZI__PREFIX", ""),
            ],
        )
        .unwrap();
        assert_eq!(cfg.server.port, 9191);
        assert_eq!(cfg.dialects.hanzi.prefix, "");
    }

    #[test]
    fn errors_name_the_bad_key() {
        let err = load("server:\n  port: abc\n", &[]).unwrap_err().to_string();
        assert!(err.contains("server.port"), "{err}");
        let err = load("database:\n  driver: oracle\n", &[])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("database.driver") || err.contains("driver"),
            "{err}"
        );
        let err = load("server:\n  timezone: Mars/Base\n", &[])
            .unwrap_err()
            .to_string();
        assert!(err.contains("server.timezone"), "{err}");
        let err = load("file:\n  max_size: 10\n", &[])
            .unwrap_err()
            .to_string();
        assert!(err.contains("file.max_size"), "{err}");
        let err = load("nonsense: 1\n", &[]).unwrap_err().to_string();
        assert!(err.contains("nonsense"), "{err}");
    }

    #[test]
    fn a_wrong_word_lists_the_allowed_ones_and_where_it_was_set() {
        let err = load("server:\n  port: 1\ndatabase:\n  driver: sqlit\n", &[])
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "invalid configuration: database.driver (set in test.yaml line 4): \
             \"sqlit\" is not one of: sqlite, postgres"
        );
        let err = load("", &[("OPS__DATABASE__DRIVER", "oracle")])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("the environment variable OPS__DATABASE__DRIVER"),
            "{err}"
        );
        assert!(!err.contains("enum"), "{err}");
        let err = load("file:\n  max_size: 10\n", &[])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("file.max_size (set in test.yaml line 2)"),
            "{err}"
        );
    }

    #[test]
    fn log_level_typos_stop_start_up() {
        for bad in ["infoo", "", "info,ops=loud", "=info", "debug,"] {
            let yaml = format!("log:\n  level: {bad:?}\n");
            let err = load(&yaml, &[]).unwrap_err().to_string();
            assert!(err.contains("log.level"), "{bad}: {err}");
            assert!(err.contains("levels are: trace, debug"), "{bad}: {err}");
        }
        for good in ["info", "warn,ops=debug", "INFO", "ops::http=trace,off"] {
            let yaml = format!("log:\n  level: {good:?}\n");
            assert!(load(&yaml, &[]).is_ok(), "{good}");
        }
    }
}
