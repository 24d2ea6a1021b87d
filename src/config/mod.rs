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
    pub export: ExportConfig,
    pub metrics: MetricsConfig,
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
    /// Seconds a client has to send a request head once it has started (decisions §8).
    pub header_timeout_s: u64,
    /// Seconds a client has to send a request body, counted from the end of its head.
    pub body_timeout_s: u64,
    /// Seconds an idle keep-alive connection stays open waiting for the next request.
    pub idle_timeout_s: u64,
    /// The server's public origin (`https://ops.example.com`, optionally with a path) that
    /// absolute links in answers are built from; empty means links are relative (and the
    /// reset mail's link uses `http(s)://host:port`). The `Host` header is never used for links.
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
        S3 => "s3",
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub store: FileStoreKind,
    pub paths: FilePaths,
    /// The bucket of `store: s3` (ignored with `local`).
    pub s3: S3Config,
    pub max_size: u64,
    /// Longest side of upload thumbnails, in pixels.
    pub thumbnail_max_side: u32,
    /// Images with more pixels are refused before decoding.
    pub image_max_pixels: u64,
    /// Images whose decoded size (or decoder allocations) would pass this are refused.
    pub image_max_decode_bytes: u64,
    /// Decodes at once in the process; 0 = one per CPU core.
    pub decode_concurrency: usize,
}

/// `GET /metrics` (Prometheus text format), served beside the dialects.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsConfig {
    /// `false`: no `/metrics` route at all.
    pub enabled: bool,
    /// When set, scrapes need `Authorization: Bearer <token>`. When empty, `/metrics` is open
    /// only while it listens on a loopback address (`metrics.bind`'s, else `server.host`),
    /// and refused (403) otherwise.
    pub token: String,
    /// `ip:port` of a listener of its own for `/metrics`, which the main port then does not
    /// serve; empty: `/metrics` is served on the main port beside the dialects.
    pub bind: String,
}

impl MetricsConfig {
    /// The address of `metrics.bind`, when set (checked by [`Config::validate`]).
    pub fn bind_addr(&self) -> Option<std::net::SocketAddr> {
        self.bind.trim().parse().ok()
    }

    /// Whether `/metrics` listens on a loopback address only.
    pub fn on_loopback(&self, server_host: &str) -> bool {
        match self.bind_addr() {
            Some(addr) => addr.ip().is_loopback(),
            None => is_loopback(server_host),
        }
    }
}

/// Background export jobs (admin_v1 §12).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ExportConfig {
    /// Finished files are removed this long after completion.
    pub retention_hours: i64,
    /// Rows read per keyset batch.
    pub batch_size: i64,
    /// A running job's lease; a node that dies leaves its job to others once it runs out.
    pub lease_seconds: i64,
    /// How often an idle worker looks for queued jobs (jobs queued on this node wake it at once).
    pub poll_ms: u64,
    /// Jobs run at once by this node; 0 = this node queues exports but runs none.
    pub workers: usize,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FilePaths {
    pub image: PathBuf,
}

/// An S3-compatible bucket for blobs (`file.store: s3`), shared by every node.
#[derive(Clone, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct S3Config {
    /// The service's URL (`https://s3.eu-west-1.amazonaws.com`, `http://minio:9000`);
    /// empty means AWS itself, found from `region`.
    pub endpoint: String,
    pub bucket: String,
    pub region: String,
    /// Empty (with `secret_key` empty too): the usual AWS variables and instance credentials.
    pub access_key: String,
    pub secret_key: String,
    /// `true`: `endpoint/bucket/key` URLs (MinIO, most self-hosted services); `false`:
    /// `bucket.endpoint/key` (AWS).
    pub path_style: bool,
}

impl fmt::Debug for S3Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Config")
            .field("endpoint", &self.endpoint)
            .field("bucket", &self.bucket)
            .field("region", &self.region)
            .field("path_style", &self.path_style)
            .finish_non_exhaustive()
    }
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
    pub admin_display_name: String,
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
    pub hanzi: HanziDialectConfig,
    pub account: DialectConfig,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DialectConfig {
    pub enabled: bool,
    pub prefix: String,
}

