//! SARIF 2.1.0 (the OASIS standard code-scanning services read): one run, one rule per gap
//! kind, one result per gap, located by a path relative to the repository root
//! (`%SRCROOT%`). Files that could not be read are tool execution notifications, and make the
//! invocation unsuccessful.

use serde::Serialize;

use super::{FileOutcome, Summary};
use crate::checker::gaps::{Gap, GapKind, Severity};

/// Where the schema of this format is published.
pub const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Every gap kind, in the order of the run's rule list (results refer to rules by index).
const RULES: [GapKind; 7] = [
    GapKind::MissingSection,
    GapKind::EmptySection,
    GapKind::PlaceholderSection,
    GapKind::MissingField,
    GapKind::EmptyField,
    GapKind::PlaceholderField,
    GapKind::OutOfOrder,
];

/// The tool as SARIF names it.
#[derive(Debug, Clone, Copy)]
pub struct ToolInfo<'a> {
    pub name: &'a str,
    pub version: &'a str,
    pub information_uri: &'a str,
}

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    invocations: [Invocation; 1],
    results: Vec<SarifResult>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'a str,
    version: &'a str,
    information_uri: &'a str,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: &'static str,
    short_description: Text,
    default_configuration: Configuration,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Text,
    locations: [Location; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: [Location; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    uri_base_id: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
}

/// Renders the results as one SARIF log (no trailing newline).
pub fn render_sarif(files: &[FileOutcome], tool: ToolInfo<'_>) -> String {
    let mut results = Vec::new();
    let mut notifications = Vec::new();
    for file in files {
        match file {
            FileOutcome::Checked(report) => results.extend(
                report
                    .report
                    .gaps
                    .iter()
                    .map(|gap| result_of(&report.path, gap)),
            ),
            FileOutcome::Unreadable(unreadable) => notifications.push(Notification {
                level: "error",
                message: Text {
                    text: unreadable.reason.clone(),
                },
                locations: [location(&unreadable.path, None)],
            }),
        }
    }
    let log = Log {
        schema: SARIF_SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: tool.name,
                    version: tool.version,
                    information_uri: tool.information_uri,
                    rules: RULES.iter().map(|&kind| rule(kind)).collect(),
                },
            },
            invocations: [Invocation {
                execution_successful: Summary::of(files).unreadable == 0,
                tool_execution_notifications: notifications,
            }],
            results,
        }],
    };
    serde_json::to_string_pretty(&log).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}

fn rule(kind: GapKind) -> Rule {
    let (description, level) = match kind {
        GapKind::MissingSection => ("A required section of the template is missing.", "error"),
        GapKind::EmptySection => ("A section has no prose.", "error"),
        GapKind::PlaceholderSection => (
            "A section still holds the template's guidance text or only filler.",
            "error",
        ),
        GapKind::MissingField => ("A required header field is missing.", "error"),
        GapKind::EmptyField => ("A header field has no value.", "error"),
        GapKind::PlaceholderField => (
            "A header field still has the template's example value or only filler.",
            "error",
        ),
        GapKind::OutOfOrder => ("A section is not where the template puts it.", "warning"),
    };
    Rule {
        id: kind.as_str(),
        short_description: Text {
            text: description.to_string(),
        },
        default_configuration: Configuration { level },
    }
}

fn result_of(path: &str, gap: &Gap) -> SarifResult {
    SarifResult {
        rule_id: gap.kind.as_str(),
        rule_index: RULES.iter().position(|&k| k == gap.kind).unwrap_or(0),
        level: match gap.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        },
        message: Text {
            text: gap.message.clone(),
        },
        locations: [location(path, Some(gap.line))],
    }
}

fn location(path: &str, line: Option<usize>) -> Location {
    Location {
        physical_location: PhysicalLocation {
            artifact_location: ArtifactLocation {
                uri: relative_uri(path),
                uri_base_id: "%SRCROOT%",
            },
            region: line.map(|start_line| Region {
                start_line: start_line.max(1),
            }),
        },
    }
}

/// A repository-relative path as a relative URI reference: each segment percent-encoded, `/`
/// kept as the separator.
fn relative_uri(path: &str) -> String {
    path.trim_start_matches("./")
        .split('/')
        .map(crate::uri::component)
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_relative_uri_references() {
        assert_eq!(
            relative_uri("./docs/design/a b#1.md"),
            "docs/design/a%20b%231.md"
        );
    }
}
