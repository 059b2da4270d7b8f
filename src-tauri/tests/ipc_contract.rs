//! The UI's list of command names is generated from the shell's one list
//! (src/command_list.rs): this fails when the committed
//! ui/src/lib/backend/commandNames.ts is stale (`UPDATE_BINDINGS=1` rewrites
//! it). commands.ts is then checked against that list by the TypeScript
//! compiler (svelte-check), so neither side is read by parsing text.
//! (Being an integration test, it also makes `cargo test` build the app binary
//! that the desktop end-to-end run drives.)

fn command_names_ts() -> String {
    let mut out = String::from(
        "// Generated from src-tauri/src/command_list.rs by src-tauri/tests/ipc_contract.rs\n// (UPDATE_BINDINGS=1 cargo test -p paydesk-app --test ipc_contract): do not edit.\n\n/** Every IPC command the shell offers. */\nexport const COMMAND_NAMES = [\n",
    );
    for c in paydesk_app::COMMANDS {
        out.push_str(&format!("  '{c}',\n"));
    }
    out.push_str("] as const;\n\nexport type CommandName = (typeof COMMAND_NAMES)[number];\n");
    out
}

#[test]
fn ui_command_names_are_generated_from_the_shell_list() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../ui/src/lib/backend/commandNames.ts");
    let fresh = command_names_ts();
    if std::env::var("UPDATE_BINDINGS").is_ok() {
        std::fs::write(&path, &fresh).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "ui/src/lib/backend/commandNames.ts is stale: run UPDATE_BINDINGS=1 cargo test -p paydesk-app --test ipc_contract and commit it"
    );
    assert!(std::path::Path::new(env!("CARGO_BIN_EXE_paydesk-app")).exists());
}

#[test]
fn command_names_are_unique() {
    let set: std::collections::BTreeSet<_> = paydesk_app::COMMANDS.iter().collect();
    assert_eq!(set.len(), paydesk_app::COMMANDS.len());
}
