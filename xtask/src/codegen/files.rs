//! Writing the generated files, or (with `--check`) naming those that differ.

use std::path::Path;

const GENERATED_DIR: &str = "crates/humanos-models/src/generated";

/// Writes (or, with `check`, compares) `files` under `root`, and removes (or reports) files in
/// the generated directory that the generator no longer produces. `Ok(false)` = stale files.
pub(super) fn sync(root: &Path, files: &[(String, String)], check: bool) -> Result<bool, String> {
    let mut up_to_date = true;
    for (rel, contents) in files {
        up_to_date &= sync_file(root, rel, contents, check)?;
    }
    up_to_date &= remove_orphans(root, files, check)?;
    if check && up_to_date {
        eprintln!("generated files are up to date");
    }
    Ok(up_to_date)
}

fn sync_file(root: &Path, rel: &str, contents: &str, check: bool) -> Result<bool, String> {
    let path = root.join(rel);
    let current = std::fs::read_to_string(&path).ok();
    if current.as_deref() == Some(contents) {
        return Ok(true);
    }
    if check {
        eprintln!("stale: {rel} (run `cargo run -p xtask -- codegen`)");
        return Ok(false);
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    }
    std::fs::write(&path, contents).map_err(|e| format!("writing {rel}: {e}"))?;
    eprintln!("wrote {rel}");
    Ok(true)
}

/// Files in the generated directory that the generator no longer produces are stale too.
fn remove_orphans(root: &Path, files: &[(String, String)], check: bool) -> Result<bool, String> {
    let mut up_to_date = true;
    let Ok(entries) = std::fs::read_dir(root.join(GENERATED_DIR)) else {
        return Ok(true);
    };
    for entry in entries.flatten() {
        let rel = format!("{GENERATED_DIR}/{}", entry.file_name().to_string_lossy());
        if files.iter().any(|(r, _)| *r == rel) {
            continue;
        }
        if check {
            eprintln!("stale: {rel} is no longer generated");
            up_to_date = false;
        } else {
            std::fs::remove_file(entry.path()).map_err(|e| format!("removing {rel}: {e}"))?;
            eprintln!("removed {rel}");
        }
    }
    Ok(up_to_date)
}
