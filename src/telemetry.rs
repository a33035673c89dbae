//! Logging set-up: human-readable text for terminals, JSON lines for log shippers.

use std::io::IsTerminal;

use tracing_subscriber::{EnvFilter, fmt, prelude::*};

use crate::config::settings::{LogFormat, SettingsError};

/// The log filter: `RUST_LOG` when set, else `default_filter`. An invalid `RUST_LOG` is an
/// error naming the variable, like any other invalid setting, rather than silently ignored.
pub fn filter(default_filter: &str) -> Result<EnvFilter, SettingsError> {
    let invalid = |message: String| SettingsError {
        variable: "RUST_LOG",
        message,
    };
    match std::env::var(EnvFilter::DEFAULT_ENV) {
        Err(std::env::VarError::NotPresent) => Ok(EnvFilter::new(default_filter)),
        Err(std::env::VarError::NotUnicode(_)) => Err(invalid("not valid UTF-8".to_string())),
        Ok(text) if text.trim().is_empty() => Ok(EnvFilter::new(default_filter)),
        Ok(text) => EnvFilter::try_new(text.trim())
            .map_err(|error| invalid(format!("not a log filter ({error}): {text:?}"))),
    }
}

/// Installs the global subscriber; `RUST_LOG` overrides `default_filter`. Fails, installing
/// nothing, when `RUST_LOG` is invalid.
pub fn try_init(format: LogFormat, default_filter: &str) -> Result<(), SettingsError> {
    let registry = tracing_subscriber::registry().with(filter(default_filter)?);
    let result = match format {
        LogFormat::Text => registry
            .with(
                fmt::layer()
                    .with_writer(std::io::stderr)
                    .with_target(false)
                    .with_ansi(colour(
                        std::io::stderr().is_terminal(),
                        std::env::var_os("NO_COLOR").is_some(),
                    )),
            )
            .try_init(),
        LogFormat::Json => registry
            .with(
                fmt::layer()
                    .json()
                    .with_writer(std::io::stderr)
                    .with_current_span(true)
                    .with_span_list(false),
            )
            .try_init(),
    };
    // Already initialised (e.g. several servers in one test process): keep the first.
    let _ = result;
    Ok(())
}

/// Colours only on a terminal, and not when `NO_COLOR` is set: escape codes in a file or a
/// pipe (a log shipper, `docker logs`) are noise in every line.
fn colour(stderr_is_terminal: bool, no_color: bool) -> bool {
    stderr_is_terminal && !no_color
}

/// [`try_init`] for commands: an invalid `RUST_LOG` stops the process with one line naming it
/// and exit code 2, as other invalid settings do.
pub fn init(format: LogFormat, default_filter: &str) {
    if let Err(error) = try_init(format, default_filter) {
        eprintln!("design-review: invalid setting {error}");
        std::process::exit(2);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_parse_or_name_the_variable() {
        // Only the directive parser: reading the process environment in a unit test would race
        // other tests, so `filter` itself is exercised through the binary (tests/startup_errors.rs).
        assert!(EnvFilter::try_new("design_review=debug,info").is_ok());
        assert!(EnvFilter::try_new("design_review=loud").is_err());
    }

    #[test]
    fn colour_only_on_a_terminal_without_no_color() {
        assert!(colour(true, false));
        assert!(!colour(false, false));
        assert!(!colour(true, true));
    }
}
