//! Cheap text similarity for placeholder detection: Jaccard over sets of hashed, normalised
//! words (linear in the text length), and a filler-only test (`TODO`, `TBD`, `N/A`, ...).

/// A set of hashed lower-case words, sorted and de-duplicated, so two sets compare by a merge.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WordSet(Vec<u64>);

impl WordSet {
    /// Builds the set of alphanumeric words of `text`, ignoring case.
    pub fn of(text: &str) -> Self {
        let mut hashes: Vec<u64> = word_hashes(text).collect();
        hashes.sort_unstable();
        hashes.dedup();
        Self(hashes)
    }

    /// True when the text had no word at all.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn contains(&self, hash: u64) -> bool {
        self.0.binary_search(&hash).is_ok()
    }

    /// Jaccard similarity `|a ∩ b| / |a ∪ b|` in `0.0..=1.0` (0 when both are empty).
    pub fn jaccard(&self, other: &WordSet) -> f64 {
        let (a, b) = (&self.0, &other.0);
        let (mut i, mut j, mut common) = (0, 0, 0usize);
        while i < a.len() && j < b.len() {
            match a[i].cmp(&b[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    common += 1;
                    i += 1;
                    j += 1;
                }
            }
        }
        let union = a.len() + b.len() - common;
        if union == 0 {
            0.0
        } else {
            common as f64 / union as f64
        }
    }
}

/// True when `text` is at least `threshold`-similar (Jaccard) to `a` or to `b`.
///
/// Jaccard >= t allows at most |set| * (1 - t) / t distinct words that are not in the set, so
/// the text is scanned word by word and given up on as soon as both sets' budgets of foreign
/// words are spent: a real answer is rejected after a few dozen words, and only near-copies
/// of the guidance pay for the exact comparison.
pub fn similar_to_either(text: &str, a: &WordSet, b: &WordSet, threshold: f64) -> bool {
    if threshold <= 0.0 {
        return true;
    }
    let budget =
        |set: &WordSet| (set.0.len() as f64 * (1.0 - threshold) / threshold).floor() as usize;
    let (budget_a, budget_b) = (budget(a), budget(b));
    if budget_a.max(budget_b) < Distinct::CAPACITY / 2 {
        let (mut foreign_a, mut foreign_b) = (Distinct::new(), Distinct::new());
        for hash in word_hashes(text) {
            if !a.contains(hash) {
                foreign_a.insert(hash);
            }
            if !b.contains(hash) {
                foreign_b.insert(hash);
            }
            if foreign_a.len > budget_a && foreign_b.len > budget_b {
                return false;
            }
        }
    }
    let words = WordSet::of(text);
    (!a.is_empty() && words.jaccard(a) >= threshold)
        || (!b.is_empty() && words.jaccard(b) >= threshold)
}

/// A set of word hashes that only counts its members: a fixed open-addressing table, so the
/// early exit above costs no allocation and no linear search.
struct Distinct {
    slots: [u64; Self::CAPACITY],
    len: usize,
}

impl Distinct {
    const CAPACITY: usize = 128;

    fn new() -> Self {
        Self {
            slots: [0; Self::CAPACITY],
            len: 0,
        }
    }

    /// Adds `hash` (callers keep `len` below half the capacity, so a free slot always exists).
    fn insert(&mut self, hash: u64) {
        // 0 marks a free slot.
        let hash = hash.max(1);
        let mut i = (hash.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 57) as usize;
        loop {
            match self.slots[i] {
                0 => {
                    self.slots[i] = hash;
                    self.len += 1;
                    return;
                }
                h if h == hash => return,
                _ => i = (i + 1) % Self::CAPACITY,
            }
        }
    }
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// The hashes of the alphanumeric words of `text` (the pieces of
/// `text.split(|c: char| !c.is_alphanumeric())`), each FNV-1a over its lower-cased characters:
/// one pass that splits and hashes, decoding UTF-8 only outside ASCII.
fn word_hashes(text: &str) -> WordHashes<'_> {
    WordHashes { text, pos: 0 }
}

struct WordHashes<'a> {
    text: &'a str,
    pos: usize,
}

impl Iterator for WordHashes<'_> {
    type Item = u64;

    fn next(&mut self) -> Option<u64> {
        let bytes = self.text.as_bytes();
        let mut hash = FNV_OFFSET;
        let mut in_word = false;
        while let Some(&byte) = bytes.get(self.pos) {
            if byte.is_ascii() {
                self.pos += 1;
                if byte.is_ascii_alphanumeric() {
                    hash = (hash ^ u64::from(byte.to_ascii_lowercase())).wrapping_mul(FNV_PRIME);
                    in_word = true;
                    continue;
                }
            } else {
                // `pos` only ever advances by whole characters.
                let c = self.text.get(self.pos..)?.chars().next()?;
                self.pos += c.len_utf8();
                if c.is_alphanumeric() {
                    for lower in c.to_lowercase() {
                        let mut buf = [0u8; 4];
                        for byte in lower.encode_utf8(&mut buf).bytes() {
                            hash = (hash ^ u64::from(byte)).wrapping_mul(FNV_PRIME);
                        }
                    }
                    in_word = true;
                    continue;
                }
            }
            if in_word {
                return Some(hash);
            }
        }
        in_word.then_some(hash)
    }
}

/// Filler phrases (`TODO`, `TBD`, `N/A`, `to be defined`), each kept as its words, and the
/// distinct first words of the phrases (what real prose is rejected on).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filler(Vec<Vec<String>>, Vec<String>);

/// Longest body (in words) that is still examined as possible filler.
const MAX_FILLER_WORDS: usize = 16;

