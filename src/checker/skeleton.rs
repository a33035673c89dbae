//! A fresh doc to start from: the template's title, header fields and headings, with the
//! guidance kept as HTML comments (which the checker ignores, so unfilled parts still show
//! up as gaps).

use std::fmt::Write;

use super::template::Template;

/// Renders a doc skeleton for `template`.
pub fn skeleton(template: &Template) -> String {
    let mut out = String::new();
    let title = template
        .title
        .as_deref()
        .map_or("Title".to_string(), |t| t.replace("Template", "Title"));
    let _ = writeln!(out, "# {title}\n");
    let mut in_table = false;
    for field in &template.fields {
        let hint = comment(&field.example);
        if field.table {
            // Every field row of a header table, the first one as the table's header row.
            let label = if field.bold {
                format!("**{}**", field.label)
            } else {
                field.label.clone()
            };
            let _ = writeln!(
                out,
                "| {} | {} |",
                label.replace('|', "\\|"),
                hint.replace('|', "\\|")
            );
            if !in_table {
                out.push_str("|---|---|\n");
            }
            in_table = true;
            continue;
        }
        if in_table {
            out.push('\n');
            in_table = false;
        }
        let mut depth = 0;
        let mut p = field.parent;
        while let Some(pp) = p {
            depth += 1;
            p = template.fields[pp].parent;
        }
        let label = if field.bold {
            format!("**{}:**", field.label)
        } else {
            format!("{}:", field.label)
        };
        let _ = writeln!(
            out,
            "{}- {label}{}",
            "  ".repeat(depth),
            if hint.is_empty() {
                hint
            } else {
                format!(" {hint}")
            }
        );
    }
    let kinds = template.doc_types();
    if !kinds.is_empty() && !template.fields.iter().any(|f| f.key == "type") {
        let _ = writeln!(
            out,
            "- **Type:** <!-- \"{}\" makes the sections marked for it required; leave empty otherwise -->",
            kinds.join("\" or \"")
        );
    }
    if !template.fields.is_empty() || !kinds.is_empty() {
        out.push('\n');
    }
    let mut announced: Option<&str> = None;
    for section in &template.sections {
        if let Some(kind) = section
            .only_for
            .as_deref()
            .filter(|k| announced != Some(*k))
        {
            let _ = writeln!(
                out,
                "<!-- For {kind} docs (declare \"Type: {kind}\" in the header list), include the following sub-sections. -->\n"
            );
            announced = Some(kind);
        }
        let _ = writeln!(
            out,
            "{} {}\n",
            "#".repeat(usize::from(section.level)),
            section.heading
        );
        let hint = comment(&section.guidance);
        if !hint.is_empty() {
            let _ = writeln!(out, "{hint}\n");
        }
    }
    out
}

fn comment(text: &str) -> String {
    let text = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace("--", "- -");
    if text.is_empty() {
        String::new()
    } else {
        format!("<!-- {text} -->")
    }
}
