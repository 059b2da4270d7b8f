//! IPC commands: each one a thin call into the core services. Errors cross as
//! `{code, message, field}`.

use crate::state::{AlertPrefs, AppState, RaisedAlert};
use paydesk_core::banks::Bank;
use paydesk_core::domain::{OrderKind, ProviderKind};
use paydesk_core::error::CoreError;
use paydesk_core::export::{ExportFormat, ExportTable};
use paydesk_core::form::{FieldSpec, FormSpec, OrderInput};
use paydesk_core::gateway::Arrival;
use paydesk_core::services::{
    AppInfo, ApprovalsList, BalanceView, ErrorInfo, OrderOutcome, OrderPreview, PayDesk,
    ProfileInput, ProfileView, Settings, TestResult,
};
use paydesk_core::store::{BalanceReading, Order, OrderEvent, OrderFilter, OrderPage};
use paydesk_core::sync::{StuckOrder, SyncState};
use paydesk_core::{tr, Secret};
use std::collections::BTreeMap;
use tauri::State;
use tauri_plugin_opener::OpenerExt;

/// The error every command returns: serialised as `{code, message, field}`.
#[derive(Debug, serde::Serialize)]
pub struct IpcError(ErrorInfo);

impl From<CoreError> for IpcError {
    fn from(e: CoreError) -> Self {
        IpcError(ErrorInfo::from(&e))
    }
}

fn internal(message: String) -> IpcError {
    IpcError(ErrorInfo {
        code: "internal".into(),
        message,
        field: None,
    })
}

type R<T> = Result<T, IpcError>;

#[tauri::command]
pub async fn app_info(state: State<'_, AppState>) -> R<AppInfo> {
    Ok(AppInfo {
        version: env!("CARGO_PKG_VERSION").into(),
        data_dir: state.data_dir.display().to_string(),
        sandbox_url: state.sandbox_url(),
        first_run: state.first_run && state.desk.profiles().await?.is_empty(),
        os_user: state.desk.os_user().into(),
        team_database: state.team.as_ref().map(|t| t.label.clone()),
    })
}

/// Why the desk could not be opened at start, in both languages (None: it was).
#[tauri::command]
pub async fn start_problem(
    problem: State<'_, crate::state::StartProblem>,
) -> R<Option<paydesk_core::i18n::Words>> {
    Ok(problem.0.clone())
}

#[tauri::command]
pub async fn get_settings(state: State<'_, AppState>) -> R<Settings> {
    Ok(state.desk.settings().await?)
}

#[tauri::command]
pub async fn save_settings(state: State<'_, AppState>, settings: Settings) -> R<()> {
    state.desk.save_settings(&settings).await?;
    paydesk_core::i18n::set_lang(settings.lang);
    Ok(())
}

#[tauri::command]
pub async fn list_profiles(state: State<'_, AppState>) -> R<Vec<ProfileView>> {
    Ok(state.desk.profiles().await?)
}

#[tauri::command]
pub async fn save_profile(
    state: State<'_, AppState>,
    id: Option<String>,
    input: ProfileInput,
    secret: Option<String>,
    reply_secret: Option<String>,
) -> R<ProfileView> {
    let secret = secret.map(Secret::new);
    let reply_secret = reply_secret.map(Secret::new);
    Ok(match id {
        Some(id) => {
            state
                .desk
                .update_profile(&id, input, secret, reply_secret)
                .await?
        }
        None => {
            state
                .desk
                .add_profile(
                    input,
                    secret.unwrap_or_else(|| Secret::new("")),
                    reply_secret,
                )
                .await?
        }
    })
}

#[tauri::command]
pub async fn remove_profile(state: State<'_, AppState>, id: String) -> R<()> {
    Ok(state.desk.remove_profile(&id).await?)
}

#[tauri::command]
pub async fn test_profile(state: State<'_, AppState>, id: String) -> R<TestResult> {
    Ok(state.desk.test_profile(&id).await?)
}

#[tauri::command]
pub async fn add_sandbox_profiles(state: State<'_, AppState>) -> R<Vec<ProfileView>> {
    Ok(state.add_sandbox_profiles().await?)
}

