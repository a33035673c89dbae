//! The single pass over pulldown-cmark events that both templates and docs go through: it
//! yields headings (with line numbers) and, per heading, what its own body holds (whether there
//! is any content, a bounded sample of its text), plus the header fields before the first
//! section. Everything else in the checker works on this outline, never on raw Markdown.

use std::ops::Range;

use compact_str::CompactString;
use pulldown_cmark::{Event, MetadataBlockKind, Options, Parser, Tag, TagEnd};

use super::normalize::{key_spans, words_joined, write_heading_key};

/// The pulldown-cmark options used for every parse (the benchmark uses the same). Heading
/// attributes (`## Objective {#objective}`, as pandoc and kramdown write ids) are read as
/// attributes, not as part of the heading's text.
pub fn parser_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
}

/// Heading keys whose body lists the services a design affects.
pub const SERVICES_KEYS: &[&str] = &[
    "services affected",
    "affected services",
    "services impacted",
];

/// A heading as the scan reads it, before its body.
pub struct HeadingRead<'a> {
    /// Index among the headings.
    pub index: usize,
    /// Its [`heading_key`](super::normalize::heading_key).
    pub key: &'a str,
    /// Plain text, as [`Heading::text`].
    pub text: &'a str,
    /// What it covers as a combined heading ([`key_spans`]; empty unless one).
    pub spans: &'a [String],
}

/// What the caller wants collected beyond the outline itself.
pub struct ScanOptions<'a> {
    /// Bytes of body text to keep for this heading; 0: none.
    pub sample_limit: &'a dyn Fn(&HeadingRead<'_>) -> usize,
    /// Normalised paragraphs that are template boilerplate and never count as content.
    pub boilerplate: &'a [String],
    /// Keep [`Body::prose`] (templates).
    pub keep_prose: bool,
    /// Also read `Label: value` lines of plain paragraphs as header fields (docs do; templates
    /// only use list items, so a title's tagline never becomes a required field).
    pub paragraph_fields: bool,
}

/// Body of one heading (or the preamble), up to the next heading of any level.
#[derive(Debug, Clone, Default)]
pub struct Body {
    /// Any prose, code, table, image or visible HTML (comments and whitespace do not count).
    pub has_content: bool,
    /// Content outside of lists (used to tell a title with a tagline from a section).
    pub prose_outside_lists: bool,
    /// Where its plain text, kept up to the sample limit, is in [`Outline::samples`] (read it
    /// with [`Body::text`]).
    sample: Range<usize>,
    /// Total plain-text length, including what was not kept.
    pub text_len: usize,
    /// Text outside code blocks (kept for templates only, to compare prose with prose).
    pub prose: String,
    /// Top-level list items and paragraphs, kept only for "Services Affected" bodies.
    pub entries: Vec<String>,
    limit: usize,
    collect_entries: bool,
}

impl Body {
    /// A body whose sample starts at `start` in the samples.
    fn new(limit: usize, collect_entries: bool, start: usize) -> Self {
        Self {
            sample: start..start,
            limit,
            collect_entries,
            ..Self::default()
        }
    }

    /// Plain text, kept up to the sample limit; `samples` are the outline's.
    pub fn text<'s>(&self, samples: &'s str) -> &'s str {
        &samples[self.sample.clone()]
    }

    /// True when the kept sample is the whole text.
    pub fn complete(&self) -> bool {
        self.text_len <= self.sample.len()
    }

    /// Adds `text` to the body, and as much of it as the limit leaves room for to its sample:
    /// the end of `samples`, as this is the body being read.
    #[inline]
    fn push_text(&mut self, samples: &mut String, text: &str, in_list: bool) {
        if (!self.has_content || (!in_list && !self.prose_outside_lists))
            && text.chars().any(|c| !c.is_whitespace())
        {
            self.mark_content(in_list);
        }
        self.text_len += text.len();
        let room = self.limit.saturating_sub(self.sample.len());
        if room > 0 {
            let mut cut = room.min(text.len());
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            samples.push_str(&text[..cut]);
            self.sample.end = samples.len();
        }
    }

    /// `push_text(samples, " ", _)`: a space never marks content.
    #[inline]
    fn push_space(&mut self, samples: &mut String) {
        self.text_len += 1;
        if self.sample.len() < self.limit {
            samples.push(' ');
            self.sample.end = samples.len();
        }
    }

    /// Forgets what was read since the sample had `kept` bytes and the text `text_len`.
    fn cut_back(&mut self, samples: &mut String, kept: usize, text_len: usize) {
        self.sample.end = self.sample.start + kept.min(self.sample.len());
        samples.truncate(self.sample.end);
        self.text_len = text_len;
    }

    fn mark_content(&mut self, in_list: bool) {
        self.has_content = true;
        if !in_list {
            self.prose_outside_lists = true;
        }
    }
}

