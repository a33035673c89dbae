//! Real design docs from ../shared/corpus (Rust RFCs, React RFCs, KEPs) checked against their
//! own templates: reports template sections that are present in a doc (same heading after
//! normalisation, outside code fences and HTML comments) yet reported missing.
//! Run with `cargo test --test checker_corpus -- --ignored --nocapture`; skipped when the
//! corpus is absent.

use std::path::{Path, PathBuf};

use design_review::checker::{self, GapKind, Template, TemplateRules};

fn files(dir: &Path, keep: &Filter, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, keep, out);
        } else if keep(&p) {
            out.push(p);
        }
    }
}

/// Keeps the files of a set.
type Filter = dyn Fn(&Path) -> bool;

#[test]
#[ignore = "reads ../shared/corpus"]
fn no_present_section_is_reported_missing() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    if !corpus.is_dir() {
        eprintln!("corpus not found at {}: skipped", corpus.display());
        return;
    }
    let sets: [(&str, &str, &Filter); 3] = [
        ("rfcs/rust", "rfcs/rust/0000-template.md", &|p| {
            p.extension().is_some_and(|e| e == "md") && !p.ends_with("0000-template.md")
        }),
        ("rfcs/react", "rfcs/react/0000-template.md", &|p| {
            p.extension().is_some_and(|e| e == "md") && !p.ends_with("0000-template.md")
        }),
        ("keps", "keps/NNNN-kep-template/README.md", &|p| {
            p.ends_with("README.md") && !p.to_string_lossy().contains("NNNN-kep-template")
        }),
    ];
    let mut false_gaps = Vec::new();
    for (folder, template, keep) in sets {
        let md = std::fs::read_to_string(corpus.join(template)).unwrap();
        let t = Template::parse(template, &md, &TemplateRules::default()).unwrap();
        let mut docs = Vec::new();
        files(&corpus.join(folder), keep, &mut docs);
        let (mut bytes, started) = (0usize, std::time::Instant::now());
        let mut missing = 0;
        for doc in &docs {
            let text = std::fs::read_to_string(doc).unwrap();
            bytes += text.len();
            let report = checker::check(&text, &t);
            let headings = headings_outside_comments(&text);
            for gap in report
                .gaps
                .iter()
                .filter(|g| g.kind == GapKind::MissingSection)
            {
                missing += 1;
                if headings.contains(&checker::heading_key(&gap.section)) {
                    false_gaps.push(format!("{}: {}", doc.display(), gap.section));
                }
            }
        }
        let secs = started.elapsed().as_secs_f64();
        eprintln!(
            "{folder}: {} docs, {missing} missing sections, {:.1} MB/s",
            docs.len(),
            bytes as f64 / 1e6 / secs
        );
    }
    assert!(
        false_gaps.is_empty(),
        "present sections reported missing:\n{}",
        false_gaps.join("\n")
    );
}

/// ATX heading keys, ignoring fenced code and HTML comments (a naive, independent reading).
fn headings_outside_comments(text: &str) -> Vec<String> {
    let (mut out, mut fence, mut comment) = (Vec::new(), None::<char>, false);
    for line in text.lines() {
        let t = line.trim_start();
        if comment {
            comment = !line.contains("-->");
            continue;
        }
        if let Some(c) = t
            .chars()
            .next()
            .filter(|c| (*c == '`' || *c == '~') && t.starts_with(&c.to_string().repeat(3)))
        {
            fence = match fence {
                Some(f) if f == c => None,
                None => Some(c),
                other => other,
            };
            continue;
        }
        if fence.is_some() {
            continue;
        }
        if t.starts_with("<!--") && !t.contains("-->") {
            comment = true;
            continue;
        }
        if t.starts_with('#') {
            out.push(checker::heading_key(t.trim_start_matches('#')));
        }
    }
    out
}
