//! No two different public types of one name in a crate's public surface (CONTRIBUTING.md,
//! "Public names are distinct"): a user who writes `use humanos::ConfigError` must not have to
//! ask which of three it is.
//!
//! A crate's surface is what a user can name through it: its own public types (those in `pub
//! mod`s, and those of private modules that a `pub use` names or glob-re-exports), the items it
//! re-exports from another workspace crate (`pub use humanos_signing::Clock`, the same item as
//! the original, so no duplicate), and the whole surface of a crate it re-exports as a module
//! (`pub use humanos_models as models`). Every `src/` file is parsed with syn, and type
//! definitions inside macro invocations (`string_enum! { pub enum X .. }`) are read from the
//! tokens. Types only (structs, enums, traits, unions, aliases): functions and constants live in
//! the value namespace and are not what the rule is about. Features are ignored: every `cfg`
//! counts, so a duplicate behind a feature fails too.
//!
//! Across crates that are not re-exported together the same name is allowed where the crates
//! are alternatives (`humanos_axum::Mandate`, `humanos_actix::Mandate`), but the errors a user
//! imports side by side are checked workspace-wide: no two `*Error` / `*Problem` types of one
//! name in two crates (`Error`, each crate's own, is the exception).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// One type definition: where it is, and whether a user can reach it without a re-export.
#[derive(Clone, Debug)]
struct Def {
    name: String,
    /// Module path in its crate (`["api", "credentials"]`).
    module: Vec<String>,
    /// Every module from the root to it is `pub mod`.
    public_path: bool,
    at: String,
}

/// What one crate defines and re-exports.
#[derive(Default, Debug)]
struct CrateItems {
    defs: Vec<Def>,
    /// Names that a `pub use` makes public (the leaf, or its `as` alias) with the path's first
    /// segment (`humanos_signing`, `crate`, `error`, ...).
    leaf_exports: Vec<(String, String, String)>,
    /// Modules named by a `pub use module::*` (last segment).
    glob_modules: BTreeSet<String>,
    /// Workspace crates re-exported whole (`pub use humanos_models as models;`).
    whole: BTreeSet<String>,
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

/// Library crates of the workspace: lib name (`humanos_models`) -> `src/lib.rs`.
fn libraries() -> BTreeMap<String, PathBuf> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(root().join("crates")).expect("crates/") {
        let dir = entry.expect("entry").path();
        let lib = dir.join("src/lib.rs");
        if lib.exists() {
            let name = dir
                .file_name()
                .expect("name")
                .to_string_lossy()
                .replace('-', "_");
            out.insert(name, lib);
        }
    }
    out
}

