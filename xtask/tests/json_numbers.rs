//! Every crate that reads JSON reads numbers correctly rounded, as JavaScript's `JSON.parse`
//! does: its own `serde_json` dependency entry (what a project using the crate alone gets,
//! since `cargo package` writes the inherited features into the published manifest) turns on
//! `float_roundtrip`. A crate that reads JSON only through reqwest's `.json()` must declare
//! `serde_json` too, so that the feature reaches the copy reqwest parses with.
//!
//! `crates/humanos-signing/tests/javascript_roundtrip.rs` shows why: without the feature 5,659 of
//! its 40,460 number texts (`90713.01334386505` among them) parse one ULP away from Node's reading.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// `cargo metadata --no-deps` of a manifest: the dependency entries with workspace inheritance
/// already applied.
fn metadata(manifest: &Path) -> Value {
    let out = Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .arg("--manifest-path")
        .arg(manifest)
        .output()
        .expect("run cargo metadata");
    assert!(
        out.status.success(),
        "cargo metadata {}: {}",
        manifest.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("cargo metadata prints JSON")
}

/// The dependency entries of `package` on `name` of one `kind` ("normal" or "dev").
fn entries<'a>(
    package: &'a Value,
    name: &'a str,
    kind: &'a str,
) -> impl Iterator<Item = &'a Value> {
    package["dependencies"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(move |d| d["name"] == name && d["kind"].as_str().unwrap_or("normal") == kind)
}

/// The number of JSON-reading packages of this workspace and of the fuzz workspace beside it,
/// and what is wrong with their entries.
fn problems() -> (usize, Vec<String>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut checked = 0;
    let mut problems = Vec::new();
    for manifest in [root.join("Cargo.toml"), root.join("fuzz/Cargo.toml")] {
        let meta = metadata(&manifest);
        for package in meta["packages"].as_array().into_iter().flatten() {
            let name = package["name"].as_str().unwrap_or("?");
            let mut reads_json = false;
            for kind in ["normal", "dev"] {
                let reqwest = entries(package, "reqwest", kind).next().is_some();
                let serde_json: Vec<&Value> = entries(package, "serde_json", kind).collect();
                reads_json |= reqwest || !serde_json.is_empty();
                // Tests build with the normal dependencies too.
                let declared = !serde_json.is_empty()
                    || (kind == "dev" && entries(package, "serde_json", "normal").next().is_some());
                if reqwest && !declared {
                    problems.push(format!(
                        "{name}: reads JSON through reqwest ({kind}) without its own serde_json entry"
                    ));
                }
                for dep in serde_json {
                    let on = dep["features"]
                        .as_array()
                        .is_some_and(|f| f.iter().any(|f| f == "float_roundtrip"));
                    if !on {
                        problems.push(format!(
                            "{name}: its {kind} serde_json entry lacks the float_roundtrip feature"
                        ));
                    }
                }
            }
            checked += usize::from(reads_json);
        }
    }
    (checked, problems)
}

#[test]
fn every_json_reading_crate_declares_float_roundtrip() {
    let (checked, problems) = problems();
    // 14 packages in the workspace and the fuzz crate: a sanity floor, not an exact count, so a
    // new crate does not break this test, yet an empty listing cannot pass it.
    assert!(checked >= 12, "only {checked} packages found");
    assert!(problems.is_empty(), "{problems:#?}");
}