/// The `hanzi` dialect: a mount like the others, plus the wire form of its Characters
/// and whether user reads are public.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct HanziDialectConfig {
    pub enabled: bool,
    pub prefix: String,
    /// `true` restores the original's public `GET /users` and `GET /users/:id` (they list
    /// every account of every dialect); by default they need a login (decisions §8).
    pub public_users: bool,
    pub wire: HanziWire,
}

impl HanziDialectConfig {
    /// The mount part, as every dialect has it.
    pub fn as_dialect(&self) -> DialectConfig {
        DialectConfig {
            enabled: self.enabled,
            prefix: self.prefix.clone(),
        }
    }
}

choice! {
    /// How `hanzi` answers Characters. Input accepts both forms whatever this says.
    pub enum HanziWire {
        /// The document's Character (`readings`, `glyphs` an array referencing characters):
        /// the January 2024 web client.
        Seed => "seed",
        /// The original back end's raw row (`glyphs` a JSON string referencing code points,
        /// `gb2312`/`ambiguous` as numbers, no `readings`): today's web client.
        Rows => "rows",
    }
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
    /// Record the operation log (decisions §3). Off only to measure what it costs.
    pub operations: bool,
    /// One info line per request (target `ops::access`).
    pub access: bool,
}

impl Config {
    /// Loads `path`, creating it from the template when it does not exist yet.
    pub fn load_or_init(path: &Path) -> anyhow::Result<Self> {
        if !path.exists() {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                crate::private_fs::create_dir(dir)?;
            }
            std::fs::write(path, TEMPLATE)
                .with_context(|| format!("writing {}", path.display()))?;
        }
        // It may hold the database URL, the JWT secret and the SMTP password.
        crate::private_fs::restrict(path)?;
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
        for (key, value) in [
            ("server.header_timeout_s", self.server.header_timeout_s),
            ("server.body_timeout_s", self.server.body_timeout_s),
            ("server.idle_timeout_s", self.server.idle_timeout_s),
        ] {
            if !(1..=3600).contains(&value) {
                bail!("{key} must be between 1 and 3600 seconds");
            }
        }
        check_public_url(&self.server.public_url)?;
        if !self.metrics.bind.trim().is_empty() && self.metrics.bind_addr().is_none() {
            bail!(
                "metrics.bind must be an IP address and a port (e.g. 127.0.0.1:9100), not {:?}",
                self.metrics.bind
            );
        }
        if !self.security.jwt_secret.is_empty()
            && self.security.jwt_secret.len() < MIN_JWT_SECRET_BYTES
        {
            bail!("security.jwt_secret must be at least {MIN_JWT_SECRET_BYTES} bytes");
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
        if !(16..=4096).contains(&self.file.thumbnail_max_side) {
            bail!("file.thumbnail_max_side must be between 16 and 4096");
        }
        if self.file.image_max_pixels == 0 {
            bail!("file.image_max_pixels must be at least 1");
        }
        if self.file.image_max_decode_bytes < 1 << 20 {
            bail!("file.image_max_decode_bytes must be at least 1048576");
        }
        if self.file.store == FileStoreKind::S3 {
            check_s3(&self.file.s3)?;
        }
        let e = &self.export;
        if !(1..=87_600).contains(&e.retention_hours) {
            bail!("export.retention_hours must be between 1 and 87600");
        }
        if !(1..=100_000).contains(&e.batch_size) {
            bail!("export.batch_size must be between 1 and 100000");
        }
        if !(1..=86_400).contains(&e.lease_seconds) {
            bail!("export.lease_seconds must be between 1 and 86400");
        }
        if e.poll_ms == 0 {
            bail!("export.poll_ms must be at least 1");
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
        for (name, prefix) in [
            ("ops_v1", &self.dialects.ops_v1.prefix),
            ("admin_v1", &self.dialects.admin_v1.prefix),
            ("hanzi", &self.dialects.hanzi.prefix),
            ("account", &self.dialects.account.prefix),
        ] {
            if !(prefix.is_empty() || prefix.starts_with('/') && !prefix.ends_with('/')) {
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
            ("metrics", "token"),
        ] {
            if let Some(v) = tree.get_mut(section).and_then(|s| s.get_mut(key))
                && v.as_str().is_some_and(|s| !s.is_empty())
            {
                *v = serde_json::Value::from("***");
            }
        }
        if let Some(v) = tree
            .get_mut("file")
            .and_then(|f| f.get_mut("s3"))
            .and_then(|s| s.get_mut("secret_key"))
            && v.as_str().is_some_and(|s| !s.is_empty())
        {
            *v = serde_json::Value::from("***");
        }
        if let Some(v) = tree.get_mut("database").and_then(|s| s.get_mut("url")) {
            *v = serde_json::Value::from(redact_url(&self.database.url));
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

/// The URL with its password replaced by `***`, for logs and printed configuration.
pub fn redact_url(url: &str) -> String {
    // postgres://user:secret@host/db -> postgres://user:***@host/db
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let creds = &url[scheme + 3..at];
            match creds.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme + 3],
                    &creds[..colon],
                    &url[at..]
                ),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// `server.host` names only this machine (`127.0.0.1`, `::1`, `localhost`): nothing else can
/// connect, so what is served there is not public.
pub fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// `file.s3.*` when `file.store` is `s3`: a bucket, a region, an http(s) endpoint (or none),
/// and both keys or neither.
fn check_s3(s3: &S3Config) -> anyhow::Result<()> {
    if s3.bucket.trim().is_empty() {
        bail!("file.s3.bucket is required when file.store is s3");
    }
    if s3.region.trim().is_empty() {
        bail!("file.s3.region is required when file.store is s3 (us-east-1 for most services)");
    }
    if !(s3.endpoint.is_empty()
        || s3.endpoint.starts_with("http://")
        || s3.endpoint.starts_with("https://"))
    {
        bail!("file.s3.endpoint must be empty or an http:// or https:// URL");
    }
    if s3.access_key.is_empty() != s3.secret_key.is_empty() {
        bail!(
            "file.s3.access_key and file.s3.secret_key must be set together (or both left empty)"
        );
    }
    Ok(())
}

/// HS256 keys shorter than the hash output are weak (RFC 7518 §3.2).
pub const MIN_JWT_SECRET_BYTES: usize = 32;

/// `server.public_url`: empty, or an absolute http(s) URL with a host and no trailing
/// slash, query or fragment (links are made by appending a path).
fn check_public_url(url: &str) -> anyhow::Result<()> {
    if url.is_empty() {
        return Ok(());
    }
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    let ok = match rest {
        Some(rest) => {
            let host = rest.split('/').next().unwrap_or_default();
            !host.is_empty()
                && !url.ends_with('/')
                && !url.contains(['?', '#', ' '])
                && !url.chars().any(char::is_control)
        }
        None => false,
    };
    if !ok {
        bail!(
            "server.public_url must be empty or an http(s) URL such as https://ops.example.com \
             (no trailing slash, query or fragment)"
        );
    }
    Ok(())
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

    #[test]
    fn redact_url_hides_password() {
        assert_eq!(
            redact_url("postgres://u:pw@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(redact_url("postgres://u@h/db"), "postgres://u@h/db");
    }

    fn load(yaml: &str, env: &[(&str, &str)]) -> anyhow::Result<Config> {
        let env = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<Vec<_>>();
        Config::from_layers(Some((yaml, Path::new("test.yaml"))), env.into_iter())
    }

    #[test]
    fn s3_keys_come_from_the_environment_and_are_checked_and_masked() {
        let env = [
            ("OPS__FILE__STORE", "s3"),
            ("OPS__FILE__S3__ENDPOINT", "http://127.0.0.1:9000"),
            ("OPS__FILE__S3__BUCKET", "blobs"),
            ("OPS__FILE__S3__ACCESS_KEY", "AK"),
            ("OPS__FILE__S3__SECRET_KEY", "very-secret"),
            ("OPS__FILE__S3__PATH_STYLE", "true"),
        ];
        let cfg = load("", &env).unwrap();
        assert_eq!(cfg.file.store, FileStoreKind::S3);
        assert_eq!(cfg.file.s3.bucket, "blobs");
        assert_eq!(cfg.file.s3.region, "us-east-1");
        assert!(cfg.file.s3.path_style);
        assert_eq!(cfg.masked()["file"]["s3"]["secret_key"], "***");
        assert!(!format!("{:?}", cfg.file.s3).contains("very-secret"));

        let err = load("", &env[..1]).unwrap_err().to_string();
        assert!(err.contains("file.s3.bucket"), "{err}");
        let err = load("", &[env[0], env[2], env[3]]).unwrap_err().to_string();
        assert!(err.contains("file.s3.access_key"), "{err}");
        let err = load(
            "",
            &[env[0], env[2], ("OPS__FILE__S3__ENDPOINT", "ftp://x")],
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("file.s3.endpoint"), "{err}");
        // A local store ignores an incomplete s3 section.
        assert!(load("", &[("OPS__FILE__S3__ACCESS_KEY", "AK")]).is_ok());
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
        let err = load("dialects:\n  hanzi:\n    wire: json\n", &[])
            .unwrap_err()
            .to_string();
        assert!(err.contains("dialects.hanzi.wire"), "{err}");
    }

    #[test]
    fn hanzi_wire_defaults_to_seed_and_takes_rows() {
        assert_eq!(load("", &[]).unwrap().dialects.hanzi.wire, HanziWire::Seed);
        let cfg = load("dialects:\n  hanzi:\n    wire: rows\n", &[]).unwrap();
        assert_eq!(cfg.dialects.hanzi.wire, HanziWire::Rows);
        let cfg = load("", &[("OPS__DIALECTS__HANZI__WIRE", "rows")]).unwrap();
        assert_eq!(cfg.dialects.hanzi.wire, HanziWire::Rows);
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

    #[test]
    fn a_short_jwt_secret_stops_start_up_naming_the_key() {
        let err = load("security:\n  jwt_secret: short-secret\n", &[])
            .unwrap_err()
            .to_string();
        assert!(err.contains("security.jwt_secret"), "{err}");
        let long = "x".repeat(32);
        assert!(load(&format!("security:\n  jwt_secret: {long}\n"), &[]).is_ok());
        assert!(load("", &[]).is_ok(), "empty means generated");
    }

    #[test]
    fn timeouts_and_public_url_are_checked() {
        let cfg = load("", &[]).unwrap();
        assert_eq!(
            (
                cfg.server.header_timeout_s,
                cfg.server.body_timeout_s,
                cfg.server.idle_timeout_s
            ),
            (10, 60, 60)
        );
        assert!(!cfg.dialects.hanzi.public_users);
        let err = load("server:\n  header_timeout_s: 0\n", &[])
            .unwrap_err()
            .to_string();
        assert!(err.contains("server.header_timeout_s"), "{err}");
        for bad in [
            "ops.example.com",
            "https://",
            "https://a.example/",
            "ftp://a",
            "https://a?x=1",
        ] {
            let err = load(&format!("server:\n  public_url: \"{bad}\"\n"), &[])
                .unwrap_err()
                .to_string();
            assert!(err.contains("server.public_url"), "{bad}: {err}");
        }
        for good in ["https://ops.example.com", "http://127.0.0.1:8080/base"] {
            assert!(load(&format!("server:\n  public_url: \"{good}\"\n"), &[]).is_ok());
        }
    }

    #[test]
    fn a_metrics_bind_is_an_address_and_moves_the_loopback_rule() {
        let cfg = load("", &[]).unwrap();
        assert_eq!(cfg.metrics.bind, "");
        assert_eq!(cfg.metrics.bind_addr(), None);
        // Without a bind, the main address decides.
        assert!(cfg.metrics.on_loopback("127.0.0.1"));
        assert!(!cfg.metrics.on_loopback("0.0.0.0"));
        let cfg = load("", &[("OPS__METRICS__BIND", "127.0.0.1:9100")]).unwrap();
        assert_eq!(cfg.metrics.bind_addr(), Some(([127, 0, 0, 1], 9100).into()));
        assert!(cfg.metrics.on_loopback("0.0.0.0"));
        let cfg = load("metrics:\n  bind: \"0.0.0.0:9100\"\n", &[]).unwrap();
        assert!(!cfg.metrics.on_loopback("127.0.0.1"));
        for bad in ["9100", "localhost:9100", "127.0.0.1"] {
            let err = load("", &[("OPS__METRICS__BIND", bad)])
                .unwrap_err()
                .to_string();
            assert!(err.contains("metrics.bind"), "{bad}: {err}");
        }
    }
}
