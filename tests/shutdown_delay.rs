//! `SHUTDOWN_DELAY_SECS` is validated at start like the other settings.

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_design-review");

#[test]
fn invalid_shutdown_delay_stops_start_up_with_one_line_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    for value in ["soon", "-1", "86400"] {
        let output = Command::new(BIN)
            .arg("serve")
            .current_dir(dir.path())
            .env_clear()
            .env("LISTEN_ADDR", "127.0.0.1:0")
            .env(
                "DATABASE_URL",
                format!("sqlite://{}", dir.path().join("dr.db").display()),
            )
            .env("SHUTDOWN_DELAY_SECS", value)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{value}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(stderr.trim().lines().count(), 1, "{value}: {stderr}");
        assert!(stderr.contains("SHUTDOWN_DELAY_SECS"), "{value}: {stderr}");
    }
    assert!(!dir.path().join("dr.db").exists());
}
