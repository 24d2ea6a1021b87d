//! The first administrator (decisions §0).

use std::io::Write;
use std::path::Path;

use anyhow::Context;

use super::enrol;
use crate::db::Db;
use crate::domain::identity::password::random_token;
use crate::domain::identity::user::{self, CreatePolicy, NewUser};

/// On the first start against an empty database, creates the super admin `admin` named
/// `display_name`. Its password is `configured` when given; otherwise a random one, printed
/// once to the log and written to `<data_dir>/initial_admin_password` (mode 0600). Does
/// nothing when users exist.
pub async fn ensure_admin(
    db: &Db,
    configured: &str,
    display_name: &str,
    data_dir: &Path,
) -> anyhow::Result<()> {
    if user::count(db).await? > 0 {
        return Ok(());
    }
    let generated = configured.is_empty();
    let password = if generated {
        random_token()[..20].to_owned()
    } else {
        configured.to_owned()
    };
    let mut new = NewUser::new("admin", password.clone());
    new.display_name = display_name.to_owned();
    new.roles = vec!["super_admin".to_owned()];
    enrol::create(db, new, CreatePolicy::default())
        .await
        .map_err(|e| anyhow::anyhow!("creating the first administrator: {e}"))?;
    if generated {
        let path = data_dir.join("initial_admin_password");
        write_private(&path, &format!("{password}\n"))?;
        tracing::warn!(
            password = %password,
            file = %path.display(),
            "created super admin `admin` with a generated password; it is shown only this once"
        );
    } else {
        tracing::info!("created super admin `admin` with the configured password");
    }
    Ok(())
}

/// Deletes `<data_dir>/initial_admin_password` once the password in it no longer opens the
/// `admin` account (it was changed, or the account is gone): a stale secret on disk helps
/// no one. Runs at start-up and from [`watch`] while the server runs.
pub async fn forget_changed_password(db: &Db, data_dir: &Path) -> anyhow::Result<()> {
    let path = data_dir.join("initial_admin_password");
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(());
    };
    let still_valid = match user::find_by_username(db, "admin").await? {
        Some(admin) => {
            crate::domain::identity::login::check_password(db, admin.id, text.trim()).await?
        }
        None => false,
    };
    if !still_valid {
        std::fs::remove_file(&path).with_context(|| format!("removing {}", path.display()))?;
        tracing::info!(file = %path.display(), "the first admin password was changed; file removed");
    }
    Ok(())
}

/// How often [`watch`] looks at the `admin` account's password hash.
const WATCH_EVERY: std::time::Duration = std::time::Duration::from_secs(2);

/// While `<data_dir>/initial_admin_password` exists, checks every two seconds whether the
/// `admin` account's password hash changed, and if so whether the file's password still
/// opens it ([`forget_changed_password`]). So the file goes within seconds of the change,
/// whichever dialect, command or node made it; a cheap read of one row per tick, and a
/// password check only when the hash moved. Ends once the file is gone.
pub fn watch(db: Db, data_dir: std::path::PathBuf) {
    tokio::spawn(async move {
        let path = data_dir.join("initial_admin_password");
        let mut seen: Option<Option<String>> = None;
        loop {
            if !path.exists() {
                return;
            }
            let hash: Option<String> =
                sqlx::query_scalar("SELECT password_hash FROM users WHERE username = 'admin'")
                    .fetch_optional(db.pool())
                    .await
                    .unwrap_or(None);
            if seen.as_ref().is_some_and(|s| *s != hash) || hash.is_none() {
                if let Err(e) = forget_changed_password(&db, &data_dir).await {
                    tracing::warn!(error = %e, "checking the first admin password file");
                }
            }
            seen = Some(hash);
            tokio::time::sleep(WATCH_EVERY).await;
        }
    });
}

/// Writes a secret readable only by its owner.
pub fn write_private(path: &Path, contents: &str) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        crate::private_fs::create_dir(dir)?;
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut file = opts
        .open(path)
        .with_context(|| format!("writing {}", path.display()))?;
    file.write_all(contents.as_bytes())?;
    // An existing file keeps its mode through `open`; make sure it is private.
    crate::private_fs::restrict(path)
}
