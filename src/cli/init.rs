//! `design-review init`: start a repository's configuration, and optionally its own copy of a
//! built-in template, with the next steps printed.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, anyhow, bail};

use super::templates;
use super::workspace::Workspace;
use crate::checker;
use crate::config::repo::{CONFIG_PATH, DEFAULT_DOC_GLOBS, DEFAULT_TEMPLATE};

/// Where `init --template NAME` puts the copy of the template.
const TEMPLATE_DIR: &str = ".github/design-review";

/// Flags of `design-review init`.
#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// Also copy this built-in template (system-design, tech-spec) to
    /// .github/design-review/NAME.md, ready to adapt, and point the config at the copy.
    #[arg(long, short = 't', value_name = "NAME")]
    pub template: Option<String>,
    /// Overwrite files that already exist.
    #[arg(long)]
    pub force: bool,
}

/// One file `init` writes: its path in the repository and its content.
struct NewFile {
    path: String,
    content: String,
}

/// Runs `init`.
pub fn run(args: InitArgs) -> ExitCode {
    super::exit_code(execute(&args).map(|()| ExitCode::SUCCESS))
}

fn execute(args: &InitArgs) -> anyhow::Result<()> {
    let workspace = Workspace::discover()?;
    let template = args.template.as_deref().map(builtin).transpose()?;
    let files = files_for(template);
    refuse_overwrite(&workspace.root, &files, args.force)?;
    for file in &files {
        let path = workspace.root.join(&file.path);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("{}: cannot create", dir.display()))?;
        }
        std::fs::write(&path, &file.content)
            .with_context(|| format!("{}: cannot write", path.display()))?;
        println!("Wrote {}", file.path);
    }
    print!("{}", next_steps(template));
    Ok(())
}

/// The built-in template named `spec` (any case), or an error naming the closest one.
fn builtin(spec: &str) -> anyhow::Result<&'static str> {
    templates::builtin_name(spec).ok_or_else(|| {
        let hint = templates::closest_builtin(spec)
            .map(|name| format!("did you mean {name}? "))
            .unwrap_or_default();
        anyhow!(
            "{spec}: not a built-in template; {hint}(built-in templates: {})",
            checker::builtin_names().join(", ")
        )
    })
}

fn files_for(template: Option<&'static str>) -> Vec<NewFile> {
    let mut files = vec![NewFile {
        path: CONFIG_PATH.to_string(),
        content: config_yaml(template),
    }];
    if let Some(name) = template {
        files.push(NewFile {
            path: template_copy_path(name),
            content: checker::builtin_template(name)
                .unwrap_or_default()
                .to_string(),
        });
    }
    files
}

fn template_copy_path(name: &str) -> String {
    format!("{TEMPLATE_DIR}/{name}.md")
}

/// Refuses, before writing anything, when a file exists and `--force` was not given.
fn refuse_overwrite(root: &Path, files: &[NewFile], force: bool) -> anyhow::Result<()> {
    let existing: Vec<&str> = files
        .iter()
        .filter(|f| root.join(&f.path).exists())
        .map(|f| f.path.as_str())
        .collect();
    if !force && !existing.is_empty() {
        bail!(
            "{} already exists; nothing written (use --force to overwrite)",
            existing.join(" and ")
        );
    }
    Ok(())
}

/// The commented configuration: the default doc globs with `template`'s copy (or the default
/// template), and every other key shown commented out with its default.
fn config_yaml(template: Option<&str>) -> String {
    let globs: String = DEFAULT_DOC_GLOBS
        .iter()
        .map(|g| format!("      - \"{g}\"\n"))
        .collect();
    let (template_value, rules) = match template {
        Some(name) => {
            let path = template_copy_path(name);
            let rules = checker::builtin_rules_yaml(name)
                .unwrap_or_default()
                .lines()
                .map(|line| format!("    {line}\n").replace("    \n", "\n"))
                .collect::<String>();
            (
                path.clone(),
                format!(
                    "# Rules for the template (see docs/configuration.md, \"Template rules\"): \
                     those of the\n# built-in {name} template it was copied from. Adapt both \
                     together.\ntemplates:\n  {path}:\n{rules}\n"
                ),
            )
        }
        None => (
            DEFAULT_TEMPLATE.to_string(),
            "# Rules per template: optional sections, heading aliases, required header fields.\n\
             # templates:\n#   system-design:\n#     optional: [\"Appendix\"]\n\n"
                .to_string(),
        ),
    };
    format!(
        "# design-review: which files are design docs, the template they follow, who reviews them.\n\
         # Every key is optional; docs/configuration.md lists them with their defaults. The App\n\
         # reads this file from the default branch, so a change applies once it is merged.\n\
         # Check it locally with `design-review check` (it finds this file by itself).\n\
         \n\
         # Design docs: the first entry whose `paths` match a file decides its template (a\n\
         # built-in name, or the path of a Markdown template in this repository).\n\
         docs:\n\
         \x20 - paths:\n\
         {globs}\
         \x20   template: {template_value}\n\
         \n\
         {rules}\
         review:\n\
         \x20 # Team (org/team-slug) requested on every pull request with a design doc.\n\
         \x20 # team: my-org/design-reviewers\n\
         \x20 # Approvals needed from that team.\n\
         \x20 # approvals: 1\n\
         \x20 # Owners of the services a doc lists under \"Services Affected\", requested too.\n\
         \x20 # service_owners:\n\
         \x20 #   payments: [\"@my-org/payments\"]\n\
         \x20 # Draft pull requests: check_only (check, request reviewers when ready) or ignore.\n\
         \x20 # drafts: check_only\n\
         \n\
         # commands:\n\
         #   # Who may `/design-review skip` a pull request: team, admin, maintain, write.\n\
         #   skip_allowed: [team, maintain]\n"
    )
}

fn next_steps(template: Option<&str>) -> String {
    let skeleton = template.map_or_else(|| DEFAULT_TEMPLATE.to_string(), template_copy_path);
    format!(
        "\nNext steps:\n\
         \x20 1. Commit these files and merge them into the default branch (the App reads the\n\
         \x20    config from there).\n\
         \x20 2. Install the design-review GitHub App on the repository (or run the GitHub\n\
         \x20    Action of docs/github-action.md in a workflow).\n\
         \x20 3. Make the `design-review` check required: Settings > Branches > branch\n\
         \x20    protection rule for the default branch > Require status checks to pass.\n\
         \x20 4. Start the first design doc:\n\
         \x20      design-review template {skeleton} > docs/design/my-feature.md\n\
         \x20    and check it before you push:\n\
         \x20      design-review check docs/design/my-feature.md\n"
    )
}
