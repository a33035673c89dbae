//! A template parsed into what docs are checked against: its title, section tree (with each
//! section's guidance text) and header fields, with the template's rules applied.

use std::collections::HashMap;

use rustc_hash::FxHashMap;

use thiserror::Error;

use super::forms::{before_subtitle, loose_key};
use super::gaps::message;
use super::normalize::{doc_type_key, heading_key, label_key, words_joined};
use super::outline::{self, ScanOptions};
use super::rules::TemplateRules;
use super::similarity::{Filler, Guidance, WordSet};

/// Why a template cannot be used.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum TemplateError {
    #[error(
        "template {name}: no Markdown headings found, so there are no sections to check against"
    )]
    NoHeadings { name: String },
    #[error(
        "template {name}: rule `{rule}` names section \"{section}\", which is not in the template"
    )]
    UnknownSection {
        name: String,
        rule: &'static str,
        section: String,
    },
    #[error(
        "template {name}: `required_fields` names \"{field}\", which is not a header field of the template"
    )]
    UnknownField { name: String, field: String },
    #[error("template {name}: placeholder threshold {value} is not between 0 and 1")]
    InvalidThreshold { name: String, value: f64 },
}

/// One section of a template.
#[derive(Debug, Clone)]
pub struct TemplateSection {
    /// Heading text as written in the template (plain text).
    pub heading: String,
    pub level: u8,
    /// Index of the enclosing section.
    pub parent: Option<usize>,
    /// Marked `(optional)` or listed under `optional` in the rules, or inside such a section.
    pub optional: bool,
    /// Required only for docs of this type (normalised, e.g. `system design`).
    pub only_for: Option<String>,
    /// The template's own body text under the heading (comments excluded).
    pub guidance: String,
    /// 1-based line in the template.
    pub line: usize,
    pub(crate) keys: Vec<String>,
    /// [`loose_key`] of the heading's own key: what a doc heading is compared with to tell a
    /// near miss.
    pub(crate) loose: String,
    /// The guidance's words, compared with a doc body to tell text left unchanged.
    pub(crate) guidance_words: Guidance,
    /// The guidance's first sentence as gap messages quote it ([`message::hint`]).
    pub(crate) hint: String,
}

/// One header field of a template (`- **Author(s):** Mary Smith`).
#[derive(Debug, Clone)]
pub struct TemplateField {
    pub label: String,
    /// The template's example value or guidance (`Mary Smith`).
    pub example: String,
    /// Index of the field this one is nested under (`Required Reviewers`).
    pub parent: Option<usize>,
    pub required: bool,
    /// Written as `**Label:**` in the template.
    pub bold: bool,
    /// A row of a header table (`| **Sponsor** | A N Expert |`) rather than a list item.
    pub table: bool,
    pub(crate) key: String,
    pub(crate) example_words: WordSet,
    /// [`words_joined`] of the example, compared with doc values.
    pub(crate) example_key: String,
}

/// A parsed template, ready to check docs against.
#[derive(Debug, Clone)]
pub struct Template {
    pub name: String,
    /// The template's title heading (not a section).
    pub title: Option<String>,
    pub sections: Vec<TemplateSection>,
    pub fields: Vec<TemplateField>,
    /// Similarity at or above which a body is the guidance text.
    pub threshold: f64,
    /// A section written only through its sub-sections is reported missing (the
    /// `strict_structure` rule); otherwise its sub-sections stand for it.
    pub strict_structure: bool,
    pub(crate) filler: Filler,
    /// Sections by key; looked up for every heading of every doc, hence the fast hasher (keys
    /// come from the template, not from untrusted input).
    pub(crate) by_key: FxHashMap<String, Vec<usize>>,
    /// Sections by the [`loose_key`] of each key and of the part of the heading before a
    /// subtitle; a loose key shared by sections with different headings is left out, as it
    /// cannot say which one a doc heading means.
    pub(crate) by_loose: FxHashMap<String, Vec<usize>>,
    /// The most words of a key in `by_loose`, and the first bytes of those keys: reducing a key
    /// keeps its words and each word's first letter, so a heading with more words or another
    /// first letter has no loose match and need not be reduced.
    pub(crate) loose_max_words: usize,
    pub(crate) loose_initials: Vec<u8>,
    /// Normalised "For X doc, include the following sub-sections" paragraphs.
    pub(crate) boilerplate: Vec<String>,
    /// Per section, how many bytes of a doc body to keep for the placeholder comparison.
    pub(crate) sample_limits: Vec<usize>,
}

