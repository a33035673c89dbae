//! No module imports a module that imports it back.
//!
//! Reads every file under `src/` as Rust, collects the paths each file names (`crate::…`,
//! `super::…`, `self::…`, a child module's name, also inside macro calls), resolves each to the
//! file that defines the item (following `pub use` re-exports), and fails on any cycle, printing
//! it. Two granularities are checked: top-level modules (`review` -> `commands`), and files inside
//! one top-level module (`commands/parse.rs` -> `commands/grammar.rs`; a parent module's file and
//! its children's files count as one, see [`Crate::file_graph`]). `src/main.rs` is a crate
//! of its own (it names the library as `design_review::…`) and is left out.

use std::{
    collections::{BTreeMap, BTreeSet},
    fs,
    path::{Path, PathBuf},
};

use proc_macro2::{TokenStream, TokenTree};
use syn::visit::{self, Visit};

/// A module path from the crate root: `[]` for `lib.rs`, `["commands", "parse"]` for
/// `src/commands/parse.rs`.
type ModulePath = Vec<String>;

/// What one file names and offers, as far as dependencies go.
#[derive(Debug, Default)]
struct FileFacts {
    /// Where the file lives under `src/`, to name it in a cycle.
    display: String,
    /// Absolute paths of everything the file names (a re-export included).
    references: Vec<ModulePath>,
    /// `pub use target as name;`: name -> absolute target.
    reexports: BTreeMap<String, ModulePath>,
    /// `pub use target::*;`: absolute targets.
    glob_reexports: Vec<ModulePath>,
    /// Names of the items the file defines at its top level.
    items: BTreeSet<String>,
}

/// Every file of the crate, by module path.
#[derive(Debug, Default)]
struct Crate {
    files: BTreeMap<ModulePath, FileFacts>,
}

/// A directed graph whose nodes are module or file names.
type Graph = BTreeMap<String, BTreeSet<String>>;

/// Module path of a file given relative to `src/`, `None` for the binary's `main.rs`.
fn module_path(relative: &Path) -> Option<ModulePath> {
    let mut parts: Vec<String> = relative
        .iter()
        .map(|part| part.to_string_lossy().into_owned())
        .collect();
    let file = parts.pop()?;
    let stem = file.strip_suffix(".rs")?;
    match (parts.is_empty(), stem) {
        (true, "main") => None,
        (true, "lib") => Some(Vec::new()),
        (_, "mod") => Some(parts),
        _ => {
            parts.push(stem.to_string());
            Some(parts)
        }
    }
}

/// Collects the paths one file names; `scope` is the module the visitor stands in (the file's
/// module, deeper inside an inline `mod tests { … }`).
struct PathCollector<'a> {
    scope: ModulePath,
    depth: usize,
    known_modules: &'a BTreeSet<ModulePath>,
    facts: FileFacts,
}

impl PathCollector<'_> {
    /// Absolute path of `segments` as written in the current scope, or `None` when it names
    /// something outside the crate (std, a dependency, a local variable).
    fn absolute(&self, segments: &[String]) -> Option<ModulePath> {
        let (first, rest) = segments.split_first()?;
        match first.as_str() {
            "crate" => Some(rest.to_vec()),
            "self" => Some([self.scope.as_slice(), rest].concat()),
            "super" => {
                let mut base = self.scope.clone();
                let mut rest = segments;
                while let Some(("super", tail)) = rest.split_first().map(|(h, t)| (h.as_str(), t)) {
                    base.pop()?;
                    rest = tail;
                }
                Some([base.as_slice(), rest].concat())
            }
            _ => {
                let child = [self.scope.as_slice(), &segments[..1]].concat();
                self.known_modules
                    .iter()
                    .any(|module| module.starts_with(&child))
                    .then(|| [self.scope.as_slice(), segments].concat())
            }
        }
    }

    fn reference(&mut self, segments: &[String]) {
        if let Some(path) = self.absolute(segments) {
            self.facts.references.push(path);
        }
    }

    /// Records one `use` leaf; `exported` when the `use` is `pub` at the file's top level.
    fn use_leaf(&mut self, segments: &[String], leaf: UseLeaf, exported: bool) {
        let Some(target) = self.absolute(segments) else {
            return;
        };
        self.facts.references.push(target.clone());
        if !exported {
            return;
        }
        match leaf {
            UseLeaf::Glob => self.facts.glob_reexports.push(target),
            UseLeaf::Named(name) => {
                self.facts.reexports.insert(name, target);
            }
        }
    }
}

