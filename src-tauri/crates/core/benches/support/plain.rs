//! Plain SQLite, for the look-up's baseline: the same statement that
//! `Store::find_orders` runs, on the same file, prepared once and stepped
//! through the C API with every column read, no async runtime, no pool, no
//! row mapping. The ratio PayDesk / plain is what PayDesk's own layers cost.

use libsqlite3_sys as ffi;
use std::ffi::{c_char, c_int, CString};
use std::path::Path;
use std::ptr::{null, null_mut};

pub struct Plain {
    db: *mut ffi::sqlite3,
    stmt: *mut ffi::sqlite3_stmt,
}

impl Plain {
    pub fn open(path: &Path, sql: &str) -> Plain {
        let file = CString::new(path.to_str().expect("utf-8 path")).unwrap();
        let sql = CString::new(sql).unwrap();
        let mut db = null_mut();
        let mut stmt = null_mut();
        // SAFETY: valid C strings; the handles are checked and owned by
        // `Plain`, finalized and closed in `drop`.
        unsafe {
            let rc =
                ffi::sqlite3_open_v2(file.as_ptr(), &mut db, ffi::SQLITE_OPEN_READONLY, null());
            assert_eq!(rc, ffi::SQLITE_OK, "open {}", path.display());
            let rc = ffi::sqlite3_prepare_v2(db, sql.as_ptr(), -1, &mut stmt, null_mut());
            assert_eq!(rc, ffi::SQLITE_OK, "prepare");
        }
        Plain { db, stmt }
    }

    /// The orders whose number (or gateway id) is `no`: how many rows.
    pub fn lookup(&mut self, no: &str) -> usize {
        let mut rows = 0;
        // SAFETY: `stmt` is a live prepared statement; the text is copied
        // by SQLite (SQLITE_TRANSIENT) before the call returns.
        unsafe {
            ffi::sqlite3_reset(self.stmt);
            ffi::sqlite3_bind_text(
                self.stmt,
                1,
                no.as_ptr() as *const c_char,
                no.len() as c_int,
                ffi::SQLITE_TRANSIENT(),
            );
            ffi::sqlite3_bind_null(self.stmt, 2);
            let n = ffi::sqlite3_column_count(self.stmt);
            loop {
                match ffi::sqlite3_step(self.stmt) {
                    ffi::SQLITE_ROW => {
                        rows += 1;
                        for i in 0..n {
                            std::hint::black_box(ffi::sqlite3_column_text(self.stmt, i));
                            std::hint::black_box(ffi::sqlite3_column_bytes(self.stmt, i));
                        }
                    }
                    ffi::SQLITE_DONE => break,
                    rc => panic!("step: {rc}"),
                }
            }
        }
        rows
    }
}

impl Drop for Plain {
    fn drop(&mut self) {
        // SAFETY: both handles came from SQLite and are released once.
        unsafe {
            ffi::sqlite3_finalize(self.stmt);
            ffi::sqlite3_close(self.db);
        }
    }
}
