//! Near misses: a required section is missing, and the doc has a heading that is close to it
//! but not accepted (`## Alternatives` for "Alternatives considered", `## Design` for "Detailed
//! design"). The gap stays; its message asks whether that heading is meant to be the section
//! and gives the alias rule that would accept it, so a puzzle becomes a one-line fix.

use compact_str::CompactString;
use serde::Serialize;

use super::forms::loose_key;
use super::matching::{SectionMatch, TopLevel};
use super::normalize::heading_key;
use super::template::Template;

/// One heading of a doc as the matching saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocHeading {
    /// Plain text, as written (emphasis and code markers removed).
    pub text: CompactString,
    /// The normalised text headings are matched by ([`heading_key`]).
    pub key: CompactString,
    pub level: u8,
    /// 1-based line.
    pub line: usize,
}

/// A doc heading that may be meant as a missing section.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct NearMiss {
    /// Index of the template section.
    pub section: usize,
    /// Index of the doc heading.
    pub heading: usize,
    /// How close the two are, in `(0, 1]`.
    pub score: f64,
}

/// Words that turn a heading into its opposite: "Non-Goals" is not a near miss of "Goals",
/// nor "Out of scope" of "Scope".
const NEGATIONS: &[&str] = &["non", "not", "no", "out", "without", "anti", "un"];

/// Words that say nothing on their own.
const STOP_WORDS: &[&str] = &[
    "and", "or", "the", "a", "an", "of", "for", "to", "in", "on", "with",
];

/// Lowest edit similarity for two headings that share no word set to be a near miss (a typo
/// such as "Motivaton").
const MIN_TYPO_SIMILARITY: f64 = 0.8;

/// Headings longer than this are sentences, not names a section was meant to have.
const MAX_HEADING_LEN: usize = 200;

/// Most headings a doc's near misses are looked for among (the first ones in the doc that
/// stand for nothing), which bounds the work on a doc made of nothing but headings.
const MAX_CANDIDATES: usize = 1000;

/// How close a doc heading is to a template heading, or `None` when it is not a near miss.
/// Close means: once each word is reduced as the relaxed matching does, the words of one are
/// part of the other's ("Alternatives" of "Alternatives considered", "Scenarios" of "Scenarios
/// and User Experience") or the same in another order ("Design details"), without a word that
/// negates ("Non-Goals"); or the two are one typo apart ("Motivaton").
pub fn closeness(section: &str, heading: &str) -> Option<f64> {
    let (section, heading) = (
        loose_key(&heading_key(section)),
        loose_key(&heading_key(heading)),
    );
    View::of(&section).closeness(&View::of(&heading))
}

/// A heading's distinct reduced words.
struct View<'a> {
    words: Vec<&'a str>,
    len: usize,
    text: &'a str,
}

impl<'a> View<'a> {
    /// The distinct words of a [`loose_key`] without stop words, read once for all the
    /// comparisons.
    fn of(loose: &'a str) -> Self {
        let mut words: Vec<&str> = Vec::new();
        for word in loose.split(' ') {
            if !word.is_empty() && !STOP_WORDS.contains(&word) && !words.contains(&word) {
                words.push(word);
            }
        }
        View {
            words,
            len: loose.len(),
            text: loose,
        }
    }

    fn closeness(&self, other: &View<'_>) -> Option<f64> {
        let (a, b) = (&self.words, &other.words);
        if a.is_empty() || b.is_empty() {
            return None;
        }
        let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
        if small.iter().all(|w| large.contains(w)) {
            let negated = large
                .iter()
                .any(|w| NEGATIONS.contains(w) && !small.contains(w));
            return (!negated).then(|| small.len() as f64 / large.len() as f64);
        }
        // A typo keeps the number of words; and strings whose lengths differ by more than the
        // allowed share of edits cannot be that similar: no need to measure them.
        let (shorter, longer) = (self.len.min(other.len), self.len.max(other.len));
        if a.len() != b.len() || (shorter as f64) < longer as f64 * MIN_TYPO_SIMILARITY {
            return None;
        }
        let similarity = strsim::normalized_levenshtein(self.text, other.text);
        (similarity >= MIN_TYPO_SIMILARITY).then_some(similarity)
    }
}

