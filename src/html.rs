//! The server's HTML pages share this: one inline style, escaping, the document frame. Pages
//! are small and self-contained (inline style, no scripts, no external assets) so they work
//! offline and under a strict CSP.

/// The style of every page: inline, so the pages need no other request.
const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;\
padding:0 1rem;line-height:1.5;color:#1f2328}h1{font-size:1.6rem}code{background:#f6f8fa;\
padding:0 .2rem}button{font-size:1rem;padding:.6rem 1.2rem;border:0;border-radius:6px;\
background:#1f883d;color:#fff;cursor:pointer}.note{background:#fff8c5;padding:.5rem .8rem;\
border-radius:6px}a.install{display:inline-block;font-size:1.1rem;padding:.6rem 1.2rem;\
border-radius:6px;background:#1f883d;color:#fff;text-decoration:none}pre{background:#f6f8fa;\
padding:.6rem;overflow-x:auto}li{margin-bottom:.6rem}";

/// Escapes text for HTML content and double-quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A whole page: `body` (already HTML) under `title`.
pub fn document(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
<title>{}</title><style>{STYLE}</style></head><body>\n{body}\n</body></html>\n",
        escape(title)
    )
}
