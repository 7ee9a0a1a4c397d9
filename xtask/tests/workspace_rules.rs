//! The workspace's own rules (CONTRIBUTING.md, "Workspace rules"), checked on the manifests:
//!
//! - every dependency is declared once, in the root `[workspace.dependencies]`: a member's entry
//!   says `workspace = true` (and may add features or `optional`), never a version, path or git
//!   source of its own, so two crates cannot drift to different versions;
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
                if !inherited {
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

#[test]
fn no_crate_is_a_dev_dependency_of_its_own_dependencies() {
    let meta = metadata();
    let members: BTreeSet<&str> = meta["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["name"].as_str())
        .collect();
    // Member -> (its normal and build dependencies among the members, its dev-dependencies).
    let mut normal: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut dev: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for package in meta["packages"].as_array().into_iter().flatten() {
        let name = package["name"].as_str().expect("name");
        for dep in package["dependencies"].as_array().into_iter().flatten() {
            let Some(dep_name) = dep["name"].as_str().filter(|d| members.contains(d)) else {
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