/// One heading of the parsed Markdown.
#[derive(Debug, Clone)]
pub struct Heading {
    pub level: u8,
    /// Plain text: emphasis and code markers removed, and so are stray emphasis markers at
    /// either end (`**Metrics **`, which Markdown does not read as emphasis, is `Metrics`).
    pub text: CompactString,
    /// [`heading_key`](super::normalize::heading_key) of the text.
    pub key: CompactString,
    /// 1-based line of the heading.
    pub line: usize,
    pub body: Body,
}

/// A `Label: value` item found before the first section.
#[derive(Debug, Clone)]
pub struct RawField {
    pub label: String,
    pub value: String,
    pub line: usize,
    /// Index of the field this one is nested under.
    pub parent: Option<usize>,
    /// Found in the body of the first heading (a title) rather than before any heading.
    pub after_first_heading: bool,
    /// The label was written in bold (`**Label:**`).
    pub bold: bool,
    /// A row of a two-column table (`| **Author(s)** | My Name |`) rather than a list item.
    pub table: bool,
}

/// The outline of a Markdown text.
#[derive(Debug, Clone, Default)]
pub struct Outline {
    pub headings: Vec<Heading>,
    /// The kept plain text of every body, one after the other (see [`Body::text`]): one
    /// buffer for the doc rather than one per heading.
    pub samples: String,
    /// Content before the first heading.
    pub preamble: Body,
    pub fields: Vec<RawField>,
    /// Text of a YAML front matter block at the very start.
    pub front_matter: Option<String>,
    /// Number of lines in the text.
    pub lines: usize,
}

#[derive(Default)]
struct ItemBuf {
    line: usize,
    head_done: bool,
    field: Option<usize>,
    bold_label: bool,
    saw_text: bool,
}

/// The paragraph being read (its text goes to a buffer reused from paragraph to paragraph).
struct ParaBuf {
    /// Bytes of the body's sample before the paragraph.
    sample_kept: usize,
    len_start: usize,
    saved: (bool, bool),
    line: usize,
}

/// Counts lines incrementally as offsets grow.
struct LineCounter<'a> {
    src: &'a [u8],
    pos: usize,
    line: usize,
}

impl LineCounter<'_> {
    fn line_at(&mut self, offset: usize) -> usize {
        let offset = offset.min(self.src.len());
        if offset < self.pos {
            self.pos = 0;
            self.line = 1;
        }
        self.line += bytecount::count(&self.src[self.pos..offset], b'\n');
        self.pos = offset;
        self.line
    }
}

/// Tracks HTML comments and tags across the events of one HTML block.
#[derive(Default)]
struct HtmlScan {
    in_comment: bool,
    in_tag: bool,
}

impl HtmlScan {
    /// True when `html` shows visible text (outside comments and tags).
    fn visible(&mut self, html: &str) -> bool {
        let mut rest = html;
        let mut visible = false;
        while !rest.is_empty() {
            if self.in_comment {
                match rest.find("-->") {
                    Some(i) => {
                        self.in_comment = false;
                        rest = &rest[i + 3..];
                    }
                    None => return visible,
                }
            } else if self.in_tag {
                match rest.find('>') {
                    Some(i) => {
                        self.in_tag = false;
                        rest = &rest[i + 1..];
                    }
                    None => return visible,
                }
            } else if rest.starts_with("<!--") {
                self.in_comment = true;
                rest = &rest[4..];
            } else if rest.starts_with('<') {
                self.in_tag = true;
                rest = &rest[1..];
            } else {
                let end = rest.find('<').unwrap_or(rest.len());
                if rest[..end].chars().any(|c| !c.is_whitespace()) {
                    visible = true;
                }
                rest = &rest[end..];
            }
        }
        visible
    }
}

