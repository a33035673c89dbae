//! `.github/design-review.yml`: per-repository configuration.
//!
//! Read from the repository's default branch (never the PR head). Every key is optional and
//! its default is documented in `docs/configuration.md`; unknown keys are errors, reported
//! with line and column, so a typo never silently changes behaviour. A repo file with
//! `extends: org` is layered over the owner's `.github` repository file
//! ([`RepoConfig::merged_over`]). Probot's `_extends` names the base file itself (`REPO`,
//! `OWNER/REPO`, either with `:path.yml`); a chain of bases is followed by [`resolve`].

use std::collections::BTreeMap;
use std::fmt;

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::checker::{Mention, TemplateRules};
use crate::domain::{Login, TeamSlug};

/// Where the file lives, in the repository and in the owner's `.github` repository.
pub const CONFIG_PATH: &str = ".github/design-review.yml";
/// Paths that are design docs when the config says nothing.
pub const DEFAULT_DOC_GLOBS: &[&str] = &[
    "docs/design/**/*.md",
    "docs/rfcs/**/*.md",
    "rfcs/**/*.md",
    "design/**/*.md",
];
/// Template used for docs when the config says nothing.
pub const DEFAULT_TEMPLATE: &str = "system-design";
/// Default check-run name.
pub const DEFAULT_CHECK_NAME: &str = "design-review";
/// Default slash-command prefix.
pub const DEFAULT_COMMAND_PREFIX: &str = "/design-review";
/// Default review-team approvals required.
pub const DEFAULT_APPROVALS: u32 = 1;

/// An invalid config file: the parser's message with the position it refers to.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub struct ConfigError {
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub column: Option<usize>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "line {l}, column {c}: {}", self.message),
            (Some(l), None) => write!(f, "line {l}: {}", self.message),
            _ => f.write_str(&self.message),
        }
    }
}

/// What a repo file may inherit from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Extends {
    /// The owner's `.github` repository, `.github/design-review.yml`.
    Org,
}

/// The whole file. Unset keys stay `None` so that merging knows what a file said; the
/// accessors return the documented defaults.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RepoConfig {
    /// `org`: merge this file over the owner's `.github` repository file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extends: Option<Extends>,
    /// Probot's `_extends`: the file this one is merged over, as written (see [`ConfigRef`]).
    #[serde(rename = "_extends", default, skip_serializing_if = "Option::is_none")]
    pub base: Option<String>,
    /// Which files are design docs and their template (default: [`DEFAULT_DOC_GLOBS`] with
    /// `system-design`). The first entry whose `paths` match wins.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub docs: Option<Vec<DocsRule>>,
    /// Template rules per template (built-in name or repo path).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub templates: BTreeMap<String, TemplateRules>,
    /// Placeholder detection defaults for every template.
    #[serde(default)]
    pub placeholder: PlaceholderConfig,
    #[serde(default)]
    pub review: ReviewConfig,
    #[serde(default)]
    pub check: CheckConfig,
    #[serde(default)]
    pub commands: CommandsConfig,
    #[serde(default)]
    pub limits: LimitsConfig,
}

/// One `docs:` entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocsRule {
    /// Globs (`**` crosses directories, `*` does not).
    pub paths: Vec<String>,
    /// Globs excluded from `paths` (e.g. the template file itself).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude: Vec<String>,
    /// Built-in template name or a path in the repository.
    #[serde(default = "default_template")]
    pub template: String,
}

fn default_template() -> String {
    DEFAULT_TEMPLATE.to_string()
}

/// `placeholder:`: how a body left as the template's text is recognised.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlaceholderConfig {
    /// Similarity (0 to 1) at or above which a body is the template's guidance (default 0.8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<f64>,
    /// Phrases that alone do not count as content (default: TODO, TBD, N/A, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filler_words: Option<Vec<String>>,
}

/// What happens on draft pull requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DraftMode {
    /// Check the docs, but request reviewers only once the PR is ready for review.
    #[default]
    CheckOnly,
    /// Do nothing until the PR is ready for review.
    Ignore,
}

/// When reviewers are requested.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestWhen {
    /// Once every design doc of the PR has no error gap: reviewers are not paged to read a
    /// skeleton.
    #[default]
    Complete,
    /// On the first evaluation that finds a design doc, complete or not.
    Always,
}

