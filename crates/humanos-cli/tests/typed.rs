//! `humanos requests | credentials | actions | did` against an in-process `humanos-sandbox` on
//! 127.0.0.1, which checks the API key, the timestamp window and the HMAC signature of every
//! request. Every output is checked for secrets.

mod common;

use common::*;
use humanos_sandbox::{Sandbox, SandboxHandle};
use predicates::prelude::*;
use serde_json::{Value, json};

struct Env {
    runtime: tokio::runtime::Runtime,
    sandbox: SandboxHandle,
}

/// A sandbox that accepts the test credentials of `common`.
fn start() -> Env {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let sandbox = runtime
        .block_on(Sandbox::builder().credentials(API_KEY, API_SECRET).build())
        .expect("sandbox");
    Env { runtime, sandbox }
}

fn purchase_action() -> Value {
    json!({
        "name": "Purchase",
        "userParams": {
            "maxAmount": {"type": "number"},
            "allowedCategories": {"type": "array<string>"}
        },
        "executionParams": {"amount": {"type": "number"}, "category": {"type": "string"}},
        "rules": [
            {"name": "amount_within_limit", "expression": "executionParams.amount <= userParams.maxAmount"},
            {"name": "category_allowed", "expression": "executionParams.category in userParams.allowedCategories"}
        ]
    })
}

impl Env {
    /// The binary pointed at the sandbox, with the API credentials in the environment.
    fn cli(&self, args: &[&str]) -> assert_cmd::Command {
        let mut cmd = humanos_api();
        cmd.env("HUMANOS_BASE_URL", self.sandbox.base_url())
            .args(args);
        cmd
    }

    fn define(&self, definition: Value) -> String {
        self.runtime
            .block_on(self.sandbox.define_action(definition))
            .expect("define action")
            .id
    }

    fn approve(&self, request_id: &str) -> Vec<String> {
        self.runtime
            .block_on(self.sandbox.approve(request_id))
            .expect("approve")
    }

    /// Runs `args`, expects `code`, checks both streams for secrets; returns stdout, stderr.
    fn run_code(&self, args: &[&str], code: i32) -> (String, String) {
        self.run_with(self.cli(args), args, code)
    }

    fn run_with(&self, mut cmd: assert_cmd::Command, args: &[&str], code: i32) -> (String, String) {
        let out = cmd.output().expect("run");
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(
            out.status.code(),
            Some(code),
            "{args:?}\nstdout: {stdout}\nstderr: {stderr}"
        );
        assert_no_secret(&stdout, &format!("stdout of {args:?}"));
        assert_no_secret(&stderr, &format!("stderr of {args:?}"));
        (stdout, stderr)
    }

    /// Runs `args`, expects success and JSON on stdout.
    fn json(&self, args: &[&str]) -> Value {
        let (stdout, _) = self.run_code(args, 0);
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{args:?}: {e}: {stdout}"))
    }

    /// Runs `args --table`, expects success; returns stdout.
    fn table(&self, args: &[&str]) -> String {
        let args: Vec<&str> = args.iter().copied().chain(["--table"]).collect();
        let (stdout, _) = self.run_code(&args, 0);
        stdout
    }

    /// Creates a request for a purchase mandate and approves it: (request id, credential id).
    fn mandate(&self) -> (String, String) {
        let action = self.define(purchase_action());
        let created = self.json(&[
            "requests",
            "create",
            "--contact",
            "ana@example.com",
            "--action",
            &action,
            "--user-param",
            "maxAmount=10000",
            "--user-param",
            r#"allowedCategories=["BOOKS","OFFICE"]"#,
            "--mandate-name",
            "Buy books",
        ]);
        let request_id = created["id"].as_str().expect("id").to_owned();
        assert_eq!(created["subjects"][0]["contact"], "ana@example.com");
        assert_eq!(created["credentials"][0]["name"], "Buy books");
        let ids = self.approve(&request_id);
        assert_eq!(ids.len(), 1);
        (request_id, ids[0].clone())
    }
}

