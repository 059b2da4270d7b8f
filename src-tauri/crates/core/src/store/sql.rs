//! One SQL text per statement for both engines. A statement is written once,
//! with SQLite's numbered placeholders (`?1`); PostgreSQL's text (`$1`) is
//! derived from it once, on first use, never per call. Where the engines
//! really differ (locks, casts, `UPDATE … FROM`), both texts stand side by
//! side in the one `Sql`, bound alike.
//!
//! Code written once for both engines: `impl_both!` (methods on
//! `SqliteStore` and `PgStore`) and `on_pool!` (a body run on whichever pool
//! a `store::Pool` holds); in both, `text(&STMT)` is the statement in the
//! engine's dialect.

use std::sync::LazyLock;

/// A statement's text on each engine, computed once.
pub(crate) struct Sql {
    sqlite: LazyLock<String, fn() -> String>,
    pg: LazyLock<String, fn() -> String>,
}

impl Sql {
    pub(crate) const fn new(sqlite: fn() -> String, pg: fn() -> String) -> Sql {
        Sql {
            sqlite: LazyLock::new(sqlite),
            pg: LazyLock::new(pg),
        }
    }

    pub(crate) fn sqlite(&self) -> &str {
        &self.sqlite
    }

    pub(crate) fn pg(&self) -> &str {
        &self.pg
    }
}

/// `static S: Sql = sql!("… ?1 …")`: one text, PostgreSQL's derived by
/// `pg`. `sql!(sqlite: "…", pg: "…")`: the two texts, where they differ.
/// The text may be any expression giving a `&str` or a `String` (`format!`
/// of other statements' pieces): it is evaluated once per engine.
macro_rules! sql {
    (sqlite: $a:expr, pg: $b:expr $(,)?) => {
        $crate::store::sql::Sql::new(
            || ::std::string::String::from($a),
            || ::std::string::String::from($b),
        )
    };
    ($t:expr $(,)?) => {
        $crate::store::sql::Sql::new(
            || ::std::string::String::from($t),
            || $crate::store::sql::pg(&::std::string::String::from($t)),
        )
    };
}
pub(crate) use sql;

/// `?N` placeholders (SQLite's) as PostgreSQL's `$N`. A `?` not followed by
/// a digit is left alone (no statement here uses one outside a string).
pub(crate) fn pg(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '?' && chars.peek().is_some_and(|d| d.is_ascii_digit()) {
            out.push('$');
        } else {
            out.push(c);
        }
    }
    out
}

/// Methods written once and implemented on both engines (`SqliteStore`,
/// `PgStore`). In them `self.pool` is the engine's pool, `Conn` its
/// connection type, `Db` its sqlx database, `text(&STMT)` the statement in
/// its dialect, and `self.writing().await` SQLite's one-writer lock (nothing
/// on PostgreSQL, where the server orders writers).
macro_rules! impl_both {
    (@on $store:ty, $db:ty, $conn:ty, $dialect:ident; $($item:item)*) => {
        const _: () = {
            #[allow(dead_code)]
            type Db = $db;
            #[allow(dead_code)]
            type Conn = $conn;
            #[allow(dead_code)]
            fn text(s: &'static $crate::store::sql::Sql) -> &'static str {
                s.$dialect()
            }
            impl $store {
                $($item)*
            }
        };
    };
    ($($item:item)*) => {
        $crate::store::sql::impl_both!(@on $crate::store::SqliteStore, ::sqlx::Sqlite,
            ::sqlx::SqliteConnection, sqlite; $($item)*);
        $crate::store::sql::impl_both!(@on $crate::store::pg::PgStore, ::sqlx::Postgres,
            ::sqlx::PgConnection, pg; $($item)*);
    };
}
pub(crate) use impl_both;

/// `on_pool!(pools, |pool, text| body)`: `body` written once, run on the
/// pool a `store::Pool` holds, with `text(&STMT)` in that engine's dialect
/// and `Db` its sqlx database (for `QueryBuilder::<Db>`), for code outside
/// the store that keeps SQL of its own: sync, batch.
macro_rules! on_pool {
    ($pools:expr, |$p:ident, $text:ident| $body:expr) => {
        match $pools {
            $crate::store::Pool::Sqlite($p) => {
                #[allow(dead_code)]
                type Db = ::sqlx::Sqlite;
                let $text = $crate::store::sql::Sql::sqlite;
                $body
            }
            $crate::store::Pool::Postgres($p) => {
                #[allow(dead_code)]
                type Db = ::sqlx::Postgres;
                let $text = $crate::store::sql::Sql::pg;
                $body
            }
        }
    };
}
pub(crate) use on_pool;

#[cfg(test)]
mod tests {
    use super::*;

    static ONE: Sql = sql!("SELECT a FROM t WHERE a = ?1 AND b = ?12 AND c = '?'");
    static TWO: Sql = sql!(sqlite: "SELECT ?1", pg: "SELECT $1::text");

    #[test]
    fn one_text_gives_both_dialects() {
        assert_eq!(
            ONE.sqlite(),
            "SELECT a FROM t WHERE a = ?1 AND b = ?12 AND c = '?'"
        );
        assert_eq!(
            ONE.pg(),
            "SELECT a FROM t WHERE a = $1 AND b = $12 AND c = '?'"
        );
        assert_eq!((TWO.sqlite(), TWO.pg()), ("SELECT ?1", "SELECT $1::text"));
    }
}
