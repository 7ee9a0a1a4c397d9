//! The built-in client's TLS stack (issue 22) against a TLS server this crate did not write:
//! Debian's `openssl s_server` on 127.0.0.1, with a CA and a server certificate made by
//! `openssl req` (interop/tls_server.rs). With the default `rustls` feature the client
//! configures rustls itself with the ring provider; with `rustls-aws-lc` or `native-tls`
//! reqwest does. The client trusts the platform's roots, which a child process of this test
//! binary takes from `SSL_CERT_FILE`.
//!
//! Without `openssl` they fail, unless `HUMANOS_SKIP_OPENSSL_TESTS=1` turns that into a skip.

#![cfg(any(feature = "rustls", feature = "rustls-aws-lc", feature = "native-tls"))]

use humancode::{Error, HumanCodeClient};
#[path = "../../../interop/tls_server.rs"]
mod tls_server;

use tls_server::{Pki, cause, json_response, run_test_in_child};

const SESSION_ID: &str = "df20ea9666d3401780332e4aa26a460e";

/// HumanCode's answer to the SESSION_ID API (its documented envelope).
fn session_answer() -> Vec<u8> {
    json_response(&format!(
        r#"{{"code":0,"msg":"ok","result":{{"session_id":"{SESSION_ID}"}}}}"#
    ))
}

fn client(base: &str) -> HumanCodeClient {
    HumanCodeClient::builder()
        .app_id("a_8dcee8bb7963e46c")
        .app_key("app-key-for-the-tls-test")
        .base_url(base)
        .build()
        .expect("client")
}

/// No process-wide rustls provider: building and using the client installed none.
fn assert_no_process_provider() {
    assert!(
        rustls::crypto::CryptoProvider::get_default().is_none(),
        "a process-wide rustls CryptoProvider was installed"
    );
}

#[test]
fn a_session_is_created_through_tls_with_the_platform_roots() {
    let Some(pki) = Pki::generate() else { return };
    let server = pki.server(&session_answer());
    run_test_in_child(
        "create_session_child",
        &[
            ("SSL_CERT_FILE", pki.ca_path().as_os_str()),
            ("HUMANCODE_TLS_TEST_URL", server.url().as_ref()),
        ],
    );
    let transcript = server.stop();
    assert_eq!(transcript.requests.len(), 1, "{transcript:?}");
    let line = &transcript.requests[0][0];
    assert!(
        line.starts_with("POST /api/session/v2/get_id?app_id=a_8dcee8bb7963e46c&sign="),
        "{line}"
    );
    // HTTP/1.1 only: this crate enables no HTTP/2.
    assert_eq!(
        transcript.alpn_offered,
        [vec!["http/1.1".to_owned()]],
        "{transcript:?}"
    );
}

/// Run by [`a_session_is_created_through_tls_with_the_platform_roots`] in a child process.
#[tokio::test]
#[ignore = "run by a_session_is_created_through_tls_with_the_platform_roots, with SSL_CERT_FILE"]
async fn create_session_child() {
    let Ok(url) = std::env::var("HUMANCODE_TLS_TEST_URL") else {
        return;
    };
    let session = client(&url)
        .create_session()
        .await
        .expect("a session, trusting the platform roots of SSL_CERT_FILE");
    assert_eq!(session.session_id, SESSION_ID);
    assert_no_process_provider();
}

#[tokio::test]
async fn without_the_ca_the_call_fails_with_a_transport_error() {
    let Some(pki) = Pki::generate() else { return };
    let server = pki.server(&session_answer());
    // This process's platform roots (the machine's) do not hold the test CA.
    let error = client(&server.url())
        .create_session()
        .await
        .expect_err("a server certificate from an unknown CA");
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
    if cfg!(any(feature = "rustls", feature = "rustls-aws-lc")) && !cfg!(feature = "native-tls") {
        assert_eq!(
            cause::<rustls::Error>(&error),
            Some(&rustls::Error::InvalidCertificate(
                rustls::CertificateError::UnknownIssuer
            )),
            "{error:?}"
        );
    }
    let transcript = server.stop();
    assert!(transcript.requests.is_empty(), "{transcript:?}");
    assert_no_process_provider();
}
