//! Pure Markdown-vs-template checking: text in, gaps out.
