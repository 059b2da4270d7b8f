//! The WebKitGTK floor for the footprint benchmark: an empty Tauri window with
//! the same Tauri build as PayDesk and nothing else (scripts/bench-footprint.sh).
//! `--lean` applies the WebKit settings PayDesk applies on Linux (compositing
//! mode and JavaScript JIT off), for a like-for-like second floor.

fn main() {
    if std::env::args().any(|a| a == "--lean") {
        std::env::set_var("WEBKIT_DISABLE_COMPOSITING_MODE", "1");
        std::env::set_var("JSC_useJIT", "0");
    }
    tauri::Builder::default()
        .run(tauri::generate_context!("examples/empty/tauri.conf.json"))
        .expect("empty window");
}
