//! Pairs template sections with doc headings, the way people actually write: by normalised
//! text (or an alias), then by a relaxed form of a heading that is no template heading
//! (subtitle, inflection, spelling: see [`forms`](super::forms)), preferring a heading inside
//! the matched parent, after the previous match, at about the expected level; a combined
//! heading ("Drawbacks and alternatives") covers each of its parts.

use rustc_hash::FxHashMap;
use serde::Serialize;

use super::forms::{before_subtitle, write_loose_key};
use super::normalize::write_heading_key;
use super::outline::{Heading, HeadingRead};
use super::template::Template;

/// For every doc heading, the index one past its last sub-heading.
pub fn subtree_ends(headings: &[Heading]) -> Vec<usize> {
    let mut ends = vec![headings.len(); headings.len()];
    let mut stack: Vec<usize> = Vec::new();
    for (i, h) in headings.iter().enumerate() {
        while let Some(&top) = stack.last() {
            if headings[top].level >= h.level {
                ends[top] = i;
                stack.pop();
            } else {
                break;
            }
        }
        stack.push(i);
    }
    ends
}

/// How a doc heading came to stand for a template section. The names are stable: they are
/// shown to teams adopting the checker on existing docs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchKind {
    /// The same heading once normalised (case, punctuation, numbering, emphasis, joiners).
    Exact,
    /// One of the section's configured `aliases`.
    Alias,
    /// The heading before its subtitle: "Motivation: completion handlers are suboptimal".
    Subtitle,
    /// An inflection or spelling of the heading: "Detail Design", "Acknowledgements".
    Inflection,
    /// One part of a combined heading: "Drawbacks and alternatives".
    CombinedPart,
}

/// What stands for one template section in a doc.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "found", rename_all = "snake_case")]
pub enum SectionMatch {
    /// The doc heading with this index.
    Heading { heading: usize, kind: MatchKind },
    /// No heading of its own, but some of its template sub-sections are in the doc (written
    /// one level up, say): the content is there.
    ThroughChildren,
    /// Nothing.
    Missing,
}

impl SectionMatch {
    /// The doc heading standing for the section, if one does.
    pub fn heading(self) -> Option<usize> {
        match self {
            SectionMatch::Heading { heading, .. } => Some(heading),
            _ => None,
        }
    }
}

/// Whether a doc heading is at about the level of a top-level section: within one of the
/// template's level, either as written or counted from the doc's own top level (the shallowest
/// heading that stands for a top-level section), so that docs starting their sections at `##`
/// or `###` still match while a `###` nested two levels down does not stand for a `#` section.
#[derive(Debug, Clone, Copy)]
pub struct TopLevel {
    template_top: u8,
    doc_top: Option<u8>,
}

impl TopLevel {
    /// `doc_top` is the shallowest level of the doc headings that may stand for top-level
    /// sections.
    pub fn new(template: &Template, doc_top: Option<u8>) -> Self {
        let template_top = template
            .sections
            .iter()
            .filter(|s| s.parent.is_none())
            .map(|s| s.level)
            .min()
            .unwrap_or(1);
        Self {
            template_top,
            doc_top,
        }
    }

    /// True when a doc heading at `heading_level` may stand for a top-level section written
    /// at `section_level`.
    pub fn fits(self, section_level: u8, heading_level: u8) -> bool {
        let doc_level = i32::from(heading_level);
        let level = i32::from(section_level);
        (doc_level - level).abs() <= 1
            || self.doc_top.is_some_and(|top| {
                ((doc_level - i32::from(top)) - (level - i32::from(self.template_top))).abs() <= 1
            })
    }
}