/// Splits `Label: value` (the label at most 8 words, no URL); `None` for other text.
pub fn split_field(text: &str) -> Option<(&str, &str)> {
    let (label, value) = text.split_once(':')?;
    let label = label.trim();
    if !is_field_label(label) || value.starts_with("//") {
        return None;
    }
    Some((label, value.trim()))
}

/// True for text short enough to be a field's label: at most 60 bytes and 8 words, with a
/// letter or digit.
fn is_field_label(label: &str) -> bool {
    !label.is_empty()
        && label.len() <= 60
        && label.split_whitespace().count() <= 8
        && label.chars().any(char::is_alphanumeric)
}

/// A two-column table among the header fields (`| **Author(s)** | My Name |`).
struct TableBuf {
    /// Found in the first heading's body rather than before any heading.
    after: bool,
    row: Option<RowBuf>,
}

/// The table row being read: its first two cells.
#[derive(Default)]
struct RowBuf {
    line: usize,
    /// The header row (a Markdown table always has one; header-field tables use it for the
    /// first field).
    head: bool,
    /// 1-based index of the cell being read.
    cell: usize,
    cells: [String; 2],
    bold: bool,
}

impl RowBuf {
    fn push_text(&mut self, text: &str, strong: bool) {
        let Some(cell) = self.cell.checked_sub(1).filter(|&c| c < 2) else {
            return;
        };
        if cell == 0 && self.cells[0].trim().is_empty() && strong {
            self.bold = true;
        }
        if self.cells[cell].len() < 512 {
            self.cells[cell].push_str(text);
        }
    }

    /// The row as a field: the first cell is the label (a trailing colon dropped), the second
    /// the value. A header row of column titles (`| Field | Value |`, or empty cells) is not
    /// a field.
    fn field(self, after_first_heading: bool) -> Option<RawField> {
        let label = self.cells[0].trim().trim_end_matches(':').trim_end();
        let value = self.cells[1].trim();
        let column_titles = label.is_empty()
            || ["value", "values", "description", "details"]
                .iter()
                .any(|t| value.eq_ignore_ascii_case(t));
        if (self.head && column_titles) || !is_field_label(label) {
            return None;
        }
        Some(RawField {
            label: label.to_string(),
            value: value.to_string(),
            line: self.line,
            parent: None,
            after_first_heading,
            bold: self.bold,
            table: true,
        })
    }
}

/// The depth of open `<details>` elements after an HTML event.
fn details_depth(depth: usize, html: &str) -> usize {
    if !html.contains("details") && !html.contains("DETAILS") {
        return depth;
    }
    let html = html.to_ascii_lowercase();
    let opened = html
        .match_indices("<details")
        .filter(|(i, tag)| {
            html[i + tag.len()..]
                .chars()
                .next()
                .is_none_or(|c| c == '>' || c.is_whitespace())
        })
        .count();
    (depth + opened).saturating_sub(html.matches("</details").count())
}

/// Heading text without emphasis markers left at either end: Markdown does not read
/// `**Metrics **` as emphasis (the closing `**` follows a space), so its text keeps them.
fn without_stray_emphasis(text: &str) -> &str {
    text.trim_matches(|c: char| c == '*' || c == '_' || c.is_whitespace())
}

/// Runs the single pass.
pub fn scan(src: &str, opts: &ScanOptions<'_>) -> Outline {
    let mut scanner = Scanner::new(src, opts);
    for (event, range) in Parser::new_ext(src, parser_options()).into_offset_iter() {
        scanner.event(event, range.start);
    }
    scanner.finish(src)
}