impl Template {
    /// Parses a Markdown template and applies `rules`.
    pub fn parse(
        name: &str,
        markdown: &str,
        rules: &TemplateRules,
    ) -> Result<Template, TemplateError> {
        let out = scan_template(markdown);
        let Some(title) = find_title(&out) else {
            return Err(TemplateError::NoHeadings {
                name: name.to_string(),
            });
        };
        let has_title = title.is_some();
        let (sections, boilerplate) =
            build_sections(&out.headings[usize::from(has_title)..], &out.samples);
        let mut template = Template {
            name: name.to_string(),
            title,
            sections,
            fields: build_fields(&out.fields, has_title),
            threshold: rules.threshold(),
            strict_structure: rules.strict_structure.unwrap_or(false),
            filler: Filler::new(&rules.filler()),
            by_key: FxHashMap::default(),
            by_loose: FxHashMap::default(),
            loose_max_words: 0,
            loose_initials: Vec::new(),
            boilerplate,
            sample_limits: Vec::new(),
        };
        template.apply_rules(rules)?;
        template.inherit_optional();
        template.build_indexes();
        Ok(template)
    }

    /// Marks what an optional section holds as optional too (a parent comes before its
    /// children, so one pass reaches every depth).
    fn inherit_optional(&mut self) {
        for i in 0..self.sections.len() {
            if let Some(p) = self.sections[i].parent
                && self.sections[p].optional
            {
                self.sections[i].optional = true;
            }
        }
    }

    /// Fills the lookups a check uses: sections by key and by loose key, and per-section
    /// sample limits.
    fn build_indexes(&mut self) {
        for (i, s) in self.sections.iter().enumerate() {
            for key in &s.keys {
                self.by_key.entry(key.clone()).or_default().push(i);
            }
        }
        self.by_loose = loose_index(&self.sections);
        self.loose_max_words = self
            .by_loose
            .keys()
            .map(|k| k.split(' ').count())
            .max()
            .unwrap_or(0);
        self.loose_initials = self
            .by_loose
            .keys()
            .filter_map(|k| k.bytes().next())
            .collect();
        self.loose_initials.sort_unstable();
        self.loose_initials.dedup();
        self.sample_limits = self.sections.iter().map(sample_limit).collect();
    }

    fn apply_rules(&mut self, rules: &TemplateRules) -> Result<(), TemplateError> {
        let threshold = rules.threshold();
        if !(0.0..=1.0).contains(&threshold) || threshold.is_nan() {
            return Err(TemplateError::InvalidThreshold {
                name: self.name.clone(),
                value: threshold,
            });
        }
        for name in &rules.optional {
            let i = self.section_named(name, "optional")?;
            self.sections[i].optional = true;
        }
        for (name, aliases) in &rules.aliases {
            let i = self.section_named(name, "aliases")?;
            self.sections[i]
                .keys
                .extend(aliases.iter().map(|a| heading_key(a)));
        }
        for (kind, names) in &rules.only_for {
            for name in names {
                let i = self.section_named(name, "only_for")?;
                self.sections[i].only_for = Some(doc_type_key(kind));
            }
        }
        let has_children: Vec<bool> = (0..self.fields.len())
            .map(|i| self.fields.iter().any(|f| f.parent == Some(i)))
            .collect();
        match &rules.required_fields {
            None => {
                for (f, parent) in self.fields.iter_mut().zip(has_children) {
                    f.required = !parent;
                }
            }
            Some(names) => {
                for name in names {
                    let key = label_key(name);
                    let Some(f) = self.fields.iter_mut().find(|f| f.key == key) else {
                        return Err(TemplateError::UnknownField {
                            name: self.name.clone(),
                            field: name.clone(),
                        });
                    };
                    f.required = true;
                }
            }
        }
        Ok(())
    }

