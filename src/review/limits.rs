//! GitHub's size limits on what we publish, and trimming to fit them.

/// Largest issue-comment body GitHub accepts.
pub const MAX_COMMENT: usize = 65_536;
/// Largest check-run summary (and text) GitHub accepts.
pub const MAX_SUMMARY: usize = 65_535;

/// Joins `head`, `body` and `tail`, cutting `body` at a line boundary (with `note` in its
/// place) when the whole would exceed `limit` characters.
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
    format!("{head}{}\n{note}\n{tail}", &body[..cut])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_untouched() {
        assert_eq!(fit("a\n", "b\n", "c\n", "cut", 100), "a\nb\nc\n");
    }

    #[test]
    fn long_body_is_cut_at_a_line_within_the_limit() {
        let body: String = (0..10_000)
            .map(|i| format!("- gap number {i} ✓\n"))
            .collect();
        let out = fit("# head\n", &body, "footer\n", "_(truncated)_", 2_000);
        assert!(out.len() <= 2_000, "{}", out.len());
        assert!(out.starts_with("# head\n- gap number 0"));
        assert!(out.ends_with("_(truncated)_\nfooter\n"));
        assert!(out.contains("- gap number 5 ✓\n"));
    }
}
