//! Look-ups on the caller's thread. sqlx runs every SQLite statement on a
//! worker thread of its own and hands the rows back: two thread hops that
//! cost more than the indexed look-up itself, and far more on a busy
//! machine (issue 9: 8× plain SQLite at p50, 19× at p99). A look-up by
//! number is a few index probes, so it runs here, synchronously, on a
//! read-only connection of its own: the same SQL, the same row mapping.
//! While another thread holds it, the caller takes the pool instead, so
//! nobody waits on it.

use super::rows::{order_from, Cols};
use super::Order;
use crate::error::{CoreError, CoreResult};
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

pub(super) struct Reader {
    conn: Mutex<rusqlite::Connection>,
}

impl std::fmt::Debug for Reader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Reader")
    }
}

fn storage(e: rusqlite::Error) -> CoreError {
    CoreError::Storage(e.to_string())
}

impl Cols for rusqlite::Row<'_> {
    fn text(&self, col: &str) -> CoreResult<Option<String>> {
        self.get(col).map_err(storage)
    }
    fn int(&self, col: &str) -> CoreResult<Option<i64>> {
        self.get(col).map_err(storage)
    }
}

impl Reader {
    /// A read-only connection to the (already migrated) database at `path`.
    pub(super) fn open(path: &Path) -> CoreResult<Reader> {
        use rusqlite::OpenFlags;
        let conn = rusqlite::Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(storage)?;
        // A WAL reader waits only while another process recovers the WAL.
        conn.busy_timeout(Duration::from_secs(5)).map_err(storage)?;
        Ok(Reader {
            conn: Mutex::new(conn),
        })
    }

    /// The orders `sql` (binds: `a`, `b`) yields; None while another thread
    /// is reading here.
    pub(super) fn orders(
        &self,
        sql: &str,
        a: &str,
        b: Option<&str>,
    ) -> Option<CoreResult<Vec<Order>>> {
        let conn = self.conn.try_lock().ok()?;
        let run = || -> CoreResult<Vec<Order>> {
            let mut st = conn.prepare_cached(sql).map_err(storage)?;
            let mut rows = st.query(rusqlite::params![a, b]).map_err(storage)?;
            let mut out = Vec::new();
            while let Some(r) = rows.next().map_err(storage)? {
                out.push(order_from(r)?);
            }
            Ok(out)
        };
        Some(run())
    }
}
