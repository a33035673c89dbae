//! The one door through which untrusted text (file paths, headings, header-field values, command
//! arguments, reasons) enters the GitHub Markdown we post: comments, check-run output and replies.
//!
//! Anything a PR author or commenter wrote may contain Markdown, HTML, @-mentions, newlines or our
//! own hidden marker. Echoed through [`escape`] (prose) or [`code`] (a literal such as a path), it
//! renders as exactly the characters given, on one line: no mention pings anyone, no tag, link,
//! image or emphasis is created, no table cell is split and no HTML comment is opened.

/// Word joiner placed after `@`, so GitHub does not turn `@name` into a mention.
const WORD_JOINER: char = '\u{2060}';

/// `text` as inline GitHub Markdown that renders as the text itself.
///
/// Markdown punctuation is backslash-escaped, `@` is followed by an invisible word joiner (GitHub
/// links mentions even after a backslash), and newlines and other control characters become
/// spaces so the text cannot start a block of its own.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '&' | '!' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '@' => {
                out.push('@');
                out.push(WORD_JOINER);
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// `text` shown as code (monospace), escaped like [`escape`].
///
/// A `<code>` element rather than a backtick span: inside a span a `|` would still split a table
/// cell and backslashes would show, while inline content of `<code>` is escaped the usual way.
pub fn code(text: &str) -> String {
    format!("<code>{}</code>", escape(text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

    /// What a reader sees of `markdown`, or an error naming the first thing that is not plain text.
    fn rendered_text(markdown: &str) -> Result<String, String> {
        let mut text = String::new();
        let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
        for event in Parser::new_ext(markdown, options) {
            match event {
                Event::Text(t) => text.push_str(&t),
                Event::Start(Tag::Paragraph) | Event::End(TagEnd::Paragraph) => {}
                Event::Start(Tag::TableCell) | Event::End(TagEnd::TableCell) => {}
                Event::Start(Tag::TableRow | Tag::TableHead | Tag::Table(_)) => {}
                Event::End(TagEnd::TableRow | TagEnd::TableHead | TagEnd::Table) => {}
                Event::InlineHtml(html) if html.as_ref() == "<code>" => {}
                Event::InlineHtml(html) if html.as_ref() == "</code>" => {}
                other => return Err(format!("{other:?} in {markdown:?}")),
            }
        }
        Ok(text)
    }

    /// What the reader should see: the text on one line, mentions defused.
    fn expected(text: &str) -> String {
        text.chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect::<String>()
            .replace('@', "@\u{2060}")
    }

    #[test]
    fn escaping_defuses_markup_mentions_and_newlines() {
        assert_eq!(
            escape("a *b* [c] @bob\n<!-- design-review -->"),
            "a \\*b\\* \\[c\\] @\u{2060}bob \\<\\!-- design-review --\\>"
        );
        assert_eq!(code("x|y.md"), "<code>x\\|y.md</code>");
    }

    #[test]
    fn odd_file_names_render_as_themselves() {
        for name in [
            "docs/design/`x`.md",
            "docs/design/a\n\n<!-- design-review -->\n@org/team.md",
            "docs/design/[x](https://evil.example).md",
            "docs/design/&lt;b&gt;.md",
            "docs/design/**x**|y|.md",
        ] {
            let shown = rendered_text(&format!("file {} end", code(name)));
            assert_eq!(shown, Ok(format!("file {} end", expected(name))));
        }
    }

    proptest! {
        #[test]
        fn escaped_text_renders_exactly_as_given(text in "\\PC{0,40}|[\\\\`*_\\[\\]<>|~&!#@()\n\r\t:a-z -]{0,40}") {
            let inline = format!("x {} y", escape(&text));
            prop_assert_eq!(rendered_text(&inline), Ok(format!("x {} y", expected(&text))));
            let cell = format!("| a | b |\n|---|---|\n| {} | z |\n", code(&text));
            let shown = rendered_text(&cell).map_err(TestCaseError::fail)?;
            // A table cell's surrounding spaces are not part of its text.
            let unspaced = |s: &str| s.replace(' ', "");
            prop_assert_eq!(unspaced(&shown), format!("ab{}z", unspaced(&expected(&text))));
        }
    }
}