    fn section_named(&self, name: &str, rule: &'static str) -> Result<usize, TemplateError> {
        let key = heading_key(name);
        self.sections
            .iter()
            .position(|s| s.keys[0] == key)
            .ok_or_else(|| TemplateError::UnknownSection {
                name: self.name.clone(),
                rule,
                section: name.to_string(),
            })
    }

    /// Document types that make some sections required (e.g. `system design`).
    pub fn doc_types(&self) -> Vec<&str> {
        let mut kinds: Vec<&str> = self
            .sections
            .iter()
            .filter_map(|s| s.only_for.as_deref())
            .collect();
        kinds.dedup();
        kinds
    }
}

/// Scans a template's Markdown (without a byte-order mark), keeping its prose whole.
fn scan_template(markdown: &str) -> outline::Outline {
    let markdown = markdown.strip_prefix('\u{feff}').unwrap_or(markdown);
    outline::scan(
        markdown,
        &ScanOptions {
            sample_limit: &|_| usize::MAX,
            boilerplate: &[],
            keep_prose: true,
            paragraph_fields: false,
        },
    )
}

/// The template's title: `None` when it has no headings at all, `Some(None)` when its first
/// heading is a section rather than a title.
fn find_title(out: &outline::Outline) -> Option<Option<String>> {
    let first = out.headings.first()?;
    let h1_count = out.headings.iter().filter(|h| h.level == 1).count();
    let has_title = first.level == 1
        && out.headings.len() > 1
        && (h1_count == 1 || !first.body.prose_outside_lists);
    Some(has_title.then(|| first.text.to_string()))
}

/// Builds the section tree from the headings after the title, with the "For X doc" markers
/// found in their bodies (returned as boilerplate to strip from docs).
/// `samples` are the outline's, which the headings' bodies keep their text in.
fn build_sections(
    headings: &[outline::Heading],
    samples: &str,
) -> (Vec<TemplateSection>, Vec<String>) {
    let mut sections: Vec<TemplateSection> = Vec::new();
    let mut stack: Vec<usize> = Vec::new();
    let mut boilerplate = Vec::new();
    let mut conditional: Option<(u8, String)> = None;
    for h in headings {
        while stack.last().is_some_and(|&p| sections[p].level >= h.level) {
            stack.pop();
        }
        if conditional
            .as_ref()
            .is_some_and(|(level, _)| h.level < *level)
        {
            conditional = None;
        }
        let only_for = conditional
            .as_ref()
            .filter(|(level, _)| h.level == *level)
            .map(|(_, kind)| kind.clone());
        let (section, marker) = build_section(h, samples, stack.last().copied(), only_for);
        if let Some((marker, kind)) = marker {
            boilerplate.push(marker);
            conditional = Some((h.level, kind));
        }
        sections.push(section);
        stack.push(sections.len() - 1);
    }
    (sections, boilerplate)
}

/// One section from its heading, with the conditional marker (text and doc type) found in
/// its body, which is left out of the guidance words.
fn build_section(
    h: &outline::Heading,
    samples: &str,
    parent: Option<usize>,
    only_for: Option<String>,
) -> (TemplateSection, Option<(String, String)>) {
    let text = h.body.text(samples);
    let mut normalized = words_joined(text);
    let mut prose = words_joined(&h.body.prose);
    let marker = find_conditional_marker(&normalized);
    if let Some((marker, _)) = &marker {
        normalized = normalized.replace(marker, " ");
        prose = prose.replace(marker, " ");
    }
    let guidance = collapse_ws(text);
    let hint = message::hint(&guidance);
    let section = TemplateSection {
        heading: h.text.to_string(),
        level: h.level,
        parent,
        optional: h.text.to_lowercase().contains("(optional)"),
        only_for,
        guidance,
        hint,
        line: h.line,
        keys: vec![h.key.to_string()],
        loose: loose_key(&h.key),
        guidance_words: Guidance::new(&normalized, &prose),
    };
    (section, marker)
}

