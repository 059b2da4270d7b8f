/// Every IPC command the shell offers, declared once. The includer passes a
/// macro that receives the list: lib.rs builds `COMMANDS` and the invoke
/// handler from it (a name without a `commands::` function fails to compile),
/// build.rs builds tauri-build's permission list from it and checks
/// capabilities/default.json grants exactly those, and a test writes the UI's
/// `commandNames.ts`, which commands.ts is checked against by the TS compiler.
macro_rules! with_commands {
    ($m:ident) => {
        $m! {
            app_info,
            get_settings,
            save_settings,
            list_profiles,
            save_profile,
            remove_profile,
            test_profile,
            add_sandbox_profiles,
            get_form,
            lookup_fields,
            search_banks,
            prepare_order,
            create_order,
            refresh_order,
            refresh_open,
            find_orders,
            lookup_remote,
            list_orders,
            order_events,
            balances,
            balance,
            balance_history,
            set_low_balance,
            arrivals,
            qr_svg,
            open_pay_url,
            save_export,
            open_folder,
            ui_ready,
            sync_state,
            stuck_orders,
            order_counts,
            get_alert_prefs,
            save_alert_prefs,
            raised_alerts,
            batch_template,
            batch_import,
            batch_show,
            batch_list,
            batch_run,
            batch_pause,
            batch_cancel,
            batch_export,
        }
    };
}