/// The end of one branch of a `use` tree.
enum UseLeaf {
    Named(String),
    Glob,
}

/// Flattens a `use` tree into (path, leaf) pairs: `a::{b, c::*}` gives `a::b` and `a::c::*`.
fn flatten_use(
    tree: &syn::UseTree,
    prefix: &mut Vec<String>,
    out: &mut Vec<(ModulePath, UseLeaf)>,
) {
    match tree {
        syn::UseTree::Path(path) => {
            prefix.push(path.ident.to_string());
            flatten_use(&path.tree, prefix, out);
            prefix.pop();
        }
        syn::UseTree::Name(name) => {
            let ident = name.ident.to_string();
            let mut full = prefix.clone();
            if ident != "self" {
                full.push(ident.clone());
            }
            let leaf = full.last().cloned().unwrap_or(ident);
            out.push((full, UseLeaf::Named(leaf)));
        }
        syn::UseTree::Rename(rename) => {
            let mut full = prefix.clone();
            full.push(rename.ident.to_string());
            out.push((full, UseLeaf::Named(rename.rename.to_string())));
        }
        syn::UseTree::Glob(_) => out.push((prefix.clone(), UseLeaf::Glob)),
        syn::UseTree::Group(group) => {
            for item in &group.items {
                flatten_use(item, prefix, out);
            }
        }
    }
}

/// Paths written inside a macro call (`crate::gfm::escape` in a `format!`), which syn leaves as
/// tokens.
fn paths_in_tokens(tokens: TokenStream, out: &mut Vec<ModulePath>) {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let mut index = 0;
    while index < tokens.len() {
        if let TokenTree::Group(group) = &tokens[index] {
            paths_in_tokens(group.stream(), out);
        }
        let mut path = Vec::new();
        let mut cursor = index;
        while let Some(TokenTree::Ident(ident)) = tokens.get(cursor) {
            path.push(ident.to_string());
            let separated = matches!(
                (tokens.get(cursor + 1), tokens.get(cursor + 2)),
                (Some(TokenTree::Punct(a)), Some(TokenTree::Punct(b)))
                    if a.as_char() == ':' && b.as_char() == ':'
            );
            if !separated {
                break;
            }
            cursor += 3;
        }
        if path.len() > 1 && matches!(path[0].as_str(), "crate" | "super" | "self") {
            out.push(path);
        }
        index = cursor.max(index) + 1;
    }
}

impl<'ast> Visit<'ast> for PathCollector<'_> {
    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        let exported = self.depth == 0 && !matches!(item.vis, syn::Visibility::Inherited);
        let mut leaves = Vec::new();
        flatten_use(&item.tree, &mut Vec::new(), &mut leaves);
        for (segments, leaf) in leaves {
            self.use_leaf(&segments, leaf, exported);
        }
    }

    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        if item.content.is_none() {
            return;
        }
        self.scope.push(item.ident.to_string());
        self.depth += 1;
        visit::visit_item_mod(self, item);
        self.depth -= 1;
        self.scope.pop();
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments: Vec<String> = path
            .segments
            .iter()
            .map(|segment| segment.ident.to_string())
            .collect();
        self.reference(&segments);
        visit::visit_path(self, path);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        let mut found = Vec::new();
        paths_in_tokens(mac.tokens.clone(), &mut found);
        for path in found {
            self.reference(&path);
        }
        visit::visit_macro(self, mac);
    }
}

/// Names of the items a file defines at its top level (what `super::Name` can point at).
fn item_names(file: &syn::File) -> BTreeSet<String> {
    file.items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Const(item) => Some(item.ident.to_string()),
            syn::Item::Enum(item) => Some(item.ident.to_string()),
            syn::Item::Fn(item) => Some(item.sig.ident.to_string()),
            syn::Item::Mod(item) => Some(item.ident.to_string()),
            syn::Item::Static(item) => Some(item.ident.to_string()),
            syn::Item::Struct(item) => Some(item.ident.to_string()),
            syn::Item::Trait(item) => Some(item.ident.to_string()),
            syn::Item::Type(item) => Some(item.ident.to_string()),
            syn::Item::Union(item) => Some(item.ident.to_string()),
            syn::Item::Macro(item) => item.ident.as_ref().map(ToString::to_string),
            _ => None,
        })
        .collect()
}

