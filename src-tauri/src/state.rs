//! The shell's state: the core services, the built-in sandbox when sandbox
//! profiles exist, and the background refresh.

use paydesk_core::domain::ProviderKind;
use paydesk_core::error::CoreError;
use paydesk_core::services::{PayDesk, ProfileView};
use paydesk_core::sync::SyncEvent;
use paydesk_core::vault::{KeyringStore, SecretStore};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::OnceLock;
use std::time::Duration;
use std::time::Instant;
use tauri::Manager;

/// The sandbox prefers a stable port so its profiles' URLs stay the same.
const SANDBOX_PORT: u16 = 47651;
/// Demo mode: sandbox orders succeed by themselves after this long, and the
/// sandbox calls back at once. Between the sync's first two checks (15 s and
/// 30 s), so demo mode shows an order settled by its callback, not by a query.
const SANDBOX_AUTO_ADVANCE: Duration = Duration::from_secs(20);

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
    pub alerts: Alerts,
    pub listener: Listener,
    /// The team database this desk is on (None: the local file).
    pub team: Option<TeamDatabase>,
}

/// Team mode: which database, and the URL (password included) to listen on.
pub struct TeamDatabase {
    /// "host:port/db as role", for the sidebar and the settings.
    pub label: String,
    pub url: paydesk_core::Secret,
}

pub fn data_dir(app: &tauri::AppHandle) -> PathBuf {
    if let Some(d) = std::env::var_os("PAYDESK_DATA_DIR") {
        return PathBuf::from(d);
    }
    app.path()
        .app_data_dir()
        .unwrap_or_else(|_| dirs::data_dir().unwrap_or_default().join("paydesk"))
}

/// Why the desk could not be opened (team mode with a locked or absent
/// keyring, a database that cannot be reached), in both languages: the window
/// opens all the same and says it (`start_problem`), where the language
/// setting, kept in that database, cannot be read.
#[derive(Default)]
pub struct StartProblem(pub Option<paydesk_core::i18n::Words>);

/// The same failure worded in both languages: the first wording is the
/// error at hand, the other comes from opening once more in that language.
pub async fn start_problem(
    data_dir: &std::path::Path,
    vault: Arc<dyn SecretStore>,
    e: CoreError,
) -> paydesk_core::i18n::Words {
    use paydesk_core::i18n::{lang, set_lang, Lang, Words};
    let first = e.to_string();
    let was = lang();
    let other = match was {
        Lang::Zh => Lang::En,
        Lang::En => Lang::Zh,
    };
    set_lang(other);
    let second = match open_database(data_dir, vault).await {
        Err(e) => e.to_string(),
        // Opened this time (the keyring was just unlocked): the first
        // wording is all there is; a restart starts normally.
        Ok(_) => first.clone(),
    };
    set_lang(was);
    let (zh, en) = match was {
        Lang::Zh => (first, second),
        Lang::En => (second, first),
    };
    Words { zh, en }
}

/// The desk's database, chosen as the CLI chooses it: PAYDESK_DATABASE_URL,
/// else the desk's saved `team join`, else the local file.
pub async fn open_database(
    data_dir: &std::path::Path,
    vault: Arc<dyn SecretStore>,
) -> Result<(Option<TeamDatabase>, PayDesk), CoreError> {
    use paydesk_core::team::{self, choice, Database};
    let env = std::env::var(choice::ENV_URL).ok();
    let chosen = choice::choose(None, env.as_deref(), data_dir)?;
    let team = match &chosen.database {
        Database::Team(url) => Some(TeamDatabase {
            label: url.label(),
            url: url.connect_url(vault.as_ref())?,
        }),
        Database::Local(_) => None,
    };
    let desk = team::open_desk(&chosen, data_dir, vault, Default::default()).await?;
    Ok((team, desk))
}

