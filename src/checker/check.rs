//! Checking one doc against a template: one outline pass, then matching and gap rules.

use super::fields::{self, DocField, ReviewerMention};
use super::gaps::{Gap, GapKind, Severity, message};
use super::matching::{Candidates, match_sections, out_of_order, subtree_ends};
use super::normalize::{doc_type_key, label_key, words_joined};
use super::outline::{self, Heading, Outline, SERVICES_KEYS, ScanOptions};
use super::report::DocReport;
use super::similarity::WordSet;
use super::template::Template;

/// Labels that declare the doc's type (`- **Type:** system design`).
const TYPE_LABELS: &[&str] = &["type", "doc type", "document type", "design type", "kind"];

/// What a heading's own body (up to the next heading) holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BodyState {
    Empty,
    Filler,
    Guidance,
    Content,
}

/// Checks `doc` against `template`. Pure: no I/O, never panics on any input.
pub fn check(doc: &str, template: &Template) -> DocReport {
    let doc = doc.strip_prefix('\u{feff}').unwrap_or(doc);
    // The template-key look-up that sizes each heading's sample also records which sections
    // the heading may stand for, so matching does not look the keys up again.
    let candidates = std::cell::RefCell::new(Candidates::default());
    let limit = |heading: usize, key: &str, parts: &[String]| {
        candidates.borrow_mut().add(template, heading, key, parts)
    };
    let mut out = outline::scan(
        doc,
        &ScanOptions {
            sample_limit: &limit,
            boilerplate: &template.boilerplate,
            keep_prose: false,
            // Only the title's text is read.
            keep_heading_text: false,
            paragraph_fields: true,
        },
    );
    let lines = out.lines.max(1);
    let clamp = |line: usize| line.clamp(1, lines);

    let title = out
        .headings
        .first()
        .filter(|h| h.level == 1 && !template.by_key.contains_key(&h.key))
        .map(|_| 0usize);
    let doc_fields = doc_fields(&mut out, title.is_some());
    // Each field's normalised label, once: the type, the field rules and the reviewer fields
    // all compare labels.
    let field_keys: Vec<String> = doc_fields.iter().map(|f| label_key(&f.label)).collect();
    let doc_type = declared_type(&out, &doc_fields, &field_keys);

    let ends = subtree_ends(&out.headings);
    let matched = match_sections(
        template,
        &out.headings,
        &ends,
        title,
        candidates.into_inner(),
    );
    let mut section_of = vec![None; out.headings.len()];
    for (s, m) in matched.iter().enumerate() {
        if let Some(d) = *m {
            section_of[d].get_or_insert(s);
        }
    }
    let states: Vec<BodyState> = out
        .headings
        .iter()
        .enumerate()
        .map(|(d, h)| body_state(template, h, section_of[d]))
        .collect();

    let mut gaps = Vec::new();
    section_gaps(
        template,
        &out.headings,
        &ends,
        &matched,
        &states,
        doc_type.as_deref(),
        &mut gaps,
    );
    let disorder = out_of_order(template, &matched);
    for &s in &disorder {
        let Some(d) = matched[s] else { continue };
        let siblings: Vec<usize> = (0..template.sections.len())
            .filter(|&o| {
                template.sections[o].parent == template.sections[s].parent && matched[o].is_some()
            })
            .filter(|o| !disorder.contains(o))
            .collect();
        // Name the in-order neighbour the section is on the wrong side of: the previous
        // one if the section comes before it in the doc, else the next one.
        let position = |o: usize| matched[o].unwrap_or(d);
        let previous = siblings.iter().rev().find(|&&o| o < s).copied();
        let next = siblings.iter().find(|&&o| o > s).copied();
        let after = previous
            .filter(|&o| d < position(o))
            .map(|o| template.sections[o].heading.as_str());
        let before = next
            .filter(|&o| d > position(o))
            .map(|o| template.sections[o].heading.as_str());
        gaps.push(Gap {
            kind: GapKind::OutOfOrder,
            severity: Severity::Warning,
            section: template.sections[s].heading.clone(),
            line: out.headings[d].line,
            message: message::out_of_order(&template.sections[s].heading, after, before),
        });
    }
    let field_anchor = doc_fields
        .last()
        .map(|f| f.line)
        .or(title.map(|t| out.headings[t].line))
        .unwrap_or(1);
    field_gaps(template, &doc_fields, &field_keys, field_anchor, &mut gaps);
    for gap in &mut gaps {
        gap.line = clamp(gap.line);
    }
    gaps.sort_by_key(|g| (g.line, g.kind));

    let reviewers = reviewer_mentions(&doc_fields, &field_keys);
    let services = out
        .headings
        .iter()
        .find(|h| SERVICES_KEYS.contains(&h.key.as_str()))
        .map(|h| fields::services(&h.body.entries))
        .unwrap_or_default();
    DocReport {
        gaps,
        title: title.map(|t| std::mem::take(&mut out.headings[t].text)),
        doc_type,
        fields: doc_fields,
        reviewers,
        services,
        lines: out.lines,
    }
}

