//! GitHub's size limits on what we publish, and trimming to fit them.
//!
//! A comment or check-run summary is laid out as a sequence of [`Part`]s: fixed text and lists
//! (gap lines, table rows, reviewer lines). When the whole is over the limit, the longest list
//! loses items from its end, one at a time, until everything fits; each cut list ends with its
//! own "and N more" line. Fixed text is bounded because every untrusted piece of it is
//! [`clip`]ped first; should it still be too long, the text is cut hard as a last resort.

/// Largest issue-comment body GitHub accepts (characters; we count bytes, which is stricter).
pub const MAX_COMMENT: usize = 65_536;
/// Largest check-run summary (and text) GitHub accepts (characters; we count bytes).
pub const MAX_SUMMARY: usize = 65_535;
/// Annotations sent per check run: two requests of GitHub's 50. The summary says when gaps
/// were left unannotated.
pub const MAX_ANNOTATIONS: usize = 100;
/// Longest annotation message and title we send (GitHub takes 64 KB and 255 characters).
pub const MAX_ANNOTATION_MESSAGE: usize = 4_000;
pub const MAX_ANNOTATION_TITLE: usize = 250;
/// Longest piece of untrusted text (a path, a heading, a reason) shown as it is.
pub const MAX_ECHOED: usize = 300;

/// `text` cut to at most `max` characters, with `…` when it was longer.
pub fn clip(text: &str, max: usize) -> String {
    match text.char_indices().nth(max.saturating_sub(1)) {
        Some((cut, _)) if text.chars().count() > max => format!("{}…", &text[..cut]),
        _ => text.to_string(),
    }
}

/// Joins `head`, `body` and `tail`, cutting `body` at a line boundary (with `note` in its
/// place) when the whole would exceed `limit` bytes; for messages with a single list.
pub fn fit(head: &str, body: &str, tail: &str, note: &str, limit: usize) -> String {
    let whole = head.len() + body.len() + tail.len();
    if whole <= limit {
        return format!("{head}{body}{tail}");
    }
    let room = limit.saturating_sub(head.len() + tail.len() + note.len() + 2);
    let mut cut = room.min(body.len());
    while cut > 0 && !body.is_char_boundary(cut) {
        cut -= 1;
    }
    let cut = body[..cut].rfind('\n').map_or(0, |i| i + 1);
    cut_hard(format!("{head}{}\n{note}\n{tail}", &body[..cut]), limit)
}

/// One piece of a laid-out message.
enum Part {
    Text(String),
    List(List),
}

/// Lines of which only the first `shown` are rendered, then `more(hidden)`.
struct List {
    items: Vec<String>,
    shown: usize,
    /// Bytes of `items[..i]` for every `i`.
    prefix: Vec<usize>,
    more: Box<dyn Fn(usize) -> String>,
}

impl List {
    fn new(items: Vec<String>, more: Box<dyn Fn(usize) -> String>) -> Self {
        let mut prefix = Vec::with_capacity(items.len() + 1);
        prefix.push(0);
        for item in &items {
            prefix.push(prefix.last().copied().unwrap_or(0) + item.len());
        }
        Self {
            shown: items.len(),
            items,
            prefix,
            more,
        }
    }

    fn hidden(&self) -> usize {
        self.items.len() - self.shown
    }

    fn size(&self) -> usize {
        let note = if self.hidden() > 0 {
            (self.more)(self.hidden()).len()
        } else {
            0
        };
        self.prefix[self.shown] + note
    }

    fn render(&self, out: &mut String) {
        for item in &self.items[..self.shown] {
            out.push_str(item);
        }
        if self.hidden() > 0 {
            out.push_str(&(self.more)(self.hidden()));
        }
    }
}

/// A message being laid out to fit a size limit.
#[derive(Default)]
pub struct Layout {
    parts: Vec<Part>,
}

impl Layout {
    pub fn new() -> Self {
        Self::default()
    }

    /// Text that is always shown.
    pub fn text(&mut self, text: impl Into<String>) -> &mut Self {
        self.parts.push(Part::Text(text.into()));
        self
    }