impl AppState {
    pub async fn start(data_dir: PathBuf) -> Result<AppState, CoreError> {
        let (team, desk) = open_database(&data_dir, Arc::new(KeyringStore)).await?;
        let desk = Arc::new(desk);
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
            running
        } else {
            None
        };
        let alerts = Alerts {
            prefs: std::sync::Mutex::new(load_alert_prefs(&data_dir)),
            ..Default::default()
        };
        let listener = Listener {
            prefs: tokio::sync::Mutex::new(load_listener_prefs(&data_dir)),
            ..Default::default()
        };
        Ok(AppState {
            desk,
            alerts,
            listener,
            data_dir,
            sandbox,
            first_run,
            team,
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
            let name = paydesk_sandbox::profile_name(kind);
            if existing.iter().any(|p| p.profile.name == name) {
                continue;
            }
            let (mut input, secret, reply_secret) =
                paydesk_sandbox::profile_input(kind, &format!("http://{}", running.addr), name);
            input.low_balance_fen = Some(5_000_000);
            added.push(self.desk.add_profile(input, secret, reply_secret).await?);
        }
        // Their callbacks go to the app's own loopback listener.
        self.point_sandbox_profiles().await?;
        let mut views = Vec::with_capacity(added.len());
        for a in added {
            views.push(self.desk.profile(&a.profile.id).await?);
        }
        Ok(views)
    }

    /// Starts the loopback listener that receives the built-in sandbox's
    /// callbacks (127.0.0.1, a free port; only while the sandbox runs), and
    /// points the sandbox profiles at the sandbox and at it.
    pub async fn start_sandbox_listener(&self, app: Option<tauri::AppHandle>) {
        if self.sandbox.is_none() {
            return;
        }
        use paydesk_core::notify::server::{listen, ListenOptions};
        let opts = ListenOptions {
            on_event: app.map(event_hook),
            ..Default::default()
        };
        match listen(self.desk.clone(), opts).await {
            Ok(l) => *self.listener.sandbox.lock().await = Some(l),
            Err(e) => tracing::warn!(error = %e, "the sandbox's callback listener did not start"),
        }
        if let Err(e) = self.point_sandbox_profiles().await {
            tracing::warn!(error = %e, "could not point the sandbox profiles at the sandbox");
        }
    }

    /// Sandbox profiles follow the sandbox's current address, and their
    /// notify URLs the sandbox listener's.
    async fn point_sandbox_profiles(&self) -> Result<(), CoreError> {
        let Some(running) = &self.sandbox else {
            return Ok(());
        };
        let base = self
            .listener
            .sandbox
            .lock()
            .await
            .as_ref()
            .map(|l| l.base_url());
        paydesk_sandbox::point_profiles(&self.desk, running, base.as_deref()).await
    }
}

/// What the shell does with a sync or callback event: the alert the user
/// wants, and the window told (`sync-event`, then `orders-changed`).
pub fn announce(app: &tauri::AppHandle, e: SyncEvent) {
    use tauri::Emitter;
    if let Some(state) = app.try_state::<AppState>() {
        let prefs = state.alerts.prefs.lock().expect("alert prefs").clone();
        if let Some((kind, title, body)) = alert_for(&e, &prefs) {
            raise_alert(Some(app), &state.alerts, kind, title, body);
        }
    }
    let _ = app.emit("sync-event", &e);
}

/// The listeners' hook: an order a callback settled is announced like one a
/// sync pass settled, and the screens reload.
pub fn event_hook(app: tauri::AppHandle) -> paydesk_core::notify::server::EventHook {
    std::sync::Arc::new(move |e: SyncEvent| {
        use tauri::Emitter;
        announce(&app, e);
        let _ = app.emit("orders-changed", serde_json::json!({ "callback": true }));
    })
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

/// Which alerts the user wants (settings screen); kept in the data directory
/// beside the database because they belong to this desktop, not to the books.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct AlertPrefs {
    pub payout_succeeded: bool,
    pub payout_failed: bool,
    pub stuck: bool,
    pub low_balance: bool,
    pub badge: bool,
}

