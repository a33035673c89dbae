//! Checking one doc against a template: one outline pass, then matching and gap rules.

use serde::Serialize;

use super::fields::{self, DocField, ReviewerMention};
use super::gaps::{Gap, GapKind, Severity, message};
use super::matching::{Candidates, SectionMatch, match_sections, out_of_order, subtree_ends};
use super::near_miss::{DocHeading, NearMiss, alias_rule_yaml, near_misses};
use super::normalize::{doc_type_key, label_key, without_numbering, words_joined};
use super::outline::{self, Body, Heading, HeadingRead, Outline, SERVICES_KEYS, ScanOptions};
use super::report::DocReport;
use super::similarity::WordSet;
use super::template::{Template, TemplateSection};

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

/// How a doc's headings were read against a template: which heading stands for which
/// section and how, and the near misses. [`check`] reports gaps from it; tools that learn a
/// repository's habits from its existing docs read it directly ([`match_doc`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocMatching {
    /// Every heading of the doc, in order.
    pub headings: Vec<DocHeading>,
    /// Index of the doc's title heading.
    pub title: Option<usize>,
    /// Per template section (same indices as [`Template::sections`]).
    pub sections: Vec<SectionMatch>,
    /// Headings close to a section that nothing stands for, at most one per section.
    pub near_misses: Vec<NearMiss>,
}

/// Reads `doc`'s headings against `template`, without the gap rules. Pure, never panics.
pub fn match_doc(doc: &str, template: &Template) -> DocMatching {
    read(doc, template).matching
}

/// A doc's outline (headings' bodies and header fields) with its matching.
struct Reading {
    out: Outline,
    ends: Vec<usize>,
    matching: DocMatching,
}

fn read(doc: &str, template: &Template) -> Reading {
    let doc = doc.strip_prefix('\u{feff}').unwrap_or(doc);
    // The template-key look-up that sizes each heading's sample also records which sections
    // the heading may stand for, so matching does not look the keys up again.
    let candidates = std::cell::RefCell::new(Candidates::default());
    let limit = |heading: &HeadingRead<'_>| candidates.borrow_mut().add(template, heading);
    let mut out = outline::scan(
        doc,
        &ScanOptions {
            sample_limit: &limit,
            boilerplate: &template.boilerplate,
            keep_prose: false,
            paragraph_fields: true,
        },
    );
    let candidates = candidates.into_inner();
    let title = title_of(&out.headings, &candidates);
    let ends = subtree_ends(&out.headings);
    let matched = match_sections(template, &out.headings, &ends, title, candidates);
    let sections = through_children(template, &matched);
    let headings: Vec<DocHeading> = out
        .headings
        .iter_mut()
        .map(|h| DocHeading {
            text: std::mem::take(&mut h.text),
            key: std::mem::take(&mut h.key),
            level: h.level,
            line: h.line,
        })
        .collect();
    let near_misses = near_misses(template, &headings, title, &sections);
    Reading {
        out,
        ends,
        matching: DocMatching {
            headings,
            title,
            sections,
            near_misses,
        },
    }
}

/// The doc's title: its first heading when that stands for no section and is either a
/// level-1 heading or above every other heading (`## Frob` over sections at `###`).
fn title_of(headings: &[Heading], candidates: &Candidates) -> Option<usize> {
    let first = headings.first()?;
    let above_the_rest = headings[1..].iter().all(|h| h.level > first.level);
    (!candidates.stands_for_any(0) && (first.level == 1 || above_the_rest)).then_some(0)
}

/// The sections a heading stands for, and those written only through their sub-sections.
fn through_children(
    template: &Template,
    matched: &[Option<(usize, super::matching::MatchKind)>],
) -> Vec<SectionMatch> {
    let sections = &template.sections;
    let mut out: Vec<SectionMatch> = matched
        .iter()
        .map(|m| match *m {
            Some((heading, kind)) => SectionMatch::Heading { heading, kind },
            None => SectionMatch::Missing,
        })
        .collect();
    // Backwards, so that a sub-section present through its own sub-sections counts too.
    for s in (0..sections.len()).rev() {
        if out[s] != SectionMatch::Missing {
            continue;
        }
        let mut descendants =
            (s + 1..sections.len()).take_while(|&o| sections[o].level > sections[s].level);
        if descendants.any(|o| out[o] != SectionMatch::Missing) {
            out[s] = SectionMatch::ThroughChildren;
        }
    }
    out
}

