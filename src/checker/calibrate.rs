//! Rules learned from a repository's existing docs: which headings its authors use for a
//! template section ("aliases"), which required sections most of them leave out (candidates for
//! `optional`), and which header fields nearly nobody fills in. Teams with years of docs adopt
//! the check with these rules instead of a wall of red on day one.
//!
//! Pure counting: the caller reads the docs (twice: once against the template as configured for
//! the aliases, once against the template with the suggested aliases for the rest, so that a
//! section an alias brings back is not also called optional).

use std::collections::BTreeMap;

use serde::Serialize;

use super::check::DocMatching;
use super::gaps::{GapKind, Severity};
use super::normalize::without_numbering;
use super::report::DocReport;
use super::rules::TemplateRules;
use super::template::Template;

/// An alias is suggested when at least this many docs use the heading for the section...
pub const MIN_ALIAS_DOCS: usize = 2;
/// ...and at least this share of the docs read do: a habit, not one author's choice.
pub const MIN_ALIAS_SHARE: f64 = 0.05;
/// A required section is an `optional` candidate when more than this share of the docs leave
/// it out.
pub const OPTIONAL_SHARE: f64 = 0.5;
/// A required header field is dropped from `required_fields` when at least this share of the
/// docs leave it out, empty or with the template's example.
pub const UNFILLED_FIELD_SHARE: f64 = 0.9;

/// A heading the docs use for a template section that the template does not accept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AliasSuggestion {
    /// The template's heading.
    pub section: String,
    /// The heading as most docs write it (without numbering).
    pub heading: String,
    /// Docs that use it for the section.
    pub docs: usize,
}

/// A section or field name with the number of docs a suggestion is based on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Counted {
    pub name: String,
    pub docs: usize,
}

/// Near misses counted over the docs, for the alias suggestions.
#[derive(Debug, Default)]
pub struct AliasTally {
    docs: usize,
    /// Per (template section, doc heading key): the docs and the spellings seen.
    pairs: BTreeMap<(usize, String), Spellings>,
}

/// How many docs wrote a heading, and in which spellings.
#[derive(Debug, Default)]
struct Spellings {
    docs: usize,
    forms: BTreeMap<String, usize>,
}

impl AliasTally {
    /// Counts one doc's near misses.
    pub fn add(&mut self, matching: &DocMatching) {
        self.docs += 1;
        for miss in &matching.near_misses {
            let heading = &matching.headings[miss.heading];
            let form = without_numbering(&heading.text)
                .trim()
                .trim_end_matches(':')
                .trim_end();
            let entry = self
                .pairs
                .entry((miss.section, heading.key.to_string()))
                .or_default();
            entry.docs += 1;
            *entry.forms.entry(form.to_string()).or_default() += 1;
        }
    }

    /// Docs counted.
    pub fn docs(&self) -> usize {
        self.docs
    }

    /// The aliases used by enough docs (see [`MIN_ALIAS_DOCS`], [`MIN_ALIAS_SHARE`]), most
    /// used first, then by section and heading. A heading offered for two sections goes to
    /// the one it is used for most (the template's first on a tie): one alias cannot stand
    /// for both.
    pub fn suggestions(&self, template: &Template) -> Vec<AliasSuggestion> {
        let mut best: BTreeMap<&str, (usize, usize, &Spellings)> = BTreeMap::new();
        for ((section, key), spellings) in &self.pairs {
            if !is_habit(spellings.docs, self.docs) {
                continue;
            }
            let better = best.get(key.as_str()).is_none_or(|&(s, docs, _)| {
                spellings.docs > docs || (spellings.docs == docs && *section < s)
            });
            if better {
                best.insert(key, (*section, spellings.docs, spellings));
            }
        }
        let mut out: Vec<AliasSuggestion> = best
            .into_values()
            .map(|(section, docs, spellings)| AliasSuggestion {
                section: template.sections[section].heading.clone(),
                heading: most_used(&spellings.forms),
                docs,
            })
            .collect();
        out.sort_by(|a, b| {
            b.docs
                .cmp(&a.docs)
                .then_with(|| a.section.cmp(&b.section))
                .then_with(|| a.heading.cmp(&b.heading))
        });
        out
    }
}

fn is_habit(docs: usize, of: usize) -> bool {
    docs >= MIN_ALIAS_DOCS && docs as f64 >= of as f64 * MIN_ALIAS_SHARE
}

/// The spelling used most, the first in text order on a tie.
fn most_used(forms: &BTreeMap<String, usize>) -> String {
    forms
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
        .map(|(form, _)| form.clone())
        .unwrap_or_default()
}

/// Gaps counted over the docs checked against the template with the suggested aliases, for
/// the `optional` and `required_fields` suggestions.
#[derive(Debug, Default)]
pub struct GapTally {
    docs: usize,
    /// Per template heading: docs missing it (required sections only).
    missing_sections: BTreeMap<String, usize>,
    /// Per field label: docs without a value of their own.
    unfilled_fields: BTreeMap<String, usize>,
}