/// Matches each template section to a doc heading (`None`: missing) and says how. `skip` is
/// the doc's title heading, which never matches; `candidates` says which headings may stand
/// for which section (filled while the doc was read).
pub fn match_sections(
    template: &Template,
    headings: &[Heading],
    ends: &[usize],
    skip: Option<usize>,
    mut candidates: Candidates,
) -> Vec<Option<(usize, MatchKind)>> {
    candidates.sort_without(skip);
    let doc_top = doc_top_level(template, headings, &candidates);
    let Candidates {
        exact,
        relaxed,
        by_part,
        ..
    } = candidates;
    let mut matcher = Matcher {
        template,
        headings,
        ends,
        top: TopLevel::new(template, doc_top),
        used: vec![false; headings.len()],
        matched: vec![None; template.sections.len()],
    };
    // Exact (or alias) matches first, then the relaxed forms of the headings left; only then
    // may a combined heading such as "Drawbacks and alternatives" stand in for sections still
    // missing, never for one matched otherwise. A heading stands for one section, except a
    // combined one, which stands for each of its parts.
    for (pairs, pass) in [
        (&exact, Pass::Exact),
        (&relaxed, Pass::Relaxed),
        (&by_part, Pass::CombinedPart),
    ] {
        matcher.run_pass(pairs, pass);
    }
    matcher.matched
}

/// The shallowest level of the doc headings that may stand for a top-level section.
fn doc_top_level(template: &Template, headings: &[Heading], cands: &Candidates) -> Option<u8> {
    template
        .sections
        .iter()
        .enumerate()
        .filter(|(_, s)| s.parent.is_none())
        .flat_map(|(s, _)| {
            cands
                .exact
                .of(s)
                .chain(cands.relaxed.of(s))
                .chain(cands.by_part.of(s))
        })
        .map(|(d, _)| headings[d].level)
        .min()
}

/// The state of matching while the passes run.
struct Matcher<'a> {
    template: &'a Template,
    headings: &'a [Heading],
    ends: &'a [usize],
    top: TopLevel,
    /// Per doc heading, whether it already stands for a section.
    used: Vec<bool>,
    /// Per section, the doc heading standing for it.
    matched: Vec<Option<(usize, MatchKind)>>,
}

/// Where the section being matched sits: its matched parent and the last heading matched
/// before it, which the choice among candidates prefers to follow.
struct Place {
    /// The parent section and the doc heading standing for it.
    parent: Option<(usize, usize)>,
    last: Option<usize>,
    /// The level of the doc's top-level sections, as the exact matches show it.
    exact_top: Option<u8>,
}

impl Matcher<'_> {
    /// Matches the sections still missing through `pairs`, in template order.
    fn run_pass(&mut self, pairs: &Pairs, pass: Pass) {
        let exact_top = self.exact_top();
        let mut last: Option<usize> = None;
        for s in 0..self.template.sections.len() {
            if let Some((d, _)) = self.matched[s] {
                last = Some(last.map_or(d, |l| l.max(d)));
                continue;
            }
            let place = Place {
                parent: self.template.sections[s]
                    .parent
                    .and_then(|p| self.matched[p].map(|(d, _)| (p, d))),
                last,
                exact_top,
            };
            if let Some((d, kind)) = self.best(pairs, pass, s, &place) {
                if pass != Pass::CombinedPart {
                    self.used[d] = true;
                }
                self.matched[s] = Some((d, kind));
                last = Some(last.map_or(d, |l| l.max(d)));
            }
        }
    }

    /// The level of the doc's top-level sections, as the matches so far show it.
    fn exact_top(&self) -> Option<u8> {
        self.template
            .sections
            .iter()
            .zip(&self.matched)
            .filter(|(section, _)| section.parent.is_none())
            .filter_map(|(_, m)| m.map(|(d, _)| self.headings[d].level))
            .min()
    }

    /// The best unused candidate heading for section `s` in this pass.
    fn best(
        &self,
        pairs: &Pairs,
        pass: Pass,
        s: usize,
        place: &Place,
    ) -> Option<(usize, MatchKind)> {
        let section = &self.template.sections[s];
        pairs
            .of(s)
            .filter(|&(d, _)| !self.used[d])
            .filter(|&(d, _)| {
                section.parent.is_some() || self.top.fits(section.level, self.headings[d].level)
            })
            .filter(|&(d, _)| pass != Pass::Relaxed || self.relaxed_fits(s, place, d))
            .min_by_key(|&(d, _)| self.score(s, place, d))
    }

    /// How well doc heading `d` sits for section `s`, lower first: inside the matched parent,
    /// after the last match, at about the expected level, earliest.
    fn score(&self, s: usize, place: &Place, d: usize) -> (bool, bool, bool, usize) {
        let outside_parent = place
            .parent
            .is_some_and(|(_, pd)| d <= pd || d >= self.ends[pd]);
        let before_last = place.last.is_some_and(|l| d <= l);
        let level_off = place.parent.is_some_and(|(p, pd)| {
            (i32::from(self.headings[d].level) - self.expected_level(s, p, pd)).abs() > 1
        });
        (outside_parent, before_last, level_off, d)
    }

    /// A relaxed form only counts where the section's own heading would be, or higher up,
    /// never nested deeper: "### Alternative: use a lock" under another section is not
    /// "## Alternatives".
    fn relaxed_fits(&self, s: usize, place: &Place, d: usize) -> bool {
        let section = &self.template.sections[s];
        let level = self.headings[d].level;
        match place.parent {
            Some((p, pd)) => i32::from(level) <= self.expected_level(s, p, pd),
            None if section.parent.is_none() => place
                .exact_top
                .map_or_else(|| self.top.fits(section.level, level), |top| level <= top),
            None => self.top.fits(section.level, level),
        }
    }

    /// The level section `s` would have in the doc, given its parent `p` stands as doc
    /// heading `pd`.
    fn expected_level(&self, s: usize, p: usize, pd: usize) -> i32 {
        i32::from(self.headings[pd].level) + i32::from(self.template.sections[s].level)
            - i32::from(self.template.sections[p].level)
    }
}

