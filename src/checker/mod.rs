//! Pure Markdown-vs-template checking: text in, gaps out. No I/O happens here, so the CLI and
//! the App (and tests) share one implementation.
//!
//! Flow: [`Template::parse`] turns a template into sections, guidance text and header fields
//! (with [`TemplateRules`] applied); [`check`] makes one pulldown-cmark pass over a doc,
//! matches its headings to the template's sections and reports [`Gap`]s in a [`DocReport`],
//! together with the doc's header fields, reviewers and services. [`match_doc`] gives the
//! matching itself (which heading stands for which section, how, and the [`NearMiss`]es), for
//! tools that learn the rules a repository's existing docs follow; [`calibrate`] is that
//! learning (counts over many docs turned into suggested rules).

mod builtin;
pub mod calibrate;
mod check;
mod fields;
mod forms;
mod gaps;
mod matching;
mod near_miss;
mod normalize;
mod outline;
pub mod render;
mod report;
mod rules;
mod similarity;
mod skeleton;
mod template;

pub use builtin::{
    builtin_description, builtin_names, builtin_rules, builtin_rules_yaml, builtin_template,
};
pub use check::{DocMatching, check, match_doc};
pub use fields::{DocField, Mention, ReviewerMention};
pub use forms::{before_subtitle, loose_key};
pub use gaps::{Gap, GapKind, Severity};
pub use matching::{MatchKind, SectionMatch};
pub use near_miss::{DocHeading, NearMiss, alias_rule_yaml, closeness, near_misses};
pub use normalize::{heading_key, without_numbering};
pub use outline::parser_options;
pub use render::json::render_json;
pub use render::markdown::{render_markdown, render_markdown_gaps};
pub use render::text::render_text;
pub use render::{FileReport, Summary};
pub use report::DocReport;
pub use rules::{DEFAULT_FILLER_WORDS, DEFAULT_PLACEHOLDER_THRESHOLD, TemplateRules};
pub use skeleton::skeleton;
pub use template::{Template, TemplateError, TemplateField, TemplateSection};

/// Parses a built-in template with its shipped rules layered under `extra` rules.
pub fn builtin(name: &str, extra: &TemplateRules) -> Option<Result<Template, TemplateError>> {
    let markdown = builtin_template(name)?;
    let rules = extra.clone().merged_over(&builtin_rules(name));
    Some(Template::parse(name, markdown, &rules))
}
