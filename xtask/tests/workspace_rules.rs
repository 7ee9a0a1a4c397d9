//! The workspace's own rules (CONTRIBUTING.md, "Workspace rules"), checked on the manifests:
//!
//! - every dependency is declared once, in the root `[workspace.dependencies]`: a member's entry
//!   says `workspace = true` (and may add features or `optional`), never a version, path or git
//!   source of its own, so two crates cannot drift to different versions; the one exception is
//!   below;
//! - a published crate's dev-dependencies on workspace members (itself included) are path-only:
//!   `{ path = "../humanos-sandbox" }`, `{ path = ".", features = [..] }`, no version, so that
//!   `cargo package` strips them. A versioned one stays in the published manifest, where a crate
//!   that dev-depends on itself, or on a crate that depends on it, cannot be resolved from
//!   crates.io in any publishing order (docs/RELEASING.md);
//! - no dev-dependency cycle: no crate's tests depend on a crate that depends on it (such a
//!   test builds two copies of the crate, whose types do not match).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `cargo metadata --no-deps` of the workspace: its members and their dependency entries.
fn metadata() -> Value {
    let out = Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .arg("--manifest-path")
        .arg(root().join("Cargo.toml"))
        .output()
        .expect("run cargo metadata");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("cargo metadata prints JSON")
}

/// The dependency tables of a manifest: `[dependencies]`, `[dev-dependencies]`,
/// `[build-dependencies]`, and the same under each `[target.'cfg(..)']`.
fn dependency_tables(manifest: &toml::Table) -> Vec<(String, &toml::Table)> {
    let kinds = ["dependencies", "dev-dependencies", "build-dependencies"];
    let mut tables = Vec::new();
    for kind in kinds {
        if let Some(table) = manifest.get(kind).and_then(toml::Value::as_table) {
            tables.push((kind.to_owned(), table));
        }
    }
    for (target, value) in manifest
        .get("target")
        .and_then(toml::Value::as_table)
        .into_iter()
        .flatten()
    {
        for kind in kinds {
            if let Some(table) = value.get(kind).and_then(toml::Value::as_table) {
                tables.push((format!("target.{target}.{kind}"), table));
            }
        }
    }
    tables
}