/// The matching passes, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pass {
    Exact,
    Relaxed,
    CombinedPart,
}

/// Which doc headings may stand for which template section: found through the template's own
/// key indexes, one hash look-up per heading key, form or part, not by sorting the headings'
/// text.
#[derive(Debug, Default)]
pub struct Candidates {
    exact: Pairs,
    relaxed: Pairs,
    by_part: Pairs,
    /// A heading's loose key, its key before a subtitle and the lower-cased text that key is
    /// made from, each written into the same buffer from heading to heading.
    loose: String,
    subtitle: String,
    lowered: String,
}

impl Candidates {
    /// Records the sections that a doc heading may stand for; returns how many bytes of its
    /// body to keep for the placeholder comparison (the most any of those sections needs,
    /// else 256). The relaxed forms are only tried when the heading's own key is no template
    /// heading's (nor alias).
    pub fn add(&mut self, template: &Template, heading: &HeadingRead<'_>) -> usize {
        let d = heading.index;
        let own = template.by_key.get(heading.key).map(|found| {
            self.exact.add(template, d, found, |s| {
                if template.sections[s].keys[0] == heading.key {
                    MatchKind::Exact
                } else {
                    MatchKind::Alias
                }
            })
        });
        let mut limit = own.or_else(|| self.add_relaxed(template, heading));
        for span in heading.spans {
            if let Some(found) = template.by_key.get(span) {
                let part = self
                    .by_part
                    .add(template, d, found, |_| MatchKind::CombinedPart);
                limit = Some(limit.map_or(part, |l| l.max(part)));
            }
        }
        limit.unwrap_or(256)
    }

    /// The heading before its subtitle (as written, else inflected), else the inflected
    /// heading.
    fn add_relaxed(&mut self, template: &Template, heading: &HeadingRead<'_>) -> Option<usize> {
        let d = heading.index;
        if let Some(before) = before_subtitle(heading.text) {
            write_heading_key(before, &mut self.lowered, &mut self.subtitle);
            let found = template.by_key.get(&self.subtitle).or_else(|| {
                write_loose_key(&self.subtitle, &mut self.loose);
                template.by_loose.get(&self.loose)
            });
            if let Some(found) = found {
                return Some(
                    self.relaxed
                        .add(template, d, found, |_| MatchKind::Subtitle),
                );
            }
        }
        // Keys are words joined by single spaces.
        let words = heading.key.bytes().filter(|&b| b == b' ').count() + 1;
        let initial = heading.key.bytes().next()?;
        if words > template.loose_max_words || !template.loose_initials.contains(&initial) {
            return None;
        }
        write_loose_key(heading.key, &mut self.loose);
        let found = template.by_loose.get(&self.loose)?;
        Some(
            self.relaxed
                .add(template, d, found, |_| MatchKind::Inflection),
        )
    }

