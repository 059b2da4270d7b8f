//! Look-ups by number on a connection of their own. sqlx (0.8) pings every
//! pooled connection when it goes back to the pool, in a task of its own and
//! not configurable: each pooled look-up cost the server and this process a
//! second round trip, and on a busy machine that second exchange is what
//! sometimes made the next look-up wait (issue 13: look-up p99 < 2 ms).
//! A process that looks orders up more than once (the desk's support
//! screen, a sync pass) gets one connection for them, opened in the
//! background after its second look-up, so a one-shot CLI command opens no
//! extra connection. While another task holds it, or when it fails, the
//! caller takes the pool: a look-up never waits on it and never fails
//! because of it.

use super::super::rows::order_from;
use super::super::Order;
use crate::error::CoreResult;
use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, PgConnection};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Arc;
use tokio::sync::Mutex;

/// Look-ups after which a process gets a connection of its own for them.
const OWN_CONNECTION_AFTER: u32 = 2;

pub(super) struct Lookup {
    opts: PgConnectOptions,
    conn: Mutex<Option<PgConnection>>,
    asked: AtomicU32,
    connecting: AtomicBool,
    /// Look-ups answered here (tests prove the path is taken).
    #[cfg(test)]
    pub(super) served: AtomicU32,
}

/// Never prints the connect options: they may hold the operator's password.
impl std::fmt::Debug for Lookup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Lookup")
    }
}

impl Lookup {
    pub(super) fn new(opts: PgConnectOptions) -> Arc<Lookup> {
        Arc::new(Lookup {
            opts,
            conn: Mutex::new(None),
            asked: AtomicU32::new(0),
            connecting: AtomicBool::new(false),
            #[cfg(test)]
            served: AtomicU32::new(0),
        })
    }

    /// The orders `sql` (binds: `no`, `profile_id`) yields on the look-up
    /// connection; None when the pool should answer (not connected yet,
    /// busy, or the statement failed here: a dropped link, a restarted
    /// server; the pool then answers, or reports the real error).
    pub(super) async fn orders(
        self: &Arc<Self>,
        sql: &str,
        no: &str,
        profile_id: Option<&str>,
    ) -> Option<CoreResult<Vec<Order>>> {
        let mut held = self.conn.try_lock().ok()?;
        let Some(conn) = held.as_mut() else {
            drop(held);
            if self.asked.fetch_add(1, Ordering::Relaxed) + 1 >= OWN_CONNECTION_AFTER {
                self.connect_in_background();
            }
            return None;
        };
        match sqlx::query(sql)
            .bind(no)
            .bind(profile_id)
            .fetch_all(&mut *conn)
            .await
        {
            Ok(rows) => {
                #[cfg(test)]
                self.served.fetch_add(1, Ordering::Relaxed);
                Some(rows.iter().map(order_from).collect())
            }
            Err(e) => {
                tracing::debug!("look-up connection dropped ({e}); the pool answers");
                *held = None;
                None
            }
        }
    }

    /// Opens the connection once at a time; a failure leaves the pool in
    /// charge until the next look-up tries again.
    fn connect_in_background(self: &Arc<Self>) {
        if self.connecting.swap(true, Ordering::AcqRel) {
            return;
        }
        let me = Arc::clone(self);
        tokio::spawn(async move {
            match me.opts.connect().await {
                Ok(c) => *me.conn.lock().await = Some(c),
                Err(e) => tracing::debug!("look-up connection not opened: {e}"),
            }
            me.connecting.store(false, Ordering::Release);
        });
    }
}

#[cfg(test)]
impl Lookup {
    async fn connected(&self) -> bool {
        self.conn.lock().await.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::super::PgStore;
    use crate::store::test_support::{new_order, profile, TestDb};
    use std::sync::atomic::Ordering;
    use std::time::Duration;

    async fn served_here(s: &PgStore) -> u32 {
        s.lookup.served.load(Ordering::Relaxed)
    }

    /// One look-up opens no connection of its own (a one-shot CLI command);
    /// from the second on, the look-ups run on their own connection with the
    /// same answers; when the server drops it, the next look-up is answered
    /// by the pool and a new connection takes over after it.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn look_ups_run_on_their_own_connection_and_survive_losing_it() {
        let Some(db) = TestDb::postgres("look_ups_run_on_their_own_connection") else {
            return;
        };
        let TestDb::Postgres(pg) = &db else {
            unreachable!()
        };
        let s = PgStore::open(&pg.url).await.unwrap();
        s.insert_profile(&profile("p1", "A")).await.unwrap();
        let id = s
            .insert_order(&new_order("p1", "LOOK1", 100))
            .await
            .unwrap();
        let found = |v: Vec<crate::store::Order>| v.iter().map(|o| o.id).collect::<Vec<_>>();

        assert_eq!(found(s.find_orders("LOOK1", None).await.unwrap()), [id]);
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(
            !s.lookup.connected().await,
            "one look-up opened a connection"
        );

        let mut waited = 0;
        while served_here(&s).await == 0 {
            assert_eq!(found(s.find_orders("LOOK1", None).await.unwrap()), [id]);
            assert!(waited < 100, "the look-up connection never took over");
            waited += 1;
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let before = served_here(&s).await;
        for _ in 0..5 {
            assert_eq!(
                found(s.find_orders("LOOK1", Some("p1")).await.unwrap()),
                [id]
            );
            assert!(s
                .find_orders("LOOK1", Some("other"))
                .await
                .unwrap()
                .is_empty());
        }
        assert_eq!(served_here(&s).await, before + 10);

        pg.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid()",
        )
        .unwrap();
        // Past the pool's ping-after-idle, so its own dropped sessions are
        // replaced before use (open.rs).
        tokio::time::sleep(super::super::open::PING_AFTER_IDLE + Duration::from_millis(300)).await;
        let before = served_here(&s).await;
        assert_eq!(found(s.find_orders("LOOK1", None).await.unwrap()), [id]);
        assert_eq!(
            served_here(&s).await,
            before,
            "a dropped connection answered"
        );
        let mut waited = 0;
        while served_here(&s).await == before {
            assert_eq!(found(s.find_orders("LOOK1", None).await.unwrap()), [id]);
            assert!(waited < 100, "no new look-up connection after the loss");
            waited += 1;
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        s.pool.close().await;
    }
}