fn body_state(template: &Template, heading: &Heading, section: Option<usize>) -> BodyState {
    let body = &heading.body;
    if !body.has_content {
        return BodyState::Empty;
    }
    if body.complete() && template.filler.is_filler_only(&body.text) {
        return BodyState::Filler;
    }
    if let Some(s) = section {
        let section = &template.sections[s];
        if !section.guidance_words.is_empty()
            && body.complete()
            // Compared with the whole guidance and with its prose alone, so that keeping the
            // instructions but dropping (or keeping) the example code is still a placeholder.
            && section.guidance_words.similar(&body.text, template.threshold)
        {
            return BodyState::Guidance;
        }
    }
    BodyState::Content
}

fn section_gaps(
    template: &Template,
    headings: &[Heading],
    ends: &[usize],
    matched: &[Option<usize>],
    states: &[BodyState],
    doc_type: Option<&str>,
    gaps: &mut Vec<Gap>,
) {
    let sections = &template.sections;
    // Sections are in document order, so a section's template descendants are the run of
    // deeper sections that follows it. Counting where those were matched lets docs that
    // flatten the levels still count their sub-sections.
    let descendants = |s: usize| {
        sections[s + 1..]
            .iter()
            .take_while(move |o| o.level > sections[s].level)
            .enumerate()
            .filter_map(move |(i, _)| matched[s + 1 + i])
    };
    for (s, section) in sections.iter().enumerate() {
        if ancestor_missing(template, matched, s) {
            continue;
        }
        let required = !section.optional
            && section
                .only_for
                .as_deref()
                .is_none_or(|kind| doc_type == Some(kind));
        let severity = if required {
            Severity::Error
        } else {
            Severity::Warning
        };
        let Some(d) = matched[s] else {
            if required {
                let next = (s + 1..sections.len()).find_map(|o| matched[o].map(|d| (o, d)));
                let line = next.map_or(usize::MAX, |(_, d)| headings[d].line);
                gaps.push(Gap {
                    kind: GapKind::MissingSection,
                    severity,
                    section: section.heading.clone(),
                    line,
                    message: message::missing_section(
                        &section.heading,
                        section.level,
                        next.map(|(o, _)| sections[o].heading.as_str()),
                        &section.hint,
                    ),
                });
            }
            continue;
        };
        let sub: Vec<usize> = (d + 1..ends[d]).chain(descendants(s)).collect();
        let sub_any = sub.iter().any(|&o| states[o] != BodyState::Empty);
        let sub_real = sub.iter().any(|&o| states[o] == BodyState::Content);
        let (kind, filler) = match states[d] {
            BodyState::Content => continue,
            BodyState::Empty if !sub_any => (GapKind::EmptySection, false),
            BodyState::Filler if !sub_real => (GapKind::PlaceholderSection, true),
            BodyState::Guidance if !sub_real => (GapKind::PlaceholderSection, false),
            _ => continue,
        };
        let message = match kind {
            GapKind::EmptySection => message::empty_section(&section.heading, &section.hint),
            _ => message::placeholder_section(&section.heading, filler, &section.hint),
        };
        gaps.push(Gap {
            kind,
            severity,
            section: section.heading.clone(),
            line: headings[d].line,
            message,
        });
    }
}

