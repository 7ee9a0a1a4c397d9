//! The crate docs link to the core's status tables instead of copying them (the check is
//! shared with the other adapter, in humanos-test-support).

#[test]
fn the_crate_docs_link_to_the_cores_status_tables_and_copy_no_status() {
    humanos_test_support::docs::assert_links_to_the_core_status_tables(include_str!(
        "../src/lib.rs"
    ));
}
