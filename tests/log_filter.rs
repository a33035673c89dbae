//! An invalid `RUST_LOG` stops start-up with one line naming it, like other invalid settings,
//! instead of being replaced by the default filter.

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_design-review");

#[test]
fn invalid_rust_log_stops_start_up_with_one_line_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    for command in ["serve", "resync"] {
        let output = Command::new(BIN)
            .arg(command)
            .current_dir(dir.path())
            .env_clear()
            .env("LISTEN_ADDR", "127.0.0.1:0")
            .env(
                "DATABASE_URL",
                format!("sqlite://{}", dir.path().join("dr.db").display()),
            )
            .env("RUST_LOG", "design_review=loud")
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{command}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(stderr.trim().lines().count(), 1, "{command}: {stderr}");
        assert!(stderr.contains("RUST_LOG"), "{command}: {stderr}");
        assert!(stderr.contains("design_review=loud"), "{command}: {stderr}");
        assert!(!stderr.contains("panicked"), "{command}: {stderr}");
    }
    // Nothing was started: no database was created.
    assert!(!dir.path().join("dr.db").exists());
}

#[test]
fn empty_rust_log_means_the_default_filter() {
    let dir = tempfile::tempdir().unwrap();
    // `resync` without App credentials stops after the log set-up, with a line naming them.
    let output = Command::new(BIN)
        .arg("resync")
        .current_dir(dir.path())
        .env_clear()
        .env(
            "DATABASE_URL",
            format!("sqlite://{}", dir.path().join("dr.db").display()),
        )
        .env("RUST_LOG", "")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("RUST_LOG"), "{stderr}");
    assert!(stderr.contains("APP_ID"), "{stderr}");
}
