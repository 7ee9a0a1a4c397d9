//! Admin decisions say what they did: an approve without a contact decides for the first
//! undecided subject and answers that subject's credential ids (never another subject's, still
//! draft), naming the contact; `?all=true` decides for every undecided subject;
//! `SandboxHandle::approve` follows the same rule.

mod support;

use humanos_sandbox::{Sandbox, SandboxHandle};
use serde_json::{Value, json};
use support::{Client, purchase_action};

const ANA: &str = "ana@example.com";
const BO: &str = "bo@example.com";

/// A request for one mandate to Ana and Bo: its id.
async fn request_to_two(c: &Client, sb: &SandboxHandle) -> String {
    let action = sb.define_action(purchase_action()).await.unwrap();
    let (status, req) = c
        .call("POST", "/request", Some(&json!({"users": [{"contact": ANA}, {"contact": BO}], "credentials": [{"type": "POLICY", "name": "Mandate", "action": {"id": action.id, "userParams": {"maxAmount": 10, "allowedCategories": ["BOOKS"]}}}]})))
        .await;
    assert_eq!(status, 201, "{req}");
    req["id"].as_str().unwrap().to_owned()
}

async fn admin_post(sb: &SandboxHandle, path: &str, body: Option<Value>) -> (u16, Value) {
    let mut req = sb.admin_client().post(format!("{}{path}", sb.base_url()));
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.unwrap();
    (resp.status().as_u16(), resp.json().await.unwrap())
}

fn ids(answer: &Value) -> Vec<String> {
    answer["credentialIds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

/// Every id handed out is an issued, usable mandate: a presentation of it is signed.
async fn each_presents(c: &Client, ids: &[String]) {
    for id in ids {
        let (status, body) = c
            .call("POST", &format!("/credential/vp/{id}"), Some(&json!({})))
            .await;
        assert_eq!(status, 201, "{id}: {body}");
    }
}

#[tokio::test]
async fn approve_without_contact_answers_the_subject_it_decided() {
    let sb = Sandbox::start_ephemeral().await.unwrap();
    let c = Client::new(&sb);
    let request_id = request_to_two(&c, &sb).await;
    let path = format!("/admin/requests/{request_id}/approve");

    let (status, first) = admin_post(&sb, &path, None).await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["requestId"], request_id.as_str());
    assert_eq!(first["contact"], ANA);
    assert_eq!(first["decision"], "accept");
    assert_eq!(ids(&first).len(), 1, "Ana's mandate only: {first}");
    each_presents(&c, &ids(&first)).await;

    let (status, second) = admin_post(&sb, &path, None).await;
    assert_eq!(status, 200, "{second}");
    assert_eq!(second["contact"], BO);
    assert_eq!(ids(&second).len(), 1);
    assert_ne!(ids(&first), ids(&second));
    each_presents(&c, &ids(&second)).await;

    let (status, none_left) = admin_post(&sb, &path, None).await;
    assert_eq!(status, 404, "{none_left}");
    sb.shutdown().await;
}

#[tokio::test]
async fn approve_with_a_contact_and_reject_answer_that_contact() {
    let sb = Sandbox::start_ephemeral().await.unwrap();
    let c = Client::new(&sb);
    let request_id = request_to_two(&c, &sb).await;
    let (status, bo) = admin_post(
        &sb,
        &format!("/admin/requests/{request_id}/approve"),
        Some(json!({"contact": BO})),
    )
    .await;
    assert_eq!(status, 200, "{bo}");
    assert_eq!(bo["contact"], BO);
    each_presents(&c, &ids(&bo)).await;
    let (status, ana) =
        admin_post(&sb, &format!("/admin/requests/{request_id}/reject"), None).await;
    assert_eq!(status, 200, "{ana}");
    assert_eq!(
        (&ana["contact"], &ana["decision"]),
        (&json!(ANA), &json!("reject"))
    );
    let (_, cred) = c
        .call("GET", &format!("/credential/{}", ids(&ana)[0]), None)
        .await;
    assert_eq!(cred["status"], "INACTIVE");
    sb.shutdown().await;
}

#[tokio::test]
async fn all_true_approves_every_undecided_subject() {
    let sb = Sandbox::start_ephemeral().await.unwrap();
    let c = Client::new(&sb);
    let request_id = request_to_two(&c, &sb).await;
    let path = format!("/admin/requests/{request_id}/approve");

    let (status, refused) = admin_post(&sb, &format!("{path}?all=yes"), None).await;
    assert_eq!(status, 400, "{refused}");
    let (status, refused) = admin_post(
        &sb,
        &format!("{path}?all=true"),
        Some(json!({"contact": ANA})),
    )
    .await;
    assert_eq!(status, 400, "{refused}");

    let (status, all) = admin_post(&sb, &format!("{path}?all=true"), None).await;
    assert_eq!(status, 200, "{all}");
    let contacts: Vec<&Value> = all["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| &d["contact"])
        .collect();
    assert_eq!(contacts, [&json!(ANA), &json!(BO)]);
    assert_eq!(ids(&all).len(), 2);
    each_presents(&c, &ids(&all)).await;
    let (status, _) = admin_post(&sb, &format!("{path}?all=true"), None).await;
    assert_eq!(status, 404);
    sb.shutdown().await;
}

#[tokio::test]
async fn the_handle_approves_one_subject_at_a_time_or_all() {
    let sb = Sandbox::start_ephemeral().await.unwrap();
    let c = Client::new(&sb);
    let one = request_to_two(&c, &sb).await;
    let first = sb.approve(&one).await.unwrap();
    let second = sb.approve(&one).await.unwrap();
    assert_eq!((first.len(), second.len()), (1, 1));
    assert_ne!(first, second);
    each_presents(&c, &[first, second].concat()).await;
    assert!(sb.approve(&one).await.is_err(), "nobody is left to decide");

    let both = request_to_two(&c, &sb).await;
    let all = sb.approve_all(&both).await.unwrap();
    assert_eq!(all.len(), 2);
    each_presents(&c, &all).await;
    sb.shutdown().await;
}
