//! Files that hold secrets or data are the server's alone (decisions §8): the data directory
//! is created 0700; the database and its WAL, `config.yaml`, the JWT secret and the first
//! admin's password are 0600. (On non-Unix systems these are no-ops.)

use std::path::Path;

use anyhow::Context;

/// Creates `dir` (and its parents) if missing; a directory created here is 0700.
pub fn create_dir(dir: &Path) -> anyhow::Result<()> {
    if dir.exists() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder
        .create(dir)
        .with_context(|| format!("creating {}", dir.display()))
}

/// Makes an existing file 0600 (a missing one is fine: it may not be created yet).
pub fn restrict(path: &Path) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        match std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| format!("restricting {}", path.display())),
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Creates an empty 0600 file at `path` unless one exists, so that what is written into it
/// later (SQLite copies the database's mode to its WAL and shared-memory files) starts
/// private instead of world-readable.
pub fn touch(path: &Path) -> anyhow::Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path)
        .map(drop)
        .with_context(|| format!("creating {}", path.display()))?;
    restrict(path)
}

/// The SQLite database and the files beside it that hold its data.
pub fn restrict_sqlite(db_path: &Path) -> anyhow::Result<()> {
    restrict(db_path)?;
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut p = db_path.as_os_str().to_owned();
        p.push(suffix);
        restrict(Path::new(&p))?;
    }
    Ok(())
}