/// The state of the single pass: one method per kind of Markdown event.
struct Scanner<'src, 'opt> {
    opts: &'opt ScanOptions<'opt>,
    out: Outline,
    lines: LineCounter<'src>,
    /// Body of the last heading read (the preamble before the first).
    cur: Body,
    /// The heading being read.
    heading: Option<HeadingBuf>,
    /// Reused from heading to heading: the heading's text as read, lower-cased, and its key.
    heading_text: String,
    lowered: String,
    key: String,
    /// Open list items, innermost last.
    items: Vec<ItemBuf>,
    /// The text of the first block of the innermost item, while it is read. Only one item's
    /// is read at a time: a nested list starts after its parent item's first block ends.
    item_head: String,
    list_depth: usize,
    para: Option<ParaBuf>,
    /// The paragraph's text, in a buffer reused from paragraph to paragraph.
    para_text: String,
    html: HtmlScan,
    in_metadata: bool,
    in_strong: usize,
    in_code: bool,
    /// Raw paragraphs that can normalise to a boilerplate marker are about as long as it.
    boilerplate_len: Range<usize>,
    /// Fields are read before the first heading (`Some(false)`), and in the first heading's
    /// body (`Some(true)`; the caller keeps those only when that heading is a title).
    field_zone: Option<bool>,
    /// Depth of open `<details>` elements: what they fold away is instructions, not fields.
    details: usize,
    table: Option<TableBuf>,
}

/// Level and start offset of the heading being read, and whether it holds inline code.
struct HeadingBuf {
    level: u8,
    start: usize,
    code: bool,
}

impl<'src, 'opt> Scanner<'src, 'opt> {
    fn new(src: &'src str, opts: &'opt ScanOptions<'opt>) -> Self {
        let boilerplate_len = match (
            opts.boilerplate.iter().map(String::len).min(),
            opts.boilerplate.iter().map(String::len).max(),
        ) {
            (Some(min), Some(max)) => min / 2..max * 2 + 16,
            _ => 0..0,
        };
        Self {
            opts,
            out: Outline {
                // The samples are some of the text: room for half of it covers most docs.
                samples: String::with_capacity(src.len() / 2),
                ..Outline::default()
            },
            lines: LineCounter {
                src: src.as_bytes(),
                pos: 0,
                line: 1,
            },
            cur: Body::new(4096, true, 0),
            heading: None,
            heading_text: String::new(),
            lowered: String::new(),
            key: String::new(),
            items: Vec::new(),
            item_head: String::new(),
            list_depth: 0,
            para: None,
            para_text: String::new(),
            html: HtmlScan::default(),
            in_metadata: false,
            in_strong: 0,
            in_code: false,
            boilerplate_len,
            field_zone: Some(false),
            details: 0,
            table: None,
        }
    }

    fn event(&mut self, event: Event<'_>, start: usize) {
        match event {
            Event::Start(tag) => self.start(tag, start),
            Event::End(tag) => self.end(tag),
            Event::Text(text) => self.text(&text),
            Event::Code(text) => {
                if let Some(heading) = self.heading.as_mut() {
                    heading.code = true;
                }
                self.text(&text);
            }
            Event::SoftBreak | Event::HardBreak => self.line_break(),
            Event::Html(text) | Event::InlineHtml(text) => self.html(&text),
            _ => {}
        }
    }

    fn start(&mut self, tag: Tag<'_>, start: usize) {
        let in_list = self.list_depth > 0;
        match tag {
            Tag::Heading { level, .. } => self.start_heading(level as u8, start),
            Tag::Paragraph => self.start_paragraph(start),
            Tag::List(_) => {
                self.list_depth += 1;
                self.close_item_head();
            }
            Tag::Item => self.start_item(start),
            Tag::Strong => self.in_strong += 1,
            Tag::CodeBlock(_) => self.in_code = true,
            Tag::Table(columns) => self.start_table(columns.len()),
            Tag::TableHead => self.start_row(start, true),
            Tag::TableRow => self.start_row(start, false),
            Tag::TableCell => {
                if let Some(row) = self.table.as_mut().and_then(|t| t.row.as_mut()) {
                    row.cell += 1;
                }
            }
            Tag::Image { .. } => self.cur.mark_content(in_list),
            Tag::MetadataBlock(MetadataBlockKind::YamlStyle) => self.start_metadata(),
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Heading(_) => self.end_heading(),
            TagEnd::Paragraph => self.end_paragraph(),
            TagEnd::List(_) => self.list_depth = self.list_depth.saturating_sub(1),
            TagEnd::Item => {
                self.cur.push_space(&mut self.out.samples);
                self.close_item_head();
                self.items.pop();
            }
            TagEnd::Strong => self.in_strong = self.in_strong.saturating_sub(1),
            TagEnd::CodeBlock | TagEnd::TableCell => {
                self.in_code = false;
                self.cur.push_space(&mut self.out.samples);
            }
            TagEnd::TableHead | TagEnd::TableRow => self.end_row(),
            TagEnd::Table => self.table = None,
            TagEnd::HtmlBlock => self.html = HtmlScan::default(),
            TagEnd::MetadataBlock(_) => self.in_metadata = false,
            _ => {}
        }
    }

