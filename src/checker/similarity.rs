//! Cheap text similarity for placeholder detection: Jaccard over sets of hashed, normalised
//! words (linear in the text length), and a filler-only test (`TODO`, `TBD`, `N/A`, ...).

/// A set of hashed lower-case words, sorted and de-duplicated, so two sets compare by a merge.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WordSet(Vec<u64>);

impl WordSet {
    /// Builds the set of alphanumeric words of `text`, ignoring case.
    pub fn of(text: &str) -> Self {
        let mut hashes: Vec<u64> = text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(hash_word)
            .collect();
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

/// FNV-1a over the lower-cased characters of one word.
fn hash_word(word: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for c in word.chars().flat_map(char::to_lowercase) {
        let mut buf = [0u8; 4];
        for byte in c.encode_utf8(&mut buf).bytes() {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    hash
}

/// Filler phrases (`TODO`, `TBD`, `N/A`, `to be defined`), each kept as its words.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filler(Vec<Vec<String>>);

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
        Self(list)
    }

    /// True when `text` has something in it but nothing beyond filler phrases and punctuation.
    pub fn is_filler_only(&self, text: &str) -> bool {
        if text.trim().is_empty() {
            return false;
        }
        let words: Vec<String> = filler_words(text).take(MAX_FILLER_WORDS + 1).collect();
        if words.len() > MAX_FILLER_WORDS {
            return false;
        }
        let mut i = 0;
        'outer: while i < words.len() {
            for phrase in &self.0 {
                let end = i + phrase.len();
                if end <= words.len() && words[i..end].iter().zip(phrase).all(|(w, p)| w == p) {
                    i = end;
                    continue 'outer;
                }
            }
            return false;
        }
        true
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
