//! `ops-server backup DIR` and `ops-server restore DIR`: a consistent copy of one installation
//! taken while it serves, and putting it back into an empty data directory.
//!
//! SQLite: `VACUUM INTO` writes a snapshot of the database as of one transaction (the server
//! keeps writing meanwhile); then exactly the blobs that snapshot's records name are copied,
//! so the copy has no record without its blob and no blob without a record. Blobs are never
//! removed while a record names them, so each is still there to copy, unless its last record
//! was deleted after the snapshot was taken; such blobs are counted and named in the summary.
//!
//! PostgreSQL: the database is backed up with `pg_dump` (this command says so); run it first,
//! then this command copies the local blobs, every blob a dumped record names among them.
//!
//! An S3 store's blobs stay in the bucket (use the bucket's versioning or replication);
//! nothing of them is copied.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use futures_util::TryStreamExt;
use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::config::{Config, DatabaseDriver, FileStoreKind};
use crate::db::Db;
use crate::domain::files::local::LocalStore;
use crate::domain::files::store::BlobStore;
use crate::domain::files::{ContentHash, hash::Hasher};

const MANIFEST: &str = "backup.json";
const DATABASE: &str = "db.db";
const BLOBS: &str = "images";
const CONFIG: &str = "config.yaml";

/// What a backup holds, written last: a folder without it is not a finished backup.
#[derive(Debug, Serialize, Deserialize)]
struct Manifest {
    /// The layout of this folder.
    format: u32,
    /// `ops-server --version` of the server that wrote it.
    written_by: String,
    engine: String,
    /// Microseconds since the epoch.
    created_at: i64,
    /// Whether `db.db` is in the folder (SQLite); PostgreSQL is backed up with `pg_dump`.
    database: bool,
    /// Blobs copied into `images/`; `None` for an S3 store.
    blobs: Option<u64>,
}

/// `ops-server backup DIR`.
pub async fn backup(config: &Config, dir: &Path) -> anyhow::Result<()> {
    if dir.exists() && std::fs::read_dir(dir)?.next().is_some() {
        bail!("{} is not empty: back up into a new folder", dir.display());
    }
    crate::private_fs::create_dir(dir)?;
    let db = Db::connect(&config.database).await?;
    let local = (config.file.store == FileStoreKind::Local)
        .then(|| LocalStore::new(config.file.paths.image.clone()));
    let (database, blobs) = match config.database.driver {
        DatabaseDriver::Sqlite => {
            let snapshot = dir.join(DATABASE);
            snapshot_sqlite(&db, &snapshot).await?;
            crate::private_fs::restrict(&snapshot)?;
            let blobs = match &local {
                Some(store) => Some(copy_named_blobs(&snapshot, store, &dir.join(BLOBS)).await?),
                None => None,
            };
            (true, blobs)
        }
        DatabaseDriver::Postgres => {
            println!(
                "PostgreSQL: this command does not copy the database. Back it up with pg_dump \
                 before this command, e.g.\n  pg_dump --format=custom --file={} \"$DATABASE_URL\"",
                dir.join("db.dump").display()
            );
            let blobs = match &local {
                Some(store) => Some(copy_all_blobs(store, &dir.join(BLOBS)).await?),
                None => None,
            };
            (false, blobs)
        }
    };
    db.close().await;
    if let Some(path) = &config.loaded_from {
        std::fs::copy(path, dir.join(CONFIG))
            .with_context(|| format!("copying {}", path.display()))?;
        crate::private_fs::restrict(&dir.join(CONFIG))?;
    }
    if local.is_none() {
        println!("file.store is s3: blobs stay in the bucket and are not part of this backup");
    }
    let manifest = Manifest {
        format: 1,
        written_by: super::VERSION.to_owned(),
        engine: config.database.driver.word().to_owned(),
        created_at: crate::db::now(),
        database,
        blobs,
    };
    write_durably(&dir.join(MANIFEST), &serde_json::to_vec_pretty(&manifest)?)?;
    println!(
        "backup written to {}: {}{}",
        dir.display(),
        if database {
            "the database"
        } else {
            "no database (pg_dump)"
        },
        blobs.map_or(String::new(), |n| format!(", {n} blobs"))
    );
    Ok(())
}

/// A consistent copy of the live SQLite database at `to`.
async fn snapshot_sqlite(db: &Db, to: &Path) -> anyhow::Result<()> {
    let target = to
        .to_str()
        .context("the backup folder's path is not UTF-8")?;
    sqlx::query("VACUUM INTO $1")
        .bind(target)
        .execute(db.pool())
        .await
        .with_context(|| format!("writing a snapshot of the database to {}", to.display()))?;
    Ok(())
}

/// Copies every blob the snapshot's records (files, thumbnails, export files) name.
async fn copy_named_blobs(snapshot: &Path, store: &LocalStore, to: &Path) -> anyhow::Result<u64> {
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(snapshot)
        .read_only(true);
    let mut conn = sqlx::ConnectOptions::connect(&options).await?;
    let rows = sqlx::query(
        "SELECT sha256 AS h FROM files UNION SELECT thumb_sha256 FROM files \
         WHERE thumb_sha256 IS NOT NULL \
         UNION SELECT file_sha256 FROM export_tasks WHERE file_sha256 IS NOT NULL",
    )
    .fetch_all(&mut conn)
    .await?;
    let mut copied = 0;
    let mut gone = Vec::new();
    for row in rows {
        let raw: String = row.try_get(0)?;
        let Some(hash) = ContentHash::parse(&raw) else {
            continue;
        };
        if copy_blob(store, &hash, to)? {
            copied += 1;
        } else {
            gone.push(raw);
        }
    }
    if !gone.is_empty() {
        eprintln!(
            "warning: {} blobs were deleted (their last record too) while the backup ran; \
             the backup's records of them have no bytes: {}",
            gone.len(),
            gone.join(", ")
        );
    }
    Ok(copied)
}