/// Checks `doc` against `template`. Pure: no I/O, never panics on any input.
pub fn check(doc: &str, template: &Template) -> DocReport {
    let Reading {
        mut out,
        ends,
        matching,
    } = read(doc, template);
    let title = matching.title;
    let doc_fields = doc_fields(&mut out, title.is_some());
    // Each field's normalised label, once: the type, the field rules and the reviewer fields
    // all compare labels.
    let field_keys: Vec<String> = doc_fields.iter().map(|f| label_key(&f.label)).collect();
    let doc_type = declared_type(&out, &doc_fields, &field_keys);

    let matched: Vec<Option<usize>> = matching.sections.iter().map(|m| m.heading()).collect();
    let states = BodyStates::new(template, &out, &matched);
    let mut gaps = Vec::new();
    section_gaps(
        &SectionContext {
            template,
            headings: &out.headings,
            samples: &out.samples,
            matching: &matching,
            ends: &ends,
            matched: &matched,
            states: &states,
            doc_type: doc_type.as_deref(),
        },
        &mut gaps,
    );
    out_of_order_gaps(template, &out.headings, &matched, &mut gaps);
    let field_anchor = doc_fields
        .last()
        .map(|f| f.line)
        .or(title.map(|t| out.headings[t].line))
        .unwrap_or(1);
    field_gaps(template, &doc_fields, &field_keys, field_anchor, &mut gaps);
    let lines = out.lines.max(1);
    for gap in &mut gaps {
        gap.line = gap.line.clamp(1, lines);
    }
    gaps.sort_by_key(|g| (g.line, g.kind));

    let reviewers = reviewer_mentions(&doc_fields, &field_keys);
    let services = services_listed(&matching.headings, &out.headings);
    let mut headings = matching.headings;
    DocReport {
        gaps,
        title: title.map(|t| std::mem::take(&mut headings[t].text).into_string()),
        doc_type,
        fields: doc_fields,
        reviewers,
        services,
        lines: out.lines,
    }
}

/// What each doc heading's body holds, compared with the guidance of the first section the
/// heading stands for. Worked out when a rule first asks: a section with content never asks
/// about the headings below it, and most sections of most docs have content.
struct BodyStates<'a> {
    template: &'a Template,
    outline: &'a Outline,
    /// Per doc heading, the first section it stands for.
    section_of: Vec<Option<usize>>,
    known: Vec<std::cell::OnceCell<BodyState>>,
}

impl<'a> BodyStates<'a> {
    fn new(template: &'a Template, outline: &'a Outline, matched: &[Option<usize>]) -> Self {
        let headings = outline.headings.len();
        let mut section_of = vec![None; headings];
        for (s, m) in matched.iter().enumerate() {
            if let Some(d) = *m {
                section_of[d].get_or_insert(s);
            }
        }
        Self {
            template,
            outline,
            section_of,
            known: vec![std::cell::OnceCell::new(); headings],
        }
    }

    /// The state of doc heading `d`'s body.
    fn of(&self, d: usize) -> BodyState {
        *self.known[d].get_or_init(|| {
            let body = &self.outline.headings[d].body;
            let text = body.text(&self.outline.samples);
            body_state(self.template, body, text, self.section_of[d])
        })
    }
}

/// A gap for each section written out of the template's order.
fn out_of_order_gaps(
    template: &Template,
    headings: &[Heading],
    matched: &[Option<usize>],
    gaps: &mut Vec<Gap>,
) {
    let disorder = out_of_order(template, matched);
    for &s in &disorder {
        let Some(d) = matched[s] else { continue };
        let sections = &template.sections;
        let siblings: Vec<usize> = (0..sections.len())
            .filter(|&o| sections[o].parent == sections[s].parent && matched[o].is_some())
            .filter(|o| !disorder.contains(o))
            .collect();
        // Name the in-order neighbour the section is on the wrong side of: the previous
        // one if the section comes before it in the doc, else the next one.
        let position = |o: usize| matched[o].unwrap_or(d);
        let previous = siblings.iter().rev().find(|&&o| o < s).copied();
        let next = siblings.iter().find(|&&o| o > s).copied();
        let after = previous
            .filter(|&o| d < position(o))
            .map(|o| sections[o].heading.as_str());
        let before = next
            .filter(|&o| d > position(o))
            .map(|o| sections[o].heading.as_str());
        gaps.push(Gap {
            kind: GapKind::OutOfOrder,
            severity: Severity::Warning,
            section: sections[s].heading.clone(),
            line: headings[d].line,
            message: message::out_of_order(&sections[s].heading, after, before),
            optional: false,
        });
    }
}

