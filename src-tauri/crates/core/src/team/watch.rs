//! Hearing other desks' changes: every insert or update of an order is
//! announced on `paydesk_orders` (a trigger `team init` creates), and a desk
//! LISTENs there. The notification arrives as the writer commits, so another
//! desk's screen follows within a round trip instead of a poll interval.

use super::ORDERS_CHANNEL;
use crate::error::CoreResult;
use crate::secret::Secret;
use sqlx::postgres::PgListener;
use std::time::Duration;

/// What a desk hears.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// This order was written by some desk (this one included).
    Order(String),
    /// The connection dropped and came back: anything may have changed
    /// meanwhile, so reload everything on screen.
    Reconnected,
}

/// Listens until `on_change` returns false. Returns an error only when the
/// first connection fails (a wrong password, an unreachable server); later
/// drops are retried every second and reported as `Change::Reconnected`.
pub async fn watch_orders(
    url: &Secret,
    mut on_change: impl FnMut(Change) -> bool + Send,
) -> CoreResult<()> {
    let mut listener = PgListener::connect(url.expose())
        .await
        .map_err(super::admin::login_error)?;
    listener.listen(ORDERS_CHANNEL).await?;
    let mut lost = false;
    loop {
        // `try_recv` reconnects by itself on the next call after a drop; None
        // says the connection was lost (notifications in between are gone).
        match listener.try_recv().await {
            Ok(Some(n)) => {
                if lost {
                    lost = false;
                    if !on_change(Change::Reconnected) {
                        return Ok(());
                    }
                }
                if !on_change(Change::Order(n.payload().to_string())) {
                    return Ok(());
                }
            }
            Ok(None) => {
                lost = true;
                if !on_change(Change::Reconnected) {
                    return Ok(());
                }
            }
            Err(e) => {
                lost = true;
                tracing::warn!(error = %e, "order notifications lost; reconnecting");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}
