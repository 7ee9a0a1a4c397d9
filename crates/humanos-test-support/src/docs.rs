//! The adapters' crate docs link to the core's status tables instead of copying them: the
//! webhook routes' (`humanos_webhooks::lifecycle`, checked row by row against the code there)
//! and the enforcement point's (`humanos::enforce`, likewise).

/// Asserts that the crate-level docs (`//!` lines) of `lib_rs` link to both core tables and
/// hold no status row of their own.
pub fn assert_links_to_the_core_status_tables(lib_rs: &str) {
    let docs: Vec<&str> = lib_rs
        .lines()
        .filter_map(|line| line.trim_start().strip_prefix("//!"))
        .collect();
    let docs = docs.join("\n");
    assert!(
        docs.contains("humanos_webhooks::lifecycle#status-codes"),
        "the crate docs must link to the core's webhook status table"
    );
    assert!(
        docs.contains("docs.rs/humanos/latest/humanos/enforce/"),
        "the crate docs must link to the enforcement point's status table"
    );
    for line in docs.lines().filter(|l| l.trim_start().starts_with('|')) {
        let status = line.split('|').find_map(|cell| {
            let status = cell.trim().parse::<u16>().ok();
            status.filter(|s| (100..600).contains(s))
        });
        assert!(
            status.is_none(),
            "a status row copied into the crate docs (link to the core's table instead): {line}"
        );
    }
}
