//! Team mode: several desks on one PostgreSQL database, each person logged in
//! as their own database role.
//!
//! `choice` decides which database a desk uses (flag, environment, the desk's
//! saved choice, or the local SQLite file); `admin` sets a team database up
//! (group roles, grants, the triggers that stamp who did what) and adds
//! operators; `scram` turns an operator's password into the verifier the
//! server keeps; `watch` hears other desks' order changes (LISTEN/NOTIFY).

pub mod admin;
pub mod choice;
mod desk;
mod scram;
pub mod watch;

pub use admin::{Session, TeamRole};
pub use choice::{Choice, Database, Source, TeamUrl};
pub use desk::{init, open_desk};

/// The notification channel every order insert or update is announced on.
pub const ORDERS_CHANNEL: &str = "paydesk_orders";

/// Whether a URL names a PostgreSQL database (team mode).
pub fn is_postgres_url(url: &str) -> bool {
    let lower = url.trim_start().to_ascii_lowercase();
    lower.starts_with("postgres://") || lower.starts_with("postgresql://")
}
