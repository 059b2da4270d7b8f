//! The shell's state: the core services, the built-in sandbox when sandbox
//! profiles exist, and the background refresh.

use paydesk_core::domain::ProviderKind;
use paydesk_core::error::CoreError;
use paydesk_core::services::{PayDesk, ProfileInput, ProfileView};
use paydesk_core::vault::KeyringStore;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::OnceLock;
use std::time::Duration;
use std::time::Instant;
use tauri::Manager;

/// The sandbox prefers a stable port so its profiles' URLs stay the same.
const SANDBOX_PORT: u16 = 47651;
/// Demo mode: sandbox orders succeed by themselves after this long.
const SANDBOX_AUTO_ADVANCE: Duration = Duration::from_secs(30);

static STARTED: OnceLock<Instant> = OnceLock::new();
static READY: OnceLock<u128> = OnceLock::new();

pub fn mark_start() {
    STARTED.get_or_init(Instant::now);
}

/// Milliseconds since `main` (start-up timing in the log).
pub fn since_start_ms() -> u128 {
    STARTED.get().map(|t| t.elapsed().as_millis()).unwrap_or(0)
}

/// Logs the first paint once, on stderr, as `paydesk: first paint after N ms`.
pub fn report_ready() {
    let ms = since_start_ms();
    if READY.set(ms).is_ok() {
        eprintln!("paydesk: first paint after {ms} ms");
    }
}

pub struct AppState {
    pub desk: Arc<PayDesk>,
    pub data_dir: PathBuf,
    pub sandbox: Option<paydesk_sandbox::Running>,
    pub first_run: bool,
}

pub fn data_dir(app: &tauri::AppHandle) -> PathBuf {
    if let Some(d) = std::env::var_os("PAYDESK_DATA_DIR") {
        return PathBuf::from(d);
    }
    app.path()
        .app_data_dir()
        .unwrap_or_else(|_| dirs::data_dir().unwrap_or_default().join("paydesk"))
}

impl AppState {
    pub async fn start(data_dir: PathBuf) -> Result<AppState, CoreError> {
        let desk = Arc::new(PayDesk::open(&data_dir, Arc::new(KeyringStore)).await?);
        if let Ok(s) = desk.settings().await {
            paydesk_core::i18n::set_lang(s.lang);
        }
        let profiles = desk.profiles().await?;
        let first_run = profiles.is_empty();
        // The sandbox runs when the user has no profiles yet (to try every
        // screen) or keeps sandbox profiles.
        let sandbox = if first_run || profiles.iter().any(|p| p.profile.sandbox) {
            let port = std::env::var("PAYDESK_SANDBOX_PORT")
                .ok()
                .and_then(|p| p.parse().ok())
                .unwrap_or(SANDBOX_PORT);
            let running = match paydesk_sandbox::spawn(port, Some(SANDBOX_AUTO_ADVANCE)).await {
                Ok(r) => Some(r),
                Err(_) => paydesk_sandbox::spawn(0, Some(SANDBOX_AUTO_ADVANCE))
                    .await
                    .ok(),
            };
            if let Some(r) = &running {
                rebase_sandbox_profiles(&desk, &profiles, r).await;
            }
            running
        } else {
            None
        };
        Ok(AppState {
            desk,
            data_dir,
            sandbox,
            first_run,
        })
    }

    pub fn sandbox_url(&self) -> Option<String> {
        self.sandbox.as_ref().map(|r| format!("http://{}", r.addr))
    }

    /// Adds a sandbox profile per gateway (secrets go to the keyring like any other).
    pub async fn add_sandbox_profiles(&self) -> Result<Vec<ProfileView>, CoreError> {
        let running = self.sandbox.as_ref().ok_or_else(|| {
            CoreError::Internal(paydesk_core::tr!(
                "沙盒未运行",
                "the sandbox is not running"
            ))
        })?;
        let existing = self.desk.profiles().await?;
        let mut added = Vec::new();
        for kind in ProviderKind::ALL {
            let name = sandbox_name(kind);
            if existing.iter().any(|p| p.profile.name == name) {
                continue;
            }
            let (mut input, secret, reply_secret) =
                paydesk_sandbox::profile_input(kind, &format!("http://{}", running.addr), name);
            input.low_balance_fen = Some(5_000_000);
            added.push(self.desk.add_profile(input, secret, reply_secret).await?);
        }
        Ok(added)
    }
}

fn sandbox_name(kind: ProviderKind) -> String {
    format!("沙盒 {}", kind.display_name())
}

/// Sandbox profiles follow the sandbox's current address.
async fn rebase_sandbox_profiles(
    desk: &PayDesk,
    profiles: &[ProfileView],
    running: &paydesk_sandbox::Running,
) {
    for p in profiles.iter().filter(|p| p.profile.sandbox) {
        let url = running.base_url(p.profile.provider);
        if p.profile.base_url == url {
            continue;
        }
        let pr = &p.profile;
        let input = ProfileInput {
            base_url: url,
            ..ProfileInput::from(pr)
        };
        if let Err(e) = desk.update_profile(&pr.id, input, None, None).await {
            tracing::warn!(error = %e, "could not move a sandbox profile to the sandbox's address");
        }
    }
}

/// Settle orders left open (or `unknown` by a crash) as soon as the app starts;
/// while the window is open the UI re-queries them every N minutes.
pub async fn refresh_at_start(desk: Arc<PayDesk>) {
    match desk.refresh_open().await {
        Ok(list) if !list.is_empty() => {
            tracing::info!(orders = list.len(), "re-queried open orders at start")
        }
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "re-querying open orders at start failed"),
    }
    // Batches a crash or a close left running go on where they stopped.
    if let Err(e) = paydesk_core::batch::resume_running(&desk).await {
        tracing::warn!(error = %e, "resuming batches at start failed");
    }
}
