//! Logging set-up: human-readable text for terminals, JSON lines for log shippers.

use std::io::IsTerminal;

use serde_json::{Map, Value};
use tracing::{Event, Subscriber, field::Field};
use tracing_subscriber::{
    EnvFilter,
    fmt::{
        self, FmtContext, FormatEvent, FormatFields, FormattedFields, MakeWriter,
        format::{JsonFields, Writer},
    },
    prelude::*,
    registry::LookupSpan,
};

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
        LogFormat::Json => registry.with(flat_json_layer(std::io::stderr)).try_init(),
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

/// The JSON log layer: one flat object per line (see [`FlatJson`]), written to `writer`.
pub fn flat_json_layer<S, W>(writer: W) -> impl tracing_subscriber::Layer<S>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    fmt::layer()
        .fmt_fields(JsonFields::new())
        .event_format(FlatJson)
        .with_writer(writer)
}

/// One JSON object per line with every field at the top level, as log shippers expect:
/// `timestamp`, `level`, `target`, then the fields of the spans in scope (outermost first, so a
/// delivery's `delivery_id`, `repo` and `pr` are on every line of its work), then the event's own
/// fields, `message` among them. An event field wins over a span field of the same name.
/// (tracing-subscriber's own JSON format nests span fields under `span`.)
pub struct FlatJson;

impl<S, N> FormatEvent<S, N> for FlatJson
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> std::fmt::Result {
        let mut line = Map::new();
        let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        line.insert("timestamp".into(), now.into());
        line.insert("level".into(), event.metadata().level().as_str().into());
        line.insert("target".into(), event.metadata().target().into());
        if let Some(scope) = ctx.event_scope() {
            for span in scope.from_root() {
                let extensions = span.extensions();
                let Some(fields) = extensions.get::<FormattedFields<N>>() else {
                    continue;
                };
                // `JsonFields` stores a span's fields as a JSON object.
                if let Ok(Value::Object(fields)) = serde_json::from_str::<Value>(fields) {
                    line.extend(fields);
                }
            }
        }
        event.record(&mut FieldsInto(&mut line));
        writeln!(writer, "{}", Value::Object(line))
    }
}

/// Records an event's fields into a JSON object, numbers and booleans as such.
struct FieldsInto<'a>(&'a mut Map<String, Value>);

impl tracing::field::Visit for FieldsInto<'_> {
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.0.insert(field.name().into(), value.to_string().into());
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0
            .insert(field.name().into(), format!("{value:?}").into());
    }
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

    /// A writer into a shared buffer.
    #[derive(Clone, Default)]
    struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'w> MakeWriter<'w> for Captured {
        type Writer = Self;
        fn make_writer(&'w self) -> Self {
            self.clone()
        }
    }

    #[test]
    fn json_lines_are_flat_with_the_span_fields_on_every_line() {
        let captured = Captured::default();
        let subscriber = tracing_subscriber::registry().with(flat_json_layer(captured.clone()));
        tracing::subscriber::with_default(subscriber, || {
            let span = tracing::info_span!(
                "delivery",
                delivery_id = "d-1",
                repo = "acme/widgets",
                pr = "acme/widgets#7"
            );
            let _entered = span.enter();
            tracing::info!(github_requests = 3_u64, "evaluated");
            let inner = tracing::info_span!("check", doc = "docs/a.md");
            let _inner = inner.enter();
            tracing::warn!(error = %"gone", "cannot read");
        });
        let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        let lines: Vec<Value> = text
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .map(|mut line: Value| {
                line.as_object_mut().unwrap().remove("timestamp").unwrap();
                line
            })
            .collect();
        assert_eq!(
            lines,
            vec![
                serde_json::json!({
                    "level": "INFO", "target": "design_review::telemetry::tests",
                    "delivery_id": "d-1", "repo": "acme/widgets", "pr": "acme/widgets#7",
                    "github_requests": 3, "message": "evaluated",
                }),
                serde_json::json!({
                    "level": "WARN", "target": "design_review::telemetry::tests",
                    "delivery_id": "d-1", "repo": "acme/widgets", "pr": "acme/widgets#7",
                    "doc": "docs/a.md", "error": "gone", "message": "cannot read",
                }),
            ]
        );
    }

    #[test]
    fn colour_only_on_a_terminal_without_no_color() {
        assert!(colour(true, false));
        assert!(!colour(false, false));
        assert!(!colour(true, true));
    }
}
