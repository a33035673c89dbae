//! Cheap text similarity for placeholder detection: Jaccard over sets of hashed, normalised
//! words (linear in the text length), and a filler-only test (`TODO`, `TBD`, `N/A`, ...).

use rustc_hash::{FxHashMap, FxHashSet};

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

/// A template section's guidance as two word sets (the whole guidance, and its prose alone),
/// with a map that answers "which of the sets hold this word" in one look-up per doc word.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Guidance {
    /// Words of the whole guidance (prose and example code).
    pub all: WordSet,
    /// Words of the guidance's prose.
    pub prose: WordSet,
    /// Each word of either set, with the [`IN_ALL`] and [`IN_PROSE`] bits of the sets holding it.
    members: FxHashMap<u64, u8>,
}

const IN_ALL: u8 = 1;
const IN_PROSE: u8 = 2;

impl Guidance {
    /// Builds the sets of `all` (whole guidance text) and `prose` (its prose alone).
    pub fn new(all: &str, prose: &str) -> Self {
        let (all, prose) = (WordSet::of(all), WordSet::of(prose));
        let mut members = FxHashMap::default();
        for (set, bit) in [(&all, IN_ALL), (&prose, IN_PROSE)] {
            for &hash in &set.0 {
                *members.entry(hash).or_insert(0) |= bit;
            }
        }
        Self {
            all,
            prose,
            members,
        }
    }

    /// True when the guidance has no word at all.
    pub fn is_empty(&self) -> bool {
        self.all.is_empty()
    }

    /// True when `text` has exactly the words of the whole guidance or of its prose: the
    /// guidance left as it is, not just similar to it.
    pub fn verbatim(&self, text: &str) -> bool {
        let words = WordSet::of(text);
        !words.is_empty() && (words == self.all || words == self.prose)
    }

    /// The sets holding `hash`, as [`IN_ALL`] and [`IN_PROSE`] bits.
    fn sets_of(&self, hash: u64) -> u8 {
        self.members.get(&hash).copied().unwrap_or(0)
    }

    /// True when `text` is at least `threshold`-similar (Jaccard) to the whole guidance or to
    /// its prose.
    ///
    /// Jaccard >= t allows at most |set| * (1 - t) / t distinct words that are not in the set,
    /// so the text is scanned word by word and given up on as soon as both sets' budgets of
    /// foreign words are spent: a real answer is rejected after a few dozen words. The same
    /// pass counts the words in common, so a text read to its end is compared without
    /// reading it again.
    pub fn similar(&self, text: &str, threshold: f64) -> bool {
        if threshold <= 0.0 {
            return true;
        }
        let budget =
            |set: &WordSet| (set.0.len() as f64 * (1.0 - threshold) / threshold).floor() as usize;
        let mut words = TextWords::new([budget(&self.all), budget(&self.prose)]);
        for hash in word_hashes(text) {
            if words.add(hash, self.sets_of(hash)) {
                return false;
            }
        }
        [&self.all, &self.prose]
            .into_iter()
            .enumerate()
            .any(|(set, words_of_set)| {
                !words_of_set.is_empty() && words.jaccard(set, words_of_set.0.len()) >= threshold
            })
    }
}

/// The distinct words of a text, counted per set of the guidance ([`IN_ALL`], [`IN_PROSE`]):
/// how many the set holds and how many are foreign to it.
struct TextWords {
    seen: FxHashSet<u64>,
    common: [usize; 2],
    foreign: [usize; 2],
    budgets: [usize; 2],
}

impl TextWords {
    fn new(budgets: [usize; 2]) -> Self {
        // Sized once for the words a text that is not the guidance is read to (most bodies
        // are not), rather than grown step by step while it is.
        let room = (budgets[0] + budgets[1] + 2).min(MOST_PRESIZED);
        Self {
            seen: FxHashSet::with_capacity_and_hasher(room, Default::default()),
            common: [0, 0],
            foreign: [0, 0],
            budgets,
        }
    }

