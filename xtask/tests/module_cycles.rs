//! No import cycle between the files of a crate (CONTRIBUTING.md, "The sandbox's layers"): a
//! file never imports, directly or through others, a file that imports it.
//!
//! Every `.rs` file under a crate's `src/` (the library; `main.rs` is a crate of its own) is
//! parsed with syn. An edge goes from a file to the file that defines the module a path names:
//! every `use` item (`crate::`, `super::`, `self::` and paths starting at a child module) and
//! every path in code that starts with `crate::` or `super::`. A `mod` declaration is no edge
//! (it declares, it does not import), so `mod.rs` may declare children that use their parent's
//! siblings, but not re-export or call into a child that uses `super::`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use syn::visit::Visit;

/// The crates whose files must not import each other in a cycle.
const CHECKED: &[&str] = &["humanos-sandbox"];

type ModPath = Vec<String>;

/// Every module file of the library under `src`, by its module path (`lib.rs` is `[]`).
fn module_files(src: &Path) -> BTreeMap<ModPath, PathBuf> {
    let mut out = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read src dir") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = path.strip_prefix(src).expect("under src");
            let mut segs: ModPath = rel
                .with_extension("")
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            match segs.last().map(String::as_str) {
                Some("lib") if segs.len() == 1 => segs.clear(),
                Some("main") if segs.len() == 1 => continue,
                Some("bin") if segs.len() == 1 => continue,
                Some("mod") => {
                    segs.pop();
                }
                _ => {}
            }
            if segs.first().is_some_and(|s| s == "bin") {
                continue;
            }
            out.insert(segs, path);
        }
    }
    out
}

/// The module paths one file imports, with the text of each import (for the failure message).
struct Imports<'a> {
    /// Every module of the crate, to tell a child module from an external crate.
    known: &'a BTreeMap<ModPath, PathBuf>,
    /// The module being visited (the file's, plus inline `mod x { }`s).
    current: ModPath,
    found: Vec<(ModPath, String)>,
}

impl Imports<'_> {
    /// The absolute path `segs` names from the current module, if it is a path of this crate.
    fn absolute(&self, segs: &[String]) -> Option<ModPath> {
        let mut base = match segs.first().map(String::as_str) {
            Some("crate") => Vec::new(),
            Some("self") | Some("super") => self.current.clone(),
            Some(first) => {
                let mut child = self.current.clone();
                child.push(first.to_owned());
                if !self.known.contains_key(&child) {
                    return None;
                }
                self.current.clone()
            }
            None => return None,
        };
        let mut rest = segs;
        if matches!(segs[0].as_str(), "crate" | "self") {
            rest = &segs[1..];
        }
        while let Some(("super", tail)) = rest.split_first().map(|(h, t)| (h.as_str(), t)) {
            base.pop()?;
            rest = tail;
        }
        base.extend(rest.iter().cloned());
        Some(base)
    }

    fn record(&mut self, segs: Vec<String>) {
        if let Some(abs) = self.absolute(&segs) {
            self.found.push((abs, segs.join("::")));
        }
    }

    /// Every path a `use` tree imports (a glob names the module itself).
    fn use_paths(tree: &syn::UseTree, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                Self::use_paths(&p.tree, prefix, out);
                prefix.pop();
            }
            syn::UseTree::Name(n) => {
                let mut full = prefix.clone();
                if n.ident != "self" {
                    full.push(n.ident.to_string());
                }
                out.push(full);
            }
            syn::UseTree::Rename(r) => {
                let mut full = prefix.clone();
                full.push(r.ident.to_string());
                out.push(full);
            }
            syn::UseTree::Glob(_) => out.push(prefix.clone()),
            syn::UseTree::Group(g) => {
                for t in &g.items {
                    Self::use_paths(t, prefix, out);
                }
            }
        }
    }
}

impl<'ast> Visit<'ast> for Imports<'_> {
    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        let mut paths = Vec::new();
        Self::use_paths(&item.tree, &mut Vec::new(), &mut paths);
        for p in paths {
            self.record(p);
        }
    }

    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        if item.content.is_some() {
            self.current.push(item.ident.to_string());
            syn::visit::visit_item_mod(self, item);
            self.current.pop();
        }
    }

    /// `pub(crate)`, `pub(super)`, `pub(in path)` name who may see, not what is imported.
    fn visit_visibility(&mut self, _: &'ast syn::Visibility) {}

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segs: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        if segs.first().is_some_and(|s| s == "crate" || s == "super") {
            self.record(segs);
        }
        syn::visit::visit_path(self, path);
    }
}

/// The file that defines the module `abs` names (its longest prefix that is a module file).
fn owner<'m>(modules: &'m BTreeMap<ModPath, PathBuf>, abs: &[String]) -> Option<&'m ModPath> {
    (0..=abs.len())
        .rev()
        .find_map(|n| modules.get_key_value(&abs[..n]).map(|(k, _)| k))
}