    fn start_heading(&mut self, level: u8, start: usize) {
        self.heading = Some(HeadingBuf {
            level,
            start,
            code: false,
        });
        self.heading_text.clear();
    }

    /// Closes the body read so far and opens the heading's own.
    fn end_heading(&mut self) {
        let Some(HeadingBuf { level, start, code }) = self.heading.take() else {
            return;
        };
        let text = if code {
            self.heading_text.trim()
        } else {
            without_stray_emphasis(&self.heading_text)
        };
        write_heading_key(text, &mut self.lowered, &mut self.key);
        let key = self.key.as_str();
        let spans = key_spans(key);
        let limit = (self.opts.sample_limit)(&HeadingRead {
            index: self.out.headings.len(),
            key,
            text,
            spans: &spans,
        });
        let services = SERVICES_KEYS.contains(&key);
        let first = self.out.headings.is_empty();
        let (text, key) = (CompactString::new(text), CompactString::new(key));
        self.field_zone = (first && !services).then_some(true);
        let body = Body::new(
            limit,
            services || self.field_zone.is_some(),
            self.out.samples.len(),
        );
        self.close_body(body);
        self.out.headings.push(Heading {
            level,
            text,
            key,
            line: self.lines.line_at(start),
            body: Body::default(),
        });
        self.items.clear();
    }

    /// Gives the body read so far to the last heading (or the preamble), and starts `next`.
    fn close_body(&mut self, next: Body) {
        let body = std::mem::replace(&mut self.cur, next);
        match self.out.headings.last_mut() {
            Some(last) => last.body = body,
            None => self.out.preamble = body,
        }
    }

    fn text(&mut self, text: &str) {
        let in_list = self.list_depth > 0;
        if self.heading.is_some() {
            self.heading_text.push_str(text);
        } else if let Some(row) = self.table.as_mut().and_then(|t| t.row.as_mut()) {
            row.push_text(text, self.in_strong > 0);
            self.cur.push_text(&mut self.out.samples, text, in_list);
        } else if self.in_metadata {
            if let Some(fm) = self.out.front_matter.as_mut() {
                fm.push_str(text);
            }
        } else {
            self.body_text(text, in_list);
        }
    }

    /// Text of the body: its sample, its prose, the open item's head and the paragraph.
    fn body_text(&mut self, text: &str, in_list: bool) {
        self.cur.push_text(&mut self.out.samples, text, in_list);
        if self.opts.keep_prose && !self.in_code {
            self.cur.prose.push_str(text);
            self.cur.prose.push(' ');
        }
        if self.cur.collect_entries
            && let Some(item) = self.items.last_mut().filter(|i| !i.head_done)
        {
            if !item.saw_text && self.in_strong > 0 {
                item.bold_label = true;
            }
            item.saw_text = true;
            self.item_head.push_str(text);
        }
        if self.para.is_some() && self.para_text.len() < 512 {
            self.para_text.push_str(text);
        }
    }

    fn line_break(&mut self) {
        if self.heading.is_some() {
            self.heading_text.push(' ');
            return;
        }
        self.cur.push_space(&mut self.out.samples);
        if self.cur.collect_entries && self.items.last().is_some_and(|i| !i.head_done) {
            self.item_head.push(' ');
        }
        if self.para.is_some() {
            self.para_text.push('\n');
        }
    }