/// Where the owners of a service listed under "Services Affected" come from, besides the
/// explicit `service_owners` map (which wins where both name a service).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OwnersSource {
    /// Only `service_owners`.
    #[default]
    Config,
    /// Also the CODEOWNERS file of the default branch, for the path `service_path` gives.
    Codeowners,
}

/// Default of `review.service_path`.
pub const DEFAULT_SERVICE_PATH: &str = "services/{service}/";

/// `review:`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewConfig {
    /// Team (`org/slug`) requested on every PR with a design doc (default: none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    /// Approvals needed from members of `team` (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approvals: Option<u32>,
    /// Also request people/teams named in the doc's reviewer fields (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_named_reviewers: Option<bool>,
    /// Service name (as listed under "Services Affected") -> owners (`@user`, `@org/team`);
    /// a single owner may be written as a string.
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "owners_map"
    )]
    pub service_owners: BTreeMap<String, Vec<String>>,
    /// `codeowners`: services without an entry in `service_owners` are owned by whoever
    /// CODEOWNERS gives their path (default `config`: `service_owners` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_owners_from: Option<OwnersSource>,
    /// The path of a service in the repository, `{service}` standing for its name (default
    /// `services/{service}/`); used with `service_owners_from: codeowners`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_path: Option<String>,
    /// When reviewers are requested (default `complete`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_when: Option<RequestWhen>,
    /// An approval counts only while the doc is unchanged since it (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invalidate_on_doc_change: Option<bool>,
    /// Draft-PR behaviour (default `check_only`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drafts: Option<DraftMode>,
}

impl ReviewConfig {
    /// The review team, if configured (validated when the file was parsed).
    pub fn team(&self) -> Option<TeamSlug> {
        self.team.as_deref().and_then(TeamSlug::parse)
    }

    pub fn approvals(&self) -> u32 {
        self.approvals.unwrap_or(DEFAULT_APPROVALS)
    }

    pub fn request_named_reviewers(&self) -> bool {
        self.request_named_reviewers.unwrap_or(true)
    }

    pub fn invalidate_on_doc_change(&self) -> bool {
        self.invalidate_on_doc_change.unwrap_or(true)
    }

    pub fn drafts(&self) -> DraftMode {
        self.drafts.unwrap_or_default()
    }

    pub fn request_when(&self) -> RequestWhen {
        self.request_when.unwrap_or_default()
    }

    pub fn service_owners_from(&self) -> OwnersSource {
        self.service_owners_from.unwrap_or_default()
    }

    /// The repository path of `service` (lower case, spaces as `-`), for CODEOWNERS.
    pub fn service_path(&self, service: &str) -> String {
        let name = normalize_service(service).replace(' ', "-");
        self.service_path
            .as_deref()
            .unwrap_or(DEFAULT_SERVICE_PATH)
            .replace("{service}", &name)
    }

    /// True when `service` has an entry in `service_owners`.
    pub fn names_service(&self, service: &str) -> bool {
        let wanted = normalize_service(service);
        self.service_owners
            .keys()
            .any(|name| normalize_service(name) == wanted)
    }

    /// Owners of a service, matched case-insensitively on the name.
    pub fn owners_of(&self, service: &str) -> Vec<Mention> {
        let wanted = normalize_service(service);
        self.service_owners
            .iter()
            .filter(|(name, _)| normalize_service(name) == wanted)
            .flat_map(|(_, owners)| owners.iter().filter_map(|o| parse_owner(o)))
            .collect()
    }
}

/// `check:`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckConfig {
    /// Check-run name (default `design-review`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl CheckConfig {
    pub fn name(&self) -> &str {
        self.name.as_deref().unwrap_or(DEFAULT_CHECK_NAME)
    }
}

/// Who may use the skip command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipRole {
    /// Members of the review team.
    Team,
    /// Users with admin permission on the repository.
    Admin,
    /// Users with maintain (or admin) permission.
    Maintain,
    /// Users with write (or higher) permission.
    Write,
}

/// `commands:`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommandsConfig {
    /// Slash-command prefix (default `/design-review`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    /// Who may skip the review (default `[team, maintain]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_allowed: Option<Vec<SkipRole>>,
}

impl CommandsConfig {
    pub fn prefix(&self) -> &str {
        self.prefix.as_deref().unwrap_or(DEFAULT_COMMAND_PREFIX)
    }

