//! Behaviour the conformance test does not spell out: enum helpers, event dispatch, error bodies,
//! construction styles.

use humanos_models::{
    ActionBoundsBlock, ApiErrorBody, CreateSubjectEntity, CreateSubjectStatus, CredentialDto,
    CredentialType, ErrorMessage, GenerateRequestDto, GenerateRequestUserDto,
    GenerateSubjectEntity, IdentityEventUser, MandateGrantor, RequestsCreate400Response,
    SecurityLevel, TestEvent, WebhookCallEvent, WebhookEventType,
};
use serde_json::json;

#[test]
fn string_enums_keep_unknown_values() {
    let level: SecurityLevel = serde_json::from_str(r#""SOMETHING_NEW""#).unwrap();
    assert_eq!(level, SecurityLevel::Unknown("SOMETHING_NEW".into()));
    assert!(level.is_unknown());
    assert_eq!(level.to_string(), "SOMETHING_NEW");
    assert_eq!(serde_json::to_string(&level).unwrap(), r#""SOMETHING_NEW""#);
    assert_eq!(
        "HUMANOS_KYC".parse::<SecurityLevel>().unwrap(),
        SecurityLevel::HumanosKyc
    );
    assert_eq!(SecurityLevel::from("CONTACT").as_str(), "CONTACT");
    assert_eq!(WebhookEventType::OtpFailed.as_str(), "otp.failed");
    assert_eq!(SecurityLevel::default(), SecurityLevel::Contact);
}

#[test]
fn integer_enums_keep_unknown_numbers_exactly() {
    for (json, expected) in [
        ("201", CreateSubjectStatus::Success),
        ("299", CreateSubjectStatus::Unknown(299.into())),
    ] {
        let status: CreateSubjectStatus = serde_json::from_str(json).unwrap();
        assert_eq!(status, expected);
        assert_eq!(serde_json::to_string(&status).unwrap(), json);
    }
    // 201.0 is not the integer 201 on the wire: kept as sent.
    let status: CreateSubjectStatus = serde_json::from_str("201.0").unwrap();
    assert!(status.is_unknown());
    assert_eq!(serde_json::to_string(&status).unwrap(), "201.0");
    assert_eq!(CreateSubjectStatus::DuplicateContact.code(), Some(409));

    let entity: CreateSubjectEntity = serde_json::from_value(
        json!({"status": 409, "message": "Duplicate contact", "user": {"contact": "a@b.c"}}),
    )
    .unwrap();
    assert_eq!(entity.status, CreateSubjectStatus::DuplicateContact);
}

#[test]
fn unknown_webhook_events_are_kept_whole() {
    let raw = r#"{"eventType":"mandate.expired","requestId":"req_1","whatever":[1,2]}"#;
    let event: WebhookCallEvent = serde_json::from_str(raw).unwrap();
    assert!(matches!(event, WebhookCallEvent::Unknown(_)));
    assert_eq!(event.event_type(), "mandate.expired");
    assert_eq!(event.request_id(), Some("req_1"));
    assert_eq!(serde_json::to_string(&event).unwrap(), raw);
}

#[test]
fn a_known_webhook_event_that_does_not_fit_is_handed_over_whole_with_the_reason() {
    // A documented event type missing a required member: the payload is authentic data, so it
    // is kept (not an error), with the reason naming the member.
    let raw = r#"{"eventType":"test","requestId":"r","extra":[1,{"a":null}]}"#;
    let event: WebhookCallEvent = serde_json::from_str(raw).unwrap();
    let WebhookCallEvent::Undecoded(undecoded) = &event else {
        panic!("expected Undecoded, got {event:?}");
    };
    assert_eq!(undecoded.event_type, WebhookEventType::Test);
    assert!(undecoded.error.contains("issuerDid"), "{}", undecoded.error);
    assert_eq!(event.event_type(), "test");
    assert_eq!(event.request_id(), Some("r"));
    assert_eq!(serde_json::to_string(&event).unwrap(), raw);

    // Not an object at all is still an error: there is no event to hand over.
    assert!(serde_json::from_str::<WebhookCallEvent>("[1]").is_err());
    // An object without a string `eventType` is kept as an unknown event.
    let event: WebhookCallEvent = serde_json::from_str(r#"{"eventType":7}"#).unwrap();
    assert!(matches!(event, WebhookCallEvent::Unknown(_)));
}

#[test]
fn error_bodies_accept_validation_message_lists() {
    let body: RequestsCreate400Response = serde_json::from_str(
        r#"{"statusCode":400,"message":["name should not be empty","users must be an array"],"error":"Bad Request"}"#,
    )
    .unwrap();
    assert_eq!(body.status(), Some(400));
    let message = body.message.as_ref().unwrap();
    assert!(matches!(message, ErrorMessage::List(_)));
    assert_eq!(
        message.to_string(),
        "name should not be empty; users must be an array"
    );

    let body: ApiErrorBody =
        serde_json::from_str(r#"{"statusCode":404,"message":"Not Found","path":"/request/1"}"#)
            .unwrap();
    assert_eq!(body.additional_properties["path"], "/request/1");
}

#[test]
fn request_types_build_with_setters_or_field_assignment() {
    let built = GenerateRequestDto::new(vec!["user@example.com".into()])
        .name("Onboarding")
        .group_ids(["g1", "g2"])
        .credentials(vec![CredentialDto::new(CredentialType::Json, "Terms")]);
    // The structs are `#[non_exhaustive]` (no struct literal outside this crate), but their
    // fields are public: a default value can be filled in member by member.
    let mut assigned = GenerateRequestDto::default();
    assigned.users = vec![GenerateRequestUserDto::from("user@example.com")];
    assigned.name = Some("Onboarding".into());
    assigned.group_ids = Some(vec!["g1".into(), "g2".into()]);
    let mut terms = CredentialDto::default();
    terms.name = "Terms".into();
    assigned.credentials = Some(vec![terms]);
    assert_eq!(built, assigned);
    assert_eq!(
        serde_json::to_value(&built).unwrap(),
        json!({"name": "Onboarding", "users": [{"contact": "user@example.com"}], "groupIds": ["g1", "g2"],
               "credentials": [{"type": "JSON", "name": "Terms"}]})
    );
}

#[test]
fn answers_build_with_new_and_setters() {
    // Required members are `new`'s parameters, in the description's order; optional members
    // have setters; a required member documented as nullable starts as `null`.
    let subject = GenerateSubjectEntity::new("user@example.com", "usr_1").link("https://x.test/a");
    assert_eq!(
        serde_json::to_value(&subject).unwrap(),
        json!({"contact": "user@example.com", "id": "usr_1", "link": "https://x.test/a"})
    );
    let bounds = ActionBoundsBlock::new(3);
    assert_eq!(
        serde_json::to_string(&bounds).unwrap(),
        r#"{"executionsRemaining":null,"unbounded":3,"nearestExpiry":null}"#
    );
    let bounds = bounds
        .executions_remaining(7)
        .nearest_expiry("2026-09-02T00:00:00Z");
    assert_eq!(bounds.executions_remaining, Some(7.into()));
    // The event a webhook test builds: the same JSON as the wire's.
    let event = TestEvent::new(
        WebhookEventType::Test,
        "req_1",
        "did:web:issuer.example",
        IdentityEventUser::new("user@example.com", "usr_1"),
        "2026-09-01",
        "Hello",
    )
    .internal_id("order-7");
    let wire = serde_json::to_value(&event).unwrap();
    assert_eq!(
        wire["user"],
        json!({"contact": "user@example.com", "id": "usr_1"})
    );
    let WebhookCallEvent::Test(decoded) = serde_json::from_value(wire).unwrap() else {
        panic!("a test event")
    };
    assert_eq!(decoded, event);
}

#[test]
fn grantors_keep_their_shape() {
    let one: MandateGrantor = serde_json::from_str(r#""did:a""#).unwrap();
    let many: MandateGrantor = serde_json::from_str(r#"["did:a","did:b"]"#).unwrap();
    assert_eq!(one.dids(), ["did:a"]);
    assert_eq!(many.dids(), ["did:a", "did:b"]);
    assert_eq!(
        serde_json::to_string(&many).unwrap(),
        r#"["did:a","did:b"]"#
    );
}
