// Generated from src-tauri/src/command_list.rs by src-tauri/tests/ipc_contract.rs
// (UPDATE_BINDINGS=1 cargo test -p paydesk-app --test ipc_contract): do not edit.

/** Every IPC command the shell offers. */
export const COMMAND_NAMES = [
  'app_info',
  'get_settings',
  'save_settings',
  'list_profiles',
  'save_profile',
  'remove_profile',
  'test_profile',
  'add_sandbox_profiles',
  'get_form',
  'lookup_fields',
  'search_banks',
  'prepare_order',
  'create_order',
  'refresh_order',
  'refresh_open',
  'find_orders',
  'lookup_remote',
  'list_orders',
  'order_events',
  'balances',
  'balance',
  'balance_history',
  'set_low_balance',
  'arrivals',
  'qr_svg',
  'open_pay_url',
  'save_export',
  'open_folder',
  'ui_ready',
  'sync_state',
  'stuck_orders',
  'order_counts',
  'get_alert_prefs',
  'save_alert_prefs',
  'raised_alerts',
] as const;

export type CommandName = (typeof COMMAND_NAMES)[number];
