//! The PayDesk desktop shell: state, wiring and thin IPC commands over
//! `paydesk-core`. No gateway logic lives here.

mod command_list;
mod commands;
mod state;

pub use command_list::COMMANDS;

use state::AppState;
use tauri::Manager;

pub fn run() {
    state::mark_start();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_env("PAYDESK_LOG"))
        .with_writer(std::io::stderr)
        .init();
    tauri::Builder::default()
        .plugin(tauri_plugin_opener::init())
        .setup(|app| {
            let data_dir = state::data_dir(app.handle());
            let state = tauri::async_runtime::block_on(AppState::start(data_dir))?;
            let desk = state.desk.clone();
            app.manage(state);
            // Settle orders left `unknown` by a crash.
            tauri::async_runtime::spawn(state::refresh_at_start(desk));
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::get_settings,
            commands::save_settings,
            commands::list_profiles,
            commands::save_profile,
            commands::remove_profile,
            commands::test_profile,
            commands::add_sandbox_profiles,
            commands::get_form,
            commands::lookup_fields,
            commands::search_banks,
            commands::prepare_order,
            commands::create_order,
            commands::refresh_order,
            commands::refresh_open,
            commands::find_orders,
            commands::lookup_remote,
            commands::list_orders,
            commands::order_events,
            commands::balances,
            commands::balance,
            commands::balance_history,
            commands::set_low_balance,
            commands::arrivals,
            commands::qr_svg,
            commands::open_pay_url,
            commands::save_export,
            commands::ui_ready,
        ])
        .run(tauri::generate_context!())
        .expect("PayDesk failed to start");
}
