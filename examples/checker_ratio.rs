//! Checking vs parsing alone, measured so that a busy or shared machine does not skew the ratio:
//! the two are run alternately, pass after pass over the same docs, and the fastest pass of each
//! is compared (interference only ever adds time, so the minimum is the closest to the cost).
//!
//! cargo run --release --example checker_ratio -- TEMPLATE.md DIR [PASSES]
//!
//! e.g. `TEMPLATE.md` = `../shared/corpus/rfcs/rust/0000-template.md` and `DIR` its `text/`
//! folder. Prints one JSON line: bytes, the fastest and median pass of each, and the ratios.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use design_review::checker::{self, Template, TemplateRules};
use pulldown_cmark::Parser;

fn markdown_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for path in entries.flatten().map(|e| e.path()) {
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|x| x == "md") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

fn timed(f: impl FnOnce() -> usize) -> Duration {
    let started = Instant::now();
    black_box(f());
    started.elapsed()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [template, dir, rest @ ..] = args.as_slice() else {
        eprintln!("usage: checker_ratio TEMPLATE.md DIR [PASSES]");
        std::process::exit(2);
    };
    let passes: usize = rest.first().and_then(|p| p.parse().ok()).unwrap_or(30);
    let template = std::fs::read_to_string(template).expect("readable template");
    let template =
        Template::parse("template", &template, &TemplateRules::default()).expect("a template");
    let docs: Vec<String> = markdown_files(Path::new(dir))
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect();
    let bytes: usize = docs.iter().map(String::len).sum();

    let parse = || {
        docs.iter()
            .map(|d| {
                Parser::new_ext(d, checker::parser_options())
                    .into_offset_iter()
                    .count()
            })
            .sum::<usize>()
    };
    let check = || {
        docs.iter()
            .map(|d| checker::check(d, &template).gaps.len())
            .sum::<usize>()
    };
    // Warm-up, then alternate.
    timed(parse);
    timed(check);
    let (mut parses, mut checks) = (Vec::new(), Vec::new());
    for _ in 0..passes {
        parses.push(timed(parse));
        checks.push(timed(check));
    }
    parses.sort();
    checks.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let (parse_min, check_min) = (parses[0], checks[0]);
    let (parse_median, check_median) = (parses[passes / 2], checks[passes / 2]);
    println!(
        "{{\"docs\":{},\"bytes\":{bytes},\"passes\":{passes},\"parse_min_ms\":{:.2},\"check_min_ms\":{:.2},\"ratio_min\":{:.3},\"parse_median_ms\":{:.2},\"check_median_ms\":{:.2},\"ratio_median\":{:.3},\"check_mb_s\":{:.1}}}",
        docs.len(),
        ms(parse_min),
        ms(check_min),
        check_min.as_secs_f64() / parse_min.as_secs_f64(),
        ms(parse_median),
        ms(check_median),
        check_median.as_secs_f64() / parse_median.as_secs_f64(),
        bytes as f64 / check_min.as_secs_f64() / 1e6,
    );
}
