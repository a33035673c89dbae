//! Text normalisation shared by templates and docs, so that both sides of every comparison
//! are reduced the same way (case, punctuation, numbering, emphasis, `&` vs `and`).

/// Normalises a heading for matching: lower case, leading symbols and emoji and then leading
/// numbering (`1.`, `2.3`, `IV.`, `a)`, so `🚀 1. Objective` is `objective`) and `(optional)`
/// removed, punctuation collapsed to single spaces, and the ways people
/// join two names (`&`, `and`, `/`, `,`, `+`, `;`, or several of them, as in ", and") all
/// written as one ` and `, so "Idempotence / Re-entrance", "Idempotence & Re-entrance" and
/// "Idempotence and Re-entrance" have the same key.
pub fn heading_key(text: &str) -> String {
    let mut key = String::new();
    write_heading_key(text, &mut String::new(), &mut key);
    key
}

/// [`heading_key`] written into `key` (cleared first), lower-casing into `lowered`: buffers
/// the caller reuses from heading to heading.
pub(crate) fn write_heading_key(text: &str, lowered: &mut String, key: &mut String) {
    lowered.clear();
    key.clear();
    if text.is_ascii() {
        lowered.push_str(text);
        lowered.make_ascii_lowercase();
    } else {
        lowered.push_str(&text.to_lowercase());
    }
    if lowered.contains("(optional)") {
        *lowered = lowered.replace("(optional)", " ");
    }
    push_joined_with_and(
        strip_numbering(lowered.trim_start_matches(|c: char| !c.is_alphanumeric())),
        key,
    );
    if key.is_empty() {
        // A heading made of nothing but "and".
        key.push_str(&words_joined(lowered));
    }
}

/// Characters that join two names in a heading, like "and".
const JOINERS: [char; 5] = ['&', '/', ',', '+', ';'];

/// Appends the lower-case words of `text` (already lower-cased) joined by single spaces,
/// except that any run of [`JOINERS`] and `and` words between two words becomes one ` and `;
/// joiners at either end are dropped. Inside parentheses a comma or semicolon is the punctuation of an aside
/// ("(i.e., can we roll back?)"), not a joiner.
fn push_joined_with_and(text: &str, out: &mut String) {
    let mut joined = false;
    let mut word_start: Option<usize> = None;
    let mut depth = 0usize;
    // The sentinel space at the end closes the last word.
    for (i, c) in text.char_indices().chain([(text.len(), ' ')]) {
        if c.is_alphanumeric() {
            word_start.get_or_insert(i);
            continue;
        }
        if let Some(start) = word_start.take() {
            let word = &text[start..i];
            if word == "and" {
                joined = true;
            } else {
                if !out.is_empty() {
                    out.push_str(if joined { " and " } else { " " });
                }
                joined = false;
                out.push_str(word);
            }
        }
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' | ';' if depth > 0 => {}
            _ if JOINERS.contains(&c) => joined = true,
            _ => {}
        }
    }
}

/// Most names a combined heading is split into (more are rare and would make many spans).
const MAX_PARTS: usize = 8;

/// What a combined heading's key ("drawbacks and alternatives", as [`heading_key`] writes
/// "Drawbacks & alternatives") covers: each name, and each run of neighbouring names short of
/// the whole ("best practices and tutorials and examples" covers "tutorials and examples", a
/// template heading that itself contains "and"). Empty when the key joins nothing.
pub fn key_spans(key: &str) -> Vec<String> {
    if !key.contains(" and ") {
        return Vec::new();
    }
    let parts: Vec<&str> = key.split(" and ").filter(|p| !p.is_empty()).collect();
    if parts.len() < 2 {
        return Vec::new();
    }
    let longest = if parts.len() <= MAX_PARTS {
        parts.len() - 1
    } else {
        1
    };
    let mut spans = Vec::new();
    for len in 1..=longest {
        for run in parts.windows(len) {
            spans.push(run.join(" and "));
        }
    }
    spans
}

