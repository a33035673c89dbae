//! `design-review audit`: who skipped, unskipped or re-requested reviews, and which commands were
//! refused or invalid.

use std::process::ExitCode;

use anyhow::{Context, anyhow};
use chrono::{DateTime, NaiveDate, Utc};
use secrecy::ExposeSecret;

use crate::store::{self, AuditEntry, AuditFilter};

use super::ListFormat;
use crate::config::settings::DatabaseArgs;

/// Flags of `design-review audit`.
#[derive(Debug, clap::Args)]
pub struct AuditArgs {
    #[command(flatten)]
    pub db: DatabaseArgs,
    /// Only this repository (OWNER/NAME).
    #[arg(long, value_name = "OWNER/NAME")]
    pub repo: Option<String>,
    /// Only entries at or after DATE: `2026-01-31` (midnight UTC) or RFC 3339
    /// (`2026-01-31T12:00:00Z`).
    #[arg(long, value_name = "DATE", value_parser = parse_since)]
    pub since: Option<DateTime<Utc>>,
    /// `text`: aligned columns (`table` is accepted too); `json`: one array of entries.
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
}

/// Lists the audit log, oldest first.
pub fn run(args: AuditArgs) -> ExitCode {
    match list(args) {
        Ok(out) => {
            print!("{out}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("design-review: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn list(args: AuditArgs) -> anyhow::Result<String> {
    if let Some(repo) = &args.repo
        && crate::domain::RepoName::parse(repo).is_none()
    {
        return Err(anyhow!("--repo must be OWNER/NAME, got `{repo}`"));
    }
    let runtime = tokio::runtime::Runtime::new().context("starting the runtime")?;
    let entries = runtime.block_on(async {
        let store = store::connect_existing(args.db.database_url.expose_secret()).await?;
        store
            .list_audit(&AuditFilter {
                repo: args.repo.clone(),
                since: args.since,
                limit: 0,
            })
            .await
    })?;
    Ok(match args.format {
        ListFormat::Json => format!("{}\n", serde_json::to_string_pretty(&entries)?),
        ListFormat::Text => table(&entries),
    })
}

/// `2026-01-31` (midnight UTC) or an RFC 3339 timestamp.
fn parse_since(text: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(at.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|at| at.and_utc())
        .ok_or_else(|| format!("`{text}` is neither YYYY-MM-DD nor an RFC 3339 timestamp"))
}

/// Aligned columns with a header; the command (free text) comes last.
fn table(entries: &[AuditEntry]) -> String {
    if entries.is_empty() {
        return "No audit entries.\n".to_string();
    }
    let header = [
        "WHEN (UTC)",
        "REPOSITORY",
        "PR",
        "HEAD",
        "ACTOR",
        "OUTCOME",
        "COMMAND",
    ];
    let rows: Vec<[String; 7]> = entries
        .iter()
        .map(|e| {
            [
                e.at.format("%Y-%m-%d %H:%M:%S").to_string(),
                e.repo.clone(),
                e.pr_number.to_string(),
                e.head_sha
                    .as_deref()
                    .map_or("-".to_string(), |s| s.chars().take(7).collect()),
                e.actor.clone(),
                one_line(&e.outcome.to_string()),
                one_line(&e.command),
            ]
        })
        .collect();
    let mut widths = header.map(|h| h.chars().count());
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let mut out = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                out.push_str(cell);
            } else {
                let pad = widths[i] - cell.chars().count();
                out.push_str(cell);
                out.push_str(&" ".repeat(pad + 2));
            }
        }
        out.trim_end().to_string() + "\n"
    };
    let mut out = line(&header.map(String::from));
    for row in &rows {
        out.push_str(&line(row));
    }
    out
}

/// Control characters (a newline in a stored command) would break the columns.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(actor: &str, outcome: &str) -> AuditEntry {
        AuditEntry {
            at: parse_since("2026-03-01T10:00:00Z").expect("valid"),
            repo: "acme/widgets".into(),
            pr_number: crate::domain::PrNumber(7),
            head_sha: Some("0123456789abcdef".into()),
            actor: actor.into(),
            command: "/design-review skip docs\nonly".into(),
            reason: Some("docs only".into()),
            outcome: outcome.parse().expect("an outcome"),
        }
    }

    #[test]
    fn dates_and_timestamps_are_accepted() {
        assert_eq!(
            parse_since("2026-03-01").expect("date").to_rfc3339(),
            "2026-03-01T00:00:00+00:00"
        );
        assert_eq!(
            parse_since("2026-03-01T12:00:00+02:00")
                .expect("timestamp")
                .to_rfc3339(),
            "2026-03-01T10:00:00+00:00"
        );
        assert!(parse_since("yesterday").is_err());
    }

    #[test]
    fn table_columns_line_up() {
        let out = table(&[
            entry("bob", "done"),
            entry("a-much-longer-login", "refused: x"),
        ]);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 3);
        let outcome_at = lines[0].find("OUTCOME").expect("header");
        assert_eq!(lines[1].find("done"), Some(outcome_at));
        assert_eq!(lines[2].find("refused"), Some(outcome_at));
        assert!(lines[1].contains("0123456"));
        assert!(!lines[1].contains("01234567"));
        assert!(lines[1].ends_with("/design-review skip docs only"));
    }
}