/// The services listed under the doc's services heading, if it has one.
fn services_listed(doc_headings: &[DocHeading], headings: &[Heading]) -> Vec<String> {
    doc_headings
        .iter()
        .position(|h| SERVICES_KEYS.contains(&h.key.as_str()))
        .map(|d| fields::services(&headings[d].body.entries))
        .unwrap_or_default()
}

/// What `body` (whose kept text is `text`) holds, compared with the guidance of `section`.
fn body_state(template: &Template, body: &Body, text: &str, section: Option<usize>) -> BodyState {
    if !body.has_content {
        return BodyState::Empty;
    }
    if body.complete() && template.filler.is_filler_only(text) {
        return BodyState::Filler;
    }
    if let Some(s) = section {
        let section = &template.sections[s];
        if !section.guidance_words.is_empty()
            && body.complete()
            // Compared with the whole guidance and with its prose alone, so that keeping the
            // instructions but dropping (or keeping) the example code is still a placeholder.
            && section.guidance_words.similar(text, template.threshold)
        {
            return BodyState::Guidance;
        }
    }
    BodyState::Content
}

/// What the section rules read.
struct SectionContext<'a> {
    template: &'a Template,
    headings: &'a [Heading],
    /// The doc's [`Outline::samples`].
    samples: &'a str,
    matching: &'a DocMatching,
    ends: &'a [usize],
    /// Per section, the doc heading standing for it.
    matched: &'a [Option<usize>],
    states: &'a BodyStates<'a>,
    doc_type: Option<&'a str>,
}

fn section_gaps(cx: &SectionContext<'_>, gaps: &mut Vec<Gap>) {
    for (s, section) in cx.template.sections.iter().enumerate() {
        if ancestor_missing(cx.template, &cx.matching.sections, s) {
            continue;
        }
        let required = is_required(cx, section);
        let Some(d) = cx.matched[s] else {
            if required {
                gaps.extend(absent_section_gap(cx, s));
            }
            continue;
        };
        let severity = if required {
            Severity::Error
        } else {
            Severity::Warning
        };
        if let Some((kind, severity, message)) = written_section_gap(cx, s, d, severity) {
            gaps.push(Gap {
                kind,
                severity,
                section: section.heading.clone(),
                line: cx.headings[d].line,
                message,
                optional: !required,
            });
        }
    }
}

/// Whether the doc must have `section`: it is not optional, and it is meant for the doc's type.
fn is_required(cx: &SectionContext<'_>, section: &TemplateSection) -> bool {
    !section.optional
        && section
            .only_for
            .as_deref()
            .is_none_or(|kind| cx.doc_type == Some(kind))
}

/// The doc headings standing for the template sections under section `s`. Sections are in
/// document order, so a section's template descendants are the run of deeper sections that
/// follows it; counting where those were matched lets docs that flatten the levels still count
/// their sub-sections.
fn matched_descendants<'c>(
    cx: &'c SectionContext<'_>,
    s: usize,
) -> impl Iterator<Item = usize> + 'c {
    let sections = &cx.template.sections;
    sections[s + 1..]
        .iter()
        .take_while(move |o| o.level > sections[s].level)
        .enumerate()
        .filter_map(move |(i, _)| cx.matched[s + 1 + i])
}

/// The gap of section `s`, written at doc heading `d`, from what its body holds and, when that
/// is not content, what the headings below it hold; `None` when there is nothing to report.
fn written_section_gap(
    cx: &SectionContext<'_>,
    s: usize,
    d: usize,
    severity: Severity,
) -> Option<(GapKind, Severity, String)> {
    let section = &cx.template.sections[s];
    let sub = || {
        (d + 1..cx.ends[d])
            .chain(matched_descendants(cx, s))
            .map(|o| cx.states.of(o))
    };
    let sub_real = || sub().any(|o| o == BodyState::Content);
    let text = cx.headings[d].body.text(cx.samples);
    match cx.states.of(d) {
        BodyState::Content => None,
        BodyState::Empty if sub().any(|o| o != BodyState::Empty) => None,
        BodyState::Empty => Some((
            GapKind::EmptySection,
            severity,
            message::empty_section(&section.heading, &section.hint),
        )),
        // Guidance counts as left over only when left verbatim: a ticked checkbox of the
        // template (`[x] I/we understand ...`) is an answer.
        BodyState::Guidance if sub_real() && !section.guidance_words.verbatim(text) => None,
        state @ (BodyState::Filler | BodyState::Guidance) if sub_real() => Some((
            GapKind::PlaceholderSection,
            Severity::Warning,
            message::leftover_above_sub_sections(
                &section.heading,
                state == BodyState::Filler,
                text,
            ),
        )),
        state => Some((
            GapKind::PlaceholderSection,
            severity,
            message::placeholder_section(
                &section.heading,
                state == BodyState::Filler,
                &section.hint,
            ),
        )),
    }
}