    pub fn skip_allowed(&self) -> Vec<SkipRole> {
        self.skip_allowed
            .clone()
            .unwrap_or_else(|| vec![SkipRole::Team, SkipRole::Maintain])
    }
}

/// Default of `limits.docs_per_pr`.
pub const DEFAULT_DOCS_PER_PR: usize = 50;
/// Default of `limits.reviewers_per_pr`.
pub const DEFAULT_REVIEWERS_PER_PR: usize = 15;
/// The most `limits.docs_per_pr` may be: each doc costs a file read.
pub const MAX_DOCS_PER_PR: usize = 500;
/// The most `limits.reviewers_per_pr` may be: each refused reviewer costs a request.
pub const MAX_REVIEWERS_PER_PR: usize = 100;

/// `limits:`: what one pull request may cost the installation's GitHub rate limit, shared by
/// all its repositories. Whatever a PR's author writes, its evaluation stays within these.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsConfig {
    /// Design docs checked per PR (default 50, at most 500); a PR with more fails the check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub docs_per_pr: Option<usize>,
    /// Reviewers requested per PR over its life (default 15, at most 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewers_per_pr: Option<usize>,
}

impl LimitsConfig {
    pub fn docs_per_pr(&self) -> usize {
        self.docs_per_pr.unwrap_or(DEFAULT_DOCS_PER_PR)
    }

    pub fn reviewers_per_pr(&self) -> usize {
        self.reviewers_per_pr.unwrap_or(DEFAULT_REVIEWERS_PER_PR)
    }

    fn validate(&self, yaml: &str) -> Result<(), ConfigError> {
        let bounds = [
            ("docs_per_pr", self.docs_per_pr, 1, MAX_DOCS_PER_PR),
            (
                "reviewers_per_pr",
                self.reviewers_per_pr,
                0,
                MAX_REVIEWERS_PER_PR,
            ),
        ];
        for (key, value, min, max) in bounds {
            if let Some(v) = value.filter(|v| !(min..=max).contains(v)) {
                return Err(error_at(
                    yaml,
                    key,
                    format!("limits.{key} must be between {min} and {max}, not {v}"),
                ));
            }
        }
        Ok(())
    }
}

/// The validation errors found so far in one file.
struct Problems<'a> {
    yaml: &'a str,
    errors: Vec<ConfigError>,
}

impl Problems<'_> {
    /// Records `message`, located at the first line holding `needle`.
    fn fail(&mut self, needle: &str, message: String) {
        self.errors.push(error_at(self.yaml, needle, message));
    }
}

impl RepoConfig {
    /// Parses and validates a config file. An empty file is the default configuration.
    /// On an invalid file, the first error (see [`RepoConfig::parse_all`] for all of them).
    pub fn parse(yaml: &str) -> Result<RepoConfig, ConfigError> {
        Self::parse_all(yaml).map_err(|mut errors| errors.swap_remove(0))
    }

    /// Parses and validates a config file, reporting every validation error found (at least
    /// one on `Err`), so a person fixing the file sees them all at once. A YAML or schema
    /// error stops the parser, so it comes alone.
    pub fn parse_all(yaml: &str) -> Result<RepoConfig, Vec<ConfigError>> {
        let parsed: Option<RepoConfig> = serde_yaml_ng::from_str(yaml).map_err(|e| {
            let loc = e.location();
            let message = e.to_string();
            // The position is shown once, by `ConfigError`'s Display.
            let message = match &loc {
                Some(l) => message
                    .strip_suffix(&format!(" at line {} column {}", l.line(), l.column()))
                    .map_or(message.clone(), str::to_string),
                None => message,
            };
            vec![ConfigError {
                line: loc.as_ref().map(|l| l.line()),
                column: loc.as_ref().map(|l| l.column()),
                message,
            }]
        })?;
        let config = parsed.unwrap_or_default();
        let mut errors = config.validate(yaml);
        errors.extend(config.limits.validate(yaml).err());
        if errors.is_empty() {
            Ok(config)
        } else {
            Err(errors)
        }
    }

    /// Every problem of the file, section by section, in the order of the sections.
    fn validate(&self, yaml: &str) -> Vec<ConfigError> {
        let mut problems = Problems {
            yaml,
            errors: Vec::new(),
        };
        self.validate_base(&mut problems);
        self.validate_docs_and_templates(&mut problems);
        self.validate_review(&mut problems);
        self.validate_settings(&mut problems);
        problems.errors
    }