impl Crate {
    /// Parses `(path relative to src/, text)` pairs.
    fn parse(sources: &[(PathBuf, String)]) -> Crate {
        let modules: BTreeMap<ModulePath, (&PathBuf, &String)> = sources
            .iter()
            .filter_map(|(path, text)| Some((module_path(path)?, (path, text))))
            .collect();
        let known_modules: BTreeSet<ModulePath> = modules.keys().cloned().collect();
        let files = modules
            .into_iter()
            .map(|(module, (path, text))| {
                let syntax = syn::parse_file(text)
                    .unwrap_or_else(|error| panic!("{} does not parse: {error}", path.display()));
                let mut collector = PathCollector {
                    scope: module.clone(),
                    depth: 0,
                    known_modules: &known_modules,
                    facts: FileFacts {
                        display: path.to_string_lossy().replace('\\', "/"),
                        items: item_names(&syntax),
                        ..FileFacts::default()
                    },
                };
                collector.visit_file(&syntax);
                (module, collector.facts)
            })
            .collect();
        Crate { files }
    }

    /// The file that defines what `path` names, following re-exports.
    fn resolve(&self, path: &[String], hops: usize) -> Option<&ModulePath> {
        let (module, facts) = (0..=path.len())
            .rev()
            .find_map(|len| self.files.get_key_value(&path[..len]))?;
        let Some(name) = path.get(module.len()) else {
            return Some(module);
        };
        if hops > 16 {
            return Some(module);
        }
        if let Some(target) = facts.reexports.get(name) {
            let target = [target.as_slice(), &path[module.len() + 1..]].concat();
            return self.resolve(&target, hops + 1).or(Some(module));
        }
        if facts.items.contains(name) {
            return Some(module);
        }
        let through_glob = facts.glob_reexports.iter().find_map(|glob| {
            let target = [glob.as_slice(), &path[module.len()..]].concat();
            let found = self.resolve(&target, hops + 1)?;
            (found != module).then_some(found)
        });
        through_glob.or(Some(module))
    }

    /// Every (from file, to file) dependency between two different files.
    fn file_edges(&self) -> BTreeSet<(&ModulePath, &ModulePath)> {
        let mut edges = BTreeSet::new();
        for (module, facts) in &self.files {
            for reference in &facts.references {
                match self.resolve(reference, 0) {
                    Some(target) if target != module => {
                        edges.insert((module, target));
                    }
                    _ => {}
                }
            }
        }
        edges
    }

    /// Dependencies between top-level modules (`lib.rs` left out).
    fn top_level_graph(&self) -> Graph {
        let mut graph = Graph::new();
        for (from, to) in self.file_edges() {
            if let (Some(from), Some(to)) = (from.first(), to.first())
                && from != to
            {
                graph.entry(from.clone()).or_default().insert(to.clone());
            }
        }
        graph
    }

    /// Dependencies between the files of one top-level module, for every module. A file and the
    /// files of its own submodules are one unit here: the parent declares its children and a
    /// child sees its parent's items by Rust's scoping, so only edges between files of which
    /// neither contains the other count.
    fn file_graph(&self) -> Graph {
        let mut graph = Graph::new();
        for (from, to) in self.file_edges() {
            let nested = from.starts_with(to) || to.starts_with(from);
            if !nested && !from.is_empty() && from.first() == to.first() {
                let from = self.files[from].display.clone();
                let to = self.files[to].display.clone();
                graph.entry(from).or_default().insert(to);
            }
        }
        graph
    }
}

/// One cycle per strongly connected part of the graph, written `a -> b -> a`.
fn cycles(graph: &Graph) -> Vec<String> {
    let mut found = Vec::new();
    let mut done: BTreeSet<&str> = BTreeSet::new();
    for start in graph.keys() {
        let mut stack = vec![start.as_str()];
        if !done.contains(start.as_str()) {
            walk(graph, &mut stack, &mut done, &mut found);
        }
    }
    found
}

