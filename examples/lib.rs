//! Runnable examples for the Humanos Rust SDK; see the `[[example]]` entries of this package's
//! manifest and run one with `cargo run --example <name>` from the workspace root.
