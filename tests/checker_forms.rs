//! The forms real authors write headings and header fields in, each as a minimal template and
//! doc with the gaps expected (none when the form must be accepted). A new form is one line of
//! `CASES`; the messages that matter are asserted whole below the table.

use design_review::checker::{
    self, GapKind, MatchKind, SectionMatch, Severity, Template, TemplateRules,
};

use GapKind::*;
use Severity::{Error, Warning};

/// One case: a template (with its rules, as YAML), a doc, and the gaps expected.
struct Case {
    name: &'static str,
    template: &'static str,
    rules: &'static str,
    doc: &'static str,
    gaps: &'static [(Severity, GapKind, &'static str)],
}

const OBJECTIVE: &str = "# T\n\n## Objective\n\nWhat is the goal?\n";
const MOTIVATION_AND_SOLUTION: &str =
    "# T\n\n## Motivation\n\nWhy?\n\n## Proposed solution\n\nWhat do you propose?\n";
const GOALS: &str = "# T\n\n## Goals\n\nWhat must it do?\n\n## Non-Goals\n\nWhat will it not do?\n";
const PRACTICES: &str = "# T\n\n## Guide\n\nHow to use it.\n\n### Best Practices\n\nWhat to do.\n\n### Tutorials and Examples\n\nShow it.\n";
const REQUIREMENTS: &str = "# T\n\n## Requirements\n\nList the requirements below.\n\n### Goals\n\nWhat must it do?\n\n### Non-Goals\n\nWhat will it not do?\n";
const SWIFT: &str = "# Feature name\n\n* Proposal: [SE-NNNN](NNNN-filename.md)\n* Authors: [Author 1](https://github.com/swiftdev)\n\n## Introduction\n\nA short description.\n";
const INSTRUCTIONS: &str = "<details><summary>Instructions</summary>\n\n- Fork the rfcs repo: https://github.com/example/rfcs\n- Copy the template: 0000-template.md\n\n</details>\n\n# Feature name\n\n- Start Date: YYYY-MM-DD\n\n## Summary\n\nOne paragraph explanation.\n";
const TABLE: &str = "# Title of RFC\n\n| Status        | (Proposed / Accepted)                |\n:-------------- |:------------------------------------ |\n| **Author(s)** | My Name (me@example.org)             |\n| **Sponsor**   | A N Expert (whomever@example.org)    |\n\n## Objective\n\nWhat are we doing and why?\n";
const VERSION: &str = "# T\n\n- Version: (2.x / 3.x)\n\n## Summary\n\nOne paragraph explanation.\n";

