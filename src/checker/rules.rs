//! Template rules: what the Markdown of a template cannot say by itself (optional sections,
//! aliases, which header fields are required, placeholder settings). Given in a YAML side
//! file next to a template (`NAME.rules.yml`) or under `templates:` in the repository config.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Default similarity at or above which a section body counts as the template's guidance.
pub const DEFAULT_PLACEHOLDER_THRESHOLD: f64 = 0.8;

/// Default filler phrases: a section or field containing only these is a placeholder.
pub const DEFAULT_FILLER_WORDS: &[&str] = &[
    "TODO",
    "TBD",
    "TBC",
    "TBA",
    "FIXME",
    "XXX",
    "WIP",
    "N/A",
    "to do",
    "to be done",
    "to be defined",
    "to be determined",
    "to be decided",
    "fill me in",
    "coming soon",
    "lorem ipsum",
];

/// Rules for one template. Every key is optional; section and field names are matched the
/// tolerant way headings are (case, punctuation, numbering do not matter).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateRules {
    /// Sections that may be left out (in addition to headings marked `(optional)`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub optional: Vec<String>,
    /// Other headings accepted for a section: `{"Rationale and alternatives": ["Alternatives"]}`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub aliases: BTreeMap<String, Vec<String>>,
    /// Header fields that must be filled in. When absent, every template field without
    /// sub-fields is required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required_fields: Option<Vec<String>>,
    /// Sections required only for one type of doc: `{"system design": ["Domain Model"]}`.
    /// Adds to the blocks the template itself introduces with
    /// "For System design doc, include the following sub-sections".
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub only_for: BTreeMap<String, Vec<String>>,
    /// Similarity (0.0 to 1.0) at or above which a body is the template's guidance text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placeholder_threshold: Option<f64>,
    /// Filler phrases that do not count as content (replaces the default list).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filler_words: Option<Vec<String>>,
    /// Report a section written only through its sub-sections (`## Goals` and `## Non-Goals`
    /// for the template's `## Requirements` › `### Goals`, `### Non-Goals`) as missing. Off by
    /// default: the content is there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strict_structure: Option<bool>,
}

impl TemplateRules {
    /// Parses a rules side file.
    pub fn from_yaml(yaml: &str) -> Result<Self, serde_yaml_ng::Error> {
        if yaml.trim().is_empty() {
            return Ok(Self::default());
        }
        serde_yaml_ng::from_str(yaml)
    }

    /// `self` layered over `base`: lists and maps are combined, scalars from `self` win.
    pub fn merged_over(self, base: &TemplateRules) -> TemplateRules {
        let mut optional = base.optional.clone();
        optional.extend(self.optional);
        let mut aliases = base.aliases.clone();
        for (section, names) in self.aliases {
            aliases.entry(section).or_default().extend(names);
        }
        let mut only_for = base.only_for.clone();
        for (kind, names) in self.only_for {
            only_for.entry(kind).or_default().extend(names);
        }
        TemplateRules {
            optional,
            aliases,
            required_fields: self
                .required_fields
                .or_else(|| base.required_fields.clone()),
            only_for,
            placeholder_threshold: self.placeholder_threshold.or(base.placeholder_threshold),
            filler_words: self.filler_words.or_else(|| base.filler_words.clone()),
            strict_structure: self.strict_structure.or(base.strict_structure),
        }
    }

    /// The threshold in effect.
    pub fn threshold(&self) -> f64 {
        self.placeholder_threshold
            .unwrap_or(DEFAULT_PLACEHOLDER_THRESHOLD)
    }

    /// The filler phrases in effect.
    pub fn filler(&self) -> Vec<String> {
        match &self.filler_words {
            Some(words) => words.clone(),
            None => DEFAULT_FILLER_WORDS.iter().map(|w| w.to_string()).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_combines_lists_and_prefers_overrides() {
        let base = TemplateRules::from_yaml("optional: [A]\nplaceholder_threshold: 0.7").unwrap();
        let top = TemplateRules::from_yaml("optional: [B]\nfiller_words: [TBD]").unwrap();
        let merged = top.merged_over(&base);
        assert_eq!(merged.optional, ["A", "B"]);
        assert_eq!(merged.threshold(), 0.7);
        assert_eq!(merged.filler(), ["TBD"]);
    }

    #[test]
    fn unknown_keys_are_rejected() {
        assert!(TemplateRules::from_yaml("optionals: [A]").is_err());
    }
}