    fn validate_base(&self, problems: &mut Problems) {
        if let Some(base) = &self.base {
            if self.extends.is_some() {
                problems.fail(
                    "_extends",
                    "`extends` and `_extends` both name a base: keep one".into(),
                );
            }
            if let Err(problem) = ConfigRef::parse(base, "owner") {
                problems.fail("_extends", format!("`_extends: {base}`: {problem}"));
            }
        }
    }

    fn validate_docs_and_templates(&self, problems: &mut Problems) {
        if let Some(docs) = &self.docs {
            for rule in docs {
                if rule.paths.is_empty() {
                    problems.fail(
                        "paths",
                        "a `docs` entry needs at least one glob in `paths`".into(),
                    );
                }
                for glob in rule.paths.iter().chain(&rule.exclude) {
                    if let Err(e) = compile(glob) {
                        problems.fail(glob, format!("invalid glob `{glob}`: {e}"));
                    }
                }
                if rule.template.trim().is_empty() {
                    problems.fail(
                        "template",
                        "`template` must be a built-in name or a path".into(),
                    );
                }
                if let Some(problem) = template_path_problem(&rule.template) {
                    problems.fail(&rule.template, template_path_error(&rule.template, problem));
                }
            }
        }
        for name in self.templates.keys() {
            if let Some(problem) = template_path_problem(name) {
                problems.fail(name, template_path_error(name, problem));
            }
        }
    }

    fn validate_review(&self, problems: &mut Problems) {
        if let Some(team) = &self.review.team
            && TeamSlug::parse(team).is_none()
        {
            problems.fail(
                team,
                format!("review.team `{team}` is not of the form org/team"),
            );
        }
        for (service, owners) in &self.review.service_owners {
            for owner in owners {
                if parse_owner(owner).is_none() {
                    problems.fail(
                        owner,
                        format!("owner `{owner}` of service `{service}` is not @user or @org/team"),
                    );
                }
            }
        }
        if let Some(path) = &self.review.service_path
            && (!path.contains("{service}")
                || template_path_problem(path.trim_end_matches('/')).is_some())
        {
            problems.fail(
                path,
                format!(
                    "review.service_path `{}` must be a relative path in the repository with `{{service}}` in it, such as `{DEFAULT_SERVICE_PATH}`",
                    path.escape_debug()
                ),
            );
        }
    }

    /// The placeholder thresholds, the check's name and the command prefix.
    fn validate_settings(&self, problems: &mut Problems) {
        let thresholds = std::iter::once(("placeholder.threshold", self.placeholder.threshold))
            .chain(
                self.templates
                    .values()
                    .map(|t| ("placeholder_threshold", t.placeholder_threshold)),
            );
        for (key, value) in thresholds {
            if let Some(v) = value.filter(|v| !(0.0..=1.0).contains(v)) {
                let needle = key.rsplit('.').next().unwrap_or(key);
                problems.fail(needle, format!("{key} must be between 0 and 1, not {v}"));
            }
        }
        if self
            .check
            .name
            .as_deref()
            .is_some_and(|n| n.trim().is_empty())
        {
            problems.fail("name", "check.name must not be empty".into());
        }
        if self
            .commands
            .prefix
            .as_deref()
            .is_some_and(|p| p.trim().is_empty() || p.contains(char::is_whitespace))
        {
            problems.fail(
                "prefix",
                "commands.prefix must be one word, such as /design-review".into(),
            );
        }
    }