    fn html(&mut self, html: &str) {
        self.details = details_depth(self.details, html);
        if self.heading.is_none() && self.html.visible(html) {
            self.cur.mark_content(self.list_depth > 0);
        }
    }

    /// Paragraphs are only followed when they can be boilerplate, fields or entries.
    fn start_paragraph(&mut self, start: usize) {
        if self.opts.boilerplate.is_empty() && !self.cur.collect_entries {
            return;
        }
        self.para = Some(ParaBuf {
            sample_kept: self.cur.sample.len(),
            len_start: self.cur.text_len,
            saved: (self.cur.has_content, self.cur.prose_outside_lists),
            line: start,
        });
        self.para_text.clear();
    }

    fn end_paragraph(&mut self) {
        self.cur.push_space(&mut self.out.samples);
        let Some(para) = self.para.take() else {
            return;
        };
        if self.boilerplate_len.contains(&self.para_text.len())
            && self
                .opts
                .boilerplate
                .contains(&words_joined(&self.para_text))
        {
            let cur = &mut self.cur;
            cur.cut_back(&mut self.out.samples, para.sample_kept, para.len_start);
            (cur.has_content, cur.prose_outside_lists) = para.saved;
            return;
        }
        if self.list_depth > 0 || !self.cur.collect_entries {
            return;
        }
        if let Some(after) = self.field_zone.filter(|_| self.opts.paragraph_fields) {
            if self.details == 0 {
                self.paragraph_fields(para.line, after);
            }
        } else if self.field_zone.is_none() {
            self.cur
                .entries
                .extend(self.para_text.split([',', '\n', ';']).map(str::to_string));
        }
    }

    /// `Label: value` lines of a paragraph starting at byte `start`, as header fields.
    fn paragraph_fields(&mut self, start: usize, after_first_heading: bool) {
        let first_line = self.lines.line_at(start);
        for (i, line) in self.para_text.lines().enumerate() {
            if let Some((label, value)) = split_field(line) {
                self.out.fields.push(RawField {
                    label: label.to_string(),
                    value: value.to_string(),
                    line: first_line + i,
                    parent: None,
                    after_first_heading,
                    bold: false,
                    table: false,
                });
            }
        }
    }

    fn start_item(&mut self, start: usize) {
        let line = if self.cur.collect_entries {
            self.lines.line_at(start)
        } else {
            0
        };
        self.items.push(ItemBuf {
            line,
            ..ItemBuf::default()
        });
        self.item_head.clear();
    }

    /// Ends the first block of the innermost item (at its nested list or its end): in the
    /// field zone it is a header field, otherwise a "Services Affected" entry.
    fn close_item_head(&mut self) {
        let Some(item) = self.items.last_mut().filter(|i| !i.head_done) else {
            return;
        };
        item.head_done = true;
        if !self.cur.collect_entries {
            return;
        }
        let head = std::mem::take(&mut self.item_head);
        let idx = self.items.len() - 1;
        match self.field_zone.filter(|_| self.details == 0) {
            Some(after) => self.item_field(idx, head.trim(), after),
            None if idx == 0 => self.cur.entries.push(head.clone()),
            None => {}
        }
        self.item_head = head;
    }

    /// The head of item `idx` as a header field, or as the value of the field it is nested
    /// under.
    fn item_field(&mut self, idx: usize, text: &str, after_first_heading: bool) {
        let parent = self.items[..idx].iter().rev().find_map(|i| i.field);
        if let Some((label, value)) = split_field(text) {
            self.out.fields.push(RawField {
                label: label.to_string(),
                value: value.to_string(),
                line: self.items[idx].line,
                parent,
                after_first_heading,
                bold: self.items[idx].bold_label,
                table: false,
            });
            self.items[idx].field = Some(self.out.fields.len() - 1);
        } else if let Some(p) = parent.filter(|_| !text.is_empty()) {
            // `- Technical Expert(s):` followed by nested `- @alice` items: the items are
            // the value.
            let value = &mut self.out.fields[p].value;
            if !value.is_empty() {
                value.push_str(", ");
            }
            value.push_str(text);
        }
    }

