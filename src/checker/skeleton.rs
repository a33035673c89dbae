//! A fresh doc to start from: the template's title, header fields and headings, with the
//! guidance kept as HTML comments (which the checker ignores, so unfilled parts still show
//! up as gaps).

use std::fmt::Write;

use super::template::{Template, TemplateField};

/// Renders a doc skeleton for `template`.
pub fn skeleton(template: &Template) -> String {
    let mut out = String::new();
    let title = template
        .title
        .as_deref()
        .map_or("Title".to_string(), |t| t.replace("Template", "Title"));
    let _ = writeln!(out, "# {title}\n");
    write_fields(&mut out, template);
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
    write_sections(&mut out, template);
    out
}

/// The header fields, as table rows or (nested) list items like the template writes them.
fn write_fields(out: &mut String, template: &Template) {
    let mut in_table = false;
    for field in &template.fields {
        if field.table {
            write_table_row(out, field, !in_table);
            in_table = true;
            continue;
        }
        if in_table {
            out.push('\n');
            in_table = false;
        }
        write_list_item(out, field, field_depth(template, field));
    }
}

/// One row of a header table; the first one is the table's header row, so the delimiter
/// row follows it.
fn write_table_row(out: &mut String, field: &TemplateField, first: bool) {
    let hint = comment(&field.example);
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
    if first {
        out.push_str("|---|---|\n");
    }
}

/// One header field as a list item, indented `depth` levels.
fn write_list_item(out: &mut String, field: &TemplateField, depth: usize) {
    let hint = comment(&field.example);
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

/// How many fields `field` is nested under.
fn field_depth(template: &Template, field: &TemplateField) -> usize {
    let mut depth = 0;
    let mut p = field.parent;
    while let Some(pp) = p {
        depth += 1;
        p = template.fields[pp].parent;
    }
    depth
}

/// The section headings with their guidance as comments, announcing each run of sections
/// required only for one doc type.
fn write_sections(out: &mut String, template: &Template) {
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
