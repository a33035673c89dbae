//! Reading the server's HTML pages in tests.

#![allow(dead_code)] // each test binary uses its own part of the support code

/// The first `<tag>` element of `html`, opening to closing tag, one tag per line where tags
/// abut: what a reader of the page sees, without the shared head and stylesheet that would
/// bloat every snapshot, and in a shape a snapshot diff can point into.
pub fn element(html: &str, tag: &str) -> String {
    let open = format!("<{tag}");
    let close = format!("</{tag}>");
    let start = html
        .find(&format!("{open}>"))
        .or_else(|| html.find(&format!("{open} ")))
        .unwrap_or_else(|| panic!("no <{tag}> in {html}"));
    let end = html
        .rfind(&close)
        .unwrap_or_else(|| panic!("no </{tag}> in {html}"))
        + close.len();
    html[start..end].replace("><", ">\n<")
}