/// Normalises a header-field label: lower case, punctuation collapsed to single spaces, `(s)`
/// and `(es)` dropped and plural words reduced, so `Author(s)`, `Authors` and `author` are the
/// same label. One pass, one allocation: labels are compared for every field of every doc.
pub fn label_key(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut before: Option<char> = None;
    while let Some(c) = chars.next() {
        if !c.is_alphanumeric() {
            before = Some(c);
            continue;
        }
        let mark = out.len();
        if !out.is_empty() {
            out.push(' ');
        }
        let start = out.len();
        push_lowercase(&mut out, c);
        while let Some(&c) = chars.peek().filter(|c| c.is_alphanumeric()) {
            push_lowercase(&mut out, c);
            chars.next();
        }
        let word = &out[start..];
        let suffix = before == Some('(') && chars.peek() == Some(&')');
        if suffix && (word == "s" || word == "es") {
            out.truncate(mark);
        } else if word.len() > 3 && word.ends_with('s') && !word.ends_with("ss") {
            out.pop();
        }
    }
    out
}

fn push_lowercase(out: &mut String, c: char) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
    } else {
        out.extend(c.to_lowercase());
    }
}

/// Normalises a declared document type (`System design doc`, `system-design`) to its words
/// without a trailing `doc`/`document`: `system design`.
pub fn doc_type_key(text: &str) -> String {
    let key = words_joined(&text.to_lowercase());
    let mut words: Vec<&str> = key.split(' ').filter(|w| !w.is_empty()).collect();
    while let Some(last) = words.last() {
        if matches!(*last, "doc" | "docs" | "document" | "documents") {
            words.pop();
        } else {
            break;
        }
    }
    words.join(" ")
}

/// Lower-cased alphanumeric words joined by single spaces.
pub fn words_joined(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        if word.is_ascii() {
            let start = out.len();
            out.push_str(word);
            out[start..].make_ascii_lowercase();
        } else {
            for c in word.chars() {
                out.extend(c.to_lowercase());
            }
        }
    }
    out
}

/// Removes one leading numbering token: `1.`, `1)`, `2.3`, `2.3.`, `IV.`, `a)`.
fn strip_numbering(text: &str) -> &str {
    // Quick answer for most headings: a numbering token is ASCII digits, lower-case letters,
    // dots and one marker, so one other ASCII character before the first space rules it out,
    // and ASCII text without whitespace is a single word.
    let mut token_ends = false;
    for &b in text.as_bytes() {
        match b {
            b'0'..=b'9' | b'a'..=b'z' | b'.' | b')' | b':' => {}
            // ASCII whitespace (`char::is_whitespace`), or a character that may be whitespace.
            b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r' | b' ' | 0x80.. => {
                token_ends = true;
                break;
            }
            _ => return text,
        }
    }
    if !token_ends {
        return text;
    }
    strip_numbering_token(text)
}

/// [`strip_numbering`] without the quick answers: the first whitespace-separated token is
/// numbering when it is dotted digits, or a roman numeral or single letter with a marker.
fn strip_numbering_token(text: &str) -> &str {
    let Some(end) = text.find(char::is_whitespace) else {
        return text;
    };
    let token = &text[..end];
    let (body, marked) = match token.strip_suffix(['.', ')', ':']) {
        Some(body) => (body, true),
        None => (token, false),
    };
    if body.is_empty() {
        return text;
    }
    let numeric = body
        .split('.')
        .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    let roman = marked && body.chars().all(|c| "ivxlcdm".contains(c));
    let letter = marked && body.len() == 1 && body.chars().all(|c| c.is_ascii_lowercase());
    if numeric || roman || letter {
        text[end..].trim_start()
    } else {
        text
    }
}

/// A heading as written without its leading symbols and numbering (`🚀 1. Objective` is
/// `Objective`), to quote it back to the author as a name.
pub fn without_numbering(text: &str) -> &str {
    let text = text.trim_start_matches(|c: char| !c.is_alphanumeric());
    let lowered = text.to_lowercase();
    let rest = strip_numbering(&lowered);
    // Numbering is ASCII, which lower-casing leaves at the same bytes.
    let cut = lowered.len() - rest.len();
    if cut > 0 && text.is_char_boundary(cut) && text[..cut].eq_ignore_ascii_case(&lowered[..cut]) {
        &text[cut..]
    } else {
        text
    }
}

/// Cuts `text` to at most `max` characters at a word boundary, adding an ellipsis.
pub fn shorten(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max).collect();
    let cut = match cut.rfind(' ') {
        Some(i) if i > max / 2 => &cut[..i],
        _ => cut.as_str(),
    };
    format!("{}…", cut.trim_end_matches([',', ';', ':', ' ']))
}

