//! The parts of a comment that can never hold a command: code (fenced, indented, inline),
//! block quotes and HTML comments. Found with pulldown-cmark's source offsets, so what counts
//! as "quoted" or "code" is exactly what GitHub renders as such (a lazy continuation line after
//! `> quote` is part of the quote, for instance).

use std::ops::Range;

use pulldown_cmark::{Event, Options, Parser, Tag};

/// Byte ranges of `body` that are code, quotes or HTML comments: sorted, disjoint (nested and
/// overlapping ones are merged, e.g. a code block inside a quote).
pub fn ignored_ranges(body: &str) -> Vec<Range<usize>> {
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let mut ranges = Vec::new();
    for (event, range) in Parser::new_ext(body, options).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(_) | Tag::BlockQuote(_)) | Event::Code(_) => {
                ranges.push(range)
            }
            Event::Start(Tag::HtmlBlock) | Event::InlineHtml(_) => {
                ranges.extend(html_comments(body, range))
            }
            _ => {}
        }
    }
    merged(ranges)
}

/// Whether byte offset `at` lies inside one of `ranges` (as returned by [`ignored_ranges`]).
pub fn is_ignored(ranges: &[Range<usize>], at: usize) -> bool {
    // Disjoint and sorted: only the last range starting at or before `at` can hold it.
    let after = ranges.partition_point(|r| r.start <= at);
    after > 0 && ranges[after - 1].contains(&at)
}

fn merged(mut ranges: Vec<Range<usize>>) -> Vec<Range<usize>> {
    ranges.retain(|r| !r.is_empty());
    ranges.sort_by_key(|r| r.start);
    let mut out: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
    for range in ranges {
        match out.last_mut() {
            Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
            _ => out.push(range),
        }
    }
    out
}

/// The `<!-- ... -->` spans inside an HTML block or inline HTML at `range`. Other HTML (such
/// as `<details>`) stays: GitHub shows the text inside it. An unterminated comment runs to the
/// end of the range, as it hides everything after it.
fn html_comments(body: &str, range: Range<usize>) -> Vec<Range<usize>> {
    const OPEN: &str = "<!--";
    const CLOSE: &str = "-->";
    let Some(html) = body.get(range.clone()) else {
        return Vec::new();
    };
    let mut comments = Vec::new();
    let mut from = 0;
    while let Some(open) = html[from..].find(OPEN).map(|i| from + i) {
        let after_open = open + OPEN.len();
        let end = html[after_open..]
            .find(CLOSE)
            .map_or(html.len(), |i| after_open + i + CLOSE.len());
        comments.push(range.start + open..range.start + end);
        from = end;
    }
    comments
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ignored_text(body: &str) -> Vec<&str> {
        ignored_ranges(body).into_iter().map(|r| &body[r]).collect()
    }

    #[test]
    fn html_comments_are_ignored_but_other_html_is_not() {
        let body = "<details>\nvisible <!-- hidden --> text\n</details>";
        assert_eq!(ignored_text(body), vec!["<!-- hidden -->"]);
    }

    #[test]
    fn an_unterminated_comment_hides_the_rest() {
        let body = "<!-- open\n/x\nmore";
        assert_eq!(ignored_text(body), vec![body]);
    }

    #[test]
    fn nested_ranges_are_merged() {
        let body = "> ```\n> x\n> ```\n\ntext";
        assert_eq!(ignored_text(body), vec!["> ```\n> x\n> ```\n"]);
        let ranges = ignored_ranges(body);
        assert!(is_ignored(&ranges, 0));
        assert!(!is_ignored(&ranges, body.len() - 1));
    }

    #[test]
    fn inline_code_and_fences_are_ignored() {
        let body = "a `b` c\n\n```\nx\n```\n";
        assert_eq!(ignored_text(body), vec!["`b`", "```\nx\n```"]);
    }
}
