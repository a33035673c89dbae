//! Percent-encoding of text placed into a URL.
//!
//! One encode set serves both path segments and query values: everything except RFC 3986's
//! unreserved characters (`A-Z a-z 0-9 - . _ ~`) is encoded, so neither a segment's delimiters
//! (`/`, `?`, `#`) nor a query's (`&`, `=`, `+`) can change the URL's structure, and a space
//! becomes `%20` in both places.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Every byte except RFC 3986's unreserved characters.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes `text` as one URL component: a path segment or a query value.
pub fn component(text: &str) -> String {
    utf8_percent_encode(text, COMPONENT).to_string()
}

#[cfg(test)]
mod tests {
    use super::component;

    #[test]
    fn a_segment_keeps_no_delimiter_and_encodes_utf8_bytes() {
        assert_eq!(
            component("a b/c#d?e%f&g=h+ü~-._Z9"),
            "a%20b%2Fc%23d%3Fe%25f%26g%3Dh%2B%C3%BC~-._Z9"
        );
    }

    #[test]
    fn plain_text_is_unchanged() {
        assert_eq!(component("octo-org.repo_1~x"), "octo-org.repo_1~x");
    }
}