    /// Lines (each ending with its own newline) that may be cut from the end; `more(n)` is the
    /// line that then replaces the `n` lines cut.
    pub fn list(
        &mut self,
        items: Vec<String>,
        more: impl Fn(usize) -> String + 'static,
    ) -> &mut Self {
        if !items.is_empty() {
            self.parts
                .push(Part::List(List::new(items, Box::new(more))));
        }
        self
    }

    fn size(&self) -> usize {
        self.parts
            .iter()
            .map(|part| match part {
                Part::Text(text) => text.len(),
                Part::List(list) => list.size(),
            })
            .sum()
    }

    /// The message, at most `limit` bytes long.
    pub fn render(mut self, limit: usize) -> String {
        let mut size = self.size();
        while size > limit {
            let longest = self
                .parts
                .iter_mut()
                .filter_map(|part| match part {
                    Part::List(list) if list.shown > 0 => Some(list),
                    _ => None,
                })
                .max_by_key(|list| list.size());
            let Some(list) = longest else { break };
            let before = list.size();
            list.shown -= 1;
            size = size - before + list.size();
        }
        let mut out = String::with_capacity(size.min(limit));
        for part in &self.parts {
            match part {
                Part::Text(text) => out.push_str(text),
                Part::List(list) => list.render(&mut out),
            }
        }
        cut_hard(out, limit)
    }
}

/// The last resort when fixed text alone is over the limit: cut at a line, with a note.
fn cut_hard(mut text: String, limit: usize) -> String {
    const NOTE: &str = "\n\n_(cut to fit GitHub's size limit)_\n";
    if text.len() <= limit {
        return text;
    }
    let mut cut = limit.saturating_sub(NOTE.len());
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let cut = text[..cut].rfind('\n').unwrap_or(cut);
    text.truncate(cut);
    text.push_str(NOTE);
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(n: usize, what: &str) -> Vec<String> {
        (0..n).map(|i| format!("- {what} {i} ✓\n")).collect()
    }

    #[test]
    fn short_text_is_untouched() {
        let mut layout = Layout::new();
        layout
            .text("a\n")
            .list(lines(2, "b"), |n| format!("and {n} more\n"))
            .text("c\n");
        assert_eq!(layout.render(100), "a\n- b 0 ✓\n- b 1 ✓\nc\n");
    }

    #[test]
    fn the_longest_list_is_cut_first_each_with_its_own_count() {
        let mut layout = Layout::new();
        layout
            .text("# head\n")
            .list(lines(10_000, "gap"), |n| format!("- and {n} more gaps\n"))
            .text("## reviewers\n")
            .list(lines(3, "reviewer"), |n| {
                format!("- and {n} more reviewers\n")
            })
            .text("footer\n");
        let out = layout.render(2_000);
        assert!(out.len() <= 2_000, "{}", out.len());
        assert!(out.starts_with("# head\n- gap 0 ✓\n"), "{out}");
        let shown = out.matches("- gap ").count();
        assert!(
            out.contains(&format!("- and {} more gaps\n", 10_000 - shown)),
            "{out}"
        );
        assert!(
            out.ends_with("## reviewers\n- reviewer 0 ✓\n- reviewer 1 ✓\n- reviewer 2 ✓\nfooter\n")
        );
        // Not cut more than needed: one more line would not have fitted.
        assert!(out.len() + "- gap 9999 ✓\n".len() > 2_000);
    }

    #[test]
    fn every_list_is_cut_when_one_is_not_enough() {
        let mut layout = Layout::new();
        layout
            .list(lines(500, "doc"), |n| format!("and {n} more docs\n"))
            .list(lines(500, "reviewer"), |n| {
                format!("and {n} more reviewers\n")
            });
        let out = layout.render(1_000);
        assert!(out.len() <= 1_000);
        assert!(out.contains(" more docs\n") && out.contains(" more reviewers\n"));
    }

    #[test]
    fn fixed_text_over_the_limit_is_cut_hard_at_a_line() {
        let mut layout = Layout::new();
        layout.text("line\n".repeat(1_000));
        let out = layout.render(500);
        assert!(out.len() <= 500);
        assert!(out.ends_with("line\n\n_(cut to fit GitHub's size limit)_\n"));
    }

    #[test]
    fn clip_counts_characters() {
        assert_eq!(clip("ééé", 3), "ééé");
        assert_eq!(clip("éééé", 3), "éé…");
        assert_eq!(clip("", 3), "");
    }
}