impl Default for AlertPrefs {
    fn default() -> Self {
        AlertPrefs {
            payout_succeeded: true,
            payout_failed: true,
            stuck: true,
            low_balance: true,
            badge: true,
        }
    }
}

/// One alert the shell raised (kept in memory: `raised_alerts` lets a test
/// assert that an order's settling produced a notification).
#[derive(Debug, Clone, serde::Serialize, PartialEq, Eq)]
pub struct RaisedAlert {
    pub kind: String,
    pub title: String,
    pub body: String,
    pub at: i64,
}

/// Shows one desktop notification through the Tauri notification plugin.
pub fn desktop_notify(app: &tauri::AppHandle, title: &str, body: &str) -> Result<(), String> {
    use tauri_plugin_notification::NotificationExt;
    app.notification()
        .builder()
        .title(title)
        .body(body)
        .show()
        .map_err(|e| e.to_string())
}

const ALERTS_FILE: &str = "alerts.json";
/// Raised alerts kept for the test hook; older ones are dropped.
const RAISED_KEEP: usize = 200;

pub fn load_alert_prefs(data_dir: &std::path::Path) -> AlertPrefs {
    std::fs::read(data_dir.join(ALERTS_FILE))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

pub fn save_alert_prefs(data_dir: &std::path::Path, prefs: &AlertPrefs) -> std::io::Result<()> {
    let tmp = data_dir.join(format!("{ALERTS_FILE}.tmp"));
    std::fs::write(&tmp, serde_json::to_vec_pretty(prefs).unwrap_or_default())?;
    std::fs::rename(tmp, data_dir.join(ALERTS_FILE))
}

#[derive(Default)]
pub struct Alerts {
    pub prefs: std::sync::Mutex<AlertPrefs>,
    pub raised: std::sync::Mutex<Vec<RaisedAlert>>,
}

/// The alert a sync event gives, when the user wants it.
pub fn alert_for(e: &SyncEvent, prefs: &AlertPrefs) -> Option<(String, String, String)> {
    use paydesk_core::domain::OrderKind;
    use paydesk_core::money::format_cny;
    use paydesk_core::tr;
    match e {
        SyncEvent::Succeeded { order } if order.kind == OrderKind::Payout => {
            prefs.payout_succeeded.then(|| {
                (
                    "payout_succeeded".into(),
                    tr!("代付成功", "Payout succeeded"),
                    format!(
                        "{} {} {}",
                        order.profile,
                        order.order_no,
                        format_cny(order.amount_fen)
                    ),
                )
            })
        }
        SyncEvent::Failed { order } if order.kind == OrderKind::Payout => {
            prefs.payout_failed.then(|| {
                (
                    "payout_failed".into(),
                    tr!("代付失败", "Payout failed"),
                    format!(
                        "{} {} {} {}",
                        order.profile,
                        order.order_no,
                        format_cny(order.amount_fen),
                        order
                            .provider_message
                            .clone()
                            .or(order.message.clone())
                            .unwrap_or_default()
                    ),
                )
            })
        }
        SyncEvent::Stuck { order, reason } => prefs.stuck.then(|| {
            (
                "stuck".into(),
                tr!("订单长时间未完成", "Order stuck"),
                format!(
                    "{} {} {}",
                    order.profile,
                    order.order_no,
                    reason.clone().unwrap_or_default()
                ),
            )
        }),
        SyncEvent::LowBalance {
            profile,
            balance_fen,
            low_balance_fen,
            ..
        } => prefs.low_balance.then(|| {
            (
                "low_balance".into(),
                tr!("余额不足", "Low balance"),
                format!(
                    "{profile} {} < {}",
                    format_cny(*balance_fen),
                    format_cny(*low_balance_fen)
                ),
            )
        }),
        _ => None,
    }
}

/// Between passes the loop sleeps until the next planned check, but wakes at
/// least this often (new orders, orders settled elsewhere).
const SYNC_MAX_IDLE: Duration = Duration::from_secs(5);
/// How often the background sync reads balances for the low-balance alert.
const SYNC_BALANCE_EVERY_MS: i64 = 5 * 60 * 1000;

/// The background sync: runs every due order through the core's sync pass
/// (the one schedule, `paydesk_core::sync`), and tells the window about every
/// change as Tauri events (`sync-event` per alert-worthy event,
/// `orders-changed` after a pass that checked anything) so the screens update
/// without a click. Replaces the UI's re-query timer.
pub async fn sync_loop(app: tauri::AppHandle, desk: Arc<PayDesk>) {
    use paydesk_core::store::now_ms;
    use paydesk_core::sync::{PassOptions, SyncLoop};
    use tauri::Emitter;
    let mut engine = SyncLoop::default();
    let mut last_balance = 0i64;
    loop {
        let now = now_ms();
        let opts = PassOptions {
            balances: now - last_balance >= SYNC_BALANCE_EVERY_MS,
            ..Default::default()
        };
        if opts.balances {
            last_balance = now;
        }
        let handle = app.clone();
        let on_event = move |e: SyncEvent| announce(&handle, e);
        match engine.pass(&desk, &opts, &on_event).await {
            Ok(report) => {
                if report.checked > 0 || report.settled > 0 {
                    let _ = app.emit("orders-changed", &report);
                }
                let wait = report
                    .next_due_at
                    .map(|at| Duration::from_millis((at - now_ms()).clamp(200, 60_000) as u64))
                    .unwrap_or(SYNC_MAX_IDLE)
                    .min(SYNC_MAX_IDLE);
                tokio::time::sleep(wait).await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "background sync pass failed");
                tokio::time::sleep(SYNC_MAX_IDLE).await;
            }
        }
    }
}

