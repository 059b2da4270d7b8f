//! The WebKitGTK floor for the footprint benchmark: an empty Tauri window with
//! the same Tauri build as PayDesk and nothing else (scripts/bench-footprint.sh).

fn main() {
    tauri::Builder::default()
        .run(tauri::generate_context!("examples/empty/tauri.conf.json"))
        .expect("empty window");
}