    /// `self` (a repo file) layered over `org` (the owner's file): keys set here win, maps
    /// are combined key by key, `docs` is replaced as a whole.
    pub fn merged_over(self, org: RepoConfig) -> RepoConfig {
        let mut templates = org.templates;
        for (name, rules) in self.templates {
            let merged = match templates.remove(&name) {
                Some(base) => rules.merged_over(&base),
                None => rules,
            };
            templates.insert(name, merged);
        }
        let mut service_owners = org.review.service_owners;
        service_owners.extend(self.review.service_owners);
        RepoConfig {
            extends: None,
            base: None,
            docs: self.docs.or(org.docs),
            templates,
            placeholder: PlaceholderConfig {
                threshold: self.placeholder.threshold.or(org.placeholder.threshold),
                filler_words: self
                    .placeholder
                    .filler_words
                    .or(org.placeholder.filler_words),
            },
            review: ReviewConfig {
                team: self.review.team.or(org.review.team),
                approvals: self.review.approvals.or(org.review.approvals),
                request_named_reviewers: self
                    .review
                    .request_named_reviewers
                    .or(org.review.request_named_reviewers),
                service_owners,
                invalidate_on_doc_change: self
                    .review
                    .invalidate_on_doc_change
                    .or(org.review.invalidate_on_doc_change),
                drafts: self.review.drafts.or(org.review.drafts),
                service_owners_from: self
                    .review
                    .service_owners_from
                    .or(org.review.service_owners_from),
                service_path: self.review.service_path.or(org.review.service_path),
                request_when: self.review.request_when.or(org.review.request_when),
            },
            check: CheckConfig {
                name: self.check.name.or(org.check.name),
            },
            commands: CommandsConfig {
                prefix: self.commands.prefix.or(org.commands.prefix),
                skip_allowed: self.commands.skip_allowed.or(org.commands.skip_allowed),
            },
            limits: LimitsConfig {
                docs_per_pr: self.limits.docs_per_pr.or(org.limits.docs_per_pr),
                reviewers_per_pr: self.limits.reviewers_per_pr.or(org.limits.reviewers_per_pr),
            },
        }
    }

    /// The effective config from what was found: the repo file (merged over the org file
    /// when it says `extends: org`), else the org file, else the defaults.
    pub fn effective(repo: Option<RepoConfig>, org: Option<RepoConfig>) -> RepoConfig {
        match (repo, org) {
            (Some(repo), Some(org)) if repo.extends == Some(Extends::Org) => repo.merged_over(org),
            (Some(repo), _) => repo,
            (None, Some(org)) => org,
            (None, None) => RepoConfig::default(),
        }
    }

    /// The `docs` entries in effect.
    pub fn docs(&self) -> Vec<DocsRule> {
        self.docs.clone().unwrap_or_else(|| {
            vec![DocsRule {
                paths: DEFAULT_DOC_GLOBS.iter().map(|g| g.to_string()).collect(),
                exclude: Vec::new(),
                template: DEFAULT_TEMPLATE.to_string(),
            }]
        })
    }

    /// Decides which files are design docs.
    pub fn matcher(&self) -> Result<DocMatcher, ConfigError> {
        DocMatcher::new(&self.docs())
    }

    /// The template rules configured for `template`, with the `placeholder` defaults applied
    /// (built-in templates' own rules are layered under these by the checker).
    pub fn rules_for(&self, template: &str) -> TemplateRules {
        let mut rules = self.templates.get(template).cloned().unwrap_or_default();
        rules.placeholder_threshold = rules.placeholder_threshold.or(self.placeholder.threshold);
        if rules.filler_words.is_none() {
            rules.filler_words = self.placeholder.filler_words.clone();
        }
        rules
    }
}

/// Maps a file path to the template that applies to it.
#[derive(Debug, Clone)]
pub struct DocMatcher {
    rules: Vec<(GlobSet, GlobSet, String)>,
}

impl DocMatcher {
    /// Compiles the globs of `rules`.
    pub fn new(rules: &[DocsRule]) -> Result<Self, ConfigError> {
        let set = |globs: &[String]| -> Result<GlobSet, ConfigError> {
            let mut builder = GlobSetBuilder::new();
            for g in globs {
                builder.add(compile(g).map_err(|e| ConfigError {
                    line: None,
                    column: None,
                    message: format!("invalid glob `{g}`: {e}"),
                })?);
            }
            builder.build().map_err(|e| ConfigError {
                line: None,
                column: None,
                message: e.to_string(),
            })
        };
        let rules = rules
            .iter()
            .map(|r| Ok((set(&r.paths)?, set(&r.exclude)?, r.template.clone())))
            .collect::<Result<Vec<_>, ConfigError>>()?;
        Ok(Self { rules })
    }

    /// The template (built-in name or repo path) for a repository-relative path, or `None`
    /// when the file is not a design doc.
    pub fn template_for(&self, path: &str) -> Option<&str> {
        let path = path.trim_start_matches("./");
        self.rules
            .iter()
            .find(|(include, exclude, _)| include.is_match(path) && !exclude.is_match(path))
            .map(|(_, _, template)| template.as_str())
    }
}