/// The first sentence of a guidance text, shortened for messages. Abbreviations such as
/// "e.g." and "i.e." do not end it.
pub fn first_sentence(text: &str, max: usize) -> String {
    let text = text.trim();
    let mut end = text.len();
    for (i, c) in text.char_indices() {
        if matches!(c, '.' | '?' | '!') {
            let rest = &text[i + c.len_utf8()..];
            if rest.chars().next().is_none_or(char::is_whitespace)
                && i > 8
                && !(c == '.' && abbreviation_before(text, i, rest))
            {
                end = i + c.len_utf8();
                break;
            }
        }
    }
    shorten(&text[..end], max)
}

/// Abbreviations whose final dot never ends a sentence.
const ABBREVIATIONS: &[&str] = &["e.g", "i.e", "vs", "cf", "a.k.a", "approx", "resp"];

/// True when the dot at `dot` ends an abbreviation rather than a sentence: "e.g.", "i.e.",
/// "vs.", or "etc." followed by a word that does not start a new sentence.
fn abbreviation_before(text: &str, dot: usize, rest: &str) -> bool {
    let start = text[..dot]
        .char_indices()
        .rev()
        .find(|&(_, c)| c.is_whitespace() || matches!(c, '(' | '[' | '"' | '\''))
        .map_or(0, |(p, c)| p + c.len_utf8());
    let word = &text[start..dot];
    if ABBREVIATIONS.iter().any(|a| word.eq_ignore_ascii_case(a)) {
        return true;
    }
    word.eq_ignore_ascii_case("etc")
        && rest
            .trim_start()
            .chars()
            .next()
            .is_some_and(|c| !c.is_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The obvious version of [`label_key`]: lower-case, drop `(s)`/`(es)`, split, singularise.
    fn label_key_reference(text: &str) -> String {
        let lowered = text.to_lowercase().replace("(s)", "").replace("(es)", "");
        lowered
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(|w| {
                if w.len() > 3 && w.ends_with('s') && !w.ends_with("ss") {
                    &w[..w.len() - 1]
                } else {
                    w
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn label_key_agrees_with_the_obvious_version() {
        for label in [
            "Author(s)",
            "Authors",
            "**Technical Expert(s):**",
            "Service Owner(S)",
            "Address(es)",
            "(s) Status",
            "Required Reviewers",
            "Stakeholders / Sponsors",
            "Équipe(s) propriétaire(s)",
            "Feature Name",
            "s",
            "",
            "Bus",
            "Glass",
        ] {
            assert_eq!(label_key(label), label_key_reference(label), "{label:?}");
        }
    }

    #[test]
    fn heading_keys_ignore_what_people_vary() {
        assert_eq!(
            heading_key("Rationale & Alternatives:"),
            "rationale and alternatives"
        );
        assert_eq!(heading_key("2.3 **Domain  Model**"), "domain model");
        assert_eq!(heading_key("IV. Drawbacks"), "drawbacks");
        assert_eq!(heading_key("1) Summary"), "summary");
        assert_eq!(heading_key("GraphQL API (optional)"), "graphql api");
        assert_eq!(
            heading_key("Idempotence / Re-entrance"),
            "idempotence and re entrance"
        );
        for same in [
            "Idempotence & Re-entrance",
            "Idempotence and Re-entrance",
            "Idempotence/Re-entrance",
            "Idempotence, Re-entrance",
            "Idempotence + Re-entrance",
        ] {
            assert_eq!(heading_key(same), "idempotence and re entrance", "{same}");
        }
        assert_eq!(
            heading_key("Security, Privacy, and Risks"),
            heading_key("Security, Privacy & Risks")
        );
        assert_eq!(heading_key("& Summary /"), "summary");
        assert_eq!(heading_key("And"), "and");
        assert_eq!(heading_key("I want this"), "i want this");
        assert_eq!(heading_key("C API"), "c api");
        // A comma inside parentheses is an aside's punctuation, not "and" (a real KEP heading
        // against the KEP template's own spelling).
        assert_eq!(
            heading_key(
                "Can the feature be disabled once it has been enabled (i.e., can we roll back the enablement)?"
            ),
            heading_key(
                "Can the feature be disabled once it has been enabled (i.e. can we roll back the enablement)?"
            ),
        );
        assert_eq!(
            heading_key("Risks (and mitigations)"),
            "risks and mitigations"
        );
        assert_eq!(heading_key("Tests (unit/e2e)"), "tests unit and e2e");
    }

    #[test]
    fn write_heading_key_reuses_its_buffers_and_lowers_like_to_lowercase() {
        let (mut lowered, mut key) = (String::from("left over"), String::from("left over"));
        for (text, expected) in [
            ("Rationale & Alternatives:", "rationale and alternatives"),
            ("Drawbacks and alternatives", "drawbacks and alternatives"),
            ("and and and", "and and and"),
            ("And", "and"),
            ("Band and Brand", "band and brand"),
            ("ΣΑΣ (Optional) and Ü", "σας and ü"),
            ("1. Summary (OPTIONAL)", "summary"),
            ("", ""),
            ("x, and y", "x and y"),
        ] {
            write_heading_key(text, &mut lowered, &mut key);
            assert_eq!(key, expected, "{text:?}");
        }
    }

    #[test]
    fn the_quick_numbering_answer_agrees_with_the_token_rule() {
        for text in [
            "",
            "motivation",
            "detailed design",
            "1. summary",
            "1.2.3 summary",
            "1.\u{a0}summary",
            "iv. drawbacks",
            "a) first",
            "b: second",
            "x1) y",
            "2.3. **domain  model**",
            "\u{3a3}\u{3b1} and \u{e9}t\u{e9} / x",
            "1\u{2003}one",
            "\x0bvertical",
            "v.\x0bfive",
            "c api",
            "(optional) thing",
            "12ab. x",
            "::: x",
            "a&b,c and + d;",
            "and",
            "tail \u{e9}",
            "\u{1F600} smile and 東京",
            "rollback (i.e., can we; or not) , after",
            "a (b, (c; d), e) f, g",
            "unbalanced ) x, y ((z, w",
        ] {
            assert_eq!(
                strip_numbering(text),
                strip_numbering_token(text),
                "{text:?}"
            );
        }
    }

    #[test]
    fn combined_headings_cover_their_names_and_runs_of_them() {
        assert_eq!(
            key_spans(&heading_key("Drawbacks / Alternatives")),
            ["drawbacks", "alternatives"]
        );
        assert_eq!(
            key_spans(&heading_key("Best Practices, Tutorials and Examples")),
            [
                "best practices",
                "tutorials",
                "examples",
                "best practices and tutorials",
                "tutorials and examples"
            ]
        );
        assert!(key_spans("summary").is_empty());
        let many = key_spans(&heading_key("a1, b2, c3, d4, e5, f6, g7, h8, i9"));
        assert_eq!(many.len(), 9, "only single names past {MAX_PARTS}");
    }

    #[test]
    fn symbols_before_numbering_are_skipped() {
        assert_eq!(heading_key("🚀 1. Objective"), "objective");
        assert_eq!(heading_key("(a) First"), "first");
    }

    #[test]
    fn labels_and_types_normalise() {
        assert_eq!(label_key("Author(s)"), label_key("Authors"));
        assert_eq!(label_key("Technical Expert(s)"), "technical expert");
        assert_eq!(doc_type_key("System-Design Doc"), "system design");
    }

    #[test]
    fn first_sentence_stops_at_punctuation() {
        assert_eq!(
            first_sentence("Why are we doing this? Explain.", 80),
            "Why are we doing this?"
        );
        assert_eq!(first_sentence("e.g. this one. More", 80), "e.g. this one.");
    }

    #[test]
    fn first_sentence_reads_through_abbreviations() {
        assert_eq!(
            first_sentence(
                "Explain how the API is idempotent, e.g. how the key is generated, how it is used, etc. Then more.",
                200
            ),
            "Explain how the API is idempotent, e.g. how the key is generated, how it is used, etc."
        );
        assert_eq!(
            first_sentence(
                "Pick one store (i.e. Postgres vs. SQLite) and say why. Next.",
                200
            ),
            "Pick one store (i.e. Postgres vs. SQLite) and say why."
        );
        assert_eq!(
            first_sentence(
                "List the clients, queues, etc. and their owners. Next.",
                200
            ),
            "List the clients, queues, etc. and their owners."
        );
        assert_eq!(
            first_sentence("Describe the E.G. flow first. Next.", 200),
            "Describe the E.G. flow first."
        );
    }
}
