// Rebuild when a migration changes: they are embedded into the binary by `sqlx::migrate!`.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
