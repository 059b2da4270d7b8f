//! The UI's IPC types are generated from Rust: this fails when the committed
//! file is stale. `UPDATE_BINDINGS=1` rewrites it.
#![cfg(feature = "ts")]

#[test]
fn ui_bindings_are_current() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../ui/src/lib/bindings.ts");
    let fresh = paydesk_core::bindings::typescript();
    if std::env::var("UPDATE_BINDINGS").is_ok() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &fresh).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "ui/src/lib/bindings.ts is stale: run `UPDATE_BINDINGS=1 cargo test -p paydesk-core --features ts --test bindings` in src-tauri and commit the result"
    );
}