/// Edges `file -> (imported file, the import's text)` between the files of `src`.
fn import_graph(src: &Path) -> BTreeMap<ModPath, BTreeMap<ModPath, String>> {
    let modules = module_files(src);
    let mut graph: BTreeMap<ModPath, BTreeMap<ModPath, String>> = BTreeMap::new();
    for (module, file) in &modules {
        let text = std::fs::read_to_string(file).expect("read source");
        let ast = syn::parse_file(&text)
            .unwrap_or_else(|e| panic!("{} does not parse: {e}", file.display()));
        let mut imports = Imports {
            known: &modules,
            current: module.clone(),
            found: Vec::new(),
        };
        imports.visit_file(&ast);
        let edges = graph.entry(module.clone()).or_default();
        for (abs, text) in imports.found {
            if let Some(target) = owner(&modules, &abs)
                && target != module
            {
                edges.entry(target.clone()).or_insert(text);
            }
        }
    }
    graph
}

/// The strongly connected components with more than one file (Tarjan's algorithm).
fn cycles(graph: &BTreeMap<ModPath, BTreeMap<ModPath, String>>) -> Vec<BTreeSet<ModPath>> {
    struct Tarjan<'g> {
        graph: &'g BTreeMap<ModPath, BTreeMap<ModPath, String>>,
        index: BTreeMap<&'g ModPath, (usize, usize)>,
        stack: Vec<&'g ModPath>,
        on_stack: BTreeSet<&'g ModPath>,
        next: usize,
        out: Vec<BTreeSet<ModPath>>,
    }
    impl<'g> Tarjan<'g> {
        fn visit(&mut self, v: &'g ModPath) {
            self.index.insert(v, (self.next, self.next));
            self.next += 1;
            self.stack.push(v);
            self.on_stack.insert(v);
            for w in self.graph.get(v).into_iter().flat_map(BTreeMap::keys) {
                if !self.index.contains_key(w) {
                    self.visit(w);
                    let low = self.index[w].1.min(self.index[v].1);
                    self.index.get_mut(v).expect("visited").1 = low;
                } else if self.on_stack.contains(w) {
                    let low = self.index[w].0.min(self.index[v].1);
                    self.index.get_mut(v).expect("visited").1 = low;
                }
            }
            if self.index[v].0 == self.index[v].1 {
                let mut scc = BTreeSet::new();
                while let Some(w) = self.stack.pop() {
                    self.on_stack.remove(w);
                    scc.insert(w.clone());
                    if w == v {
                        break;
                    }
                }
                if scc.len() > 1 {
                    self.out.push(scc);
                }
            }
        }
    }
    let mut t = Tarjan {
        graph,
        index: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        next: 0,
        out: Vec::new(),
    };
    for v in graph.keys() {
        if !t.index.contains_key(v) {
            t.visit(v);
        }
    }
    t.out
}

fn name(m: &ModPath) -> String {
    if m.is_empty() {
        "lib.rs".to_owned()
    } else {
        m.join("/")
    }
}

/// A readable report of the cycles of `src`: each one's files and the imports between them.
fn report(src: &Path) -> Vec<String> {
    let graph = import_graph(src);
    cycles(&graph)
        .into_iter()
        .map(|scc| {
            let edges: Vec<String> =
                scc.iter()
                    .flat_map(|from| {
                        graph[from].iter().filter(|(to, _)| scc.contains(*to)).map(
                            move |(to, text)| format!("  {} -> {} ({text})", name(from), name(to)),
                        )
                    })
                    .collect();
            format!(
                "{} files import each other: {}\n{}",
                scc.len(),
                scc.iter().map(name).collect::<Vec<_>>().join(", "),
                edges.join("\n")
            )
        })
        .collect()
}

#[test]
fn no_file_imports_a_file_that_imports_it() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates");
    let mut failures = Vec::new();
    for krate in CHECKED {
        for cycle in report(&root.join(krate).join("src")) {
            failures.push(format!("{krate}: {cycle}"));
        }
    }
    assert!(
        failures.is_empty(),
        "import cycles:\n{}",
        failures.join("\n")
    );
}

/// The checker itself finds a cycle through `super::`, a re-export and a `crate::` path in
/// code, and ignores `mod` declarations, external crates and inline test modules.
#[test]
fn the_checker_finds_a_three_file_cycle_and_nothing_else() {
    let dir = std::env::temp_dir().join(format!("module_cycles_{}", std::process::id()));
    let src = dir.join("src");
    std::fs::create_dir_all(src.join("a")).unwrap();
    let files = [
        ("lib.rs", "mod a; mod b; mod c; pub use a::x::X;"),
        (
            "a/mod.rs",
            "pub mod x; use serde::Serialize; pub(crate) struct Y;",
        ),
        ("a/x.rs", "use super::super::b::B; pub struct X;"),
        ("b.rs", "pub struct B; fn f() { crate::c::g(); }"),
        (
            "c.rs",
            "pub fn g() -> crate::a::x::X { crate::a::x::X } \
                  #[cfg(test)] mod tests { use super::*; }",
        ),
    ];
    for (path, text) in files {
        std::fs::write(src.join(path), text).unwrap();
    }
    let found = report(&src);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].starts_with("3 files import each other: a/x, b, c"),
        "{}",
        found[0]
    );
}
