//! Reliability item 6, the desktop shell's configuration (read as files, so
//! this runs without building Tauri): the CSP forbids inline scripts and any
//! remote content, and the capability grants exactly the IPC commands the UI
//! uses (`src-tauri/src/command_list.rs`), nothing from `core:*` or plugins.
//! The hostile-message rendering itself is the Playwright suite's part.

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../..")
}

fn read(rel: &str) -> String {
    let p = root().join(rel);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// `directive -> sources` of the app's CSP (an object or one string).
fn csp() -> Vec<(String, Vec<String>)> {
    let conf: Value = serde_json::from_str(&read("tauri.conf.json")).unwrap();
    let security = &conf["app"]["security"];
    assert!(
        security
            .get("dangerousDisableAssetCspModification")
            .is_none(),
        "Tauri must keep adding its nonces/hashes to the CSP"
    );
    match &security["csp"] {
        Value::Object(m) => m
            .iter()
            .map(|(k, v)| {
                let text = match v {
                    Value::String(s) => s.clone(),
                    Value::Array(a) => a
                        .iter()
                        .map(|x| x.as_str().unwrap().to_string())
                        .collect::<Vec<_>>()
                        .join(" "),
                    other => panic!("csp {k}: {other}"),
                };
                (
                    k.clone(),
                    text.split_whitespace().map(String::from).collect(),
                )
            })
            .collect(),
        Value::String(s) => s
            .split(';')
            .filter(|d| !d.trim().is_empty())
            .map(|d| {
                let mut it = d.split_whitespace().map(String::from);
                (it.next().unwrap(), it.collect())
            })
            .collect(),
        other => panic!("the app must set a CSP, found {other}"),
    }
}

/// Sources that never reach beyond the app itself. `ipc:` and
/// `http://ipc.localhost` are Tauri's own IPC channel (the latter on Windows).
const LOCAL_SOURCES: &[&str] = &[
    "'self'",
    "'none'",
    "data:",
    "blob:",
    "ipc:",
    "http://ipc.localhost",
];

#[test]
fn the_csp_forbids_inline_scripts_and_remote_content() {
    let csp = csp();
    let get = |name: &str| {
        csp.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("the CSP has no {name}"))
    };
    assert_eq!(get("default-src"), vec!["'self'"]);
    let script = get("script-src");
    for bad in [
        "'unsafe-inline'",
        "'unsafe-eval'",
        "'unsafe-hashes'",
        "data:",
        "blob:",
        "*",
    ] {
        assert!(
            !script.contains(&bad.to_string()),
            "script-src allows {bad}"
        );
    }
    assert_eq!(get("object-src"), vec!["'none'"]);
    for (directive, sources) in &csp {
        for s in sources {
            let allowed = LOCAL_SOURCES.contains(&s.as_str())
                // Inline styles (Svelte transitions) are allowed; inline scripts are not.
                || (directive == "style-src" && s == "'unsafe-inline'");
            assert!(allowed, "{directive} allows {s}: remote or unsafe content");
        }
    }
}

#[test]
fn the_capability_grants_only_command_permissions_to_the_one_window() {
    let cap: Value = serde_json::from_str(&read("src-tauri/capabilities/default.json")).unwrap();
    assert_eq!(cap["windows"], serde_json::json!(["main"]), "one window");
    assert!(cap.get("remote").is_none(), "no remote URL may use the IPC");
    let granted: Vec<String> = cap["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            p.as_str()
                .unwrap_or_else(|| panic!("scoped permission objects are not expected: {p}"))
                .to_string()
        })
        .collect();
    // That the grants are exactly the commands of src/command_list.rs is
    // checked at compile time by src-tauri/build.rs (a stale or missing grant
    // fails the build); here: the shape of every grant.
    let mut seen = BTreeSet::new();
    // Backend-pushed events (batch progress, sync) need listen/unlisten; no
    // other core or plugin permission is granted to the page.
    const EVENT_PERMISSIONS: [&str; 2] = ["core:event:allow-listen", "core:event:allow-unlisten"];
    for p in granted
        .iter()
        .filter(|p| !EVENT_PERMISSIONS.contains(&p.as_str()))
    {
        let cmd = p
            .strip_prefix("allow-")
            .unwrap_or_else(|| {
                panic!("{p}: only allow-<command> permissions (no core:*, no plugins)")
            })
            .replace('-', "_");
        assert!(
            cmd.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
            "{p}: not a command permission"
        );
        assert!(seen.insert(cmd.clone()), "{p} granted twice");
    }
    assert!(seen.len() >= 20, "{seen:?}");
}
