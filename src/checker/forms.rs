//! The relaxed forms of a heading: what a doc heading that is no template heading may still
//! stand for. Authors add a subtitle ("Motivation: completion handlers are suboptimal",
//! "Proposed solution — async/await"), inflect a word ("Detail Design", "Objectives") or spell
//! it the British way ("Acknowledgements"). These forms are only tried for a heading whose own
//! key is no template section's, so a heading that is itself a template heading (such as
//! "Non-Goals" next to "Goals") never stands for another section.

/// The text before a heading's subtitle: before the first `:`, or before a dash with a space
/// on each side (` - `, ` – `, ` — `). `None` when there is no subtitle or nothing before it. A
/// dash inside a word ("Non-Goals", "Re-entrance") is not a subtitle.
pub fn before_subtitle(text: &str) -> Option<&str> {
    let at = text.char_indices().find_map(|(i, c)| match c {
        ':' => Some(i),
        ' ' => {
            let rest = &text[i + 1..];
            let dash = ["- ", "-- ", "– ", "— "]
                .iter()
                .any(|d| rest.starts_with(d));
            dash.then_some(i)
        }
        _ => None,
    })?;
    let before = text[..at].trim();
    before.chars().any(char::is_alphanumeric).then_some(before)
}

/// A heading key (as [`heading_key`](super::normalize::heading_key) gives it) with each word
/// reduced the same way on both sides, so that inflections and British spellings meet:
/// "detailed design" and "detail design" both give "detail design", "acknowledgements" and
/// "acknowledgments" both give "acknowledgment".
pub fn loose_key(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    write_loose_key(key, &mut out);
    out
}

/// [`loose_key`] written into `out` (cleared first), for a caller that reduces many keys.
pub fn write_loose_key(key: &str, out: &mut String) {
    out.clear();
    for word in key.split(' ').filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        push_loose_word(out, word);
    }
}

/// One lower-case word reduced, appended to `out`: singular, American spelling, without a
/// past-participle `-ed` or a final silent `e`, and with a final `ll` as `l` (so "modelled",
/// "modeled" and "model" meet). Short words are left alone: they are too easily another word.
/// Every rule only edits the end of the word.
fn push_loose_word(out: &mut String, word: &str) {
    let start = out.len();
    out.push_str(singular(word));
    let mut w = Tail { out, start };
    american(&mut w);
    if w.len() >= 6 && w.ends_with("ed") {
        w.cut(2);
    }
    if w.len() > 4 && w.ends_with("e") {
        w.cut(1);
    }
    if w.len() >= 4 && w.ends_with("ll") {
        w.cut(1);
    }
}

/// The word being reduced: the end of a string from `start`.
struct Tail<'a> {
    out: &'a mut String,
    start: usize,
}

impl Tail<'_> {
    fn len(&self) -> usize {
        self.out.len() - self.start
    }

    fn ends_with(&self, suffix: &str) -> bool {
        self.out[self.start..].ends_with(suffix)
    }

    fn is(&self, word: &str) -> bool {
        &self.out[self.start..] == word
    }

    /// Drops the last `n` bytes (ASCII letters: every suffix here is).
    fn cut(&mut self, n: usize) {
        let len = self.out.len();
        self.out.truncate(len - n);
    }

    /// Replaces the last `n` bytes with `with`.
    fn replace_end(&mut self, n: usize, with: &str) {
        self.cut(n);
        self.out.push_str(with);
    }
}

/// The singular of an English plural: `policies` -> `policy`, `approaches` -> `approach`,
/// `goals` -> `goal`; words ending in `ss`, `us` or `is` (`process`, `status`, `analysis`)
/// and words of three letters or fewer are not plurals. (`policies` only loses its `s` here:
/// [`american`] turns the `-ie` left into `-y`.)
fn singular(word: &str) -> &str {
    for suffix in ["sses", "ches", "shes", "xes"] {
        if word.ends_with(suffix) {
            return &word[..word.len() - 2];
        }
    }
    if word.len() > 3
        && word.ends_with('s')
        && !["ss", "us", "is"].iter().any(|e| word.ends_with(e))
    {
        return &word[..word.len() - 1];
    }
    word
}

