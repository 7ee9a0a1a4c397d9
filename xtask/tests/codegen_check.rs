//! `codegen --check` depends only on the spec: it passes on the committed files with no rustfmt
//! (indeed no program at all) on `PATH`, because the generator lays its code out itself
//! (`xtask/src/layout.rs`) instead of piping it through whichever rustfmt is installed.

use std::process::Command;

#[test]
fn check_needs_no_rustfmt() {
    let empty = std::env::temp_dir().join(format!("xtask-empty-path-{}", std::process::id()));
    std::fs::create_dir_all(&empty).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["codegen", "--check"])
        .env_clear()
        .env("PATH", &empty)
        .output()
        .unwrap();
    std::fs::remove_dir(&empty).unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("generated files are up to date"),
        "{stderr}"
    );
}