const CASES: &[Case] = &[
    // 1. Heading attributes.
    Case {
        name: "pandoc id on a doc heading",
        template: OBJECTIVE,
        rules: "",
        doc: "# Frob\n\n## Objective {#objective}\n\nShip frob.\n",
        gaps: &[],
    },
    Case {
        name: "kramdown id and class",
        template: OBJECTIVE,
        rules: "",
        doc: "# Frob\n\n## Objective {: #objective .wide}\n\nShip frob.\n",
        gaps: &[],
    },
    Case {
        name: "id on the template heading",
        template: "# T\n\n## Objective {#objective}\n\nWhat is the goal?\n",
        rules: "",
        doc: "# Frob\n\n## Objective\n\nShip frob.\n",
        gaps: &[],
    },
    // 2. A subtitle after a colon or a dash.
    Case {
        name: "subtitles after a colon and a dash",
        template: MOTIVATION_AND_SOLUTION,
        rules: "",
        doc: "# Frob\n\n## Motivation: completion handlers are suboptimal\n\nThey nest.\n\n## Proposed solution — async/await\n\nAwait.\n",
        gaps: &[],
    },
    Case {
        name: "subtitle after a spaced hyphen",
        template: MOTIVATION_AND_SOLUTION,
        rules: "",
        doc: "# Frob\n\n## Motivation - callbacks\n\nThey nest.\n\n## Proposed solution -- await\n\nAwait.\n",
        gaps: &[],
    },
    Case {
        name: "a template heading with a colon matches as a whole",
        template: "# T\n\n## Alternatives: what else was considered\n\nList them.\n",
        rules: "",
        doc: "# Frob\n\n## Alternatives: what else was considered\n\nA queue.\n",
        gaps: &[],
    },
    Case {
        name: "a template heading with a colon matches by its name alone",
        template: "# T\n\n## Alternatives: what else was considered\n\nList them.\n",
        rules: "",
        doc: "# Frob\n\n## Alternatives\n\nA queue.\n",
        gaps: &[],
    },
    Case {
        name: "a subtitle never makes Non-Goals stand for Goals",
        template: GOALS,
        rules: "",
        doc: "# Frob\n\n## Non-Goals: for later\n\nSpeed.\n",
        gaps: &[(Error, MissingSection, "Goals")],
    },
    Case {
        name: "a subtitled sub-heading of another section is not the section",
        template: "# T\n\n## Summary\n\nWhat?\n\n## Alternatives\n\nWhat else?\n",
        rules: "",
        doc: "# Frob\n\n## Summary\n\nFrob.\n\n## Alternatives Considered\n\n### Alternative: a lock\n\nSlow.\n",
        gaps: &[(Error, MissingSection, "Alternatives")],
    },
    Case {
        name: "a subtitled sub-section inside its parent",
        template: "# T\n\n## Design\n\nHow?\n\n### Storage\n\nWhere?\n",
        rules: "",
        doc: "# Frob\n\n## Design\n\nA queue.\n\n### Storage: PostgreSQL\n\nOne table.\n",
        gaps: &[],
    },
    Case {
        name: "an inflected sub-section written one level up",
        template: "# T\n\n## Design\n\nHow?\n\n### Risks and Mitigations\n\nWhat may go wrong?\n",
        rules: "",
        doc: "# Frob\n\n## Design\n\nA queue.\n\n## Risk and Mitigations\n\nIt may fill; it is bounded.\n",
        gaps: &[],
    },
    Case {
        name: "a hyphen inside a word is no subtitle",
        template: GOALS,
        rules: "",
        doc: "# Frob\n\n## Non-Goals\n\nSpeed.\n",
        gaps: &[(Error, MissingSection, "Goals")],
    },
    // 3. Inflection and spelling.
    Case {
        name: "Detail Design",
        template: "# T\n\n## Detailed design\n\nHow?\n",
        rules: "",
        doc: "# Frob\n\n## Detail Design\n\nLike this.\n",
        gaps: &[],
    },
    Case {
        name: "Alternative considered",
        template: "# T\n\n## Alternatives considered\n\nWhat else?\n",
        rules: "",
        doc: "# Frob\n\n## Alternative considered\n\nA queue.\n",
        gaps: &[],
    },
    Case {
        name: "User Benefits",
        template: "# T\n\n## User Benefit\n\nWho gains?\n",
        rules: "",
        doc: "# Frob\n\n## User Benefits\n\nEveryone.\n",
        gaps: &[],
    },
    Case {
        name: "Objectives",
        template: OBJECTIVE,
        rules: "",
        doc: "# Frob\n\n## Objectives\n\nShip frob.\n",
        gaps: &[],
    },
    Case {
        name: "Acknowledgements",
        template: "# T\n\n## Acknowledgments\n\nWho helped?\n",
        rules: "",
        doc: "# Frob\n\n## Acknowledgements\n\nAda.\n",
        gaps: &[],
    },
    Case {
        name: "British spellings",
        template: "# T\n\n## Behavior and Organization\n\nHow?\n\n## Modeling\n\nWhich model?\n",
        rules: "",
        doc: "# Frob\n\n## Behaviour and Organisation\n\nQuietly.\n\n## Modelling\n\nA graph.\n",
        gaps: &[],
    },
    Case {
        name: "an inflection of another section's heading is that section",
        template: "# T\n\n## Objective\n\nWhat?\n\n## Objectives\n\nWhich ones?\n",
        rules: "",
        doc: "# Frob\n\n## Objectives\n\nSpeed.\n",
        gaps: &[(Error, MissingSection, "Objective")],
    },
    Case {
        name: "Non-Goal is Non-Goals, not Goals",
        template: GOALS,
        rules: "",
        doc: "# Frob\n\n## Non-Goal\n\nSpeed.\n",
        gaps: &[(Error, MissingSection, "Goals")],
    },
    // 4. A combined heading where one part already contains "and".
    Case {
        name: "comma and 'and'",
        template: PRACTICES,
        rules: "",
        doc: "# Frob\n\n## Guide\n\nUse it.\n\n### Best Practices, Tutorials and Examples\n\nSee the repo.\n",
        gaps: &[],
    },
    Case {
        name: "slash and ampersand",
        template: PRACTICES,
        rules: "",
        doc: "# Frob\n\n## Guide\n\nUse it.\n\n### Best Practices / Tutorials & Examples\n\nSee the repo.\n",
        gaps: &[],
    },
    // 5. An emoji or symbol before numbering.
    Case {
        name: "emoji then numbering",
        template: OBJECTIVE,
        rules: "",
        doc: "# Frob\n\n## 🚀 1. Objective\n\nShip frob.\n",
        gaps: &[],
    },
    Case {
        name: "symbol then numbering",
        template: OBJECTIVE,
        rules: "",
        doc: "# Frob\n\n## → 2.1 Objective\n\nShip frob.\n",
        gaps: &[],
    },
    // 6. A template heading with stray emphasis is named without it.
    Case {
        name: "stray emphasis in the template",
        template: "# T\n\n## **Metrics **\n\nWhat will you measure?\n",
        rules: "",
        doc: "# Frob\n\n## Objective\n\nShip.\n",
        gaps: &[(Error, MissingSection, "Metrics")],
    },
    // 7. Fields under a title written one level deeper.
    Case {
        name: "fields under a level-2 title",
        template: SWIFT,
        rules: "",
        doc: "## Frob\n\n* Proposal: SE-0001\n* Authors: Ada\n\n### Introduction\n\nFrob the widgets.\n",
        gaps: &[],
    },
    Case {
        name: "a field missing under a level-2 title",
        template: SWIFT,
        rules: "",
        doc: "## Frob\n\n* Proposal: SE-0001\n\n### Introduction\n\nFrob the widgets.\n",
        gaps: &[(Error, MissingField, "Authors")],
    },
    Case {
        name: "a level-2 heading with siblings is no title",
        template: SWIFT,
        rules: "",
        doc: "## Frob\n\n* Proposal: SE-0001\n* Authors: Ada\n\n## Introduction\n\nFrob the widgets.\n",
        gaps: &[
            (Error, MissingField, "Proposal"),
            (Error, MissingField, "Authors"),
        ],
    },
    // 8. A list inside an HTML block of the template is instructions.
    Case {
        name: "instructions in <details>",
        template: INSTRUCTIONS,
        rules: "",
        doc: "# Frob\n\n- Start Date: 2024-01-01\n\n## Summary\n\nFrob.\n",
        gaps: &[],
    },
    Case {
        name: "the fields after <details> are still fields",
        template: INSTRUCTIONS,
        rules: "",
        doc: "# Frob\n\n## Summary\n\nFrob.\n",
        gaps: &[(Error, MissingField, "Start Date")],
    },
    // 9. Header fields written as a table.
    Case {
        name: "table fields filled in",
        template: TABLE,
        rules: "",
        doc: "# Frob\n\n| Status | Proposed |\n|---|---|\n| **Author(s)** | Ada |\n| **Sponsor** | Grace |\n\n## Objective\n\nShip frob.\n",
        gaps: &[],
    },
    Case {
        name: "table fields required",
        template: TABLE,
        rules: "",
        doc: "# Frob\n\n## Objective\n\nShip frob.\n",
        gaps: &[
            (Error, MissingField, "Status"),
            (Error, MissingField, "Author(s)"),
            (Error, MissingField, "Sponsor"),
        ],
    },
    Case {
        name: "table field left as the example",
        template: TABLE,
        rules: "",
        doc: "# Frob\n\n| Status | Proposed |\n|---|---|\n| **Author(s)** | My Name (me@example.org) |\n| **Sponsor** | |\n\n## Objective\n\nShip frob.\n",
        gaps: &[
            (Error, PlaceholderField, "Author(s)"),
            (Error, EmptyField, "Sponsor"),
        ],
    },
    // 10. A value combining the example's options is a choice.
    Case {
        name: "options joined with &",
        template: VERSION,
        rules: "",
        doc: "# Frob\n\n- Version: 2.x & 3.x\n\n## Summary\n\nFrob.\n",
        gaps: &[],
    },
    Case {
        name: "options joined with a comma",
        template: VERSION,
        rules: "",
        doc: "# Frob\n\n- Version: 2.x, 3.x\n\n## Summary\n\nFrob.\n",
        gaps: &[],
    },
    Case {
        name: "options joined with and",
        template: VERSION,
        rules: "",
        doc: "# Frob\n\n- Version: 2.x and 3.x\n\n## Summary\n\nFrob.\n",
        gaps: &[],
    },
    Case {
        name: "one option",
        template: VERSION,
        rules: "",
        doc: "# Frob\n\n- Version: 3.x\n\n## Summary\n\nFrob.\n",
        gaps: &[],
    },
    Case {
        name: "the options as the template offers them",
        template: VERSION,
        rules: "",
        doc: "# Frob\n\n- Version: (2.x / 3.x)\n\n## Summary\n\nFrob.\n",
        gaps: &[(Error, PlaceholderField, "Version")],
    },
    // 11. Guidance left above filled-in sub-sections.
    Case {
        name: "guidance above filled sub-sections",
        template: REQUIREMENTS,
        rules: "",
        doc: "# Frob\n\n## Requirements\n\nList the requirements below.\n\n### Goals\n\nFast.\n\n### Non-Goals\n\nCheap.\n",
        gaps: &[(Warning, PlaceholderSection, "Requirements")],
    },
    Case {
        name: "filler above filled sub-sections",
        template: REQUIREMENTS,
        rules: "",
        doc: "# Frob\n\n## Requirements\n\nTODO\n\n### Goals\n\nFast.\n\n### Non-Goals\n\nCheap.\n",
        gaps: &[(Warning, PlaceholderSection, "Requirements")],
    },
    Case {
        name: "a ticked checkbox of the template is an answer",
        template: "# T\n\n## Test Plan\n\n[ ] I understand the owners may require updates to existing tests.\n\n### Unit tests\n\nWhich?\n",
        rules: "",
        doc: "# Frob\n\n## Test Plan\n\n[x] I understand the owners may require updates to existing tests.\n\n### Unit tests\n\nAll of them.\n",
        gaps: &[],
    },
    Case {
        name: "guidance above guidance is an error",
        template: REQUIREMENTS,
        rules: "",
        doc: "# Frob\n\n## Requirements\n\nList the requirements below.\n\n### Goals\n\nWhat must it do?\n\n### Non-Goals\n\nWhat will it not do?\n",
        gaps: &[
            (Error, PlaceholderSection, "Requirements"),
            (Error, PlaceholderSection, "Goals"),
            (Error, PlaceholderSection, "Non-Goals"),
        ],
    },
    Case {
        name: "an introduction of one's own above sub-sections",
        template: REQUIREMENTS,
        rules: "",
        doc: "# Frob\n\n## Requirements\n\nFrom the Q3 brief.\n\n### Goals\n\nFast.\n\n### Non-Goals\n\nCheap.\n",
        gaps: &[],
    },
    // 12. A parent written only through its children.
    Case {
        name: "children one level up",
        template: REQUIREMENTS,
        rules: "",
        doc: "# Frob\n\n## Goals\n\nFast.\n\n## Non-Goals\n\nCheap.\n",
        gaps: &[],
    },
    Case {
        name: "children one level up, one missing",
        template: REQUIREMENTS,
        rules: "",
        doc: "# Frob\n\n## Goals\n\nFast.\n",
        gaps: &[(Error, MissingSection, "Non-Goals")],
    },
    Case {
        name: "children one level up under strict structure",
        template: REQUIREMENTS,
        rules: "strict_structure: true",
        doc: "# Frob\n\n## Goals\n\nFast.\n\n## Non-Goals\n\nCheap.\n",
        gaps: &[(Error, MissingSection, "Requirements")],
    },
    Case {
        name: "neither parent nor children",
        template: REQUIREMENTS,
        rules: "",
        doc: "# Frob\n\n## Summary\n\nFast.\n",
        gaps: &[(Error, MissingSection, "Requirements")],
    },
];