fn compile(glob: &str) -> Result<Glob, globset::Error> {
    GlobBuilder::new(glob).literal_separator(true).build()
}

/// Parses `@user`, `@org/team` (the `@` may be left out).
pub fn parse_owner(text: &str) -> Option<Mention> {
    let name = text.trim().trim_start_matches('@');
    let valid = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    match name.split_once('/') {
        Some((org, slug)) if valid(org) && valid(slug) => Some(Mention::Team {
            team: TeamSlug::parse(name)?,
        }),
        None if valid(name) => Some(Mention::User {
            login: Login(name.to_string()),
        }),
        _ => None,
    }
}

/// An owner list, or a single owner written as a string.
#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

fn owners_map<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<BTreeMap<String, Vec<String>>, D::Error> {
    let map: BTreeMap<String, OneOrMany> = BTreeMap::deserialize(deserializer)?;
    Ok(map
        .into_iter()
        .map(|(service, owners)| match owners {
            OneOrMany::One(owner) => (service, vec![owner]),
            OneOrMany::Many(owners) => (service, owners),
        })
        .collect())
}

/// A service name as matched: words separated by one space, lower case.
pub fn normalize_service(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// A position for a validation error: the first line mentioning `needle`.
/// Why `template` (a built-in name or a path in the repository) cannot name a file of the
/// repository: it is read through the contents API, so a path must stay inside the repository
/// and be a plain relative path, never a URL, an absolute path or one that climbs out with `..`.
fn template_path_problem(template: &str) -> Option<&'static str> {
    if template.chars().any(char::is_control) {
        return Some("it contains a control character");
    }
    if template.contains('\\') {
        return Some("it contains a backslash (separate directories with `/`)");
    }
    if template.contains("://") || template.contains(':') {
        return Some("a URL or a name with `:` is not a path in the repository");
    }
    if template.starts_with('/') {
        return Some("an absolute path is not a path in the repository");
    }
    if template.contains(['?', '#', '%']) {
        return Some("`?`, `#` and `%` are not allowed in a template path");
    }
    let segments: Vec<&str> = template.split('/').collect();
    if segments.contains(&"..") {
        return Some("`..` would leave the repository");
    }
    if segments.iter().any(|s| s.is_empty() || *s == ".") {
        return Some("empty and `.` path segments are not allowed");
    }
    None
}

fn template_path_error(template: &str, problem: &str) -> String {
    format!(
        "template `{}` must be a built-in name or a relative path in the repository: {problem}",
        template.escape_debug()
    )
}

fn error_at(yaml: &str, needle: &str, message: String) -> ConfigError {
    for (i, line) in yaml.lines().enumerate() {
        if let Some(col) = line.find(needle) {
            return ConfigError {
                line: Some(i + 1),
                column: Some(col + 1),
                message,
            };
        }
    }
    ConfigError {
        line: None,
        column: None,
        message,
    }
}

/// A configuration file in some repository: what `_extends` (or `extends: org`) names.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ConfigRef {
    pub owner: String,
    pub repo: String,
    pub path: String,
}

impl fmt::Display for ConfigRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}:{}", self.owner, self.repo, self.path)
    }
}

impl ConfigRef {
    /// The owner's organisation-wide file, `OWNER/.github:.github/design-review.yml`.
    pub fn org_defaults(owner: &str) -> Self {
        Self {
            owner: owner.to_string(),
            repo: ".github".to_string(),
            path: CONFIG_PATH.to_string(),
        }
    }

    /// Probot's `_extends` value: `REPO` (of `owner`) or `OWNER/REPO`, each optionally followed
    /// by `:path.yml` (default [`CONFIG_PATH`]).
    pub fn parse(value: &str, owner: &str) -> Result<Self, &'static str> {
        let value = value.trim();
        let (repo_part, path) = match value.split_once(':') {
            Some((repo, path)) => (repo.trim(), path.trim()),
            None => (value, CONFIG_PATH),
        };
        let name = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        };
        let (owner, repo) = repo_part.split_once('/').unwrap_or((owner, repo_part));
        if !name(owner) || !name(repo) {
            return Err("expected REPO or OWNER/REPO, optionally followed by :path.yml");
        }
        if path.is_empty() || template_path_problem(path).is_some() {
            return Err("the path after `:` must be a plain path in that repository");
        }
        Ok(Self {
            owner: owner.to_string(),
            repo: repo.to_string(),
            path: path.to_string(),
        })
    }
}

