//! `humancode`'s client against this crate's HumanCode emulator on 127.0.0.1, which checks
//! app_id and recomputes the HMAC over the raw received body. (These tests live here, not in
//! `humancode`, because the emulator depends on `humancode`: a test there would make a cycle.)

use humanos_sandbox::humancode_emulator as emulator;

use std::time::Duration;

use emulator::{Emulator, Scripted};
use humancode::{
    Callback, CallbackOutcome, CallbackUrl, Error, ErrorCode, HumanCodeClient, MAX_RESPONSE_BYTES,
    SESSION_LIFETIME, VCODE_LIFETIME,
};
use humanos_signing::FixedClock;

const APP_ID: &str = "a_8dcee8bb7963e46c";
const APP_KEY: &str = "test-app-key-that-must-never-leak";
const NONCE: &str = "ibuaiVcKdpRxkhJA";

async fn emulator() -> Emulator {
    Emulator::start(APP_ID, APP_KEY, 0).await.unwrap()
}

fn client(emu: &Emulator) -> HumanCodeClient {
    HumanCodeClient::builder()
        .app_id(APP_ID)
        .app_key(APP_KEY)
        .base_url(emu.base_url())
        .build()
        .unwrap()
}

fn client_with_key(emu: &Emulator, app_id: &str, app_key: &str) -> HumanCodeClient {
    HumanCodeClient::builder()
        .app_id(app_id)
        .app_key(app_key)
        .base_url(emu.base_url())
        .build()
        .unwrap()
}

/// No error, whatever its variant, may show the APP_KEY.
fn assert_no_secret(error: &Error) {
    let shown = format!("{error} {error:?}");
    assert!(!shown.contains(APP_KEY), "secret leaked: {shown}");
}

fn api_code(result: Result<impl std::fmt::Debug, Error>) -> ErrorCode {
    match result {
        Err(error @ Error::Api { .. }) => {
            assert_no_secret(&error);
            error.code().unwrap()
        }
        other => panic!("expected an API error, got {other:?}"),
    }
}

fn callback_url() -> CallbackUrl {
    CallbackUrl::parse("http://127.0.0.1:3000/humancode/callback").unwrap()
}

/// Follows a page URL like a browser would, up to the callback redirect, and parses it.
async fn visit(page: &str) -> Callback {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let response = http.get(page).send().await.unwrap();
    assert!(response.status().is_redirection(), "{}", response.status());
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with("http://127.0.0.1:3000/humancode/callback?"));
    Callback::from_url(&location).unwrap()
}