impl GapTally {
    /// Counts one doc's gaps, each section or field once per doc.
    pub fn add(&mut self, report: &DocReport) {
        self.docs += 1;
        let mut sections: Vec<&str> = Vec::new();
        let mut fields: Vec<&str> = Vec::new();
        for gap in &report.gaps {
            let list = match gap.kind {
                GapKind::MissingSection if gap.severity == Severity::Error => &mut sections,
                GapKind::MissingField | GapKind::EmptyField | GapKind::PlaceholderField => {
                    &mut fields
                }
                _ => continue,
            };
            if !list.contains(&gap.section.as_str()) {
                list.push(&gap.section);
            }
        }
        for name in sections {
            *self.missing_sections.entry(name.to_string()).or_default() += 1;
        }
        for name in fields {
            *self.unfilled_fields.entry(name.to_string()).or_default() += 1;
        }
    }

    /// Required sections more than [`OPTIONAL_SHARE`] of the docs leave out, without those
    /// inside another such section (optional already with it).
    pub fn optional(&self, template: &Template) -> Vec<Counted> {
        let chosen = by_count(&self.missing_sections, |docs| {
            docs as f64 > self.docs as f64 * OPTIONAL_SHARE
        });
        let names: Vec<&str> = chosen.iter().map(|c| c.name.as_str()).collect();
        chosen
            .iter()
            .filter(|c| !inside_any(template, &c.name, &names))
            .cloned()
            .collect()
    }

    /// Required header fields at least [`UNFILLED_FIELD_SHARE`] of the docs leave unfilled.
    pub fn unfilled_fields(&self) -> Vec<Counted> {
        by_count(&self.unfilled_fields, |docs| {
            docs as f64 >= self.docs as f64 * UNFILLED_FIELD_SHARE
        })
    }
}

/// The names whose count passes `keep`, by count (highest first), then name.
fn by_count(counts: &BTreeMap<String, usize>, keep: impl Fn(usize) -> bool) -> Vec<Counted> {
    let mut out: Vec<Counted> = counts
        .iter()
        .filter(|&(_, &docs)| keep(docs))
        .map(|(name, &docs)| Counted {
            name: name.clone(),
            docs,
        })
        .collect();
    out.sort_by(|a, b| b.docs.cmp(&a.docs).then_with(|| a.name.cmp(&b.name)));
    out
}

/// True when every section headed `name` lies inside a section headed by one of `others`.
fn inside_any(template: &Template, name: &str, others: &[&str]) -> bool {
    let sections = &template.sections;
    let mut named = sections.iter().filter(|s| s.heading == name).peekable();
    named.peek().is_some()
        && named.all(|section| {
            let mut parent = section.parent;
            while let Some(p) = parent {
                if others.contains(&sections[p].heading.as_str()) {
                    return true;
                }
                parent = sections[p].parent;
            }
            false
        })
}

/// Everything suggested for one template.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Calibration {
    /// The template's name as the repository config keys its rules.
    pub template: String,
    /// Docs read.
    pub docs: usize,
    pub aliases: Vec<AliasSuggestion>,
    pub optional: Vec<Counted>,
    /// Required fields nearly nobody fills in.
    pub unfilled_fields: Vec<Counted>,
    /// The `required_fields` list without the unfilled ones; `None` when nothing is dropped.
    pub required_fields: Option<Vec<String>>,
}

impl Calibration {
    /// Puts the suggestions together; `template` is the one the second reading used.
    pub fn new(
        name: &str,
        template: &Template,
        aliases: Vec<AliasSuggestion>,
        gaps: &GapTally,
    ) -> Self {
        let unfilled_fields = gaps.unfilled_fields();
        let required_fields = (!unfilled_fields.is_empty()).then(|| {
            template
                .fields
                .iter()
                .filter(|f| f.required && !unfilled_fields.iter().any(|u| u.name == f.label))
                .map(|f| f.label.clone())
                .collect()
        });
        Self {
            template: name.to_string(),
            docs: gaps.docs,
            aliases,
            optional: gaps.optional(template),
            unfilled_fields,
            required_fields,
        }
    }

    /// True when there is nothing to suggest.
    pub fn is_empty(&self) -> bool {
        self.aliases.is_empty() && self.optional.is_empty() && self.required_fields.is_none()
    }

    /// The suggested aliases as template rules, to read the docs with them.
    pub fn alias_rules(aliases: &[AliasSuggestion]) -> TemplateRules {
        let mut rules = TemplateRules::default();
        for alias in aliases {
            rules
                .aliases
                .entry(alias.section.clone())
                .or_default()
                .push(alias.heading.clone());
        }
        rules
    }
}

/// The suggestions as YAML to paste into `.github/design-review.yml`, each rule under a `#`
/// comment giving its counts; a plain comment when there is nothing to suggest.
pub fn render_yaml(calibrations: &[Calibration]) -> String {
    let mut out = String::new();
    let suggesting: Vec<&Calibration> = calibrations.iter().filter(|c| !c.is_empty()).collect();
    for quiet in calibrations.iter().filter(|c| c.is_empty()) {
        out.push_str(&format!(
            "# Nothing to suggest for {} from {}: no alias, optional section or header-field \
             change is needed.\n",
            quote(&quiet.template),
            docs(quiet.docs)
        ));
    }
    if suggesting.is_empty() {
        return out;
    }
    out.push_str(
        "# Suggested rules, learned from the existing docs. Paste into \
         .github/design-review.yml\n# (merge by hand with a `templates:` key already there).\n",
    );
    out.push_str("templates:\n");
    for calibration in suggesting {
        render_template(calibration, &mut out);
    }
    out
}