#[test]
fn every_dependency_is_declared_once_in_the_root_manifest() {
    let meta = metadata();
    let members = member_names(&meta);
    let mut checked = 0;
    let mut problems = Vec::new();
    for package in meta["packages"].as_array().into_iter().flatten() {
        let path = package["manifest_path"].as_str().expect("manifest_path");
        let text = std::fs::read_to_string(path).expect("read a member manifest");
        let manifest: toml::Table = text.parse().expect("a member manifest parses");
        for (kind, table) in dependency_tables(&manifest) {
            for (name, entry) in table {
                checked += 1;
                let inherited = entry.as_table().is_some_and(|t| {
                    t.get("workspace").and_then(toml::Value::as_bool) == Some(true)
                });
                // Checked by `internal_dev_dependencies_are_path_only` instead.
                let internal_dev = kind.ends_with("dev-dependencies") && members.contains(name);
                if !inherited && !internal_dev {
                    problems.push(format!("{path} [{kind}] {name}: not `workspace = true`"));
                }
            }
        }
    }
    assert!(
        checked > 100,
        "only {checked} entries found: is the walk broken?"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The names of the workspace's members.
fn member_names(meta: &Value) -> BTreeSet<String> {
    meta["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["name"].as_str().map(str::to_owned))
        .collect()
}

/// The root manifest's `[workspace.dependencies]`.
fn workspace_dependencies() -> toml::Table {
    let text = std::fs::read_to_string(root().join("Cargo.toml")).expect("read the root manifest");
    let mut manifest: toml::Table = text.parse().expect("the root manifest parses");
    manifest
        .remove("workspace")
        .and_then(|w| w.as_table()?.get("dependencies")?.as_table().cloned())
        .expect("[workspace.dependencies]")
}

/// Why a dev-dependency entry on a workspace member would survive `cargo package`, if it would:
/// it has a version of its own or inherits one from `[workspace.dependencies]`, or no path.
fn versioned_internal_entry(
    entry: &toml::Value,
    root_entry: Option<&toml::Value>,
) -> Option<String> {
    let Some(table) = entry.as_table() else {
        return Some(format!("`{entry:?}` is a version requirement, not a path"));
    };
    let inherited = table.get("workspace").and_then(toml::Value::as_bool) == Some(true);
    let effective = if inherited {
        root_entry.and_then(toml::Value::as_table)
    } else {
        Some(table)
    };
    let Some(effective) = effective else {
        return Some("`workspace = true` without a root entry".to_owned());
    };
    if let Some(version) = effective.get("version") {
        let from = if inherited {
            " (inherited through `workspace = true`)"
        } else {
            ""
        };
        return Some(format!("has version {version:?}{from}"));
    }
    if effective.get("path").is_none() {
        return Some("has no path".to_owned());
    }
    None
}

#[test]
fn internal_dev_dependencies_are_path_only() {
    let meta = metadata();
    let members = member_names(&meta);
    let root_deps = workspace_dependencies();
    let mut checked = 0;
    let mut problems = Vec::new();
    for package in meta["packages"].as_array().into_iter().flatten() {
        // `publish = false` appears as an empty list of registries: such a crate is never
        // packaged, so its dev-dependencies never reach a registry.
        if package["publish"].as_array().is_some_and(Vec::is_empty) {
            continue;
        }
        let path = package["manifest_path"].as_str().expect("manifest_path");
        let text = std::fs::read_to_string(path).expect("read a member manifest");
        let manifest: toml::Table = text.parse().expect("a member manifest parses");
        for (kind, table) in dependency_tables(&manifest) {
            if !kind.ends_with("dev-dependencies") {
                continue;
            }
            for (name, entry) in table.iter().filter(|(name, _)| members.contains(*name)) {
                checked += 1;
                if let Some(why) = versioned_internal_entry(entry, root_deps.get(name)) {
                    problems.push(format!(
                        "{path} [{kind}] {name} {why}: write it path-only, e.g. \
                         `{name} = {{ path = \"../{name}\" }}` (`path = \".\"` for the crate itself)"
                    ));
                }
            }
        }
    }
    assert!(
        checked > 15,
        "only {checked} entries found: is the walk broken?"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn no_crate_is_a_dev_dependency_of_its_own_dependencies() {
    let meta = metadata();
    let members = member_names(&meta);
    // Member -> (its normal and build dependencies among the members, its dev-dependencies).
    let mut normal: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut dev: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for package in meta["packages"].as_array().into_iter().flatten() {
        let name = package["name"].as_str().expect("name");
        for dep in package["dependencies"].as_array().into_iter().flatten() {
            let Some(dep_name) = dep["name"].as_str().filter(|d| members.contains(*d)) else {
                continue;
            };
            let edges = if dep["kind"] == "dev" {
                &mut dev
            } else {
                &mut normal
            };
            edges.entry(name).or_default().push(dep_name);
        }
    }
    // What `crate` pulls in when built as a library (optional dependencies included).
    let closure = |start: &str| {
        let mut seen = BTreeSet::new();
        let mut stack = vec![start.to_owned()];
        while let Some(next) = stack.pop() {
            for dep in normal.get(next.as_str()).into_iter().flatten() {
                if seen.insert(dep.to_string()) {
                    stack.push(dep.to_string());
                }
            }
        }
        seen
    };
    let mut cycles = Vec::new();
    for (name, devs) in &dev {
        for dep in devs {
            if *dep != *name && closure(dep).contains(*name) {
                cycles.push(format!(
                    "{name} dev-depends on {dep}, which depends on {name}"
                ));
            }
        }
    }
    assert!(normal.len() > 5, "the walk found too few members");
    assert!(cycles.is_empty(), "{}", cycles.join("\n"));
}

/// The `.rs` files under `dir`, recursively.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(next) = stack.pop() {
        for entry in std::fs::read_dir(&next).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files
}

/// The literal paths of the `include_str!`/`include_bytes!` calls in `source`.
fn included_paths(source: &str) -> Vec<String> {
    let mut paths = Vec::new();
    for mac in ["include_str!(\"", "include_bytes!(\""] {
        for (at, _) in source.match_indices(mac) {
            let rest = &source[at + mac.len()..];
            if let Some(end) = rest.find('"') {
                paths.push(rest[..end].to_owned());
            }
        }
    }
    paths
}

/// A published crate's library and binaries compile from its package alone: every file its
/// `src/` includes at compile time lies inside the crate's directory (the spec in `spec/` and
/// the fixtures in `../shared` are not in any package). Whether the file is also in the
/// package's `include` list is what `scripts/consumer` proves by building from the packages.
#[test]
fn compile_time_includes_stay_inside_their_crate() {
    let meta = metadata();
    let mut checked = 0;
    let mut problems = Vec::new();
    for package in meta["packages"].as_array().into_iter().flatten() {
        if package["publish"].as_array().is_some_and(Vec::is_empty) {
            continue;
        }
        let manifest = PathBuf::from(package["manifest_path"].as_str().expect("manifest_path"));
        let crate_dir = manifest.parent().expect("a crate directory");
        let crate_dir = crate_dir
            .canonicalize()
            .expect("the crate directory exists");
        for file in rust_files(&crate_dir.join("src")) {
            let source = std::fs::read_to_string(&file).expect("read a source file");
            for included in included_paths(&source) {
                checked += 1;
                let target = file.parent().expect("a directory").join(&included);
                match target.canonicalize() {
                    Ok(real) if real.starts_with(&crate_dir) => {}
                    Ok(real) => problems.push(format!(
                        "{}: includes {included:?}, which is {}, outside {}",
                        file.display(),
                        real.display(),
                        crate_dir.display()
                    )),
                    Err(e) => {
                        problems.push(format!("{}: includes {included:?}: {e}", file.display()))
                    }
                }
            }
        }
    }
    assert!(checked > 0, "no include found: is the walk broken?");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