fn ancestor_missing(template: &Template, matched: &[Option<usize>], s: usize) -> bool {
    let mut p = template.sections[s].parent;
    while let Some(pp) = p {
        if matched[pp].is_none() {
            return true;
        }
        p = template.sections[pp].parent;
    }
    false
}

fn field_gaps(
    template: &Template,
    doc_fields: &[DocField],
    keys: &[String],
    anchor: usize,
    gaps: &mut Vec<Gap>,
) {
    for field in template.fields.iter().filter(|f| f.required) {
        let found = keys
            .iter()
            .position(|key| *key == field.key)
            .map(|i| &doc_fields[i]);
        let parent = field.parent.map(|p| template.fields[p].label.as_str());
        let Some(found) = found else {
            gaps.push(Gap {
                kind: GapKind::MissingField,
                severity: Severity::Error,
                section: field.label.clone(),
                line: anchor,
                message: message::missing_field(&field.label, parent, &field.example),
            });
            continue;
        };
        let has_children = doc_fields
            .iter()
            .any(|f| f.parent.as_deref() == Some(found.label.as_str()));
        let value = found.value.trim();
        let (kind, text) = if value.is_empty() {
            if has_children {
                continue;
            }
            (
                GapKind::EmptyField,
                message::empty_field(&field.label, &field.example),
            )
        } else if template.filler.is_filler_only(value) && !says_not_applicable(value) {
            (
                GapKind::PlaceholderField,
                message::placeholder_field(&field.label, true),
            )
        } else if !field.example.trim().is_empty()
            && (words_joined(value) == field.example_key
                || WordSet::of(value).jaccard(&field.example_words) >= template.threshold)
        {
            (
                GapKind::PlaceholderField,
                message::placeholder_field(&field.label, false),
            )
        } else {
            continue;
        };
        gaps.push(Gap {
            kind,
            severity: Severity::Error,
            section: field.label.clone(),
            line: found.line,
            message: text,
        });
    }
}

/// Field values that say the field does not apply (`N/A`, `n-a`, `none`, `not applicable`):
/// a real answer for a header field such as "Rust Issue", unlike `TODO` or `TBD`.
fn says_not_applicable(value: &str) -> bool {
    let value = value.trim_matches(|c: char| !c.is_alphanumeric());
    if value.len() > "does not apply".len() {
        return false;
    }
    matches!(
        words_joined(value).as_str(),
        "n a" | "na" | "none" | "not applicable" | "does not apply"
    )
}

/// The doc's header fields, moved out of the outline (only parents' labels are copied).
fn doc_fields(out: &mut Outline, has_title: bool) -> Vec<DocField> {
    let parents: Vec<Option<String>> = out
        .fields
        .iter()
        .map(|f| f.parent.map(|p| out.fields[p].label.clone()))
        .collect();
    out.fields
        .iter_mut()
        .zip(parents)
        .filter(|(f, _)| has_title || !f.after_first_heading)
        .map(|(f, parent)| DocField {
            label: std::mem::take(&mut f.label),
            value: std::mem::take(&mut f.value),
            line: f.line,
            parent,
        })
        .collect()
}

fn declared_type(out: &Outline, doc_fields: &[DocField], keys: &[String]) -> Option<String> {
    let from_front_matter = out.front_matter.as_deref().and_then(|yaml| {
        let value: serde_yaml::Value = serde_yaml::from_str(yaml).ok()?;
        value.get("type").and_then(|t| t.as_str()).map(doc_type_key)
    });
    from_front_matter
        .or_else(|| {
            keys.iter()
                .position(|key| TYPE_LABELS.contains(&key.as_str()))
                .map(|i| doc_type_key(&doc_fields[i].value))
        })
        .filter(|t| !t.is_empty())
}

fn reviewer_mentions(doc_fields: &[DocField], keys: &[String]) -> Vec<ReviewerMention> {
    let mut out: Vec<ReviewerMention> = Vec::new();
    for (f, key) in doc_fields.iter().zip(keys) {
        if !fields::is_reviewer_field(key, f.parent.as_deref()) {
            continue;
        }
        for mention in fields::mentions(&f.value) {
            if !out.iter().any(|m| m.mention == mention) {
                out.push(ReviewerMention {
                    mention,
                    field: f.label.clone(),
                    line: f.line,
                });
            }
        }
    }
    out
}