#[tauri::command]
pub fn get_form(provider: ProviderKind, kind: OrderKind) -> R<FormSpec> {
    Ok(PayDesk::form(provider, kind)?)
}

#[tauri::command]
pub fn lookup_fields(provider: ProviderKind, kind: OrderKind) -> Vec<FieldSpec> {
    PayDesk::lookup_fields(provider, kind)
}

#[tauri::command]
pub fn search_banks(provider: ProviderKind, query: String) -> Vec<Bank> {
    PayDesk::banks(Some(provider), &query)
}

#[tauri::command]
pub async fn prepare_order(
    state: State<'_, AppState>,
    profile: String,
    kind: OrderKind,
    input: OrderInput,
) -> R<OrderPreview> {
    Ok(state.desk.prepare_order(&profile, kind, &input).await?)
}

#[tauri::command]
pub async fn create_order(
    state: State<'_, AppState>,
    profile: String,
    kind: OrderKind,
    input: OrderInput,
) -> R<OrderOutcome> {
    Ok(state.desk.create_order(&profile, kind, &input).await?)
}

#[tauri::command]
pub async fn refresh_order(state: State<'_, AppState>, id: i64) -> R<OrderOutcome> {
    Ok(state.desk.refresh_order(id).await?)
}

#[tauri::command]
pub async fn refresh_open(state: State<'_, AppState>) -> R<Vec<OrderOutcome>> {
    Ok(state.desk.refresh_open().await?)
}

#[tauri::command]
pub async fn find_orders(state: State<'_, AppState>, query: String) -> R<Vec<Order>> {
    Ok(state.desk.search_orders(&query, 20).await?)
}

#[tauri::command]
pub async fn lookup_remote(
    state: State<'_, AppState>,
    profile: String,
    kind: OrderKind,
    order_no: String,
    amount: String,
    values: BTreeMap<String, String>,
) -> R<OrderOutcome> {
    Ok(state
        .desk
        .lookup_remote(&profile, kind, &order_no, &amount, values)
        .await?)
}

#[tauri::command]
pub async fn list_orders(state: State<'_, AppState>, filter: OrderFilter) -> R<OrderPage> {
    Ok(state.desk.list_orders(&filter).await?)
}

#[tauri::command]
pub async fn order_events(state: State<'_, AppState>, id: i64) -> R<Vec<OrderEvent>> {
    Ok(state.desk.order_events(id).await?)
}

#[tauri::command]
pub async fn balances(state: State<'_, AppState>) -> R<Vec<BalanceView>> {
    Ok(state.desk.balances().await?)
}

#[tauri::command]
pub async fn balance(state: State<'_, AppState>, profile: String) -> R<BalanceView> {
    Ok(state.desk.balance(&profile).await?)
}

#[tauri::command]
pub async fn balance_history(
    state: State<'_, AppState>,
    profile: String,
    limit: u32,
) -> R<Vec<BalanceReading>> {
    Ok(state.desk.balance_history(&profile, limit.min(500)).await?)
}

#[tauri::command]
pub async fn set_low_balance(
    state: State<'_, AppState>,
    profile: String,
    low_balance_fen: Option<i64>,
) -> R<ProfileView> {
    Ok(state
        .desk
        .set_low_balance(&profile, low_balance_fen)
        .await?)
}

#[tauri::command]
pub async fn arrivals(
    state: State<'_, AppState>,
    profile: String,
    start: Option<i64>,
    end: Option<i64>,
) -> R<Vec<Arrival>> {
    Ok(state.desk.arrivals(&profile, start, end).await?)
}

#[tauri::command]
pub fn qr_svg(text: String) -> R<String> {
    paydesk_core::qr::svg(&text).ok_or_else(|| {
        internal(tr!(
            "该链接过长，无法生成二维码",
            "this link is too long for a QR code"
        ))
    })
}