/// Depth-first walk; a node met again while on the stack closes a cycle.
fn walk<'g>(
    graph: &'g Graph,
    stack: &mut Vec<&'g str>,
    done: &mut BTreeSet<&'g str>,
    found: &mut Vec<String>,
) {
    let node = *stack.last().expect("the walk starts from a node");
    for next in graph.get(node).into_iter().flatten() {
        if let Some(position) = stack.iter().position(|seen| *seen == next) {
            let mut cycle = stack[position..].to_vec();
            cycle.push(next);
            found.push(cycle.join(" -> "));
        } else if !done.contains(next.as_str()) {
            stack.push(next);
            walk(graph, stack, done, found);
            stack.pop();
        }
    }
    done.insert(node);
}

/// Every `.rs` file under `dir`, relative to `root`, with its text.
fn read_sources(root: &Path, dir: &Path, out: &mut Vec<(PathBuf, String)>) {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|error| panic!("reading {}: {error}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            read_sources(root, &path, out);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            let text = fs::read_to_string(&path).expect("a source file is UTF-8");
            let relative = path.strip_prefix(root).expect("under src/").to_path_buf();
            out.push((relative, text));
        }
    }
}

fn crate_sources() -> Crate {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut sources = Vec::new();
    read_sources(&root, &root, &mut sources);
    Crate::parse(&sources)
}

#[test]
fn no_top_level_module_imports_a_module_that_imports_it_back() {
    let found = cycles(&crate_sources().top_level_graph());
    assert!(found.is_empty(), "module cycles:\n{}", found.join("\n"));
}

#[test]
fn no_file_imports_a_file_of_its_module_that_imports_it_back() {
    let found = cycles(&crate_sources().file_graph());
    assert!(found.is_empty(), "file cycles:\n{}", found.join("\n"));
}

#[test]
fn the_source_tree_is_read() {
    let tree = crate_sources();
    let graph = tree.top_level_graph();
    assert!(
        graph["review"].contains("checker"),
        "review names the checker"
    );
    assert!(tree.files.contains_key(&vec!["commands".to_string()]));
}

fn tiny_crate(files: &[(&str, &str)]) -> Crate {
    let sources: Vec<(PathBuf, String)> = files
        .iter()
        .map(|(path, text)| (PathBuf::from(path), (*text).to_string()))
        .collect();
    Crate::parse(&sources)
}

#[test]
fn a_cycle_between_top_level_modules_is_found() {
    let tree = tiny_crate(&[
        ("lib.rs", "pub mod a; pub mod b; pub mod c;"),
        ("a.rs", "use crate::b::B; pub struct A;"),
        ("b/mod.rs", "mod inner; pub use inner::B;"),
        ("b/inner.rs", "pub struct B(crate::c::C);"),
        (
            "c.rs",
            "pub struct C; fn f() { let _ = format!(\"{:?}\", crate::a::A); }",
        ),
    ]);
    assert_eq!(cycles(&tree.top_level_graph()), vec!["a -> b -> c -> a"]);
}

#[test]
fn a_cycle_between_files_through_a_reexport_is_found() {
    let tree = tiny_crate(&[
        ("lib.rs", "pub mod m;"),
        ("m/mod.rs", "mod x; mod y; pub use x::Thing;"),
        (
            "m/x.rs",
            "pub struct Thing; fn f() -> super::y::Other { todo!() }",
        ),
        ("m/y.rs", "use super::Thing; pub struct Other;"),
    ]);
    assert_eq!(
        cycles(&tree.file_graph()),
        vec!["m/x.rs -> m/y.rs -> m/x.rs"]
    );
}

#[test]
fn one_way_dependencies_and_inline_tests_make_no_cycle() {
    let tree = tiny_crate(&[
        ("lib.rs", "pub mod m; pub mod n;"),
        (
            "m/mod.rs",
            "mod x; mod y; pub use x::Thing; pub use y::Other;",
        ),
        ("m/x.rs", "pub struct Thing(super::y::Other);"),
        (
            "m/y.rs",
            "pub struct Other; #[cfg(test)] mod tests { use super::*; }",
        ),
        (
            "n.rs",
            "use crate::m::{Thing, Other as O}; fn f(_: Thing, _: O) {}",
        ),
    ]);
    assert_eq!(cycles(&tree.top_level_graph()), Vec::<String>::new());
    assert_eq!(cycles(&tree.file_graph()), Vec::<String>::new());
    assert_eq!(
        tree.top_level_graph(),
        Graph::from([("n".to_string(), BTreeSet::from(["m".to_string()]))])
    );
}