    /// Counts `hash` (a word held by the sets in `sets`) once; true when both sets' budgets of
    /// foreign words are now spent.
    fn add(&mut self, hash: u64, sets: u8) -> bool {
        if self.seen.insert(hash) {
            for (set, bit) in [IN_ALL, IN_PROSE].into_iter().enumerate() {
                if sets & bit != 0 {
                    self.common[set] += 1;
                } else {
                    self.foreign[set] += 1;
                }
            }
        }
        (0..2).all(|set| self.foreign[set] > self.budgets[set])
    }

    /// Jaccard similarity of the words counted so far to set `set` of `set_len` words.
    fn jaccard(&self, set: usize, set_len: usize) -> f64 {
        // Every distinct word is either in the set or foreign to it.
        let union = set_len + self.foreign[set];
        if union == 0 {
            0.0
        } else {
            self.common[set] as f64 / union as f64
        }
    }
}

/// The most words a [`TextWords`] makes room for up front (a long guidance's budgets are
/// larger than most texts need).
const MOST_PRESIZED: usize = 128;

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
        let all = "Why are we doing this? What use cases does it support?";
        let prose = "Why are we doing this?";
        let guidance = Guidance::new(all, prose);
        for text in [
            "Why are we doing this?",
            "why are we doing this what use cases does it support",
            "Why are we doing this? Because customers asked for budgets per employee.",
            "Budgets per employee, asked for by finance teams.",
            "What use cases does it support? Why?",
        ] {
            let exact = WordSet::of(text);
            let expected = exact.jaccard(&WordSet::of(all)) >= 0.8
                || exact.jaccard(&WordSet::of(prose)) >= 0.8;
            assert_eq!(guidance.similar(text, 0.8), expected, "{text}");
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
    fn words_count_once_per_set_and_stop_when_both_budgets_are_spent() {
        let mut words = TextWords::new([1, 2]);
        assert!(!words.add(5, 0));
        assert!(!words.add(5, 0), "a word counts once");
        assert!(!words.add(7, IN_PROSE));
        assert!(!words.add(8, IN_ALL | IN_PROSE));
        assert_eq!((words.common, words.foreign), ([1, 2], [2, 1]));
        // The first set's budget is spent; the second's not yet.
        assert!(!words.add(11, IN_ALL));
        assert!(words.add(13, 0));
        assert_eq!((words.common, words.foreign), ([2, 2], [3, 3]));
        // 2 words in common out of the set's 4 and the 3 foreign ones.
        assert_eq!(words.jaccard(0, 4), 2.0 / 7.0);
    }

    proptest::proptest! {
        /// The early exit never changes the answer of the exact measure, for guidance of any
        /// length.
        #[test]
        fn early_exit_never_changes_the_answer(
            all in proptest::collection::vec(0u16..300, 0..400),
            prose_len in 0usize..400,
            kept in 0usize..400,
            extra in proptest::collection::vec(0u16..600, 0..100),
            threshold in 0.5f64..1.0,
        ) {
            // The text keeps a part of the guidance and adds words of its own, so that near
            // copies (the case the exact measure decides) come up as often as real answers.
            let words = |ids: &[u16]| ids.iter().map(|i| format!("w{i} ")).collect::<String>();
            let text = words(&all[..kept.min(all.len())]) + &words(&extra);
            let (all, prose) = (words(&all), words(&all[..prose_len.min(all.len())]));
            let exact = WordSet::of(&text);
            let expected = (!WordSet::of(&all).is_empty() && exact.jaccard(&WordSet::of(&all)) >= threshold)
                || (!WordSet::of(&prose).is_empty() && exact.jaccard(&WordSet::of(&prose)) >= threshold);
            proptest::prop_assert_eq!(Guidance::new(&all, &prose).similar(&text, threshold), expected);
        }
    }

    #[test]
    fn long_guidance_and_words_of_one_set_only_still_end() {
        // Thousands of foreign words, all foreign to one set only.
        let all: String = (0..400).map(|i| format!("w{i} ")).collect();
        let guidance = Guidance::new(&all, "prose");
        let text: String = (0..5000).map(|i| format!("x{i} ")).collect();
        assert!(!guidance.similar(&text, 0.8));
        assert!(guidance.similar(&all, 0.8));
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
