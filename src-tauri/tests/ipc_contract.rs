//! The shell and the UI agree on the IPC command list: every command the shell
//! offers is declared in ui/src/lib/backend/commands.ts and the other way round.
//! (Being an integration test, it also makes `cargo test` build the app binary
//! that the desktop end-to-end run drives.)

use std::collections::BTreeSet;

#[test]
fn ui_and_shell_declare_the_same_commands() {
    let ts = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../ui/src/lib/backend/commands.ts"
    ))
    .unwrap();
    let start = ts
        .find("export interface Commands {")
        .expect("Commands interface");
    let body = &ts[start..ts[start..].find("\n}").map(|e| start + e).unwrap()];
    let ui: BTreeSet<&str> = body
        .lines()
        .filter_map(|l| l.trim().split_once(':').map(|(name, _)| name.trim()))
        .filter(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
        .collect();
    let shell: BTreeSet<&str> = paydesk_app::COMMANDS.iter().copied().collect();
    assert_eq!(ui, shell, "commands.ts and command_list.rs differ");
    assert!(std::path::Path::new(env!("CARGO_BIN_EXE_paydesk-app")).exists());
}