#[tokio::test]
async fn create_session_signs_and_sends_the_same_bytes() {
    let emu = emulator().await;
    let client = HumanCodeClient::builder()
        .app_id(APP_ID)
        .app_key(APP_KEY)
        .base_url(emu.base_url())
        .clock(FixedClock(1_706_096_769_589))
        .nonce_source(|| NONCE.to_owned())
        .build()
        .unwrap();
    let session = client.create_session().await.unwrap();
    assert_eq!(session.session_id.len(), 32);
    assert_eq!(session.created_at_ms, 1_706_096_769_589);
    assert_eq!(
        session.expires_at_ms() - session.created_at_ms,
        SESSION_LIFETIME.as_millis() as u64
    );

    let received = emu.received();
    assert_eq!(received.len(), 1);
    let request = &received[0];
    assert_eq!(request.path, "/api/session/v2/get_id");
    assert_eq!(request.content_type.as_deref(), Some("application/json"));
    assert_eq!(
        request.body,
        format!(r#"{{"timestamp":"1706096769589","nonce_str":"{NONCE}"}}"#).as_bytes()
    );
    assert_eq!(request.query["app_id"], APP_ID);
    assert_eq!(
        request.query["sign"],
        humanos_signing::app_signature::sign(APP_KEY.as_bytes(), &request.body)
    );
}

#[tokio::test]
async fn random_nonces_and_real_timestamps_by_default() {
    let emu = emulator().await;
    let client = client(&emu);
    client.create_session().await.unwrap();
    client.create_session().await.unwrap();
    let received = emu.received();
    let nonce = |i: usize| -> String {
        let body: serde_json::Value = serde_json::from_slice(&received[i].body).unwrap();
        body["nonce_str"].as_str().unwrap().to_owned()
    };
    assert_ne!(nonce(0), nonce(1));
    let body: serde_json::Value = serde_json::from_slice(&received[0].body).unwrap();
    let ts: u64 = body["timestamp"].as_str().unwrap().parse().unwrap();
    assert!(ts > 1_700_000_000_000);
}

#[tokio::test]
async fn registration_then_verification_flow_end_to_end() {
    let emu = emulator().await;
    let client = client(&emu);

    // Registration: session -> page -> callback (12) -> vcode -> human_id.
    let session = client.create_session().await.unwrap();
    let page = client
        .registration_url(&session.session_id, &callback_url())
        .unwrap();
    assert!(page.starts_with(&format!(
        "{}/registration/index.html?session_id={}&callback_url=http%3A%2F%2F127.0.0.1%3A3000%2Fhumancode%2Fcallback&ts=",
        emu.base_url(),
        session.session_id
    )));
    let callback = visit(&page).await;
    assert_eq!(callback.session_id, session.session_id);
    let CallbackOutcome::Registered { vcode, already } = &callback.outcome else {
        panic!("{:?}", callback.outcome)
    };
    assert!(!already);
    let human_id = client
        .verify_vcode(&session.session_id, vcode)
        .await
        .unwrap();
    assert!(human_id.as_str().starts_with("u_"));
    let vcode_body: serde_json::Value =
        serde_json::from_slice(&emu.received().last().unwrap().body).unwrap();
    let keys: Vec<&str> = vcode_body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["session_id", "vcode", "timestamp", "nonce_str"]);

    // The display id of that human.
    let show = client.show_id(human_id.as_str()).await.unwrap();
    assert!(show.show_id.starts_with("HC"));
    assert_eq!(show.create_time.as_deref(), Some("1716259499345"));

    // Verification of the same human with a new session.
    let session = client.create_session().await.unwrap();
    let page = client
        .verification_url(&session.session_id, &callback_url(), human_id.as_str())
        .unwrap();
    assert!(page.contains(&format!("&human_id={human_id}&ts=")));
    let callback = visit(&page).await;
    let CallbackOutcome::Verified { vcode } = &callback.outcome else {
        panic!("{:?}", callback.outcome)
    };
    let again = client
        .verify_vcode(&callback.session_id, vcode)
        .await
        .unwrap();
    assert_eq!(again, human_id);
}

#[tokio::test]
async fn failed_scan_reaches_the_callback_as_a_typed_failure() {
    let emu = emulator().await;
    let client = client(&emu);
    for code in [13, 10021, 10030, 10040] {
        let session = client.create_session().await.unwrap();
        emu.next_page_outcome(code);
        let page = client
            .registration_url(&session.session_id, &callback_url())
            .unwrap();
        let callback = visit(&page).await;
        assert_eq!(
            callback.outcome,
            CallbackOutcome::Failed(ErrorCode::from_code(code))
        );
        // The session closed with the failure.
        assert_eq!(
            api_code(client.verify_vcode(&session.session_id, "123456").await),
            ErrorCode::SessionClosed
        );
    }
    // Verification of an unknown human_id.
    let session = client.create_session().await.unwrap();
    let page = client
        .verification_url(&session.session_id, &callback_url(), "u_unknown")
        .unwrap();
    assert_eq!(
        visit(&page).await.outcome,
        CallbackOutcome::Failed(ErrorCode::InvalidVcodeOrHumanId)
    );
}

#[tokio::test]
async fn bad_signature_is_refused_by_the_server_for_every_api() {
    let emu = emulator().await;
    let good = client(&emu);
    let session = good.create_session().await.unwrap();
    let vcode = emu.scan(&session.session_id, None).unwrap();

    let bad = client_with_key(&emu, APP_ID, "not-the-app-key");
    assert_eq!(
        api_code(bad.create_session().await),
        ErrorCode::SignatureFailed
    );
    assert_eq!(
        api_code(bad.verify_vcode(&session.session_id, &vcode).await),
        ErrorCode::SignatureFailed
    );
    assert_eq!(
        api_code(bad.show_id("u_x").await),
        ErrorCode::SignatureFailed
    );
    // The refused call did not consume the vcode: the right key still works.
    good.verify_vcode(&session.session_id, &vcode)
        .await
        .unwrap();
}