/// Most files in one chain of bases (the repository's own file included).
pub const MAX_EXTENDS_DEPTH: usize = 8;

/// A configuration that cannot be used: the file at fault and where in it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{file}: {error}")]
pub struct ChainError {
    pub file: ConfigRef,
    pub error: ConfigError,
}

/// The configuration in force for the file `start` whose text is `text`: its chain of bases
/// (`_extends`, or `extends: org` for the owner's `.github` file) is read with `read` and merged
/// with [`RepoConfig::merged_over`], the most basic file first. A base that does not exist, a
/// cycle, and a chain longer than [`MAX_EXTENDS_DEPTH`] are errors at the line and column of
/// the `_extends` (or `extends`) that leads there. `read` answers `Ok(None)` for a missing
/// file; its own errors (GitHub unreachable) pass through.
pub async fn resolve<E, F, Fut>(
    start: ConfigRef,
    text: &str,
    mut read: F,
) -> Result<Result<RepoConfig, ChainError>, E>
where
    F: FnMut(ConfigRef) -> Fut,
    Fut: std::future::Future<Output = Result<Option<String>, E>>,
{
    let mut chain: Vec<RepoConfig> = Vec::new();
    let mut seen = vec![start.clone()];
    let (mut file, mut text) = (start, text.to_string());
    loop {
        let config = match RepoConfig::parse(&text) {
            Ok(config) => config,
            Err(error) => return Ok(Err(ChainError { file, error })),
        };
        let key = if config.base.is_some() {
            "_extends"
        } else {
            "extends"
        };
        let at = |message: String| ChainError {
            file: file.clone(),
            error: error_at(&text, key, message),
        };
        let base = match (&config.base, config.extends) {
            (Some(base), _) => ConfigRef::parse(base, &file.owner).ok(),
            (None, Some(Extends::Org)) => Some(ConfigRef::org_defaults(&file.owner)),
            (None, None) => None,
        };
        chain.push(config);
        let Some(base) = base else { break };
        if seen.contains(&base) {
            let cycle: Vec<String> = seen
                .iter()
                .chain([&base])
                .map(ToString::to_string)
                .collect();
            return Ok(Err(at(format!(
                "the bases form a cycle: {}",
                cycle.join(" -> ")
            ))));
        }
        if seen.len() >= MAX_EXTENDS_DEPTH {
            return Ok(Err(at(format!(
                "more than {MAX_EXTENDS_DEPTH} files in the chain of bases"
            ))));
        }
        let Some(base_text) = read(base.clone()).await? else {
            return Ok(Err(at(format!("the base {base} does not exist"))));
        };
        seen.push(base.clone());
        (file, text) = (base, base_text);
    }
    let mut configs = chain.into_iter().rev();
    let basic = configs.next().unwrap_or_default();
    Ok(Ok(configs.fold(basic, |base, file| file.merged_over(base))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn review_keys_for_owners_and_timing() {
        let config = RepoConfig::parse(
            "review:\n  request_when: always\n  service_owners_from: codeowners\n  service_path: \"svc/{service}\"\n  service_owners:\n    Payments API: \"@acme/payments\"\n    ledger: [\"@lena\", \"@acme/ledger\"]\n",
        )
        .unwrap();
        assert_eq!(config.review.request_when(), RequestWhen::Always);
        assert_eq!(
            config.review.service_owners_from(),
            OwnersSource::Codeowners
        );
        assert_eq!(
            config.review.service_path("Payments  API"),
            "svc/payments-api"
        );
        assert_eq!(
            config.review.owners_of("payments api"),
            vec![Mention::Team {
                team: TeamSlug::parse("acme/payments").unwrap()
            }]
        );
        assert_eq!(config.review.owners_of("ledger").len(), 2);
        let defaults = RepoConfig::default();
        assert_eq!(defaults.review.request_when(), RequestWhen::Complete);
        assert_eq!(defaults.review.service_owners_from(), OwnersSource::Config);
        assert_eq!(
            defaults.review.service_path("payments"),
            "services/payments/"
        );
    }

    #[test]
    fn a_service_path_without_the_placeholder_is_an_error_at_its_line() {
        let error = RepoConfig::parse("review:\n  service_path: services/\n").unwrap_err();
        assert_eq!(error.line, Some(2));
        assert_eq!(
            error.message,
            "review.service_path `services/` must be a relative path in the repository with `{service}` in it, such as `services/{service}/`"
        );
        assert!(RepoConfig::parse("review:\n  service_path: ../{service}\n").is_err());
        assert!(RepoConfig::parse("review:\n  request_when: sometimes\n").is_err());
    }

    fn at(spec: &str) -> ConfigRef {
        ConfigRef::parse(spec, "acme").unwrap()
    }

    /// Resolves `start` among `files` (`OWNER/REPO:path` → text), recording what was read.
    fn resolve_in(
        files: &[(&str, &str)],
        start: &str,
    ) -> (Result<RepoConfig, ChainError>, Vec<String>) {
        let files: std::collections::HashMap<String, String> = files
            .iter()
            .map(|(at, text)| (at.to_string(), text.to_string()))
            .collect();
        let text = files[start].clone();
        let mut reads = Vec::new();
        let result =
            futures_util::FutureExt::now_or_never(resolve(at(start), &text, |file: ConfigRef| {
                reads.push(file.to_string());
                std::future::ready(Ok::<_, ()>(files.get(&file.to_string()).cloned()))
            }))
            .unwrap()
            .unwrap();
        (result, reads)
    }

    #[test]
    fn extends_values_name_a_file_as_probot_reads_them() {
        assert_eq!(
            at("shared").to_string(),
            "acme/shared:.github/design-review.yml"
        );
        assert_eq!(
            at("other/base:configs/review.yml").to_string(),
            "other/base:configs/review.yml"
        );
        assert_eq!(at(".github"), ConfigRef::org_defaults("acme"));
        for bad in [
            "",
            "a/b/c",
            "acme/x:",
            "acme/x:../up.yml",
            "acme/x:/abs.yml",
        ] {
            assert!(ConfigRef::parse(bad, "acme").is_err(), "{bad:?}");
        }
        let error = RepoConfig::parse("review:\n  approvals: 2\n_extends: a/b/c\n").unwrap_err();
        assert_eq!((error.line, error.column), (Some(3), Some(1)));
    }

    #[test]
    fn a_chain_of_bases_merges_like_extends_org() {
        let (config, reads) = resolve_in(
            &[
                (
                    "acme/widgets:.github/design-review.yml",
                    "_extends: shared:review/base.yml\nreview:\n  approvals: 3\n",
                ),
                (
                    "acme/shared:review/base.yml",
                    "_extends: other/defaults\nreview:\n  team: acme/design\n  approvals: 2\n",
                ),
                (
                    "other/defaults:.github/design-review.yml",
                    "check:\n  name: design\nreview:\n  team: other/arch\n",
                ),
            ],
            "acme/widgets:.github/design-review.yml",
        );
        let config = config.unwrap();
        assert_eq!(config.review.approvals(), 3);
        assert_eq!(config.review.team.as_deref(), Some("acme/design"));
        assert_eq!(config.check.name(), "design");
        assert_eq!(
            reads,
            [
                "acme/shared:review/base.yml",
                "other/defaults:.github/design-review.yml"
            ]
        );
    }

    #[test]
    fn a_cycle_or_a_missing_base_is_an_error_where_it_is_named() {
        let (cycle, _) = resolve_in(
            &[
                (
                    "acme/a:.github/design-review.yml",
                    "review:\n  approvals: 1\n_extends: b\n",
                ),
                ("acme/b:.github/design-review.yml", "_extends: acme/a\n"),
            ],
            "acme/a:.github/design-review.yml",
        );
        assert_eq!(
            cycle.unwrap_err().to_string(),
            "acme/b:.github/design-review.yml: line 1, column 1: the bases form a cycle: \
             acme/a:.github/design-review.yml -> acme/b:.github/design-review.yml -> \
             acme/a:.github/design-review.yml"
        );
        let (missing, _) = resolve_in(
            &[(
                "acme/a:.github/design-review.yml",
                "review:\n  approvals: 1\n_extends: gone:x.yml\n",
            )],
            "acme/a:.github/design-review.yml",
        );
        assert_eq!(
            missing.unwrap_err().to_string(),
            "acme/a:.github/design-review.yml: line 3, column 1: the base acme/gone:x.yml does \
             not exist"
        );
    }
}