fn parse(template: &str, rules: &str) -> Template {
    let rules = TemplateRules::from_yaml(rules).unwrap();
    Template::parse("t", template, &rules).unwrap()
}

#[test]
fn every_form_is_read_as_expected() {
    let mut failures = Vec::new();
    for case in CASES {
        let report = checker::check(case.doc, &parse(case.template, case.rules));
        let got: Vec<(Severity, GapKind, &str)> = report
            .gaps
            .iter()
            .map(|g| (g.severity, g.kind, g.section.as_str()))
            .collect();
        if got != case.gaps {
            failures.push(format!(
                "{}: expected {:?}, got {:#?}",
                case.name, case.gaps, report.gaps
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n")
    );
}

fn messages(template: &str, rules: &str, doc: &str) -> Vec<String> {
    checker::check(doc, &parse(template, rules))
        .gaps
        .into_iter()
        .map(|g| g.message)
        .collect()
}

#[test]
fn a_template_heading_is_named_without_stray_emphasis() {
    assert_eq!(
        messages(
            "# T\n\n## **Metrics **\n\nWhat will you measure?\n",
            "",
            "# Frob\n"
        ),
        ["Add a \"## Metrics\" section at the end. The template asks: What will you measure?"]
    );
}

#[test]
fn a_missing_table_field_asks_for_a_row() {
    let doc = "# Frob\n\n| Status | Proposed |\n|---|---|\n| **Author(s)** | Ada |\n\n## Objective\n\nShip frob.\n";
    assert_eq!(
        messages(TABLE, "", doc),
        [
            "Add a \"| Sponsor | ... |\" row to the header table. Template: A N Expert (whomever@example.org)"
        ]
    );
}

#[test]
fn the_skeleton_keeps_a_header_table() {
    let skeleton = checker::skeleton(&parse(TABLE, ""));
    assert_eq!(
        skeleton,
        "# Title of RFC\n\n\
         | Status | <!-- (Proposed / Accepted) --> |\n\
         |---|---|\n\
         | **Author(s)** | <!-- My Name (me@example.org) --> |\n\
         | **Sponsor** | <!-- A N Expert (whomever@example.org) --> |\n\
         \n\
         ## Objective\n\n<!-- What are we doing and why? -->\n\n"
    );
    // Written from the skeleton and not filled in: every field is reported empty.
    let kinds: Vec<(GapKind, String)> = checker::check(&skeleton, &parse(TABLE, ""))
        .gaps
        .into_iter()
        .map(|g| (g.kind, g.section))
        .collect();
    assert_eq!(
        kinds,
        [
            (EmptyField, "Status".to_string()),
            (EmptyField, "Author(s)".to_string()),
            (EmptyField, "Sponsor".to_string()),
            (EmptySection, "Objective".to_string()),
        ]
    );
}

#[test]
fn leftover_guidance_is_named() {
    let doc = "# Frob\n\n## Requirements\n\nList the requirements below.\n\n### Goals\n\nFast.\n\n### Non-Goals\n\nCheap.\n";
    assert_eq!(
        messages(REQUIREMENTS, "", doc),
        [
            "The \"Requirements\" section still starts with the template's guidance (\"List the requirements below.\") above its filled-in sub-sections; delete it or replace it with an introduction of your own."
        ]
    );
}

#[test]
fn strict_structure_says_which_form_the_template_expects() {
    let doc = "# Frob\n\n## Goals\n\nFast.\n\n## Non-Goals\n\nCheap.\n";
    assert_eq!(
        messages(REQUIREMENTS, "strict_structure: true", doc),
        [
            "Add a \"## Requirements\" heading above \"Goals\", \"Non-Goals\": the template expects them as its sub-sections."
        ]
    );
}

const RUST_RFC: &str = "- Feature Name: (fill me in)\n\n# Summary\n\nOne paragraph explanation.\n\n# Detailed design\n\nThe bulk of the RFC.\n\n# Alternatives considered\n\nWhat other designs?\n\n# Scenarios and User Experience\n\nWho does what?\n";

#[test]
fn a_near_miss_names_the_heading_and_the_alias_rule() {
    let doc = "- Feature Name: frob\n\n# Summary\n\nFrob.\n\n# Design\n\nA queue.\n\n# Alternatives\n\nA lock.\n\n# Scenarios\n\nAda frobs.\n\n## Users\n\nAda.\n";
    let report = checker::check(doc, &parse(RUST_RFC, ""));
    let gaps: Vec<(GapKind, Severity, &str, usize, &str)> = report
        .gaps
        .iter()
        .map(|g| {
            (
                g.kind,
                g.severity,
                g.section.as_str(),
                g.line,
                g.message.as_str(),
            )
        })
        .collect();
    assert_eq!(
        gaps,
        [
            (
                MissingSection,
                Error,
                "Detailed design",
                7,
                "Missing \"Detailed design\". Is \"# Design\" (line 7) meant to be it? Rename it \"# Detailed design\", or add the alias in .github/design-review.yml: templates: {\"t\": {aliases: {\"Detailed design\": [\"Design\"]}}}"
            ),
            (
                MissingSection,
                Error,
                "Alternatives considered",
                11,
                "Missing \"Alternatives considered\". Is \"# Alternatives\" (line 11) meant to be it? Rename it \"# Alternatives considered\", or add the alias in .github/design-review.yml: templates: {\"t\": {aliases: {\"Alternatives considered\": [\"Alternatives\"]}}}"
            ),
            (
                MissingSection,
                Error,
                "Scenarios and User Experience",
                15,
                "Missing \"Scenarios and User Experience\". Is \"# Scenarios\" (line 15) meant to be it? Rename it \"# Scenarios and User Experience\", or add the alias in .github/design-review.yml: templates: {\"t\": {aliases: {\"Scenarios and User Experience\": [\"Scenarios\"]}}}"
            ),
        ]
    );
}

#[test]
fn the_suggested_alias_makes_the_doc_pass() {
    let doc = "- Feature Name: frob\n\n# Summary\n\nFrob.\n\n# 3. Design\n\nA queue.\n\n# Alternatives considered\n\nA lock.\n\n# Scenarios and User Experience\n\nAda frobs.\n";
    let message = messages(RUST_RFC, "", doc).remove(0);
    let yaml = message.split(".github/design-review.yml: ").nth(1).unwrap();
    assert_eq!(
        yaml,
        "templates: {\"t\": {aliases: {\"Detailed design\": [\"Design\"]}}}"
    );
    let config: serde_yaml_ng::Value = serde_yaml_ng::from_str(yaml).unwrap();
    let rules: TemplateRules = serde_yaml_ng::from_value(config["templates"]["t"].clone()).unwrap();
    assert_eq!(checker::check(doc, &parse_with(RUST_RFC, &rules)).gaps, []);
}

fn parse_with(template: &str, rules: &TemplateRules) -> Template {
    Template::parse("t", template, rules).unwrap()
}

#[test]
fn a_sub_heading_of_another_section_is_no_near_miss() {
    let doc = "- Feature Name: frob\n\n# Summary\n\nFrob.\n\n# Detailed design\n\nA queue.\n\n## Alternatives\n\nA lock.\n\n# Scenarios and User Experience\n\nAda frobs.\n";
    assert_eq!(
        messages(RUST_RFC, "", doc),
        [
            "Add a \"# Alternatives considered\" section before \"Scenarios and User Experience\". The template asks: What other designs?"
        ]
    );
}

#[test]
fn no_near_miss_without_a_close_heading() {
    let doc = "- Feature Name: frob\n\n# Summary\n\nFrob.\n\n# Detailed design\n\nA queue.\n\n# Non-alternatives\n\nNone.\n\n# Scenarios and User Experience\n\nAda frobs.\n";
    assert_eq!(
        messages(RUST_RFC, "", doc),
        [
            "Add a \"# Alternatives considered\" section before \"Scenarios and User Experience\". The template asks: What other designs?"
        ]
    );
}

#[test]
fn the_matching_says_how_each_section_was_found() {
    let template = parse(
        "# T\n\n## Summary\n\nWhat?\n\n## Motivation\n\nWhy?\n\n## Detailed design\n\nHow?\n\n## Drawbacks\n\nWhy not?\n\n## Alternatives\n\nWhat else?\n\n## Requirements\n\nWhich?\n\n### Goals\n\nWhat must it do?\n\n## Prior art\n\nWho did it?\n",
        "aliases:\n  Summary: [TL;DR]",
    );
    let doc = "# Frob\n\n## TL;DR\n\nFrob.\n\n## Motivation: speed\n\nSlow.\n\n## Detail design\n\nA queue.\n\n## Drawbacks and alternatives\n\nCost.\n\n## Goals\n\nFast.\n\n## Art\n\nNone.\n";
    let matching = checker::match_doc(doc, &template);
    assert_eq!(matching.title, Some(0));
    let heading = |heading, kind| SectionMatch::Heading { heading, kind };
    assert_eq!(
        matching.sections,
        [
            heading(1, MatchKind::Alias),
            heading(2, MatchKind::Subtitle),
            heading(3, MatchKind::Inflection),
            heading(4, MatchKind::CombinedPart),
            heading(4, MatchKind::CombinedPart),
            SectionMatch::ThroughChildren,
            heading(5, MatchKind::Exact),
            SectionMatch::Missing,
        ]
    );
    let near: Vec<(usize, &str)> = matching
        .near_misses
        .iter()
        .map(|n| (n.section, matching.headings[n.heading].text.as_str()))
        .collect();
    assert_eq!(near, [(7, "Art")]);
}

#[test]
fn a_doc_of_only_headings_is_checked_in_bounded_time() {
    // The size limit of a doc the App checks (1 MiB), all of it headings one typo away from
    // the template's: every one is a near-miss candidate for every missing section.
    let template: String = (0..40)
        .map(|i| format!("## Section alpha {i}\n\nWrite part {i}.\n\n"))
        .collect();
    let template = parse(&format!("# T\n\n{template}"), "");
    let mut doc = String::from("# Frob\n\n");
    let mut i = 0;
    while doc.len() < 1 << 20 {
        doc.push_str(&format!("### Sektion alpha {}\n", i % 40));
        i += 1;
    }
    let started = std::time::Instant::now();
    let report = checker::check(&doc, &template);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    let missing = report
        .gaps
        .iter()
        .filter(|g| g.kind == MissingSection && g.severity == Error)
        .count();
    assert_eq!(missing, 40);
}
