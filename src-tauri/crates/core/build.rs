// `sqlx::migrate!` embeds the migration files at compile time, but cargo
// only rebuilds for changed Rust sources: without this, a migration added
// to a warm build directory is silently left out until some .rs changes.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-changed=migrations_pg");
}