#[test]
fn mandate_lifecycle_through_the_cli() {
    let env = start();
    let (request_id, vc) = env.mandate();

    // requests detail: JSON and table.
    let detail = env.json(&["requests", "detail", &request_id]);
    assert_eq!(detail["id"], request_id.as_str());
    assert_eq!(detail["credentials"][0]["id"], vc.as_str());
    assert_eq!(detail["credentials"][0]["status"], "ACTIVE");
    let table = env.table(&["requests", "detail", &request_id]);
    assert!(table.starts_with("FIELD"), "{table}");
    assert!(table.contains(&vc) && table.contains("ACTIVE"), "{table}");
    assert!(table.contains("ana@example.com"), "{table}");

    // credentials detail.
    let cred = env.json(&["credentials", "detail", &vc]);
    assert_eq!(cred["status"], "ACTIVE");
    assert_eq!(
        cred["w3cCredential"]["proof"]["cryptosuite"],
        "eddsa-jcs-2022"
    );
    let table = env.table(&["credentials", "detail", &vc]);
    assert!(
        table.contains("status") && table.contains("ACTIVE"),
        "{table}"
    );
    assert!(table.contains(env.sandbox.issuer_did()), "{table}");

    // issue-vp, then verify: allow from a file, deny from stdin.
    let (vp, _) = env.run_code(&["credentials", "issue-vp", &vc], 0);
    let vp_json: Value = serde_json::from_str(&vp).expect("vp JSON");
    assert!(vp_json["presentationEncoded"].is_string(), "{vp}");
    let vp_file = tempfile::NamedTempFile::new().expect("temp");
    std::fs::write(vp_file.path(), &vp).expect("write");
    let vp_arg = format!("@{}", vp_file.path().display());
    let allow = env.json(&[
        "credentials",
        "verify",
        "--vp",
        &vp_arg,
        "--param",
        "amount=5000",
        "--param",
        "category=BOOKS",
    ]);
    assert_eq!(allow["decision"], "allow");
    assert_eq!(allow["credentialId"], vc.as_str());
    assert_eq!(allow["evaluations"].as_array().map(Vec::len), Some(2));
    let table = env.table(&[
        "credentials",
        "verify",
        "--vp",
        &vp_arg,
        "--param",
        "amount=1",
        "--param",
        "category=OFFICE",
    ]);
    assert!(
        table.contains("allow") && table.contains("category_allowed"),
        "{table}"
    );

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
    cmd.write_stdin(vp.clone());
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

    // revoke, twice; then issue-vp and verify are refused.
    let revoked = env.json(&["credentials", "revoke", &vc, "--reason", "user_initiated"]);
    assert_eq!(revoked["status"], "INACTIVE");
    assert_eq!(revoked["credentialId"], vc.as_str());
    let (_, stderr) = env.run_code(&["credentials", "revoke", &vc], 1);
    assert!(stderr.contains("409"), "{stderr}");
    let (_, stderr) = env.run_code(&["credentials", "issue-vp", &vc], 1);
    assert!(stderr.contains("credential_revoked"), "{stderr}");
    let (stdout, stderr) = env.run_code(
        &[
            "credentials",
            "verify",
            "--vp",
            &vp_arg,
            "--param",
            "amount=5000",
            "--param",
            "category=BOOKS",
        ],
        4,
    );
    assert!(stdout.contains("credential_revoked"), "{stdout}");
    assert!(stderr.starts_with("denied: credential_revoked"), "{stderr}");

    // events: the whole chain verifies.
    let events = env.json(&["credentials", "events", &vc]);
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
    let table = env.table(&["credentials", "events", &vc]);
    assert!(
        table.contains("EVENT") && table.contains("REVOKE"),
        "{table}"
    );

    // issue-vp --table does not dump the encoded presentation.
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

#[test]
fn requests_list_create_from_data_and_cancel() {
    let env = start();
    let action = env.define(json!({"name": "Ping", "rules": []}));
    let created = env.json(&[
        "requests",
        "create",
        "--action",
        &action,
        "--data",
        r#"{"users":[{"contact":"bob@example.com"}],"internalId":"crm-42"}"#,
        "--contact",
        "+351910000000",
        "--name",
        "Two users",
    ]);
    let id = created["id"].as_str().expect("id").to_owned();
    assert_eq!(created["subjects"].as_array().map(Vec::len), Some(2));

    let list = env.json(&["requests", "list"]);
    assert_eq!(list["data"][0]["id"], id.as_str());
    assert_eq!(list["data"][0]["internalId"], "crm-42");
    assert!(list["totalPages"].is_number(), "{list}");
    let list = env.json(&["requests", "list", "--page-size", "5", "--page-index", "5"]);
    assert_eq!(list["data"], json!([]));

    let table = env.table(&["requests", "list"]);
    let mut lines = table.lines();
    assert!(
        lines
            .next()
            .is_some_and(|h| h.starts_with("ID") && h.contains("CONTACTS")),
        "{table}"
    );
    assert!(
        table.contains(&id) && table.contains("bob@example.com, +351910000000"),
        "{table}"
    );
    assert!(table.contains("page 1 of 1"), "{table}");

    let table = env.table(&[
        "requests",
        "create",
        "--contact",
        "cy@example.com",
        "--action",
        &action,
    ]);
    assert!(
        table.starts_with("REQUEST  req") && table.contains("cy@example.com"),
        "{table}"
    );
    assert!(table.contains("Action mandate"), "{table}");

    let cancel = env.json(&["requests", "cancel", &id]);
    assert_eq!(cancel, json!({"success": true}));
    let detail = env.json(&["requests", "detail", &id]);
    assert!(detail["canceledAt"].is_string(), "{detail}");
    let (_, stderr) = env.run_code(&["requests", "detail", "req_does_not_exist"], 1);
    assert!(
        stderr.starts_with("error: Humanos API error 404"),
        "{stderr}"
    );
    assert!(stderr.contains("hint: check the id"), "{stderr}");
}

#[test]
fn all_pages_as_json_lines_or_one_table() {
    let env = start();
    let action = env.define(json!({"name": "Ping", "rules": []}));
    let mut ids: Vec<String> = (0..11)
        .map(|i| {
            let contact = format!("user{i}@example.com");
            let created = env.json(&[
                "requests",
                "create",
                "--contact",
                &contact,
                "--action",
                &action,
            ]);
            created["id"].as_str().expect("id").to_owned()
        })
        .collect();
    ids.sort();

    // Three pages (5, 5 and 1; the API's smallest page is 5): one item per line, compact, each a
    // whole request.
    let (stdout, _) = env.run_code(&["requests", "list", "--page-size", "5", "--all"], 0);
    let items: Vec<Value> = stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();
    let mut listed: Vec<String> = items
        .iter()
        .map(|r| r["id"].as_str().expect("id").to_owned())
        .collect();
    listed.sort();
    assert_eq!(listed, ids, "every request once: {stdout}");
    assert!(items.iter().all(|r| r["subjects"].is_array()), "{stdout}");

    // From the second page on.
    let (stdout, _) = env.run_code(
        &[
            "requests",
            "list",
            "--page-size",
            "5",
            "--page-index",
            "1",
            "--all",
        ],
        0,
    );
    assert_eq!(stdout.lines().count(), 6, "{stdout}");

    let table = env.table(&["requests", "list", "--page-size", "5", "--all"]);
    assert_eq!(
        table.lines().count(),
        1 + 11 + 1,
        "header, rows, footer: {table}"
    );
    assert!(table.trim_end().ends_with("11 shown, 3 pages"), "{table}");
    assert!(ids.iter().all(|id| table.contains(id.as_str())), "{table}");

    // A filter that matches nothing: no line at all, and a table with only its header.
    let (stdout, _) = env.run_code(
        &["actions", "list", "--search", "nothing-matches", "--all"],
        0,
    );
    assert_eq!(stdout, "");

    for version in 2..=6 {
        let next =
            json!({"name": "Ping", "description": format!("version {version}"), "rules": []});
        assert_eq!(env.define(next), action);
    }
    let (stdout, _) = env.run_code(
        &["actions", "versions", &action, "--page-size", "5", "--all"],
        0,
    );
    let versions: Vec<Value> = stdout
        .lines()
        .map(|line| serde_json::from_str(line).expect("a version per line"))
        .collect();
    assert_eq!(versions.len(), 6, "two pages: {stdout}");
    assert_eq!(versions[0]["version"], 6, "newest first: {stdout}");
    assert_eq!(versions[5]["version"], 1, "{stdout}");
}

#[test]
fn actions_list_and_versions() {
    let env = start();
    let id = env.define(purchase_action());
    let mut v2 = purchase_action();
    v2["rules"] = json!(["executionParams.amount <= userParams.maxAmount"]);
    assert_eq!(env.define(v2), id);

    let list = env.json(&["actions", "list"]);
    assert_eq!(list["data"][0]["id"], id.as_str());
    assert_eq!(list["data"][0]["name"], "Purchase");
    let table = env.table(&["actions", "list", "--search", "Purchase"]);
    assert!(
        table.starts_with("ACTION") && table.contains(&id),
        "{table}"
    );
    assert!(table.contains("Purchase"), "{table}");

    let versions = env.json(&["actions", "versions", &id]);
    let data = versions["data"].as_array().expect("data");
    assert_eq!(data.len(), 2);
    assert_eq!(data[0]["version"], 2, "newest first: {versions}");
    assert!(data[0]["digestSRI"].is_string());
    let table = env.table(&["actions", "versions", &id]);
    assert!(
        table.starts_with("VERSION") && table.contains(":v2"),
        "{table}"
    );

    let empty = env.json(&["actions", "versions", "urn:via:action:unknown"]);
    assert_eq!(empty["data"], json!([]));
}

#[test]
fn did_resolve() {
    let env = start();
    let did = env.sandbox.issuer_did().to_owned();
    let doc = env.json(&["did", "resolve", &did]);
    assert_eq!(doc["id"], did.as_str());
    assert!(doc["verificationMethod"].is_array(), "{doc}");
    let table = env.table(&["did", "resolve", &did]);
    assert!(
        table.contains("VERIFICATION METHOD") && table.contains("Multikey"),
        "{table}"
    );
    env.run_code(&["did", "resolve", "did:web:nobody.example"], 1);
}

#[test]
fn errors_are_clear_and_exit_nonzero() {
    let env = start();
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        format!("http://{}", l.local_addr().expect("addr"))
    };

    // No credentials at all: 2, naming the variable.
    let mut cmd = humanos();
    cmd.env("HUMANOS_BASE_URL", env.sandbox.base_url())
        .args(["requests", "list"]);
    cmd.assert()
        .code(2)
        .stderr(predicate::str::contains("HUMANOS_API_KEY"));

    // A wrong signature secret: the sandbox answers 401, exit 1.
    let mut cmd = env.cli(&["requests", "list"]);
    cmd.env("HUMANOS_SIGNATURE_SECRET", "not-the-secret");
    let (_, stderr) = env.run_with(cmd, &["requests", "list (wrong secret)"], 1);
    assert!(
        stderr.contains("401") && stderr.contains("HUMANOS_SIGNATURE_SECRET"),
        "{stderr}"
    );

    // Nobody listening: 3.
    let (_, stderr) = env.run_code(&["actions", "list", "--base-url", &dead], 3);
    assert!(
        stderr.starts_with("error: HTTP transport error"),
        "{stderr}"
    );
    assert!(stderr.contains("hint: is the API reachable?"), "{stderr}");

    // Usage errors: 2, before anything is sent.
    for (args, needle) in [
        (vec!["requests", "create"], "no user"),
        (
            vec![
                "requests",
                "create",
                "--contact",
                "a@x.io",
                "--action",
                "urn:via:action:x",
                "--user-param",
                "novalue",
            ],
            "NAME=VALUE",
        ),
        (
            vec!["requests", "create", "--data", "{broken"],
            "not valid JSON",
        ),
        (vec!["requests", "create", "--data", "[1]"], "JSON object"),
        (
            vec!["requests", "create", "--data", r#"{"users":"x"}"#],
            "not a request body",
        ),
        (
            vec!["credentials", "verify", "--param", "amount=1"],
            "no presentation",
        ),
        (
            vec!["credentials", "verify", "--vp", "{}"],
            "presentationEncoded",
        ),
        (
            vec!["credentials", "verify", "--vp", "@/nonexistent/vp.json"],
            "cannot read",
        ),
        (vec!["requests", "list", "--base-url", "not a url"], "base"),
    ] {
        let (_, stderr) = env.run_code(&args, 2);
        assert!(
            stderr.starts_with("error: ") && stderr.contains(needle),
            "{args:?}: {stderr}"
        );
        assert!(stderr.contains("\nhint: "), "{args:?}: {stderr}");
    }
    // clap refuses a mandate flag without --action, and a bad number.
    env.run_code(
        &[
            "requests",
            "create",
            "--contact",
            "a@x.io",
            "--user-param",
            "a=1",
        ],
        2,
    );
    env.run_code(&["requests", "list", "--page-size", "many"], 2);

    // -v and -vv trace the calls, never a secret.
    for v in ["-v", "-vv"] {
        let (_, stderr) = env.run_code(&["requests", "list", v], 0);
        assert!(stderr.contains("requests.list"), "{stderr}");
    }
}