impl Filler {
    /// Builds the matcher from configured phrases.
    pub fn new<S: AsRef<str>>(phrases: &[S]) -> Self {
        let mut list: Vec<Vec<String>> = phrases
            .iter()
            .map(|p| filler_words(p.as_ref()).collect::<Vec<_>>())
            .filter(|w| !w.is_empty())
            .collect();
        // Longest first, so "to be defined" wins over "to".
        list.sort_by_key(|w| std::cmp::Reverse(w.len()));
        let mut firsts: Vec<String> = Vec::new();
        for phrase in &list {
            if !firsts.contains(&phrase[0]) {
                firsts.push(phrase[0].clone());
            }
        }
        Self(list, firsts)
    }

    /// True when `text` has something in it but nothing beyond filler phrases and punctuation.
    pub fn is_filler_only(&self, text: &str) -> bool {
        // Sixteen filler words with their punctuation never take this much room.
        if text.len() > MAX_FILLER_WORDS * 24 || text.trim().is_empty() {
            return false;
        }
        let mut found = text
            .split_whitespace()
            .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
            .filter(|w| !w.is_empty())
            .peekable();
        // Real prose fails on its first word: no phrase starts with it.
        if let Some(first) = found.peek() {
            let known = if first.is_ascii() {
                self.1.iter().any(|p| first.eq_ignore_ascii_case(p))
            } else {
                self.1.iter().any(|p| same_word(first, p))
            };
            if !known {
                return false;
            }
        }
        let mut words: [&str; MAX_FILLER_WORDS] = [""; MAX_FILLER_WORDS];
        let mut n = 0;
        for word in found {
            if n == MAX_FILLER_WORDS {
                return false;
            }
            words[n] = word;
            n += 1;
        }
        let words = &words[..n];
        let mut i = 0;
        'outer: while i < words.len() {
            for phrase in &self.0 {
                let end = i + phrase.len();
                if end <= words.len()
                    && words[i..end]
                        .iter()
                        .zip(phrase)
                        .all(|(w, p)| same_word(w, p))
                {
                    i = end;
                    continue 'outer;
                }
            }
            return false;
        }
        true
    }
}

/// Compares a doc word with a lower-case filler word, ignoring case.
fn same_word(word: &str, lower: &str) -> bool {
    if word.is_ascii() {
        word.eq_ignore_ascii_case(lower)
    } else {
        word.to_lowercase() == lower
    }
}

/// Lower-cased whitespace-separated words with surrounding punctuation removed (so `N/A.`
/// gives `n/a`); words that are only punctuation disappear.
fn filler_words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jaccard_of_identical_and_disjoint_texts() {
        let a = WordSet::of("Why are we doing this?");
        assert_eq!(a.jaccard(&WordSet::of("why ARE we doing this")), 1.0);
        assert_eq!(
            a.jaccard(&WordSet::of("Customers cannot sync statements")),
            0.0
        );
        assert!(a.jaccard(&WordSet::of("We are doing this because customers asked.")) < 0.8);
    }

    #[test]
    fn early_exit_agrees_with_the_exact_measure() {
        let guidance = WordSet::of("Why are we doing this? What use cases does it support?");
        let prose = WordSet::of("Why are we doing this?");
        for text in [
            "Why are we doing this?",
            "why are we doing this what use cases does it support",
            "Why are we doing this? Because customers asked for budgets per employee.",
            "Budgets per employee, asked for by finance teams.",
            "What use cases does it support? Why?",
        ] {
            let exact = WordSet::of(text);
            let expected = exact.jaccard(&guidance) >= 0.8 || exact.jaccard(&prose) >= 0.8;
            assert_eq!(
                similar_to_either(text, &guidance, &prose, 0.8),
                expected,
                "{text}"
            );
        }
    }

    /// FNV-1a over the lower-cased characters of one word, the slow and obvious way.
    fn hash_word(word: &str) -> u64 {
        let mut hash = FNV_OFFSET;
        for c in word.chars().flat_map(char::to_lowercase) {
            let mut buf = [0u8; 4];
            for byte in c.encode_utf8(&mut buf).bytes() {
                hash = (hash ^ u64::from(byte)).wrapping_mul(FNV_PRIME);
            }
        }
        hash
    }

    #[test]
    fn word_hashes_split_and_hash_like_the_obvious_code() {
        for text in [
            "",
            "  Why are we doing this?  ",
            "Naïve CAFÉ, déjà-vu: 東京 ok",
            "a1_b2--c3 \u{1F600} end",
            "trailing\u{c9}",
            "\u{e9}",
        ] {
            let expected: Vec<u64> = text
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(hash_word)
                .collect();
            assert_eq!(word_hashes(text).collect::<Vec<_>>(), expected, "{text:?}");
        }
    }

    #[test]
    fn distinct_counts_each_hash_once() {
        let mut set = Distinct::new();
        for h in [5, 7, 5, 0, 1, 7, 1 << 63] {
            set.insert(h);
        }
        // 0 and 1 share a slot value: a collision the early exit may make (it only counts).
        assert_eq!(set.len, 4);
    }

    #[test]
    fn filler_detection() {
        let f = Filler::new(&["TODO", "TBD", "N/A", "to be defined"]);
        assert!(f.is_filler_only("TBD"));
        assert!(f.is_filler_only("todo: tbd..."));
        assert!(f.is_filler_only("N/A."));
        assert!(f.is_filler_only("To be defined"));
        assert!(f.is_filler_only("..."));
        assert!(!f.is_filler_only("TBD after the load test"));
        assert!(!f.is_filler_only(""));
    }
}
