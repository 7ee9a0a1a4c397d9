//! A mandate from request to revocation, through every `credentials` command.

use serde_json::Value;

use super::{Env, start};

#[test]
fn mandate_lifecycle_through_the_cli() {
    let env = start();
    let (request_id, vc) = env.mandate();
    requests_detail_shows_the_mandate(&env, &request_id, &vc);
    credentials_detail_shows_it(&env, &vc);
    let issued = issue_vp(&env, &vc);
    verify_allows_from_a_file(&env, &vc, &issued.vp_arg);
    verify_denies_from_stdin_and_encoded(&env, &issued.vp, &issued.vp_json);
    revoke_then_issue_vp_and_verify_are_refused(&env, &vc, &issued.vp_arg);
    events_the_whole_chain_verifies(&env, &vc);
    issue_vp_table_does_not_dump_the_encoding(&env);
}

/// A presentation printed by `credentials issue-vp`.
struct IssuedVp {
    vp: String,
    vp_json: Value,
    _vp_file: tempfile::NamedTempFile,
    /// `@PATH` of the file holding `vp`.
    vp_arg: String,
}

/// requests detail: JSON and table.
fn requests_detail_shows_the_mandate(env: &Env, request_id: &str, vc: &str) {
    let detail = env.json(&["requests", "detail", request_id]);
    assert_eq!(detail["id"], request_id);
    assert_eq!(detail["credentials"][0]["id"], vc);
    assert_eq!(detail["credentials"][0]["status"], "ACTIVE");
    let table = env.table(&["requests", "detail", request_id]);
    assert!(table.starts_with("FIELD"), "{table}");
    assert!(table.contains(vc) && table.contains("ACTIVE"), "{table}");
    assert!(table.contains("ana@example.com"), "{table}");
}

/// credentials detail.
fn credentials_detail_shows_it(env: &Env, vc: &str) {
    let cred = env.json(&["credentials", "detail", vc]);
    assert_eq!(cred["status"], "ACTIVE");
    assert_eq!(
        cred["w3cCredential"]["proof"]["cryptosuite"],
        "eddsa-jcs-2022"
    );
    let table = env.table(&["credentials", "detail", vc]);
    assert!(
        table.contains("status") && table.contains("ACTIVE"),
        "{table}"
    );
    assert!(table.contains(env.sandbox.issuer_did()), "{table}");
}

/// `credentials issue-vp`: the presentation, its JSON, and a file holding it for `--vp @FILE`.
fn issue_vp(env: &Env, vc: &str) -> IssuedVp {
    let (vp, _) = env.run_code(&["credentials", "issue-vp", vc], 0);
    let vp_json: Value = serde_json::from_str(&vp).expect("vp JSON");
    assert!(vp_json["presentationEncoded"].is_string(), "{vp}");
    let vp_file = tempfile::NamedTempFile::new().expect("temp");
    std::fs::write(vp_file.path(), &vp).expect("write");
    let vp_arg = format!("@{}", vp_file.path().display());
    IssuedVp {
        vp,
        vp_json,
        _vp_file: vp_file,
        vp_arg,
    }
}

/// `credentials verify --vp @FILE` allows in bounds, as JSON and as a table.
fn verify_allows_from_a_file(env: &Env, vc: &str, vp_arg: &str) {
    let allow = env.json(&[
        "credentials",
        "verify",
        "--vp",
        vp_arg,
        "--param",
        "amount=5000",
        "--param",
        "category=BOOKS",
    ]);
    assert_eq!(allow["decision"], "allow");
    assert_eq!(allow["credentialId"], vc);
    assert_eq!(allow["evaluations"].as_array().map(Vec::len), Some(2));
    let table = env.table(&[
        "credentials",
        "verify",
        "--vp",
        vp_arg,
        "--param",
        "amount=1",
        "--param",
        "category=OFFICE",
    ]);
    assert!(
        table.contains("allow") && table.contains("category_allowed"),
        "{table}"
    );
}

/// `credentials verify` denies out of bounds (exit 4), from stdin and from --encoded.
fn verify_denies_from_stdin_and_encoded(env: &Env, vp: &str, vp_json: &Value) {
    let args = [
        "credentials",
        "verify",
        "--vp",
        "@-",
        "--param",
        "amount=50000",
        "--param",
        "category=FLIGHTS",
    ];
    let mut cmd = env.cli(&args);
    cmd.write_stdin(vp);
    let (stdout, stderr) = env.run_with(cmd, &args, 4);
    let deny: Value = serde_json::from_str(&stdout).expect("deny JSON");
    assert_eq!(deny["decision"], "deny");
    assert_eq!(deny["reason"], "rule_failed");
    assert!(
        stderr.starts_with("denied: rule_failed") && stderr.contains("amount_within_limit"),
        "{stderr}"
    );
    // --encoded and --table on a deny: same exit code.
    let encoded = vp_json["presentationEncoded"].as_str().expect("encoded");
    let args = [
        "credentials",
        "verify",
        "--encoded",
        encoded,
        "--param",
        "amount=50000",
        "--param",
        "category=BOOKS",
        "--table",
    ];
    let (stdout, _) = env.run_code(&args, 4);
    assert!(
        stdout.contains("deny") && stdout.contains("fail"),
        "{stdout}"
    );
}

/// revoke, twice; then issue-vp and verify are refused.
fn revoke_then_issue_vp_and_verify_are_refused(env: &Env, vc: &str, vp_arg: &str) {
    let revoked = env.json(&["credentials", "revoke", vc, "--reason", "user_initiated"]);
    assert_eq!(revoked["status"], "INACTIVE");
    assert_eq!(revoked["credentialId"], vc);
    let (_, stderr) = env.run_code(&["credentials", "revoke", vc], 1);
    assert!(stderr.contains("409"), "{stderr}");
    let (_, stderr) = env.run_code(&["credentials", "issue-vp", vc], 1);
    assert!(stderr.contains("credential_revoked"), "{stderr}");
    let (stdout, stderr) = env.run_code(
        &[
            "credentials",
            "verify",
            "--vp",
            vp_arg,
            "--param",
            "amount=5000",
            "--param",
            "category=BOOKS",
        ],
        4,
    );
    assert!(stdout.contains("credential_revoked"), "{stdout}");
    assert!(stderr.starts_with("denied: credential_revoked"), "{stderr}");
}

/// events: the whole chain verifies.
fn events_the_whole_chain_verifies(env: &Env, vc: &str) {
    let events = env.json(&["credentials", "events", vc]);
    assert_eq!(events["ok"], true, "{events}");
    let kinds: Vec<&str> = events["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["event"].as_str())
        .collect();
    assert_eq!(kinds.first(), Some(&"ISSUE"));
    for kind in ["VERIFICATION_APPROVED", "VERIFICATION_DENIED", "REVOKE"] {
        assert!(kinds.contains(&kind), "{kinds:?}");
    }
    let table = env.table(&["credentials", "events", vc]);
    assert!(
        table.contains("EVENT") && table.contains("REVOKE"),
        "{table}"
    );
}

/// issue-vp --table does not dump the encoded presentation.
fn issue_vp_table_does_not_dump_the_encoding(env: &Env) {
    let env2_vc = env.mandate().1;
    let table = env.table(&[
        "credentials",
        "issue-vp",
        &env2_vc,
        "--target-verifier",
        "shop.example",
    ]);
    assert!(
        table.contains("shop.example") && table.contains("characters"),
        "{table}"
    );
}
