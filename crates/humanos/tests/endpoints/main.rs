//! Every callable endpoint of the API description, once, through the signature-checking
//! server: method, path, query (wire names), body bytes, headers, and the documented answer
//! decoded whole.

#[path = "../support/mod.rs"]
mod support;

mod actions;
mod approval;
mod credentials;
mod did;
mod intelligence;
mod requests;
mod users;

use http::Method;
use humanos::HumanosClient;
use humanos::models::{
    ActionQuery, CreatePresentationDto, GenerateRequestDto, IntelligenceActionQuery,
    IntelligenceSnapshotQuery, IntelligenceWindowQuery, RequestQuery, ResourceQuery,
    RevokeCredentialDto, SubjectQuery, VerifyPresentationDto,
};
use serde::Serialize;
use serde_json::Value;
use support::TestServer;

fn same<T: Serialize>(decoded: &T, expected: &Value) {
    assert_eq!(&serde_json::to_value(decoded).unwrap(), expected);
}

fn query(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

async fn server() -> (TestServer, HumanosClient) {
    let server = TestServer::start().await;
    let client = server.client();
    (server, client)
}

/// Method and path of every call, without sending anything, against the description.
#[tokio::test]
async fn every_callable_endpoint_has_a_method_with_the_documented_method_and_path() {
    let (_server, c) = server().await;
    let calls = calls(&c);
    let documented: Vec<_> = support::samples::endpoints()
        .into_iter()
        .filter(|(_, _, _, path)| !path.starts_with("/_webhooks/"))
        .collect();
    assert_eq!(documented.len(), 21);
    assert_eq!(calls.len(), 21);
    for (api, name, method, path) in documented {
        let endpoint = format!("{}.{}", group(&api), name);
        let (_, m, p) = calls
            .iter()
            .find(|(e, _, _)| *e == endpoint)
            .unwrap_or_else(|| panic!("no client method for {endpoint}"));
        assert_eq!(m.as_str(), method, "{endpoint}");
        let expected = with_ids(&path);
        assert_eq!(p, &expected, "{endpoint}");
    }
}

/// (endpoint, method, path) of one call of each client method, with `ID` for each id.
fn calls(c: &HumanosClient) -> Vec<(&'static str, Method, String)> {
    let mut v = Vec::new();
    macro_rules! add {
        ($call:expr) => {{
            let call = $call;
            v.push((
                call.endpoint(),
                call.method().clone(),
                call.path().to_owned(),
            ));
        }};
    }
    add!(c.actions().list(ActionQuery::new()));
    add!(c.actions().versions("ID", ActionQuery::new()));
    add!(c.approval().list(ResourceQuery::new()));
    add!(c.approval().workflows(ResourceQuery::new()));
    add!(c.credentials().audit_events("ID"));
    add!(c.credentials().detail("ID"));
    add!(c.credentials().evidence("ID"));
    add!(c.credentials().issue_vp("ID", CreatePresentationDto::new()));
    add!(c.credentials().revoke("ID", RevokeCredentialDto::new()));
    add!(c.credentials().verify(VerifyPresentationDto::new()));
    add!(c.did().resolve("ID"));
    add!(
        c.intelligence()
            .action(IntelligenceActionQuery::new("o", "u"))
    );
    add!(
        c.intelligence()
            .snapshot(IntelligenceSnapshotQuery::new("o", "d"))
    );
    add!(
        c.intelligence()
            .window(IntelligenceWindowQuery::new("o", "d", "f", "t"))
    );
    add!(c.requests().cancel("ID"));
    add!(c.requests().create(GenerateRequestDto::new(vec![])));
    add!(c.requests().detail("ID"));
    add!(c.requests().list(RequestQuery::new()));
    add!(c.requests().resend_otp("ID", SubjectQuery::new()));
    add!(c.users().create(vec![]));
    add!(c.users().detail(SubjectQuery::new()));
    v
}

/// The client group of an API of the description.
fn group(api: &str) -> &'static str {
    match api {
        "ActionsApi" => "actions",
        "ApprovalApi" => "approval",
        "CredentialsApi" => "credentials",
        "DIDApi" => "did",
        "IntelligenceApi" => "intelligence",
        "RequestsApi" => "requests",
        "UserApi" => "users",
        other => panic!("unexpected API group {other}"),
    }
}

/// A documented path with each `{param}` replaced by `ID`.
fn with_ids(path: &str) -> String {
    let mut expected = String::new();
    for (i, part) in path.split('{').enumerate() {
        if i == 0 {
            expected.push_str(part);
        } else {
            let (_, rest) = part.split_once('}').unwrap();
            expected.push_str("ID");
            expected.push_str(rest);
        }
    }
    expected
}