/// Records the alert (test hook) and shows it on the desktop (off the sync
/// thread: a slow or absent notification daemon never holds up a pass).
pub fn raise_alert(
    app: Option<&tauri::AppHandle>,
    alerts: &Alerts,
    kind: String,
    title: String,
    body: String,
) {
    tracing::info!(%kind, %title, "alert");
    if let Some(app) = app {
        let (app, title, body) = (app.clone(), title.clone(), body.clone());
        std::thread::spawn(move || {
            if let Err(e) = desktop_notify(&app, &title, &body) {
                tracing::warn!(error = %e, "desktop notification not shown");
            }
        });
    }
    let mut raised = alerts.raised.lock().expect("raised alerts");
    if raised.len() >= RAISED_KEEP {
        raised.remove(0);
    }
    raised.push(RaisedAlert {
        kind,
        title,
        body,
        at: paydesk_core::store::now_ms(),
    });
}

/// The callback listener's settings (off by default; loopback by default).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct ListenerPrefs {
    pub enabled: bool,
    pub bind: String,
}

/// The port the listener suggests (next to the sandbox's).
pub const LISTENER_DEFAULT_BIND: &str = "127.0.0.1:47652";

impl Default for ListenerPrefs {
    fn default() -> Self {
        ListenerPrefs {
            enabled: false,
            bind: LISTENER_DEFAULT_BIND.into(),
        }
    }
}

const LISTENER_FILE: &str = "listener.json";