/// British spellings as American ones, in place: `-isation`/`-ise`/`-ised`/`-ising` as `-iz…`,
/// `-yse` as `-yze`, a final `-our` as `-or` (`behaviour`), `-ogue` as `-og`, a final `-tre` or
/// `-bre` as `-ter`/`-ber` (`centre`), `-dgement` as `-dgment`, `-lled`/`-lling` as
/// `-led`/`-ling` (`modelling`), and `licence`, `defence`, `offence`. Also the `-ie` a plural
/// in `-ies` leaves, as `-y` (`policies` -> `policy`).
fn american(word: &mut Tail<'_>) {
    const SUFFIXES: &[(&str, &str)] = &[
        ("isation", "ization"),
        ("ising", "izing"),
        ("ised", "ized"),
        ("ise", "ize"),
        ("ysing", "yzing"),
        ("ysed", "yzed"),
        ("yse", "yze"),
        ("dgement", "dgment"),
        ("ogue", "og"),
        ("lling", "ling"),
        ("lled", "led"),
    ];
    if word.len() > 3 && word.ends_with("ie") {
        word.replace_end(2, "y");
        return;
    }
    for (british, american) in SUFFIXES {
        if word.len() > british.len() + 1 && word.ends_with(british) {
            word.replace_end(british.len(), american);
            return;
        }
    }
    if word.len() > 5 && word.ends_with("our") {
        word.replace_end(2, "r");
    } else if word.len() > 4 && (word.ends_with("tre") || word.ends_with("bre")) {
        word.replace_end(2, "er");
    } else if word.is("licence") || word.is("defence") || word.is("offence") {
        word.replace_end(2, "se");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subtitles_are_cut_at_a_colon_or_a_spaced_dash() {
        for (text, expected) in [
            (
                "Motivation: completion handlers are suboptimal",
                Some("Motivation"),
            ),
            ("Proposed solution — async/await", Some("Proposed solution")),
            ("Proposed solution - async/await", Some("Proposed solution")),
            ("Proposed solution – async", Some("Proposed solution")),
            ("Non-Goals", None),
            ("Idempotence / Re-entrance", None),
            ("Motivation", None),
            (": only a subtitle", None),
            ("Goals: a - b", Some("Goals")),
        ] {
            assert_eq!(before_subtitle(text), expected, "{text:?}");
        }
    }

    #[test]
    fn inflections_and_spellings_meet() {
        for (a, b) in [
            ("detail design", "detailed design"),
            ("alternative considered", "alternatives considered"),
            ("user benefits", "user benefit"),
            ("objectives", "objective"),
            ("acknowledgements", "acknowledgments"),
            ("behaviour", "behavior"),
            ("organisation", "organization"),
            ("prioritised", "prioritized"),
            ("analyse", "analyze"),
            ("catalogue", "catalog"),
            ("centre", "center"),
            ("modelling", "modeling"),
            ("modelled", "model"),
            ("licence", "license"),
            ("policies", "policy"),
            ("approaches", "approach"),
            ("processes", "process"),
            ("proposed changes", "propose change"),
        ] {
            assert_eq!(loose_key(a), loose_key(b), "{a:?} ~ {b:?}");
        }
    }

    #[test]
    fn different_words_stay_different() {
        for (a, b) in [
            ("goals", "non goals"),
            ("status", "state"),
            ("analysis", "analyses summary"),
            ("testing", "test"),
            ("design", "detailed design"),
            ("alternatives", "alternatives considered"),
            ("use", "user"),
        ] {
            assert_ne!(loose_key(a), loose_key(b), "{a:?} vs {b:?}");
        }
    }
}
