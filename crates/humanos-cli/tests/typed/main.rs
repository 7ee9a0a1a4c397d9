//! `humanos requests | credentials | actions | did` against an in-process `humanos-sandbox` on
//! 127.0.0.1, which checks the API key, the timestamp window and the HMAC signature of every
//! request. Every output is checked for secrets.

#[path = "../common/mod.rs"]
mod common;

mod errors;
mod lifecycle;

use common::*;
use humanos_sandbox::{Sandbox, SandboxHandle};
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

/// Creates `n` requests of `action`, one contact each; returns their ids, sorted.
fn create_requests(env: &Env, action: &str, n: usize) -> Vec<String> {
    let mut ids: Vec<String> = (0..n)
        .map(|i| {
            let contact = format!("user{i}@example.com");
            let created = env.json(&[
                "requests",
                "create",
                "--contact",
                &contact,
                "--action",
                action,
            ]);
            created["id"].as_str().expect("id").to_owned()
        })
        .collect();
    ids.sort();
    ids
}

#[test]
fn all_pages_as_json_lines_or_one_table() {
    let env = start();
    let action = env.define(json!({"name": "Ping", "rules": []}));
    let ids = create_requests(&env, &action, 11);

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