/// Opens a payUrl in the system browser. An xxpay `POST;` URL is opened through
/// a local page whose form posts the fields to the gateway.
#[tauri::command]
pub async fn open_pay_url(app: tauri::AppHandle, state: State<'_, AppState>, url: String) -> R<()> {
    let target = if url.starts_with("POST;") {
        let (action, fields) =
            paydesk_core::providers::xxpay::post_form_target(&url).ok_or_else(|| {
                internal(tr!(
                    "无法解析 POST 支付链接",
                    "cannot read the POST pay URL"
                ))
            })?;
        let dir = state.data_dir.join("pay-forms");
        std::fs::create_dir_all(&dir).map_err(|e| internal(e.to_string()))?;
        let path = dir.join(format!("pay-{}.html", paydesk_core::store::now_ms()));
        std::fs::write(
            &path,
            paydesk_core::providers::xxpay::post_form_page(&action, &fields),
        )
        .map_err(|e| internal(e.to_string()))?;
        path.display().to_string()
    } else {
        let parsed =
            url::Url::parse(&url).map_err(|_| internal(tr!("支付链接无效", "invalid pay URL")))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(internal(tr!(
                "只能打开 http/https 链接",
                "only http/https links can be opened"
            )));
        }
        url
    };
    app.opener()
        .open_url(target, None::<&str>)
        .map_err(|e| internal(e.to_string()))
}

/// Asks where to save an export (a native save dialog, starting in Downloads
/// with the suggested name) and writes it there as CSV or XLSX (core's export
/// module renders it). `None`: the user cancelled.
#[tauri::command]
pub async fn save_export(
    app: tauri::AppHandle,
    file_name: String,
    format: ExportFormat,
    table: ExportTable,
) -> R<Option<String>> {
    let ext = format.extension();
    let name: String = file_name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let name = if name.ends_with(&format!(".{ext}")) {
        name
    } else {
        format!("{name}.{ext}")
    };
    let Some(path) = ask_save_path(&app, name, ext).await? else {
        return Ok(None);
    };
    paydesk_core::export::write(&path, format, &table)?;
    Ok(Some(path.display().to_string()))
}

/// Shows a saved export in the file manager (its folder, the file selected).
#[tauri::command]
pub fn open_folder(app: tauri::AppHandle, path: String) -> R<()> {
    app.opener()
        .reveal_item_in_dir(&path)
        .map_err(|e| internal(e.to_string()))
}

/// The UI painted its first screen: logged once with the time since start, so
/// start-up can be measured (scripts/bench.sh reads this line).
#[tauri::command]
pub fn ui_ready() {
    crate::state::report_ready();
}

/// Where an order stands in the background sync (last check / next check).
#[tauri::command]
pub async fn sync_state(state: State<'_, AppState>, id: i64) -> R<SyncState> {
    Ok(state.desk.sync_state(id).await?)
}

/// Open orders past their profile's stuck threshold, with the last check's reason.
#[tauri::command]
pub async fn stuck_orders(state: State<'_, AppState>) -> R<Vec<StuckOrder>> {
    Ok(state.desk.stuck_orders(STUCK_LIST_MAX).await?)
}

/// Most stuck orders the stuck view lists.
const STUCK_LIST_MAX: u32 = 500;
/// The badge counts up to this many open orders ("99+" past it).
const BADGE_MAX: u32 = 100;

/// The orders screen's badge: open and stuck orders.
#[derive(Debug, serde::Serialize)]
pub struct OrderCounts {
    pub open: u32,
    pub stuck: u32,
}

#[tauri::command]
pub async fn order_counts(state: State<'_, AppState>) -> R<OrderCounts> {
    use paydesk_core::domain::OrderStatus;
    let mut open = 0u32;
    for status in [
        OrderStatus::Unknown,
        OrderStatus::Pending,
        OrderStatus::Processing,
    ] {
        let page = state
            .desk
            .list_orders(&OrderFilter {
                status: Some(status),
                limit: Some(BADGE_MAX),
                ..Default::default()
            })
            .await?;
        open += page.orders.len() as u32;
    }
    let stuck = state.desk.stuck_orders(BADGE_MAX).await?.len() as u32;
    Ok(OrderCounts {
        open: open.min(BADGE_MAX),
        stuck,
    })
}

