//! Private files: the database holds card numbers and every exchange with the
//! gateways, so only its owner may read it. On Unix the data directory is
//! created 0700 and the database, its WAL and its shared-memory file are
//! 0600 (SQLite gives the WAL and SHM the database file's mode, so creating
//! the database 0600 first covers them; existing files are narrowed at open,
//! never widened). Elsewhere the files inherit the user profile's access
//! rules and nothing here widens them.

use crate::error::{CoreError, CoreResult};
use std::path::{Path, PathBuf};

/// The WAL and shared-memory files SQLite keeps beside `db`.
fn companions(db: &Path) -> [PathBuf; 2] {
    let name = |suffix: &str| {
        let mut s = db.as_os_str().to_owned();
        s.push(suffix);
        PathBuf::from(s)
    };
    [name("-wal"), name("-shm")]
}

fn io_error(path: &Path, e: std::io::Error) -> CoreError {
    CoreError::Storage(crate::tr!(
        "无法设置 {} 的访问权限：{}",
        "cannot restrict access to {}: {}",
        path.display(),
        e
    ))
}

/// Create `dir` (and its missing parents) with owner-only access. A
/// directory that already exists is the user's choice and is left as it is.
pub(super) fn create_dir(dir: &Path) -> std::io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(dir)?;
    // The mode above passes through the umask; say it exactly.
    #[cfg(unix)]
    narrow(dir, 0o700)?;
    Ok(())
}

/// Before SQLite opens `db`: create it owner-only when missing, and narrow
/// it and its WAL and SHM files when they exist.
pub(super) fn prepare(db: &Path) -> CoreResult<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(db)
        {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(io_error(db, e)),
        }
    }
    narrow_all(db)
}

/// Narrow `db` and its WAL and SHM files to owner-only, where they exist.
pub(super) fn narrow_all(db: &Path) -> CoreResult<()> {
    for p in std::iter::once(db.to_path_buf()).chain(companions(db)) {
        match narrow(&p, 0o600) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_error(&p, e)),
        }
    }
    Ok(())
}

/// Keep at most `allowed` of the permission bits (never adds one).
#[cfg(unix)]
fn narrow(p: &Path, allowed: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(p)?.permissions().mode() & 0o7777;
    if mode & !allowed != 0 {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode & allowed))?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn narrow(p: &Path, _allowed: u32) -> std::io::Result<()> {
    std::fs::metadata(p).map(|_| ())
}

#[cfg(all(test, unix))]
mod tests {
    use crate::store::test_support::{new_order, profile};
    use crate::store::Store;
    use std::os::unix::fs::PermissionsExt;
    use std::path::Path;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    /// A new data directory is 0700, and the database, WAL and SHM 0600,
    /// whatever the umask lets through.
    #[tokio::test]
    async fn a_new_database_is_private() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("data").join("paydesk");
        let s = Store::open(&dir).await.unwrap();
        s.insert_profile(&profile("p1", "A")).await.unwrap();
        s.insert_order(&new_order("p1", "NO1", 1)).await.unwrap();
        let db = dir.join("paydesk.db");
        assert_eq!(mode(&dir), 0o700);
        for p in [
            db.clone(),
            dir.join("paydesk.db-wal"),
            dir.join("paydesk.db-shm"),
        ] {
            assert!(p.exists(), "{} missing", p.display());
            assert_eq!(mode(&p), 0o600, "{}", p.display());
        }
    }

    /// Files left world-readable by an older PayDesk are narrowed at open;
    /// a stricter mode is kept as it is.
    #[tokio::test]
    async fn existing_files_are_narrowed_not_widened() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let s = Store::open(dir).await.unwrap();
        s.insert_profile(&profile("p1", "A")).await.unwrap();
        s.pool().close().await;
        drop(s);
        let db = dir.join("paydesk.db");
        let wal = dir.join("paydesk.db-wal");
        std::fs::write(&wal, b"").unwrap();
        for p in [&db, &wal] {
            std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o664)).unwrap();
        }
        let s = Store::open(dir).await.unwrap();
        assert_eq!(mode(&db), 0o600);
        assert_eq!(mode(&dir.join("paydesk.db-wal")), 0o600);
        assert_eq!(mode(&dir.join("paydesk.db-shm")), 0o600);
        s.pool().close().await;
        drop(s);
        std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o400)).unwrap();
        super::narrow_all(&db).unwrap();
        assert_eq!(mode(&db), 0o400);
    }
}