/// Copies every stored blob (PostgreSQL: the dump was taken before).
async fn copy_all_blobs(store: &LocalStore, to: &Path) -> anyhow::Result<u64> {
    let hashes: Vec<ContentHash> = store.hashes().try_collect().await?;
    let mut copied = 0;
    for hash in hashes {
        if copy_blob(store, &hash, to)? {
            copied += 1;
        }
    }
    Ok(copied)
}

/// Copies one blob into the same layout under `to`; `false` when it is not stored.
fn copy_blob(store: &LocalStore, hash: &ContentHash, to: &Path) -> anyhow::Result<bool> {
    let from = store.path_of(hash);
    let target = LocalStore::new(to).path_of(hash);
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent)?;
    }
    match std::fs::copy(&from, &target) {
        Ok(_) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e).with_context(|| format!("copying {}", from.display())),
    }
}

/// `ops-server restore DIR`: into a data directory with no database and no blobs yet.
pub async fn restore(config: &Config, dir: &Path) -> anyhow::Result<()> {
    let manifest: Manifest =
        serde_json::from_slice(&std::fs::read(dir.join(MANIFEST)).with_context(|| {
            format!("{} is not a finished backup (no {MANIFEST})", dir.display())
        })?)
        .with_context(|| format!("reading {}", dir.join(MANIFEST).display()))?;
    if manifest.format != 1 {
        bail!(
            "{}: unknown backup format {}",
            dir.display(),
            manifest.format
        );
    }
    if manifest.engine != config.database.driver.word() {
        bail!(
            "the backup is of a {} installation; database.driver here is {}",
            manifest.engine,
            config.database.driver.word()
        );
    }
    let images = &config.file.paths.image;
    let db_path = PathBuf::from(&config.database.path);
    if manifest.database && db_path.exists() {
        bail!(
            "{} exists: restore only into an empty data directory (move the old one away)",
            db_path.display()
        );
    }
    if images.exists() && std::fs::read_dir(images)?.next().is_some() {
        bail!(
            "{} is not empty: restore only into an empty data directory",
            images.display()
        );
    }
    if manifest.database {
        if let Some(parent) = db_path.parent() {
            crate::private_fs::create_dir(parent)?;
        }
        // Copied beside the target, then renamed: a restore that stops half-way leaves no
        // database that looks complete.
        let partial = db_path.with_extension("restoring");
        std::fs::copy(dir.join(DATABASE), &partial)
            .with_context(|| format!("copying the database to {}", partial.display()))?;
        std::fs::File::open(&partial)?.sync_all()?;
        std::fs::rename(&partial, &db_path)?;
        crate::private_fs::restrict_sqlite(&db_path)?;
    }
    let mut blobs = 0;
    if manifest.blobs.is_some() && config.file.store == FileStoreKind::Local {
        blobs = restore_blobs(&dir.join(BLOBS), images)?;
    }
    println!(
        "restored {} from {}: {}{blobs} blobs",
        config.data_dir.display(),
        dir.display(),
        if manifest.database {
            "the database, "
        } else {
            "no database (restore the pg_dump with pg_restore), "
        }
    );
    if dir.join(CONFIG).exists() {
        println!(
            "the backup's configuration is {}; this restore kept the configuration in use",
            dir.join(CONFIG).display()
        );
    }
    Ok(())
}

/// Copies the backup's blobs into the store folder, checking each against its name.
fn restore_blobs(from: &Path, to: &Path) -> anyhow::Result<u64> {
    let mut restored = 0;
    let Ok(tops) = std::fs::read_dir(from) else {
        return Ok(0);
    };
    for top in tops {
        for sub in std::fs::read_dir(top?.path())? {
            for file in std::fs::read_dir(sub?.path())? {
                let file = file?;
                let Some(hash) = file.file_name().to_str().and_then(ContentHash::parse) else {
                    continue;
                };
                let target = LocalStore::new(to).path_of(&hash);
                if let Some(parent) = target.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                if copy_checked(&file.path(), &target)? != hash {
                    let _ = std::fs::remove_file(&target);
                    bail!(
                        "{} does not match its name: the backup is damaged",
                        file.path().display()
                    );
                }
                restored += 1;
            }
        }
    }
    Ok(restored)
}

/// Copies `from` to `to` a chunk at a time, durably; answers the hash of what was copied.
fn copy_checked(from: &Path, to: &Path) -> anyhow::Result<ContentHash> {
    use std::io::{Read, Write};
    let mut input =
        std::fs::File::open(from).with_context(|| format!("reading {}", from.display()))?;
    let mut out = std::fs::File::create(to).with_context(|| format!("writing {}", to.display()))?;
    let mut hasher = Hasher::default();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = input.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        out.write_all(&buf[..n])?;
    }
    out.sync_all()?;
    Ok(hasher.finish())
}

fn write_durably(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    let mut f =
        std::fs::File::create(path).with_context(|| format!("writing {}", path.display()))?;
    f.write_all(bytes)?;
    f.sync_all()?;
    Ok(())
}