#[tauri::command]
pub async fn get_alert_prefs(state: State<'_, AppState>) -> R<AlertPrefs> {
    Ok(state.alerts.prefs.lock().expect("alert prefs").clone())
}

#[tauri::command]
pub async fn save_alert_prefs(state: State<'_, AppState>, prefs: AlertPrefs) -> R<()> {
    crate::state::save_alert_prefs(&state.data_dir, &prefs).map_err(|e| {
        internal(tr!(
            "无法保存提醒设置：{}",
            "could not save the alert settings: {}",
            e
        ))
    })?;
    *state.alerts.prefs.lock().expect("alert prefs") = prefs;
    Ok(())
}

/// Test hook: the alerts raised since start (newest last).
#[tauri::command]
pub async fn raised_alerts(state: State<'_, AppState>) -> R<Vec<RaisedAlert>> {
    Ok(state.alerts.raised.lock().expect("raised alerts").clone())
}

// ---- Batch payouts (issue 11): thin calls into `paydesk_core::batch`. ----

use paydesk_core::batch::{self, Batch, BatchDetail};

/// Asks for a path with the native save dialog (Downloads, the suggested
/// name); `None` when the user cancelled.
async fn ask_save_path(
    app: &tauri::AppHandle,
    name: String,
    ext: &str,
) -> R<Option<std::path::PathBuf>> {
    use tauri_plugin_dialog::DialogExt;
    let dir = dirs::download_dir()
        .or_else(dirs::home_dir)
        .unwrap_or_else(std::env::temp_dir);
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog()
        .file()
        .set_directory(dir)
        .set_file_name(&name)
        .add_filter(ext.to_uppercase(), &[ext])
        .save_file(move |p| {
            let _ = tx.send(p);
        });
    let Some(chosen) = rx.await.ok().flatten() else {
        return Ok(None);
    };
    Ok(Some(
        chosen.into_path().map_err(|e| internal(e.to_string()))?,
    ))
}

/// Only the two spreadsheet formats the batch module writes.
fn batch_ext(format: &str) -> R<&'static str> {
    match format {
        "csv" => Ok("csv"),
        "xlsx" => Ok("xlsx"),
        other => Err(internal(tr!(
            "不支持的格式：{}",
            "unsupported format: {}",
            other
        ))),
    }
}

/// Writes the profile's batch template (one column per payout-form field)
/// where the user chooses. `None`: cancelled.
#[tauri::command]
pub async fn batch_template(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    profile: String,
    format: String,
) -> R<Option<String>> {
    let ext = batch_ext(&format)?;
    let p = state.desk.profile(&profile).await?;
    let name = format!(
        "paydesk-batch-template-{}.{ext}",
        p.profile.provider.as_str()
    );
    let Some(path) = ask_save_path(&app, name, ext).await? else {
        return Ok(None);
    };
    Ok(Some(
        batch_ipc::template(&state.desk, &profile, &path).await?,
    ))
}

pub use batch_ipc::BatchImported;

/// The batch commands' work without Tauri's state, dialogs or event loop:
/// the commands below add only those, and tests/ipc_batch.rs drives these
/// as the shell does, checking the JSON the UI receives.
pub mod batch_ipc {
    use super::R;
    use paydesk_core::batch::{self, BatchDetail, BatchProgress, RunOptions};
    use paydesk_core::services::{ErrorInfo, PayDesk};
    use std::path::Path;

    /// The event a running batch sends: at most one per
    /// `batch::PROGRESS_EVERY` with the rows changed since the last, and a
    /// last one read back from the store.
    pub const BATCH_PROGRESS_EVENT: &str = "batch-progress";
    /// Sent once when a run stops with an error (`{batch_id, error}`).
    pub const BATCH_ERROR_EVENT: &str = "batch-error";

    /// What an import returns: the file it read (so the UI can import it
    /// again with duplicate groups or the same file accepted) and the batch
    /// with its rows.
    #[derive(Debug, serde::Serialize)]
    pub struct BatchImported {
        pub path: String,
        pub detail: BatchDetail,
    }