/// Near misses for the sections that nothing stands for: for each, the closest doc heading
/// that stands for no section (nor is the title) and is at a level the section could be at;
/// each heading is offered for one section at most, the closest pairs first.
pub fn near_misses(
    template: &Template,
    headings: &[DocHeading],
    title: Option<usize>,
    sections: &[SectionMatch],
) -> Vec<NearMiss> {
    if !sections.contains(&SectionMatch::Missing) {
        return Vec::new();
    }
    let mut taken = taken_headings(headings.len(), title, sections);
    let doc_top = sections
        .iter()
        .zip(&template.sections)
        .filter(|(_, s)| s.parent.is_none())
        .filter_map(|(m, _)| m.heading())
        .map(|d| headings[d].level)
        .min();
    let top = TopLevel::new(template, doc_top);
    let missing: Vec<usize> = (0..template.sections.len())
        .filter(|&s| sections[s] == SectionMatch::Missing)
        .collect();
    // A heading may be meant as a section when it is not nested deeper than the section's own
    // heading would be (as for the relaxed forms): at most at the doc's top level for a
    // top-level section, at most at the expected level under a parent that is there.
    let fits = |s: usize, d: usize| {
        let section = &template.sections[s];
        let level = headings[d].level;
        let parent = section
            .parent
            .and_then(|p| sections[p].heading().map(|pd| (p, pd)));
        match (section.parent, parent) {
            (_, Some((p, pd))) => {
                let expected = i32::from(headings[pd].level) + i32::from(section.level)
                    - i32::from(template.sections[p].level);
                i32::from(level) <= expected
            }
            (None, None) => doc_top.map_or_else(
                || top.fits(section.level, level),
                |top_level| level <= top_level,
            ),
            (Some(_), None) => top.fits(section.level, level),
        }
    };
    let loose: Vec<(usize, String)> = headings
        .iter()
        .enumerate()
        .filter(|&(d, h)| !taken[d] && h.text.len() <= MAX_HEADING_LEN)
        .filter(|&(d, _)| missing.iter().any(|&s| fits(s, d)))
        .take(MAX_CANDIDATES)
        .map(|(d, h)| (d, loose_key(&h.key)))
        .collect();
    let candidates: Vec<(usize, View<'_>)> = loose.iter().map(|(d, l)| (*d, View::of(l))).collect();
    let mut pairs: Vec<NearMiss> = Vec::new();
    for &s in &missing {
        let wanted = View::of(&template.sections[s].loose);
        for (d, heading) in &candidates {
            if !fits(s, *d) {
                continue;
            }
            if let Some(score) = wanted.closeness(heading) {
                pairs.push(NearMiss {
                    section: s,
                    heading: *d,
                    score,
                });
            }
        }
    }
    pick_closest(pairs, &mut taken, template.sections.len())
}

/// Per doc heading, whether it stands for a section or is the title.
fn taken_headings(len: usize, title: Option<usize>, sections: &[SectionMatch]) -> Vec<bool> {
    let mut taken = vec![false; len];
    for d in sections.iter().filter_map(|m| m.heading()).chain(title) {
        taken[d] = true;
    }
    taken
}

/// Offers each section its closest heading still free, the closest pairs first, so that a
/// heading is offered for one section at most; in template order.
fn pick_closest(mut pairs: Vec<NearMiss>, taken: &mut [bool], sections: usize) -> Vec<NearMiss> {
    // Closest first; among equals, the template's and then the doc's order.
    pairs.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(a.section.cmp(&b.section))
            .then(a.heading.cmp(&b.heading))
    });
    let mut offered = vec![false; sections];
    let mut chosen = Vec::new();
    for pair in pairs {
        if !offered[pair.section] && !taken[pair.heading] {
            offered[pair.section] = true;
            taken[pair.heading] = true;
            chosen.push(pair);
        }
    }
    chosen.sort_by_key(|p| p.section);
    chosen
}

/// The repository configuration that accepts `heading` for `section` in docs checked against
/// the template named `template`, as one line of YAML (flow style, every name quoted) ready to
/// paste into `.github/design-review.yml`.
pub fn alias_rule_yaml(template: &str, section: &str, heading: &str) -> String {
    let quote = |s: &str| serde_json::to_string(s).unwrap_or_default();
    format!(
        "templates: {{{}: {{aliases: {{{}: [{}]}}}}}}",
        quote(template),
        quote(section),
        quote(heading)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_headings_and_not_so_close_ones() {
        for (section, heading, expected) in [
            ("Alternatives considered", "Alternatives", Some(0.5)),
            ("Detailed design", "Design", Some(0.5)),
            (
                "Scenarios and User Experience",
                "Scenarios",
                Some(1.0 / 3.0),
            ),
            ("Detailed design", "Design details", Some(1.0)),
            ("Goals", "Non-Goals", None),
            ("Scope", "Out of scope", None),
            ("Motivation", "Prior art", None),
            ("Summary", "", None),
        ] {
            assert_eq!(
                closeness(section, heading),
                expected,
                "{section} / {heading}"
            );
        }
        let typo = closeness("Motivation", "Motivaton").unwrap();
        assert!((MIN_TYPO_SIMILARITY..1.0).contains(&typo), "{typo}");
    }

    #[test]
    fn the_alias_rule_is_valid_yaml_with_hostile_names() {
        let yaml = alias_rule_yaml("docs/rfc: \"x\".md", "Alternatives considered", "Alt's: #1");
        assert_eq!(
            yaml,
            r#"templates: {"docs/rfc: \"x\".md": {aliases: {"Alternatives considered": ["Alt's: #1"]}}}"#
        );
    }
}
