//! Pairs template sections with doc headings, the way people actually write: by normalised
//! text (or an alias), preferring a heading inside the matched parent, after the previous
//! match, at about the expected level; a combined heading ("Drawbacks and alternatives")
//! covers each of its parts.

use rustc_hash::FxHashMap;

use super::outline::Heading;
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

/// Matches each template section to a doc heading index (`None`: missing). `skip` is the
/// doc's title heading, which never matches; `candidates` says which headings may stand for
/// which section (filled while the doc was read).
pub fn match_sections(
    template: &Template,
    headings: &[Heading],
    ends: &[usize],
    skip: Option<usize>,
    mut candidates: Candidates,
) -> Vec<Option<usize>> {
    candidates.sort_without(skip);
    let Candidates { exact, by_part } = candidates;
    // A top-level section must be at about its level: within one of the template's level,
    // either as written or counted from the doc's own top level (the shallowest heading that
    // could be a top-level section), so that docs starting their sections at `##` or `###`
    // still match while a `###` nested two levels down does not stand for a `#` section.
    let template_top = template
        .sections
        .iter()
        .filter(|s| s.parent.is_none())
        .map(|s| s.level)
        .min()
        .unwrap_or(1);
    let doc_top = template
        .sections
        .iter()
        .enumerate()
        .filter(|(_, s)| s.parent.is_none())
        .flat_map(|(s, _)| exact.of(s).chain(by_part.of(s)))
        .map(|d| headings[d].level)
        .min();
    let top_level_fits = |level: u8, d: usize| {
        let doc_level = i32::from(headings[d].level);
        let level = i32::from(level);
        (doc_level - level).abs() <= 1
            || doc_top.is_some_and(|top| {
                ((doc_level - i32::from(top)) - (level - i32::from(template_top))).abs() <= 1
            })
    };
    let mut used = vec![false; headings.len()];
    let mut matched: Vec<Option<usize>> = vec![None; template.sections.len()];
    // Exact (or alias) matches first; only then may a combined heading such as "Drawbacks
    // and alternatives" stand in for sections still missing, never for one matched exactly.
    for (partial, index) in [(false, &exact), (true, &by_part)] {
        let mut last: Option<usize> = None;
        for (s, section) in template.sections.iter().enumerate() {
            if let Some(d) = matched[s] {
                last = Some(last.map_or(d, |l| l.max(d)));
                continue;
            }
            let parent = section.parent.and_then(|p| matched[p].map(|d| (p, d)));
            let score = |d: usize| {
                let outside_parent = parent.is_some_and(|(_, pd)| d <= pd || d >= ends[pd]);
                let before_last = last.is_some_and(|l| d <= l);
                let level_off = match parent {
                    Some((p, pd)) => {
                        let expected = i32::from(headings[pd].level) + i32::from(section.level)
                            - i32::from(template.sections[p].level);
                        (i32::from(headings[d].level) - expected).abs() > 1
                    }
                    None => false,
                };
                (outside_parent, before_last, level_off, d)
            };
            let found = index
                .of(s)
                .filter(|&d| !used[d])
                .filter(|&d| section.parent.is_some() || top_level_fits(section.level, d))
                .min_by_key(|&d| score(d));
            if let Some(d) = found {
                if !partial {
                    used[d] = true;
                }
                matched[s] = Some(d);
                last = Some(last.map_or(d, |l| l.max(d)));
            }
        }
    }
    matched
}

/// Which doc headings may stand for which template section: found through the template's own
/// key index, one hash look-up per heading key or part, not by sorting the headings' text.
#[derive(Debug, Default)]
pub struct Candidates {
    exact: Pairs,
    by_part: Pairs,
}

impl Candidates {
    /// Records the sections that doc heading `heading` (with this key and these parts of a
    /// combined heading) may stand for; returns how many bytes of its body to keep for the
    /// placeholder comparison (the most any of those sections needs, else 256).
    pub fn add(
        &mut self,
        template: &Template,
        heading: usize,
        key: &str,
        parts: &[String],
    ) -> usize {
        let mut limit = self.exact.add(template, heading, key);
        for part in parts {
            limit = limit.max(self.by_part.add(template, heading, part));
        }
        limit.unwrap_or(256)
    }

    fn sort_without(&mut self, skip: Option<usize>) {
        for pairs in [&mut self.exact, &mut self.by_part] {
            if let Some(skip) = skip {
                pairs.0.retain(|&(_, d)| d != skip);
            }
            pairs.0.sort_unstable();
        }
    }
}

/// `(section, doc heading)` pairs, sorted by section once filled, then read per section.
#[derive(Debug, Default)]
struct Pairs(Vec<(usize, usize)>);

impl Pairs {
    /// Adds a pair for each section with `key`; the most sample bytes those sections need.
    fn add(&mut self, template: &Template, heading: usize, key: &str) -> Option<usize> {
        let sections = template.by_key.get(key)?;
        self.0.extend(sections.iter().map(|&s| (s, heading)));
        sections.iter().map(|&s| template.sample_limits[s]).max()
    }

    /// The headings that may stand for section `s`, in doc order.
    fn of(&self, s: usize) -> impl Iterator<Item = usize> + '_ {
        let start = self.0.partition_point(|&(x, _)| x < s);
        self.0[start..]
            .iter()
            .take_while(move |&&(x, _)| x == s)
            .map(|&(_, d)| d)
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