fn render_template(c: &Calibration, out: &mut String) {
    out.push_str(&format!(
        "  # {} read against this template.\n  {}:\n",
        docs(c.docs),
        quote(&c.template)
    ));
    if !c.aliases.is_empty() {
        out.push_str("    aliases:\n");
        let mut sections: Vec<&str> = Vec::new();
        for alias in &c.aliases {
            if !sections.contains(&alias.section.as_str()) {
                sections.push(&alias.section);
            }
        }
        for section in sections {
            let used: Vec<&AliasSuggestion> =
                c.aliases.iter().filter(|a| a.section == section).collect();
            for alias in &used {
                out.push_str(&format!(
                    "      # {} used for {} in {} of {} docs.\n",
                    comment_quote(&alias.heading),
                    comment_quote(&alias.section),
                    alias.docs,
                    c.docs
                ));
            }
            let headings: Vec<String> = used.iter().map(|a| quote(&a.heading)).collect();
            out.push_str(&format!(
                "      {}: [{}]\n",
                quote(section),
                headings.join(", ")
            ));
        }
    }
    if !c.optional.is_empty() {
        out.push_str("    optional:\n");
        for section in &c.optional {
            out.push_str(&format!(
                "      # {} left out of {} of {} docs.\n      - {}\n",
                comment_quote(&section.name),
                section.docs,
                c.docs,
                quote(&section.name)
            ));
        }
    }
    if let Some(required) = &c.required_fields {
        for field in &c.unfilled_fields {
            out.push_str(&format!(
                "    # Header field {} missing, empty or the template's example in {} of {} \
                 docs: no longer required.\n",
                comment_quote(&field.name),
                field.docs,
                c.docs
            ));
        }
        let names: Vec<String> = required.iter().map(|f| quote(f)).collect();
        out.push_str(&format!("    required_fields: [{}]\n", names.join(", ")));
    }
}

/// A YAML double-quoted scalar (JSON's string syntax is a subset of it).
fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// A name inside a `#` comment: single-quoted, on one line.
fn comment_quote(s: &str) -> String {
    let flat: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    format!("'{flat}'")
}

fn docs(n: usize) -> String {
    if n == 1 {
        "1 doc".to_string()
    } else {
        format!("{n} docs")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checker::{check, match_doc};

    fn template(rules: &TemplateRules) -> Template {
        let markdown = "- Owner: (your name)\n- Ticket: ABC-0000\n\n# Summary\n\nWhat.\n\n\
                        # Alternatives considered\n\nWhat else.\n\n# Rollout\n\nHow.\n\n\
                        ## Rollback\n\nUndo.\n";
        Template::parse("t", markdown, rules).unwrap()
    }

    #[test]
    fn an_alias_is_a_habit_of_two_docs_and_five_percent() {
        assert!(is_habit(2, 40));
        assert!(!is_habit(2, 41));
        assert!(!is_habit(1, 2));
        assert!(is_habit(3, 41));
    }

    #[test]
    fn counts_lead_to_rules_at_the_documented_shares() {
        let t = template(&TemplateRules::default());
        let with = "- Owner: Ann\n- Ticket: ABC-0000\n\n# Summary\n\nA.\n\n# Alternatives\n\nB.\n";
        let without = "- Owner: Bo\n- Ticket: ABC-123\n\n# Summary\n\nA.\n\n# Alternatives considered\n\nB.\n\n\
                       # Rollout\n\nC.\n\n## Rollback\n\nD.\n";
        let mut aliases = AliasTally::default();
        for doc in [with, with, without] {
            aliases.add(&match_doc(doc, &t));
        }
        let suggested = aliases.suggestions(&t);
        assert_eq!(
            suggested,
            [AliasSuggestion {
                section: "Alternatives considered".into(),
                heading: "Alternatives".into(),
                docs: 2,
            }]
        );
        // The rest is counted with the suggested aliases, as the docs will be checked.
        let t = template(&Calibration::alias_rules(&suggested));
        let mut gaps = GapTally::default();
        for doc in [with, with, without] {
            gaps.add(&check(doc, &t));
        }
        // "Rollback" is missing only because "Rollout" is: it is optional with it.
        assert_eq!(
            gaps.optional(&t),
            [Counted {
                name: "Rollout".into(),
                docs: 2,
            }]
        );
        // Two unfilled of three is under 90 %.
        assert_eq!(gaps.unfilled_fields(), []);
        for _ in 0..7 {
            gaps.add(&check(with, &t));
        }
        assert_eq!(gaps.docs, 10);
        assert_eq!(
            gaps.unfilled_fields(),
            [Counted {
                name: "Ticket".into(),
                docs: 9,
            }]
        );
    }
}
