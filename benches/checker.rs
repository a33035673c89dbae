//! Checking a doc vs parsing it with pulldown-cmark alone (same options), on the shipped
//! examples and template, plus throughput over the Rust RFC corpus when `../shared/corpus`
//! is present (skipped otherwise).

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use design_review::checker::{self, Template, TemplateRules};
use pulldown_cmark::Parser;

fn parse_only(doc: &str) -> usize {
    Parser::new_ext(doc, checker::parser_options())
        .into_offset_iter()
        .count()
}

fn local_docs() -> Vec<(&'static str, String)> {
    let root = env!("CARGO_MANIFEST_DIR");
    [
        "config/examples/system-design.md",
        "config/templates/system-design.md",
        "tests/fixtures/checker/incomplete-system-design.md",
    ]
    .into_iter()
    .map(|p| {
        (
            p,
            std::fs::read_to_string(Path::new(root).join(p)).unwrap_or_default(),
        )
    })
    .collect()
}

fn bench_local(c: &mut Criterion) {
    let template = checker::builtin("system-design", &TemplateRules::default())
        .unwrap()
        .unwrap();
    let docs = local_docs();
    let all: String = docs
        .iter()
        .map(|(_, d)| d.as_str())
        .collect::<Vec<_>>()
        .join("\n\n");
    let mut group = c.benchmark_group("system-design docs");
    group.throughput(Throughput::Bytes(all.len() as u64));
    group.bench_function("pulldown-cmark parse", |b| {
        b.iter(|| black_box(parse_only(black_box(&all))))
    });
    group.bench_function("check", |b| {
        b.iter(|| black_box(checker::check(black_box(&all), &template)))
    });
    group.finish();
}

fn rust_rfcs() -> Option<(Template, Vec<String>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/rfcs/rust");
    let template = std::fs::read_to_string(dir.join("0000-template.md")).ok()?;
    let template = Template::parse("rust-rfc", &template, &TemplateRules::default()).ok()?;
    let mut paths: Vec<PathBuf> = Vec::new();
    let mut stack = vec![dir.join("text")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).ok()?.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "md") {
                paths.push(p);
            }
        }
    }
    let docs = paths
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect();
    Some((template, docs))
}

fn bench_corpus(c: &mut Criterion) {
    let Some((template, docs)) = rust_rfcs() else {
        eprintln!("../shared/corpus/rfcs/rust not found: corpus benchmark skipped");
        return;
    };
    let bytes: usize = docs.iter().map(String::len).sum();
    let mut group = c.benchmark_group("rust RFC corpus");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("pulldown-cmark parse", |b| {
        b.iter(|| docs.iter().map(|d| parse_only(d)).sum::<usize>())
    });
    group.bench_function("check", |b| {
        b.iter(|| {
            docs.iter()
                .map(|d| checker::check(d, &template).gaps.len())
                .sum::<usize>()
        })
    });
    group.finish();
}

criterion_group!(benches, bench_local, bench_corpus);
criterion_main!(benches);
