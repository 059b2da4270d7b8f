// The IPC commands are listed once here: tauri-build generates one permission
// per command (`allow-<name>`), and capabilities/default.json grants exactly the
// ones the UI calls. A handler missing from main's generate_handler! fails at
// runtime tests (tests/capabilities.rs checks both lists agree).
include!("src/command_list.rs");

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build script");
}
