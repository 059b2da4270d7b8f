// The IPC commands are declared once, in src/command_list.rs: tauri-build
// generates one permission per command (`allow-<name>`) from it, and the
// capability the UI runs under must grant exactly those (checked here, so a
// command added without its permission, or a stale grant, fails the build).
include!("src/command_list.rs");

macro_rules! names {
    ($($c:ident),* $(,)?) => {
        const COMMANDS: &[&str] = &[$(stringify!($c)),*];
    };
}
with_commands!(names);

fn check_capability() {
    let path = "capabilities/default.json";
    println!("cargo:rerun-if-changed={path}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect(path)).expect(path);
    let granted: std::collections::BTreeSet<String> = json["permissions"]
        .as_array()
        .expect("permissions")
        .iter()
        .filter_map(|p| p.as_str())
        // Plugin permissions (`opener:…`) are not commands of ours.
        .filter(|p| !p.contains(':'))
        .map(String::from)
        .collect();
    let wanted: std::collections::BTreeSet<String> = COMMANDS
        .iter()
        .map(|c| format!("allow-{}", c.replace('_', "-")))
        .collect();
    let missing: Vec<_> = wanted.difference(&granted).collect();
    let extra: Vec<_> = granted.difference(&wanted).collect();
    if !missing.is_empty() || !extra.is_empty() {
        panic!("{path} does not grant exactly the commands of src/command_list.rs: missing {missing:?}, not a command {extra:?}");
    }
}

fn main() {
    check_capability();
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build script");
}