fn parse(path: &Path) -> syn::File {
    let text = std::fs::read_to_string(path).expect("read source");
    syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Walks the module tree from `lib.rs`, following `mod x;` to `x.rs` / `x/mod.rs`.
fn collect(file: &Path, dir: &Path, module: Vec<String>, public: bool, out: &mut CrateItems) {
    let ast = parse(file);
    items(&ast.items, file, dir, &module, public, out);
}

fn items(
    list: &[syn::Item],
    file: &Path,
    dir: &Path,
    module: &[String],
    public: bool,
    out: &mut CrateItems,
) {
    let rel = file
        .strip_prefix(root())
        .unwrap_or(file)
        .display()
        .to_string();
    let def = |name: String| Def {
        name,
        module: module.to_vec(),
        public_path: public,
        at: rel.clone(),
    };
    for item in list {
        let (vis, name) = match item {
            syn::Item::Struct(i) => (&i.vis, i.ident.to_string()),
            syn::Item::Enum(i) => (&i.vis, i.ident.to_string()),
            syn::Item::Trait(i) => (&i.vis, i.ident.to_string()),
            syn::Item::Type(i) => (&i.vis, i.ident.to_string()),
            syn::Item::Union(i) => (&i.vis, i.ident.to_string()),
            syn::Item::Macro(m) => {
                for name in macro_types(&m.mac.tokens.to_string()) {
                    out.defs.push(def(name));
                }
                continue;
            }
            syn::Item::Use(u) if matches!(u.vis, syn::Visibility::Public(_)) => {
                use_tree(&u.tree, None, out);
                continue;
            }
            syn::Item::Mod(m) => {
                let child_public = public && matches!(m.vis, syn::Visibility::Public(_));
                let mut child = module.to_vec();
                child.push(m.ident.to_string());
                let name = m.ident.to_string();
                if let Some((_, inline)) = &m.content {
                    items(inline, file, &dir.join(&name), &child, child_public, out);
                } else {
                    let flat = dir.join(format!("{name}.rs"));
                    let (path, sub) = if flat.exists() {
                        (flat, dir.join(&name))
                    } else {
                        (dir.join(&name).join("mod.rs"), dir.join(&name))
                    };
                    if path.exists() {
                        collect(&path, &sub, child, child_public, out);
                    }
                }
                continue;
            }
            _ => continue,
        };
        if matches!(vis, syn::Visibility::Public(_)) {
            out.defs.push(def(name));
        }
    }
}

/// `pub enum X` / `pub struct X` written inside a macro invocation.
fn macro_types(tokens: &str) -> Vec<String> {
    let words: Vec<&str> = tokens.split_whitespace().collect();
    words
        .windows(3)
        .filter(|w| w[0] == "pub" && matches!(w[1], "enum" | "struct"))
        .filter(|w| w[2].chars().next().is_some_and(char::is_alphabetic))
        .map(|w| {
            w[2].trim_end_matches(|c: char| !c.is_alphanumeric())
                .to_owned()
        })
        .collect()
}

fn use_tree(tree: &syn::UseTree, first: Option<&str>, out: &mut CrateItems) {
    match tree {
        syn::UseTree::Path(p) => {
            let head = p.ident.to_string();
            use_tree(&p.tree, Some(first.unwrap_or(&head)), out);
            if let syn::UseTree::Glob(_) = &*p.tree {
                out.glob_modules.insert(head);
            }
        }
        syn::UseTree::Name(n) => match first {
            Some(f) => {
                out.leaf_exports
                    .push((n.ident.to_string(), n.ident.to_string(), f.to_owned()))
            }
            None => {
                out.whole.insert(n.ident.to_string());
            }
        },
        syn::UseTree::Rename(r) => match first {
            Some(f) => {
                out.leaf_exports
                    .push((r.rename.to_string(), r.ident.to_string(), f.to_owned()))
            }
            None => {
                out.whole.insert(r.ident.to_string());
            }
        },
        syn::UseTree::Group(g) => g.items.iter().for_each(|t| use_tree(t, first, out)),
        syn::UseTree::Glob(_) => {}
    }
}

/// An item's identity: (defining crate, where it is defined).
type Id = (String, String);

/// name -> the distinct items of that name a user can reach through `krate`.
fn surface(
    krate: &str,
    all: &BTreeMap<String, CrateItems>,
    seen: &mut BTreeSet<String>,
) -> BTreeMap<String, BTreeSet<Id>> {
    let mut out: BTreeMap<String, BTreeSet<Id>> = BTreeMap::new();
    if !seen.insert(krate.to_owned()) {
        return out;
    }
    let Some(items) = all.get(krate) else {
        return out;
    };
    let exported: BTreeSet<&str> = items
        .leaf_exports
        .iter()
        .map(|(_, n, _)| n.as_str())
        .collect();
    for d in &items.defs {
        let reachable = d.public_path
            || exported.contains(d.name.as_str())
            || d.module.iter().any(|m| items.glob_modules.contains(m));
        if reachable {
            let id = (
                krate.to_owned(),
                format!("{} ({})", d.at, d.module.join("::")),
            );
            out.entry(d.name.clone()).or_default().insert(id);
        }
    }
    for (alias, original, from) in &items.leaf_exports {
        if from != krate && all.contains_key(from) {
            let theirs = surface(from, all, &mut BTreeSet::new());
            for id in theirs.get(original).into_iter().flatten() {
                out.entry(alias.clone()).or_default().insert(id.clone());
            }
        }
    }
    for other in &items.whole {
        for (name, ids) in surface(other, all, seen) {
            out.entry(name).or_default().extend(ids);
        }
    }
    out
}

fn workspace() -> BTreeMap<String, CrateItems> {
    libraries()
        .into_iter()
        .map(|(name, lib)| {
            let mut items = CrateItems::default();
            let dir = lib.parent().expect("src").to_path_buf();
            collect(&lib, &dir, Vec::new(), true, &mut items);
            (name, items)
        })
        .collect()
}

#[test]
fn no_crate_reexports_two_types_of_one_name() {
    let all = workspace();
    assert!(all.contains_key("humanos"), "found no crates under crates/");
    let mut failures = Vec::new();
    for krate in all.keys() {
        for (name, ids) in surface(krate, &all, &mut BTreeSet::new()) {
            if ids.len() > 1 {
                let list: Vec<String> = ids.iter().map(|(c, at)| format!("{c}: {at}")).collect();
                failures.push(format!(
                    "{krate} exposes {name} {} times: {}",
                    ids.len(),
                    list.join("; ")
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "rename so each name says what it is:\n{}",
        failures.join("\n")
    );
}

#[test]
fn no_two_crates_have_an_error_type_of_one_name() {
    let all = workspace();
    let mut owners: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for krate in all.keys() {
        for (name, ids) in surface(krate, &all, &mut BTreeSet::new()) {
            if name != "Error" && (name.ends_with("Error") || name.ends_with("Problem")) {
                owners
                    .entry(name)
                    .or_default()
                    .extend(ids.into_iter().map(|(c, _)| c));
            }
        }
    }
    let shared: Vec<String> = owners
        .iter()
        .filter(|(_, crates)| crates.len() > 1)
        .map(|(name, crates)| format!("{name}: {crates:?}"))
        .collect();
    assert!(
        shared.is_empty(),
        "error types of one name in several crates:\n{}",
        shared.join("\n")
    );
}

/// The check itself: it sees the duplicates it is meant to refuse.
#[test]
fn the_check_sees_a_duplicate() {
    let source = syn::parse_file(
        r#"
        pub mod a { pub struct Thing; }
        mod b { pub struct Thing; }
        pub use b::Thing as Other;
        pub use b::*;
        string_enum! { pub enum Made { X = "x" } }
        "#,
    )
    .expect("parses");
    let mut items = CrateItems::default();
    let root = root();
    super_items(&source, &root, &mut items);
    let mut all = BTreeMap::new();
    all.insert("demo".to_owned(), items);
    let found = surface("demo", &all, &mut BTreeSet::new());
    assert_eq!(found["Thing"].len(), 2, "{found:?}");
    assert!(found.contains_key("Made"), "{found:?}");
}

fn super_items(file: &syn::File, dir: &Path, out: &mut CrateItems) {
    items(&file.items, &dir.join("demo.rs"), dir, &[], true, out);
}
