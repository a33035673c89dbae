//! `design-review templates` and `design-review template NAME`.
use std::process::ExitCode;

pub fn list() -> ExitCode {
    ExitCode::from(2)
}

pub fn show(_name: &str) -> ExitCode {
    ExitCode::from(2)
}