    pub async fn template(desk: &PayDesk, profile: &str, path: &Path) -> R<String> {
        let p = desk.profile(profile).await?;
        batch::write_template(p.profile.provider, path)?;
        Ok(path.display().to_string())
    }

    /// Imports the file at `path` with the options the UI sent (a blank
    /// sheet or expected total: none).
    pub async fn import(
        desk: &PayDesk,
        profile: &str,
        path: &Path,
        mut opts: batch::ImportOptions,
    ) -> R<BatchImported> {
        opts.sheet = opts.sheet.filter(|s| !s.trim().is_empty());
        opts.expect_total = opts.expect_total.filter(|s| !s.trim().is_empty());
        let b = batch::import_file(desk, profile, path, &opts).await?;
        let detail = batch::show(desk, b.id).await?;
        Ok(BatchImported {
            path: path.display().to_string(),
            detail,
        })
    }

    /// Runs (or resumes) a batch to its end, each progress and a stopping
    /// error sent through `emit` as the events the UI listens to.
    pub async fn run(
        desk: &PayDesk,
        id: i64,
        concurrency: Option<u32>,
        emit: &(dyn Fn(&str, serde_json::Value) + Send + Sync),
    ) {
        let opts = RunOptions {
            concurrency: concurrency
                .map(|c| c as usize)
                .unwrap_or(batch::DEFAULT_CONCURRENCY),
        };
        let on_progress = |p: &BatchProgress| {
            emit(
                BATCH_PROGRESS_EVENT,
                serde_json::to_value(p).unwrap_or_default(),
            )
        };
        if let Err(e) = batch::run(desk, id, &opts, &on_progress).await {
            tracing::warn!(batch = id, error = %e, "batch run stopped");
            emit(
                BATCH_ERROR_EVENT,
                serde_json::json!({"batch_id": id, "error": ErrorInfo::from(&e)}),
            );
        }
    }

    /// Refuses what a run cannot start, at once (the run itself goes on in
    /// the background): an unknown batch, one with a warning not accepted,
    /// or one with errors.
    pub async fn check_runnable(desk: &PayDesk, id: i64) -> R<()> {
        Ok(batch::check_runnable(&batch::show(desk, id).await?.batch)?)
    }

    pub async fn export(desk: &PayDesk, id: i64, path: &Path) -> R<String> {
        batch::export(desk, id, path).await?;
        Ok(path.display().to_string())
    }
}

/// Imports a payday file. Without `path` the native open dialog asks for one
/// (CSV, XLSX, XLS); `None`: cancelled. `accepted_duplicates`: the duplicate
/// groups the clerk ticked (their warnings' keys); any other group refuses.
/// The batch comes back `invalid` with every error listed, or `draft` with
/// its rows for the review.
#[tauri::command]
#[allow(clippy::too_many_arguments)]
pub async fn batch_import(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    profile: String,
    path: Option<String>,
    sheet: Option<String>,
    expect_count: Option<u32>,
    expect_total: Option<String>,
    allow_duplicates: bool,
    accepted_duplicates: Option<Vec<String>>,
    allow_same_file: bool,
) -> R<Option<BatchImported>> {
    let path = match path {
        Some(p) => std::path::PathBuf::from(p),
        None => {
            use tauri_plugin_dialog::DialogExt;
            let (tx, rx) = tokio::sync::oneshot::channel();
            app.dialog()
                .file()
                .add_filter(tr!("表格", "Spreadsheet"), &["csv", "xlsx", "xls"])
                .pick_file(move |p| {
                    let _ = tx.send(p);
                });
            let Some(chosen) = rx.await.ok().flatten() else {
                return Ok(None);
            };
            chosen.into_path().map_err(|e| internal(e.to_string()))?
        }
    };
    let args = batch::ImportOptions {
        sheet,
        expect_count,
        expect_total,
        allow_duplicates,
        accepted_duplicates: accepted_duplicates.unwrap_or_default(),
        allow_same_file,
        ..Default::default()
    };
    Ok(Some(
        batch_ipc::import(&state.desk, &profile, &path, args).await?,
    ))
}