/// The gap for a required section no heading stands for: missing (with the near miss, if
/// the doc has one), or, written only through its sub-sections, missing only under the
/// `strict_structure` rule.
fn absent_section_gap(cx: &SectionContext<'_>, s: usize) -> Option<Gap> {
    let sections = &cx.template.sections;
    let section = &sections[s];
    let gap = |line: usize, message: String| Gap {
        kind: GapKind::MissingSection,
        severity: Severity::Error,
        section: section.heading.clone(),
        line,
        message,
        optional: false,
    };
    if cx.matching.sections[s] == SectionMatch::ThroughChildren {
        if !cx.template.strict_structure {
            return None;
        }
        let children: Vec<(usize, &str)> = (s + 1..sections.len())
            .take_while(|&o| sections[o].level > section.level)
            .filter(|&o| sections[o].parent == Some(s))
            .filter_map(|o| cx.matched[o].map(|d| (d, sections[o].heading.as_str())))
            .collect();
        let line = children.iter().map(|&(d, _)| cx.headings[d].line).min();
        let names: Vec<&str> = children.iter().map(|&(_, name)| name).collect();
        return Some(gap(
            line.unwrap_or(usize::MAX),
            message::written_through_children(&section.heading, section.level, &names),
        ));
    }
    if let Some(near) = cx.matching.near_misses.iter().find(|n| n.section == s) {
        let heading = &cx.matching.headings[near.heading];
        let alias = without_numbering(&heading.text);
        return Some(gap(
            heading.line,
            message::near_miss(
                &message::NearMissText {
                    section: &section.heading,
                    heading: &heading.text,
                    level: heading.level,
                    line: heading.line,
                },
                &alias_rule_yaml(&cx.template.name, &section.heading, alias),
            ),
        ));
    }
    let next = (s + 1..sections.len()).find_map(|o| cx.matched[o].map(|d| (o, d)));
    let line = next.map_or(usize::MAX, |(_, d)| cx.headings[d].line);
    Some(gap(
        line,
        message::missing_section(
            &section.heading,
            section.level,
            next.map(|(o, _)| sections[o].heading.as_str()),
            &section.hint,
        ),
    ))
}

/// True when an enclosing section is missing altogether (then only that one is reported).
fn ancestor_missing(template: &Template, sections: &[SectionMatch], s: usize) -> bool {
    let mut p = template.sections[s].parent;
    while let Some(pp) = p {
        if sections[pp] == SectionMatch::Missing {
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
                message: if field.table {
                    message::missing_table_field(&field.label, &field.example)
                } else {
                    message::missing_field(&field.label, parent, &field.example)
                },
                optional: false,
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
            && !chooses_options(value, &field.example)
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
            optional: false,
        });
    }
}

/// True when `example` offers options (`(2.x / 3.x)`, `Proposed | Accepted`) and `value`
/// names several of them joined another way (`2.x & 3.x`, `2.x, 3.x`): a choice of all of
/// them, not the example left in place (which keeps the `/`).
fn chooses_options(value: &str, example: &str) -> bool {
    let options: Vec<String> = example
        .split(['/', '|'])
        .map(words_joined)
        .filter(|o| !o.is_empty())
        .collect();
    if options.len() < 2 || value.contains(['/', '|']) {
        return false;
    }
    let chosen: Vec<String> = value
        .split(['&', ',', '+', ';'])
        .flat_map(|part| part.split(" and "))
        .map(words_joined)
        .filter(|o| !o.is_empty())
        .collect();
    chosen.len() >= 2 && chosen.iter().all(|c| options.contains(c))
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
        let value: serde_yaml_ng::Value = serde_yaml_ng::from_str(yaml).ok()?;
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
