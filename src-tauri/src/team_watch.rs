//! Team mode: other desks' order changes reach this window as the same
//! `orders-changed` event the background sync sends, within a round trip of
//! their commit (LISTEN on the channel `team init`'s trigger notifies). A
//! burst (a batch run elsewhere) is gathered for `GATHER` into one event, so
//! the screens reload once, not per row. A dropped connection is retried by
//! the core's watcher; its comeback is one event with no order named, and
//! the screens reload everything (what changed meanwhile was not heard).
//! Here without the Tauri handle, so a test drives it: `state::watch_team`
//! gives it the window's emitter.

use paydesk_core::team::watch::{watch_orders, Change};
use paydesk_core::Secret;
use std::time::Duration;

/// How long changes are gathered into one event.
pub const GATHER: Duration = Duration::from_millis(200);

/// Listens on the team database at `url` for good, calling `emit` with each
/// `orders-changed` payload: `{"source": "team", "orders": [numbers]}`. A
/// first connection that fails (server down, password refused) is tried
/// again every 5 s.
pub async fn forward(url: Secret, emit: impl Fn(serde_json::Value) + Send + 'static) {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Change>();
    tokio::spawn(async move {
        while let Some(first) = rx.recv().await {
            tokio::time::sleep(GATHER).await;
            let mut orders: Vec<String> = Vec::new();
            for c in std::iter::once(first).chain(std::iter::from_fn(|| rx.try_recv().ok())) {
                if let Change::Order(no) = c {
                    orders.push(no);
                }
            }
            emit(serde_json::json!({ "source": "team", "orders": orders }));
        }
    });
    loop {
        match watch_orders(&url, |c| tx.send(c).is_ok()).await {
            Ok(()) => return,
            Err(e) => {
                tracing::warn!(error = %e, "team order notifications unavailable; retrying");
                tokio::time::sleep(Duration::from_secs(5)).await;
            }
        }
    }
}