#[tauri::command]
pub async fn batch_show(state: State<'_, AppState>, id: i64) -> R<BatchDetail> {
    Ok(batch::show(&state.desk, id).await?)
}

#[tauri::command]
pub async fn batch_list(state: State<'_, AppState>, limit: Option<u32>) -> R<Vec<Batch>> {
    Ok(batch::list(&state.desk, limit.unwrap_or(200).min(1000)).await?)
}

/// Starts (or resumes) a batch in the background and returns at once; the
/// progress arrives as `batch-progress` events from the run itself, so the
/// UI never polls and the window stays free while rows are sent.
#[tauri::command]
pub async fn batch_run(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    id: i64,
    concurrency: Option<u32>,
) -> R<()> {
    use tauri::Emitter;
    batch_ipc::check_runnable(&state.desk, id).await?;
    let desk = state.desk.clone();
    tauri::async_runtime::spawn(async move {
        let emit = move |name: &str, v: serde_json::Value| {
            let _ = app.emit(name, v);
        };
        batch_ipc::run(&desk, id, concurrency, &emit).await;
    });
    Ok(())
}

#[tauri::command]
pub async fn batch_pause(state: State<'_, AppState>, id: i64) -> R<Batch> {
    Ok(batch::pause(&state.desk, id).await?)
}

#[tauri::command]
pub async fn batch_cancel(state: State<'_, AppState>, id: i64) -> R<Batch> {
    Ok(batch::cancel(&state.desk, id).await?)
}

/// Saves a batch's rows with their outcome (CSV formula-safe with BOM, or
/// XLSX) where the user chooses. `None`: cancelled.
#[tauri::command]
pub async fn batch_export(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    id: i64,
    format: String,
) -> R<Option<String>> {
    let ext = batch_ext(&format)?;
    let Some(path) = ask_save_path(&app, format!("paydesk-batch-{id}.{ext}"), ext).await? else {
        return Ok(None);
    };
    Ok(Some(batch_ipc::export(&state.desk, id, &path).await?))
}

/// Reopening the app resumes every batch a closed or crashed app left
/// `running` (core's resume path: rows that may have left are settled by a
/// query, never sent again), with its progress pushed as events like a run
/// started from the screen.
pub async fn resume_batches(app: tauri::AppHandle, desk: std::sync::Arc<PayDesk>) {
    use tauri::Emitter;
    let running = match batch::list(&desk, 1000).await {
        Ok(list) => list
            .into_iter()
            .filter(|b| b.state == batch::BatchState::Running),
        Err(e) => {
            tracing::warn!(error = %e, "cannot list batches to resume");
            return;
        }
    };
    for b in running {
        let app = app.clone();
        let emit = move |name: &str, v: serde_json::Value| {
            let _ = app.emit(name, v);
        };
        tracing::info!(batch = b.id, "resuming batch left running");
        batch_ipc::run(&desk, b.id, None, &emit).await;
    }
}

/// The listener as the settings screen shows it: on/off, the address, and
/// the notify URL to give each gateway.
#[derive(Debug, serde::Serialize)]
pub struct ListenerStatus {
    pub enabled: bool,
    pub bind: String,
    /// Where it listens now (`None`: stopped).
    pub addr: Option<String>,
    pub error: Option<String>,
    pub urls: Vec<NotifyUrl>,
}

#[derive(Debug, serde::Serialize)]
pub struct NotifyUrl {
    pub profile: String,
    pub id: String,
    pub url: String,
}

async fn listener_status_of(state: &AppState) -> R<ListenerStatus> {
    let prefs = state.listener.prefs.lock().await.clone();
    let addr = state.listener.running.lock().await.as_ref().map(|l| l.addr);
    // The URLs use the address the gateways reach: the running one, else the configured one.
    let base = match addr {
        Some(a) => format!("http://{a}"),
        None => format!("http://{}", prefs.bind),
    };
    let urls = state
        .desk
        .profiles()
        .await?
        .into_iter()
        .map(|p| NotifyUrl {
            url: paydesk_core::notify::notify_url(&base, &p.profile.id),
            profile: p.profile.name,
            id: p.profile.id,
        })
        .collect();
    Ok(ListenerStatus {
        enabled: prefs.enabled,
        bind: prefs.bind,
        addr: addr.map(|a| a.to_string()),
        error: state.listener.error.lock().expect("listener error").clone(),
        urls,
    })
}