/// The template's header fields; without a title, fields after the first heading belong to
/// a section's body, not the header.
fn build_fields(raw: &[outline::RawField], has_title: bool) -> Vec<TemplateField> {
    let mut fields: Vec<TemplateField> = Vec::new();
    let mut index_map: HashMap<usize, usize> = HashMap::new();
    for (i, f) in raw.iter().enumerate() {
        if f.after_first_heading && !has_title {
            continue;
        }
        index_map.insert(i, fields.len());
        fields.push(TemplateField {
            label: f.label.clone(),
            example: f.value.clone(),
            parent: f.parent.and_then(|p| index_map.get(&p).copied()),
            required: false,
            bold: f.bold,
            table: f.table,
            key: label_key(&f.label),
            example_words: WordSet::of(&f.value),
            example_key: words_joined(&f.value),
        });
    }
    fields
}

/// How many bytes of a doc body to keep for comparing with this section's guidance: enough
/// to cover twice the guidance, and a fixed margin.
fn sample_limit(s: &TemplateSection) -> usize {
    if s.guidance_words.is_empty() {
        256
    } else {
        s.guidance.len() * 2 + 256
    }
}

/// The sections by the loose key of each of their keys and of their heading's text before a
/// subtitle, without the loose keys that would not say which section is meant.
fn loose_index(sections: &[TemplateSection]) -> FxHashMap<String, Vec<usize>> {
    let mut index: FxHashMap<String, Vec<usize>> = FxHashMap::default();
    for (i, s) in sections.iter().enumerate() {
        let before = before_subtitle(&s.heading).map(heading_key);
        for key in s.keys.iter().chain(&before) {
            let sections = index.entry(loose_key(key)).or_default();
            if !sections.contains(&i) {
                sections.push(i);
            }
        }
    }
    index.retain(|_, found| {
        found
            .iter()
            .all(|&i| sections[i].keys[0] == sections[found[0]].keys[0])
    });
    index
}

/// Finds "for X doc(s), include the following sub-sections" in a normalised body; returns the
/// normalised marker and the doc type `X`.
fn find_conditional_marker(normalized: &str) -> Option<(String, String)> {
    let pos = normalized.find("include the following")?;
    let after = &normalized[pos + "include the following".len()..];
    let tail = ["sub sections", "subsections", "sections"]
        .iter()
        .find(|t| after.trim_start().starts_with(*t))?;
    let end =
        pos + "include the following".len() + (after.len() - after.trim_start().len()) + tail.len();
    let before = &normalized[..pos];
    let for_at = before.rfind("for ")?;
    if before[for_at..].split(' ').count() > 8 || (for_at > 0 && !before[..for_at].ends_with(' ')) {
        return None;
    }
    let kind = doc_type_key(&before[for_at + 4..]);
    if kind.is_empty() {
        return None;
    }
    Some((normalized[for_at..end].to_string(), kind))
}

fn collapse_ws(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marker_is_found_with_its_doc_type() {
        let (marker, kind) = find_conditional_marker(
            "explicitly list them for system design doc include the following sub sections",
        )
        .unwrap();
        assert_eq!(kind, "system design");
        assert_eq!(
            marker,
            "for system design doc include the following sub sections"
        );
    }

    #[test]
    fn no_headings_is_an_error() {
        let err = Template::parse("t", "just text\n", &TemplateRules::default()).unwrap_err();
        assert!(matches!(err, TemplateError::NoHeadings { .. }));
    }
}