    /// Two-column tables in the field zone may hold header fields.
    fn start_table(&mut self, columns: usize) {
        if columns == 2 && self.details == 0 && self.cur.collect_entries {
            self.table = self.field_zone.map(|after| TableBuf { after, row: None });
        }
    }

    fn start_row(&mut self, start: usize, head: bool) {
        if let Some(table) = self.table.as_mut() {
            table.row = Some(RowBuf {
                line: self.lines.line_at(start),
                head,
                ..RowBuf::default()
            });
        }
    }

    fn end_row(&mut self) {
        if let Some(table) = self.table.as_mut()
            && let Some(field) = table.row.take().and_then(|row| row.field(table.after))
        {
            self.out.fields.push(field);
        }
    }

    /// Front matter is only kept at the very start of the text.
    fn start_metadata(&mut self) {
        self.in_metadata = true;
        let out = &mut self.out;
        if out.front_matter.is_none() && out.headings.is_empty() && !self.cur.has_content {
            out.front_matter = Some(String::new());
        }
    }

    fn finish(mut self, src: &str) -> Outline {
        self.close_body(Body::default());
        // Continue counting from the last heading rather than making a second pass.
        let newlines = self.lines.line_at(src.len()) - 1;
        self.out.lines = if src.is_empty() || src.ends_with('\n') {
            newlines
        } else {
            newlines + 1
        };
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan_all(src: &str) -> Outline {
        scan(
            src,
            &ScanOptions {
                sample_limit: &|_| 10_000,
                boilerplate: &[],
                keep_prose: false,
                paragraph_fields: true,
            },
        )
    }

    #[test]
    fn headings_lines_and_bodies() {
        let o = scan_all(
            "# Title\r\n\r\n## A\r\n\r\n<!-- note -->\r\n\r\n```\r\n# not a heading\r\n```\r\n\r\nB\r\n---\r\n\r\ntext\r\n",
        );
        let names: Vec<_> = o
            .headings
            .iter()
            .map(|h| (h.text.as_str(), h.level, h.line))
            .collect();
        assert_eq!(names, [("Title", 1, 1), ("A", 2, 3), ("B", 2, 11)]);
        assert!(o.headings[1].body.has_content, "code block is content");
        assert!(o.headings[2].body.has_content);
        assert_eq!(o.lines, 14);
    }

    #[test]
    fn each_body_keeps_its_own_text_up_to_its_limit() {
        let src = "Intro.\n\n## A\n\nalpha *beta*\n\n## B\n\n## C\n\n- gamma\n- delta\n";
        let o = scan(
            src,
            &ScanOptions {
                sample_limit: &|h| if h.key == "c" { 8 } else { 100 },
                boilerplate: &[],
                keep_prose: false,
                paragraph_fields: true,
            },
        );
        let texts: Vec<(&str, bool)> = o
            .headings
            .iter()
            .map(|h| (h.body.text(&o.samples), h.body.complete()))
            .collect();
        assert_eq!(
            texts,
            [("alpha beta ", true), ("", true), ("gamma de", false)]
        );
        assert_eq!(o.preamble.text(&o.samples), "Intro. ");
    }

    #[test]
    fn comments_alone_are_not_content() {
        let o = scan_all("## A\n\n<!--\nfill this\n-->\n\n## B\n");
        assert!(!o.headings[0].body.has_content);
    }

    #[test]
    fn nested_fields_keep_their_parent() {
        let o = scan_all(
            "# T\n\n- **Feature name:** Warp\n- **Reviewers:**\n  - Stakeholder: @bob\n\n# S\n",
        );
        let f: Vec<_> = o
            .fields
            .iter()
            .map(|f| (f.label.as_str(), f.value.as_str(), f.parent, f.line))
            .collect();
        assert_eq!(
            f,
            [
                ("Feature name", "Warp", None, 3),
                ("Reviewers", "", None, 4),
                ("Stakeholder", "@bob", Some(1), 5)
            ]
        );
        assert!(o.fields[0].bold);
    }

    #[test]
    fn front_matter_is_kept_apart() {
        let o = scan_all("---\ntype: system design\n---\n# T\n");
        assert_eq!(o.front_matter.as_deref(), Some("type: system design\n"));
        assert!(!o.preamble.has_content);
    }
}