#[tauri::command]
pub async fn listener_status(state: State<'_, AppState>) -> R<ListenerStatus> {
    listener_status_of(&state).await
}

/// Turns the callback listener on (at `bind`) or off. A bind address other
/// than loopback exposes it to the network: refused unless `confirm_public`.
#[tauri::command]
pub async fn set_listener(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    enabled: bool,
    bind: String,
    confirm_public: bool,
) -> R<ListenerStatus> {
    let addr = crate::state::parse_bind(&bind)?;
    if enabled && !addr.ip().is_loopback() && !confirm_public {
        return Err(IpcError(ErrorInfo {
            code: "confirm_required".into(),
            message: tr!(
                "{} 不是本机地址：其他电脑也能访问回调接收。请确认后再开启。",
                "{} is not a loopback address: other computers can reach the listener. Confirm to go on.",
                addr.ip()
            ),
            field: Some("bind".into()),
        }));
    }
    if enabled {
        crate::state::start_listener(state.desk.clone(), &state.listener, addr, Some(app)).await?;
    } else {
        *state.listener.running.lock().await = None;
    }
    let prefs = crate::state::ListenerPrefs {
        enabled,
        bind: addr.to_string(),
    };
    crate::state::save_listener_prefs(&state.data_dir, &prefs).map_err(|e| {
        internal(tr!(
            "无法保存回调设置：{}",
            "could not save the listener settings: {}",
            e
        ))
    })?;
    *state.listener.prefs.lock().await = prefs;
    listener_status_of(&state).await
}

/// Payouts waiting for a checker (team mode; `team_mode: false` on a single desk).
#[tauri::command]
pub async fn list_approvals(state: State<'_, AppState>) -> R<ApprovalsList> {
    Ok(state.desk.approvals().await?)
}

/// Approves and sends from this desk, as `paydesk approve`; its maker is
/// refused (`same_operator`), a second checker is told who decided first.
#[tauri::command]
pub async fn approve_payout(
    state: State<'_, AppState>,
    order_no: String,
    profile: Option<String>,
) -> R<OrderOutcome> {
    Ok(state.desk.approve(&order_no, profile.as_deref()).await?)
}

/// Rejects with a reason (required), as `paydesk reject`: nothing is sent.
#[tauri::command]
pub async fn reject_payout(
    state: State<'_, AppState>,
    order_no: String,
    profile: Option<String>,
    reason: String,
) -> R<Order> {
    Ok(state
        .desk
        .reject(&order_no, profile.as_deref(), &reason)
        .await?)
}

/// Approves a batch as a whole (team mode), as `paydesk approve --batch`:
/// the decision is taken now (its maker is refused, `same_operator`; a second
/// checker is told who decided first), then the batch runs from this desk in
/// the background with its progress pushed as `batch-progress` events, like a
/// run started from the batch screen.
#[tauri::command]
pub async fn approve_batch(app: tauri::AppHandle, state: State<'_, AppState>, id: i64) -> R<Batch> {
    use tauri::Emitter;
    let b = batch::approve_decision(&state.desk, id).await?;
    let desk = state.desk.clone();
    tauri::async_runtime::spawn(async move {
        let emit = move |name: &str, v: serde_json::Value| {
            let _ = app.emit(name, v);
        };
        batch_ipc::run(&desk, id, None, &emit).await;
    });
    Ok(b)
}

/// Rejects a batch as a whole with a reason (required), as `paydesk reject
/// --batch`: none of its rows is sent.
#[tauri::command]
pub async fn reject_batch(state: State<'_, AppState>, id: i64, reason: String) -> R<Batch> {
    Ok(batch::reject(&state.desk, id, &reason).await?)
}