    /// True when the doc heading with this index may stand for some section.
    pub fn stands_for_any(&self, heading: usize) -> bool {
        [&self.exact, &self.relaxed, &self.by_part]
            .iter()
            .any(|pairs| pairs.0.iter().any(|&(_, d, _)| d == heading))
    }

    fn sort_without(&mut self, skip: Option<usize>) {
        for pairs in [&mut self.exact, &mut self.relaxed, &mut self.by_part] {
            if let Some(skip) = skip {
                pairs.0.retain(|&(_, d, _)| d != skip);
            }
            pairs.0.sort_unstable();
        }
    }
}

/// `(section, doc heading, how)` triples, sorted by section once filled, then read per
/// section.
#[derive(Debug, Default)]
struct Pairs(Vec<(usize, usize, MatchKind)>);

impl Pairs {
    /// Adds a pair for each of `sections`; the most sample bytes those sections need.
    fn add(
        &mut self,
        template: &Template,
        heading: usize,
        sections: &[usize],
        kind: impl Fn(usize) -> MatchKind,
    ) -> usize {
        self.0
            .extend(sections.iter().map(|&s| (s, heading, kind(s))));
        sections
            .iter()
            .map(|&s| template.sample_limits[s])
            .max()
            .unwrap_or(256)
    }

    /// The headings that may stand for section `s`, in doc order.
    fn of(&self, s: usize) -> impl Iterator<Item = (usize, MatchKind)> + '_ {
        let start = self.0.partition_point(|&(x, _, _)| x < s);
        self.0[start..]
            .iter()
            .take_while(move |&&(x, _, _)| x == s)
            .map(|&(_, d, kind)| (d, kind))
    }
}

/// Indices of matched sections that are out of order among their siblings: everything
/// outside a longest non-decreasing run of doc positions, per parent.
pub fn out_of_order(template: &Template, matched: &[Option<usize>]) -> Vec<usize> {
    // The usual case: the matched sections come in the template's order overall, so every
    // sibling group is in order too (a subsequence of an ordered sequence is ordered).
    let mut previous = 0;
    if matched
        .iter()
        .flatten()
        .all(|&d| std::mem::replace(&mut previous, d) <= d)
    {
        return Vec::new();
    }
    let mut groups: FxHashMap<Option<usize>, Vec<(usize, usize)>> = FxHashMap::default();
    for (s, section) in template.sections.iter().enumerate() {
        if let Some(d) = matched[s] {
            groups.entry(section.parent).or_default().push((s, d));
        }
    }
    let mut flagged = Vec::new();
    for seq in groups.values() {
        let keep = longest_non_decreasing(&seq.iter().map(|&(_, d)| d).collect::<Vec<_>>());
        for (i, &(s, _)) in seq.iter().enumerate() {
            if !keep[i] {
                flagged.push(s);
            }
        }
    }
    flagged.sort_unstable();
    flagged
}

/// Marks the members of one longest non-decreasing subsequence (patience sorting, O(n log n)).
fn longest_non_decreasing(values: &[usize]) -> Vec<bool> {
    let mut tails: Vec<usize> = Vec::new(); // indices into values
    let mut prev: Vec<Option<usize>> = vec![None; values.len()];
    for (i, &v) in values.iter().enumerate() {
        let pos = tails.partition_point(|&t| values[t] <= v);
        if pos > 0 {
            prev[i] = Some(tails[pos - 1]);
        }
        if pos == tails.len() {
            tails.push(i);
        } else {
            tails[pos] = i;
        }
    }
    let mut keep = vec![false; values.len()];
    let mut cur = tails.last().copied();
    while let Some(i) = cur {
        keep[i] = true;
        cur = prev[i];
    }
    keep
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lis_keeps_the_longest_ordered_run() {
        assert_eq!(longest_non_decreasing(&[1, 2, 3]), [true, true, true]);
        assert_eq!(longest_non_decreasing(&[3, 1, 2]), [false, true, true]);
        assert_eq!(
            longest_non_decreasing(&[2, 3, 4, 1]),
            [true, true, true, false]
        );
    }
}
