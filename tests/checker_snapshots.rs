//! Snapshots of what authors and reviewers read: terminal text, the Markdown checklist the
//! PR comment uses, and the JSON.

use design_review::checker::render::FileOutcome;
use design_review::checker::{self, FileReport, TemplateRules};

fn report() -> Vec<FileOutcome> {
    let t = checker::builtin("system-design", &TemplateRules::default())
        .unwrap()
        .unwrap();
    let doc = std::fs::read_to_string(format!(
        "{}/tests/fixtures/checker/incomplete-system-design.md",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    vec![FileOutcome::Checked(FileReport {
        path: "docs/design/ledger-exports.md".into(),
        template: "system-design".into(),
        report: checker::check(&doc, &t),
    })]
}

#[test]
fn text_output() {
    insta::assert_snapshot!(checker::render_text(&report(), false));
}

#[test]
fn text_output_in_colour() {
    let coloured = checker::render_text(&report(), true);
    assert!(coloured.contains("\x1b[31merror[missing_section]\x1b[0m"));
    assert!(coloured.contains("\x1b[33mwarning[out_of_order]\x1b[0m"));
}

#[test]
fn markdown_checklist_with_links() {
    let [FileOutcome::Checked(file)] = &report()[..] else {
        panic!("one checked file");
    };
    insta::assert_snapshot!(checker::render_markdown_gaps(
        &file.report.gaps,
        Some("https://github.com/acme/app/blob/abc123/docs/design/ledger-exports.md")
    ));
}

#[test]
fn markdown_output_for_the_cli() {
    insta::assert_snapshot!(checker::render_markdown(&report()));
}

#[test]
fn json_output() {
    insta::assert_snapshot!(checker::render_json(&report()));
}
