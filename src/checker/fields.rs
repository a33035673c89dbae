//! Header fields of a doc and what the App needs from them: the people and teams named in
//! reviewer fields, and the services listed under "Services Affected".

use serde::{Deserialize, Serialize};

use crate::domain::{Login, TeamSlug};

use super::normalize::label_key;

/// A `Label: value` header field of a doc.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocField {
    pub label: String,
    /// Plain text of the value (Markdown markers removed).
    pub value: String,
    pub line: usize,
    /// Label of the field this one is nested under (`Required Reviewers`).
    pub parent: Option<String>,
}

/// A user or team @-mentioned in a reviewer field.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Mention {
    User { login: Login },
    Team { team: TeamSlug },
}

/// A mention together with where it was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewerMention {
    pub mention: Mention,
    /// Label of the field it was in (`Technical Expert(s)`).
    pub field: String,
    pub line: usize,
}

/// Words that make a label a reviewer field.
const REVIEWER_WORDS: &[&str] = &["reviewer", "owner", "expert", "stakeholder", "approver"];

/// True for fields whose mentions are people to request reviews from: fields under a
/// `Reviewers`/`Required Reviewers` parent, or labelled with reviewer/owner/expert/stakeholder.
/// `key` is the field's label as [`label_key`] normalises it (the caller has it already);
/// `parent` is the parent field's label as written.
pub fn is_reviewer_field(key: &str, parent: Option<&str>) -> bool {
    let reviewer_words = |key: &str| key.split(' ').any(|w| REVIEWER_WORDS.contains(&w));
    reviewer_words(key) || parent.is_some_and(|p| reviewer_words(&label_key(p)))
}

/// `@login` and `@org/team` mentions in `text` (not e-mail addresses).
pub fn mentions(text: &str) -> Vec<Mention> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while let Some(at) = text[i..].find('@').map(|p| p + i) {
        i = at + 1;
        if at > 0
            && (bytes[at - 1].is_ascii_alphanumeric()
                || matches!(bytes[at - 1], b'_' | b'.' | b'-' | b'/'))
        {
            continue;
        }
        let login_len = bytes[at + 1..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'-')
            .count();
        if login_len == 0 || login_len > 39 || bytes[at + 1] == b'-' {
            continue;
        }
        let login = &text[at + 1..at + 1 + login_len];
        let mut end = at + 1 + login_len;
        let login = login.trim_end_matches('-');
        if bytes.get(end) == Some(&b'/') {
            let slug_len = bytes[end + 1..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || matches!(**b, b'-' | b'_' | b'.'))
                .count();
            let slug = text[end + 1..end + 1 + slug_len].trim_end_matches('.');
            if !slug.is_empty() {
                found.push(Mention::Team {
                    team: TeamSlug {
                        org: login.to_string(),
                        slug: slug.to_string(),
                    },
                });
                end += 1 + slug_len;
                i = end;
                continue;
            }
        }
        found.push(Mention::User {
            login: Login(login.to_string()),
        });
        i = end;
    }
    found
}

/// Service names from the entries of a "Services Affected" body: the part of each list item
/// (or comma-separated piece) before a `:`, ` - ` or `(`, lower-cased and trimmed.
pub fn services(entries: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for entry in entries {
        let mut name = entry.as_str();
        for sep in [":", " - ", " – ", " — ", "(", " ("] {
            if let Some(i) = name.find(sep) {
                name = &name[..i];
            }
        }
        let name = name
            .trim()
            .trim_matches(|c: char| !c.is_alphanumeric())
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase();
        if !name.is_empty() && name.len() <= 80 && !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_users_and_teams_but_not_emails() {
        let m = mentions("@alice, @acme/payments-owners and bob@example.com (@carol-x).");
        assert_eq!(
            m,
            [
                Mention::User {
                    login: Login("alice".into())
                },
                Mention::Team {
                    team: TeamSlug {
                        org: "acme".into(),
                        slug: "payments-owners".into()
                    }
                },
                Mention::User {
                    login: Login("carol-x".into())
                },
            ]
        );
    }

    #[test]
    fn reviewer_fields_by_label_or_parent() {
        assert!(is_reviewer_field(&label_key("Service Owner(s)"), None));
        assert!(is_reviewer_field(
            &label_key("Design lead"),
            Some("Required Reviewers")
        ));
        assert!(!is_reviewer_field(&label_key("Author(s)"), None));
    }

    #[test]
    fn service_names_are_normalised() {
        let entries = [
            "`Payments`: new endpoint".to_string(),
            "ledger (read only)".into(),
            "cards, ".into(),
        ];
        assert_eq!(services(&entries), ["payments", "ledger", "cards"]);
    }
}
