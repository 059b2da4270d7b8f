//! Opening PayDesk on the chosen database: the one path the CLI and the app
//! share, so both show and use the same database.

use super::choice::{Choice, Database};
use crate::error::CoreResult;
use crate::http::HttpOptions;
use crate::services::PayDesk;
use crate::vault::SecretStore;
use std::path::Path;
use std::sync::Arc;

/// Open PayDesk on `choice`. On a team database the desk's operator is the
/// login role (`session_user`), whatever the OS user is called: that is the
/// name the database stamps on orders and audit entries.
pub async fn open_desk(
    choice: &Choice,
    data_dir: &Path,
    vault: Arc<dyn SecretStore>,
    http: HttpOptions,
) -> CoreResult<PayDesk> {
    match &choice.database {
        Database::Local(path) if *path == data_dir.join("paydesk.db") => {
            PayDesk::open_with(data_dir, vault, http).await
        }
        Database::Local(path) => {
            let url = format!("sqlite:{}", path.display());
            PayDesk::open_with_database(&url, vault, http).await
        }
        Database::Team(team) => {
            let given = team.password(vault.as_ref())?.is_some();
            let url = team.connect_url(vault.as_ref())?;
            let mut desk = match PayDesk::open_with_database(url.expose(), vault, http).await {
                Ok(d) => d,
                Err(e) if !given && refused_login(&e) => return Err(team.no_saved_password(&e)),
                Err(e) => return Err(e),
            };
            if let Some(pg) = desk.store.postgres() {
                let me: String = sqlx::query_scalar("SELECT session_user::text")
                    .fetch_one(pg.pool())
                    .await?;
                desk.set_operator(me);
            }
            Ok(desk)
        }
    }
}

/// Whether opening failed because the server refused the login (rather than
/// being unreachable, say): then a missing password is the likely cause.
fn refused_login(e: &crate::error::CoreError) -> bool {
    let text = e.to_string();
    [
        "28P01",
        "28000",
        "password authentication failed",
        "no password",
    ]
    .iter()
    .any(|m| text.contains(m))
}

/// `paydesk team init`: PayDesk's schema (the store's migrations), then the
/// group roles, grants and triggers, on an empty database (or PayDesk's own,
/// again after an upgrade). `admin_url` carries the password.
pub async fn init(admin_url: &crate::secret::Secret) -> CoreResult<super::admin::InitReport> {
    let mut conn = super::admin::connect(admin_url).await?;
    let fresh = super::admin::check_empty_or_ours(&mut conn).await?;
    let store = crate::store::Store::open_url(admin_url.expose()).await?;
    store.close().await;
    super::admin::apply_roles_and_grants(&mut conn, fresh).await
}