#[tokio::test]
async fn wrong_app_id_is_refused_for_every_api() {
    let emu = emulator().await;
    let bad = client_with_key(&emu, "a_000000000000000", APP_KEY);
    assert_eq!(api_code(bad.create_session().await), ErrorCode::WrongAppId);
    assert_eq!(
        api_code(
            bad.verify_vcode("df20ea9666d3401780332e4aa26a460e", "1")
                .await
        ),
        ErrorCode::WrongAppId
    );
    assert_eq!(api_code(bad.show_id("u_x").await), ErrorCode::WrongAppId);
}

#[tokio::test]
async fn session_and_vcode_lifecycle_errors() {
    let emu = emulator().await;
    let client = client(&emu);

    // 10010: a session the server never issued.
    assert_eq!(
        api_code(
            client
                .verify_vcode("00000000000000000000000000000000", "123456")
                .await
        ),
        ErrorCode::SessionNotFound
    );

    // 10020: a wrong vcode, then the right one still works, then 10012: used once only.
    let session = client.create_session().await.unwrap();
    let vcode = emu.scan(&session.session_id, None).unwrap();
    assert_eq!(
        api_code(client.verify_vcode(&session.session_id, "999999").await),
        ErrorCode::InvalidVcodeOrHumanId
    );
    client
        .verify_vcode(&session.session_id, &vcode)
        .await
        .unwrap();
    assert_eq!(
        api_code(client.verify_vcode(&session.session_id, &vcode).await),
        ErrorCode::SessionClosed
    );

    // 10011: a vcode older than 30 s.
    let session = client.create_session().await.unwrap();
    let vcode = emu.scan(&session.session_id, None).unwrap();
    emu.advance(VCODE_LIFETIME + Duration::from_secs(1));
    assert_eq!(
        api_code(client.verify_vcode(&session.session_id, &vcode).await),
        ErrorCode::Expired
    );

    // 10011: a session older than 10 minutes.
    let session = client.create_session().await.unwrap();
    emu.advance(SESSION_LIFETIME + Duration::from_secs(1));
    assert_eq!(
        api_code(client.verify_vcode(&session.session_id, "123456").await),
        ErrorCode::Expired
    );

    // 10020 on get_show_id: an unknown human_id.
    assert_eq!(
        api_code(client.show_id("u_nobody").await),
        ErrorCode::InvalidVcodeOrHumanId
    );
}

#[tokio::test]
async fn every_documented_error_code_surfaces_typed_from_every_api() {
    let emu = emulator().await;
    let client = client(&emu);
    let sid = "df20ea9666d3401780332e4aa26a460e";
    let codes = ErrorCode::KNOWN
        .iter()
        .copied()
        .filter(|c| *c != ErrorCode::Ok)
        .chain([ErrorCode::Unknown(99_999), ErrorCode::Unknown(-1)]);
    for code in codes {
        for api in 0..3 {
            emu.script(Scripted::Envelope {
                code: code.code(),
                msg: format!("server says {}", code.message()),
            });
            let result = match api {
                0 => client.create_session().await.map(|_| ()),
                1 => client.verify_vcode(sid, "123456").await.map(|_| ()),
                _ => client.show_id("u_x").await.map(|_| ()),
            };
            match result {
                Err(Error::Api { code: got, msg }) => {
                    assert_eq!(got, code);
                    assert_eq!(msg, format!("server says {}", code.message()));
                }
                other => panic!("{code}: {other:?}"),
            }
        }
    }
}