pub fn load_listener_prefs(data_dir: &std::path::Path) -> ListenerPrefs {
    std::fs::read(data_dir.join(LISTENER_FILE))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

pub fn save_listener_prefs(
    data_dir: &std::path::Path,
    prefs: &ListenerPrefs,
) -> std::io::Result<()> {
    let tmp = data_dir.join(format!("{LISTENER_FILE}.tmp"));
    std::fs::write(&tmp, serde_json::to_vec_pretty(prefs).unwrap_or_default())?;
    std::fs::rename(tmp, data_dir.join(LISTENER_FILE))
}

/// The callback listener in the app (`paydesk_core::notify`), when running.
#[derive(Default)]
pub struct Listener {
    pub prefs: tokio::sync::Mutex<ListenerPrefs>,
    pub running: tokio::sync::Mutex<Option<paydesk_core::notify::server::Listening>>,
    /// The built-in sandbox's own listener (demo mode), loopback only.
    pub sandbox: tokio::sync::Mutex<Option<paydesk_core::notify::server::Listening>>,
    pub error: std::sync::Mutex<Option<String>>,
}

/// Reads a bind address; a bare port means 127.0.0.1.
pub fn parse_bind(bind: &str) -> Result<std::net::SocketAddr, CoreError> {
    let bind = bind.trim();
    let with_host = if bind.contains(':') {
        bind.to_string()
    } else {
        format!("127.0.0.1:{bind}")
    };
    with_host.parse().map_err(|_| {
        CoreError::Field(paydesk_core::error::FieldError::new(
            "bind",
            paydesk_core::tr!(
                "监听地址应为 主机:端口，例如 127.0.0.1:47652",
                "the bind address is HOST:PORT, e.g. 127.0.0.1:47652"
            ),
        ))
    })
}

/// Starts the listener on `addr` (stopping any running one first).
pub async fn start_listener(
    desk: Arc<PayDesk>,
    listener: &Listener,
    addr: std::net::SocketAddr,
    app: Option<tauri::AppHandle>,
) -> Result<std::net::SocketAddr, CoreError> {
    use paydesk_core::notify::server::{listen, ListenOptions};
    let mut running = listener.running.lock().await;
    // Dropping the old one stops it (and frees the port for a restart on it).
    *running = None;
    let opts = ListenOptions {
        bind: addr,
        on_event: app.map(event_hook),
        ..Default::default()
    };
    match listen(desk, opts).await {
        Ok(l) => {
            let at = l.addr;
            *running = Some(l);
            *listener.error.lock().expect("listener error") = None;
            Ok(at)
        }
        Err(e) => {
            let msg = paydesk_core::tr!("无法监听 {}：{}", "cannot listen on {}: {}", addr, e);
            *listener.error.lock().expect("listener error") = Some(msg.clone());
            Err(CoreError::Field(paydesk_core::error::FieldError::new(
                "bind", msg,
            )))
        }
    }
}

/// At start: the listener runs when the user left it on.
pub async fn listener_at_start(desk: Arc<PayDesk>, app: tauri::AppHandle) {
    let Some(state) = app.try_state::<AppState>() else {
        return;
    };
    let prefs = state.listener.prefs.lock().await.clone();
    if !prefs.enabled {
        return;
    }
    match parse_bind(&prefs.bind) {
        Ok(addr) => {
            if let Err(e) = start_listener(desk, &state.listener, addr, Some(app.clone())).await {
                tracing::warn!(error = %e, "the callback listener did not start");
            }
        }
        Err(e) => tracing::warn!(error = %e, "the callback listener's address is not valid"),
    }
}

/// Team mode: other desks' order changes reach this window as the
/// `orders-changed` event (`team_watch::forward`).
pub async fn watch_team(app: tauri::AppHandle, url: paydesk_core::Secret) {
    use tauri::Emitter;
    crate::team_watch::forward(url, move |v| {
        let _ = app.emit("orders-changed", v);
    })
    .await;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A keyring that cannot be read (locked, stopped, absent).
    struct Locked;
    impl SecretStore for Locked {
        fn get(
            &self,
            _: &str,
            _: paydesk_core::vault::Slot,
        ) -> Result<Option<paydesk_core::Secret>, CoreError> {
            Err(CoreError::Secret("Locked collection".into()))
        }
        fn set(
            &self,
            _: &str,
            _: paydesk_core::vault::Slot,
            _: &paydesk_core::Secret,
        ) -> Result<(), CoreError> {
            unreachable!()
        }
        fn delete(&self, _: &str, _: paydesk_core::vault::Slot) -> Result<(), CoreError> {
            unreachable!()
        }
    }

    /// A desk that joined a team, started with its keyring locked: the
    /// database cannot be opened, and the window gets why in both languages
    /// (before any connection is tried: the password comes first).
    #[test]
    fn a_team_desk_with_a_locked_keyring_starts_with_the_problem_in_both_languages() {
        if std::env::var("PGPASSWORD").is_ok() || std::env::var("PAYDESK_DATABASE_URL").is_ok() {
            return; // Either outranks the desk's saved choice and keyring.
        }
        use paydesk_core::team::{choice, TeamUrl};
        let dir = tempfile::tempdir().unwrap();
        let url = TeamUrl::parse("postgres://amy@db.local:6543/pay", "x").unwrap();
        choice::save(dir.path(), &url).unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let vault: Arc<dyn SecretStore> = Arc::new(Locked);
        let e = match rt.block_on(open_database(dir.path(), vault.clone())) {
            Err(e) => e,
            Ok(_) => panic!("opened without the password"),
        };
        let w = rt.block_on(start_problem(dir.path(), vault, e));
        assert!(
            w.zh.contains("操作员 amy 的登录密码") && w.zh.contains("处理方法"),
            "{}",
            w.zh
        );
        assert!(
            w.en.contains("operator amy's login password") && w.en.contains("PGPASSWORD"),
            "{}",
            w.en
        );
    }

    fn low() -> SyncEvent {
        SyncEvent::LowBalance {
            profile: "p".into(),
            profile_id: "id".into(),
            balance_fen: 100,
            low_balance_fen: 5_000,
        }
    }

    #[test]
    fn an_alert_switched_off_is_not_raised() {
        let on = AlertPrefs::default();
        assert_eq!(
            alert_for(&low(), &on).map(|a| a.0),
            Some("low_balance".into())
        );
        let off = AlertPrefs {
            low_balance: false,
            ..AlertPrefs::default()
        };
        assert_eq!(alert_for(&low(), &off), None);
    }

    #[test]
    fn alert_prefs_survive_a_restart_and_default_when_missing() {
        let dir = std::env::temp_dir().join(format!("paydesk-alerts-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        assert_eq!(load_alert_prefs(&dir), AlertPrefs::default());
        let prefs = AlertPrefs {
            stuck: false,
            badge: false,
            ..AlertPrefs::default()
        };
        save_alert_prefs(&dir, &prefs).unwrap();
        assert_eq!(load_alert_prefs(&dir), prefs);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn raised_alerts_are_kept_for_the_test_hook_and_bounded() {
        let alerts = Alerts::default();
        for i in 0..RAISED_KEEP + 5 {
            raise_alert(None, &alerts, "stuck".into(), "t".into(), format!("{i}"));
        }
        let raised = alerts.raised.lock().unwrap();
        assert_eq!(raised.len(), RAISED_KEEP);
        assert_eq!(raised.last().unwrap().body, format!("{}", RAISED_KEEP + 4));
    }

    #[test]
    fn a_bare_port_binds_loopback_and_junk_names_the_field() {
        let a = parse_bind("47652").unwrap();
        assert!(a.ip().is_loopback());
        assert_eq!(a.port(), 47652);
        assert!(!parse_bind("0.0.0.0:47652").unwrap().ip().is_loopback());
        match parse_bind("localhost:x") {
            Err(CoreError::Field(f)) => assert_eq!(f.field, "bind"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_listener_is_off_and_loopback_by_default() {
        let p = ListenerPrefs::default();
        assert!(!p.enabled);
        assert!(parse_bind(&p.bind).unwrap().ip().is_loopback());
    }
}
