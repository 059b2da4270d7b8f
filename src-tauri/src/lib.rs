//! The PayDesk desktop shell: state, wiring and thin IPC commands over
//! `paydesk-core`. No gateway logic lives here.

#[macro_use]
mod command_list;
mod commands;
mod state;

/// The batch commands' work, for tests that drive the IPC layer directly.
pub use commands::batch_ipc;
/// Team mode: other desks' changes as the window's `orders-changed` event.
pub mod team_watch;

/// `COMMANDS` and the invoke handler, both from the one list in command_list.rs.
macro_rules! ipc {
    ($($c:ident),* $(,)?) => {
        /// Every IPC command, by name.
        pub const COMMANDS: &[&str] = &[$(stringify!($c)),*];
        fn invoke_handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$(commands::$c),*]
        }
    };
}
with_commands!(ipc);

use state::AppState;
use tauri::Manager;

/// WebKitGTK settings for a forms-and-tables console, set before GTK starts so
/// the web process inherits them; a value the user set wins, and
/// `PAYDESK_WEBKIT_DEFAULTS=1` leaves WebKit's own defaults. Figures are in
/// docs/BENCHMARKS.md.
/// - Compositing mode off: it brings a GL stack (Mesa, and LLVM for software
///   GL) into the web process for effects we don't use. PSS of the app's tree
///   314 → 231 MB, first paint 1.7 → 1.2 s; it also avoids the blank windows
///   some GPU drivers give WebKitGTK.
/// - JavaScript JIT off: our scripts are small and event-driven, so the
///   interpreter keeps up, the web process needs about 8 MB less, and there is
///   no writable-executable memory in the process that shows payee data.
fn lean_webview() {
    if std::env::var_os("PAYDESK_WEBKIT_DEFAULTS").is_some() {
        return;
    }
    #[cfg(target_os = "linux")]
    for (key, value) in [
        ("WEBKIT_DISABLE_COMPOSITING_MODE", "1"),
        ("JSC_useJIT", "0"),
    ] {
        if std::env::var_os(key).is_none() {
            // Before any thread exists: nothing else reads the environment yet.
            std::env::set_var(key, value);
        }
    }
}

pub fn run() {
    state::mark_start();
    lean_webview();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_env("PAYDESK_LOG"))
        .with_writer(std::io::stderr)
        .init();
    tauri::Builder::default()
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_notification::init())
        .setup(|app| {
            tracing::info!(ms = state::since_start_ms(), "setup");
            let data_dir = state::data_dir(app.handle());
            let state = match tauri::async_runtime::block_on(AppState::start(data_dir.clone())) {
                Ok(s) => s,
                Err(e) => {
                    // Start all the same and say what is wrong (a locked or
                    // absent keyring in team mode): the window shows it.
                    tracing::error!(error = %e, "the desk's database could not be opened");
                    let words = tauri::async_runtime::block_on(state::start_problem(
                        &data_dir,
                        std::sync::Arc::new(paydesk_core::vault::KeyringStore),
                        e,
                    ));
                    app.manage(state::StartProblem(Some(words)));
                    return Ok(());
                }
            };
            app.manage(state::StartProblem(None));
            // Demo mode: the sandbox's callbacks arrive at the app's own
            // loopback listener before any window can send an order.
            tauri::async_runtime::block_on(
                state.start_sandbox_listener(Some(app.handle().clone())),
            );
            tracing::info!(ms = state::since_start_ms(), "state ready");
            let desk = state.desk.clone();
            if let Some(team) = &state.team {
                tauri::async_runtime::spawn(state::watch_team(
                    app.handle().clone(),
                    team.url.clone(),
                ));
            }
            app.manage(state);
            // Settle orders left `unknown` by a crash.
            tauri::async_runtime::spawn(state::refresh_at_start(desk.clone()));
            // Batches a crash left running go on (issue 11: reopening resumes).
            tauri::async_runtime::spawn(commands::resume_batches(
                app.handle().clone(),
                desk.clone(),
            ));
            // Due orders are synced in the background; the window hears of each change.
            // Its own thread: the core's pass future is not `Send` for `spawn`
            // (a higher-ranked lifetime in for_each_concurrent), `block_on` is fine.
            // The callback listener, when the user left it on.
            tauri::async_runtime::spawn(state::listener_at_start(
                desk.clone(),
                app.handle().clone(),
            ));
            let handle = app.handle().clone();
            std::thread::Builder::new()
                .name("paydesk-sync".into())
                .spawn(move || tauri::async_runtime::block_on(state::sync_loop(handle, desk)))?;
            Ok(())
        })
        .invoke_handler(invoke_handler())
        .run(tauri::generate_context!())
        .expect("PayDesk failed to start");
}