#[tokio::test]
async fn malformed_bodies_are_decode_errors_with_a_bounded_snippet() {
    let emu = emulator().await;
    let client = client(&emu);
    let cases: Vec<&[u8]> = vec![
        b"<html><body>Bad Gateway</body></html>",
        br#"{"code":0,"msg":"ok","result":{"sess"#,
        br#"{"code":0,"msg":"ok","result":{}}"#,
        br#"{"code":0,"msg":"ok"}"#,
        br#"{"code":"0","msg":"ok","result":{"session_id":"x"}}"#,
        br#"{"code":0,"msg":"ok","result":{"session_id":42}}"#,
        br#"{"code":0,"msg":"ok","result":{"session_id":"<script>"}}"#,
        b"",
        b"null",
    ];
    for body in cases {
        emu.script(Scripted::Raw {
            status: 200,
            body: body.to_vec(),
        });
        match client.create_session().await {
            Err(error @ Error::Decode { .. }) => {
                assert!(!error.is_retryable());
                assert_no_secret(&error);
            }
            other => panic!("{}: {other:?}", String::from_utf8_lossy(body)),
        }
    }
    // A long garbage body is quoted only in part.
    emu.script(Scripted::Raw {
        status: 200,
        body: vec![b'x'; 5000],
    });
    match client.create_session().await {
        Err(Error::Decode { snippet, .. }) => assert!(snippet.chars().count() <= 201),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn http_errors_keep_the_status_and_are_retryable() {
    let emu = emulator().await;
    let client = client(&emu);
    for status in [500, 502, 503] {
        emu.script(Scripted::Raw {
            status,
            body: b"internal error".to_vec(),
        });
        match client.create_session().await {
            Err(error @ Error::Http { .. }) => {
                assert!(error.is_retryable());
                let Error::Http {
                    status: got,
                    snippet,
                } = error
                else {
                    unreachable!()
                };
                assert_eq!(got, status);
                assert_eq!(snippet, "internal error");
            }
            other => panic!("{other:?}"),
        }
    }
    emu.script(Scripted::Raw {
        status: 404,
        body: b"{}".to_vec(),
    });
    assert!(matches!(
        client.create_session().await,
        Err(Error::Http { status: 404, .. })
    ));
}

#[tokio::test]
async fn oversized_bodies_are_cut_off() {
    let emu = emulator().await;
    let client = client(&emu);
    emu.script(Scripted::Raw {
        status: 200,
        body: vec![b' '; MAX_RESPONSE_BYTES + 1],
    });
    assert!(matches!(
        client.create_session().await,
        Err(Error::ResponseTooLarge { .. })
    ));
}

#[tokio::test]
async fn slow_answers_time_out() {
    let emu = emulator().await;
    let client = HumanCodeClient::builder()
        .app_id(APP_ID)
        .app_key(APP_KEY)
        .base_url(emu.base_url())
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    emu.script(Scripted::Delay(Duration::from_secs(5)));
    match client.create_session().await {
        Err(error @ Error::Timeout { .. }) => {
            assert!(error.is_retryable());
            assert_no_secret(&error);
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn transport_failures_are_typed() {
    // Nothing listens on this port any more.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let client = HumanCodeClient::builder()
        .app_id(APP_ID)
        .app_key(APP_KEY)
        .base_url(format!("http://{addr}"))
        .build()
        .unwrap();
    match client.create_session().await {
        Err(error @ Error::Transport(_)) => {
            assert!(error.is_retryable());
            assert!(!error.to_string().contains("sign="));
            assert_no_secret(&error);
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_body_cut_mid_stream_is_a_transport_error() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut buf = vec![0; 4096];
        let _ = socket.read(&mut buf).await;
        let _ = socket
            .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{\"code\":0,")
            .await;
        // Closing here leaves 90 bytes of the announced body missing.
    });
    let client = HumanCodeClient::builder()
        .app_id(APP_ID)
        .app_key(APP_KEY)
        .base_url(format!("http://{addr}"))
        .build()
        .unwrap();
    assert!(matches!(
        client.create_session().await,
        Err(Error::Transport(_))
    ));
}

#[tokio::test]
async fn malformed_inputs_are_refused_before_anything_is_sent() {
    let emu = emulator().await;
    let client = client(&emu);
    let sid = "df20ea9666d3401780332e4aa26a460e";
    for (session_id, vcode, field) in [
        ("", "123456", "session_id"),
        ("a&sign=x", "123456", "session_id"),
        (sid, "error", "vcode"),
        (sid, "", "vcode"),
        (sid, "12 34", "vcode"),
    ] {
        match client.verify_vcode(session_id, vcode).await {
            Err(Error::InvalidInput { field: got, .. }) => assert_eq!(got, field),
            other => panic!("{other:?}"),
        }
    }
    assert!(matches!(
        client.show_id("u x").await,
        Err(Error::InvalidInput {
            field: "human_id",
            ..
        })
    ));
    assert!(matches!(
        client.verification_url(sid, &callback_url(), "u\"x"),
        Err(Error::InvalidInput { .. })
    ));
    assert!(emu.received().is_empty());
}
