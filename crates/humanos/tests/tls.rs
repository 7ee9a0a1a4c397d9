//! The built-in client's TLS stack (issue 22) against a TLS server this crate did not write:
//! Debian's `openssl s_server` on 127.0.0.1, with a CA and a server certificate made by
//! `openssl req` (interop/tls_server.rs). With the default `rustls` feature the client
//! configures rustls itself with the ring provider; with `rustls-aws-lc` or `native-tls`
//! reqwest does. Every TLS feature runs these tests.
//!
//! Without `openssl` they fail, unless `HUMANOS_SKIP_OPENSSL_TESTS=1` turns that into a skip.

#![cfg(any(feature = "rustls", feature = "rustls-aws-lc", feature = "native-tls"))]

use humanos::{ClientConfigError, Error, HumanosClient, HumanosClientBuilder, RetryConfig};
#[path = "../../../interop/tls_server.rs"]
mod tls_server;

use serde_json::{Value, json};
use tls_server::{Pki, Server, cause, json_response, run_test_in_child};

/// Whether the client configures rustls with ring itself (the default stack).
const RING: bool = cfg!(all(
    feature = "rustls",
    not(feature = "rustls-aws-lc"),
    not(feature = "native-tls")
));

/// The protocols the client offers by ALPN: reqwest's own choice, which the ring stack repeats.
fn expected_alpn() -> Vec<String> {
    let mut protocols = Vec::new();
    if cfg!(feature = "http2") {
        protocols.push("h2".to_owned());
    }
    protocols.push("http/1.1".to_owned());
    protocols
}

/// What the server answers to `GET /did/resolve/{did}`: a DID document.
fn did_document() -> Value {
    json!({
        "@context": ["https://www.w3.org/ns/did/v1"],
        "id": "did:web:humanos.tech:org:0b3c5f0e-4d7e-4a43-9a0e-2f1d2c3b4a59",
    })
}

fn builder(server: &Server) -> HumanosClientBuilder {
    HumanosClient::builder()
        .api_key("key_tls")
        .signature_secret("secret_tls")
        .base_url(server.url())
        // One attempt: a refused handshake is not retried into a second connection.
        .retry(RetryConfig::default().with_max_attempts(1))
}

/// No process-wide rustls provider: building and using the client installed none.
fn assert_no_process_provider() {
    assert!(
        rustls::crypto::CryptoProvider::get_default().is_none(),
        "a process-wide rustls CryptoProvider was installed"
    );
}

/// `GET /did/resolve/...` through TLS with `client`: the server's document, and what the
/// server saw of it.
async fn resolve(
    pki: &Pki,
    configure: impl FnOnce(HumanosClientBuilder) -> HumanosClientBuilder,
) -> (Result<Value, Error>, tls_server::Transcript) {
    let server = pki.server(&json_response(&did_document().to_string()));
    let client = configure(builder(&server)).build().expect("client");
    let result = client
        .did()
        .resolve_as::<Value>("did:web:humanos.tech:org:0b3c5f0e-4d7e-4a43-9a0e-2f1d2c3b4a59")
        .await;
    (result, server.stop())
}

/// The API call reached the server through TLS: one signed `GET`, after one handshake that
/// offered the expected ALPN protocols.
fn assert_reached(result: Result<Value, Error>, transcript: &tls_server::Transcript) {
    assert_eq!(result.expect("the call"), did_document(), "{transcript:?}");
    assert_eq!(transcript.requests.len(), 1, "{transcript:?}");
    let head = &transcript.requests[0];
    assert!(
        head[0].starts_with("GET /did/resolve/did%3Aweb%3Ahumanos.tech")
            && head[0].ends_with(" HTTP/1.1"),
        "{head:?}"
    );
    assert!(
        head.iter()
            .any(|h| h.to_ascii_lowercase().starts_with("x-signature: ")),
        "{head:?}"
    );
    assert_eq!(transcript.alpn_offered, [expected_alpn()], "{transcript:?}");
}

#[tokio::test]
async fn an_extra_root_as_pem_reaches_the_server() {
    let Some(pki) = Pki::generate() else { return };
    let (result, transcript) = resolve(&pki, |b| b.add_root_certificate_pem(pki.ca_pem())).await;
    assert_reached(result, &transcript);
    assert_no_process_provider();
}

#[tokio::test]
async fn an_extra_root_as_der_reaches_the_server() {
    let Some(pki) = Pki::generate() else { return };
    let (result, transcript) = resolve(&pki, |b| b.add_root_certificate_der(pki.ca_der())).await;
    assert_reached(result, &transcript);
    assert_no_process_provider();
}

#[tokio::test]
async fn without_the_extra_root_the_call_fails_with_a_transport_error() {
    let Some(pki) = Pki::generate() else { return };
    // The platform's roots only (this machine's): they do not hold the test CA.
    let (result, transcript) = resolve(&pki, |b| b).await;
    let error = result.expect_err("a server certificate from an unknown CA");
    assert!(
        matches!(error, Error::Transport { connect: true, .. }),
        "{error:?}"
    );
    if cfg!(any(feature = "rustls", feature = "rustls-aws-lc")) && !cfg!(feature = "native-tls") {
        assert_eq!(
            cause::<rustls::Error>(&error),
            Some(&rustls::Error::InvalidCertificate(
                rustls::CertificateError::UnknownIssuer
            )),
            "{error:?}"
        );
    }
    // The handshake was refused: no request reached the server.
    assert!(transcript.requests.is_empty(), "{transcript:?}");
    assert_no_process_provider();
}

#[tokio::test]
async fn a_root_of_another_ca_does_not_let_the_call_through() {
    let (Some(pki), Some(other)) = (Pki::generate(), Pki::generate()) else {
        return;
    };
    let (result, transcript) = resolve(&pki, |b| b.add_root_certificate_pem(other.ca_pem())).await;
    let error = result.expect_err("a server certificate from a CA not trusted");
    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    assert!(transcript.requests.is_empty(), "{transcript:?}");
}

#[tokio::test]
#[allow(deprecated)]
async fn a_reqwest_certificate_is_refused_by_the_ring_stack_only() {
    let Some(pki) = Pki::generate() else { return };
    let certificate = reqwest::Certificate::from_pem(&pki.ca_pem()).expect("a certificate");
    if RING {
        let server = pki.server(&json_response("{}"));
        let error = builder(&server)
            .add_root_certificate(certificate)
            .build()
            .expect_err("opaque to the ring stack");
        assert!(
            matches!(
                error,
                Error::Config(ClientConfigError::OpaqueRootCertificate)
            ),
            "{error:?}"
        );
        assert!(
            error.to_string().contains("add_root_certificate_pem"),
            "{error}"
        );
    } else {
        // Where reqwest configures TLS itself, the deprecated method still works.
        let (result, transcript) = resolve(&pki, |b| b.add_root_certificate(certificate)).await;
        assert_reached(result, &transcript);
    }
    assert_no_process_provider();
}

#[test]
fn a_root_that_does_not_parse_is_a_configuration_error() {
    let build = |b: HumanosClientBuilder| {
        b.api_key("k")
            .signature_secret("s")
            .build()
            .expect_err("no usable root")
    };
    let no_pem = build(HumanosClient::builder().add_root_certificate_pem("not a certificate"));
    assert!(
        matches!(no_pem, Error::Config(ClientConfigError::RootCertificate(_))),
        "{no_pem:?}"
    );
    // DER that is not a certificate: refused when the client is built, by whichever layer
    // parses it first (this crate's or reqwest's).
    let bad_der = build(HumanosClient::builder().add_root_certificate_der([0x30, 0x03, 1, 2, 3]));
    assert!(matches!(bad_der, Error::Config(_)), "{bad_der:?}");
}

#[test]
fn the_platform_roots_are_trusted() {
    let Some(pki) = Pki::generate() else { return };
    let server = pki.server(&json_response(&did_document().to_string()));
    // rustls-platform-verifier (and OpenSSL) read the platform's roots from SSL_CERT_FILE when
    // it is set: in a child process, so that no other test sees it.
    run_test_in_child(
        "platform_roots_child",
        &[
            ("SSL_CERT_FILE", pki.ca_path().as_os_str()),
            ("HUMANOS_TLS_TEST_URL", server.url().as_ref()),
        ],
    );
    let transcript = server.stop();
    assert_eq!(transcript.requests.len(), 1, "{transcript:?}");
}

/// Run by [`the_platform_roots_are_trusted`] in a child process.
#[tokio::test]
#[ignore = "run by the_platform_roots_are_trusted, in a child process with SSL_CERT_FILE"]
async fn platform_roots_child() {
    let Ok(url) = std::env::var("HUMANOS_TLS_TEST_URL") else {
        return;
    };
    let client = HumanosClient::builder()
        .api_key("key_tls")
        .signature_secret("secret_tls")
        .base_url(url)
        .retry(RetryConfig::default().with_max_attempts(1))
        .build()
        .expect("client");
    let document = client
        .did()
        .resolve_as::<Value>("did:web:humanos.tech:org:0b3c5f0e-4d7e-4a43-9a0e-2f1d2c3b4a59")
        .await
        .expect("the call, trusting the platform roots of SSL_CERT_FILE");
    assert_eq!(document, did_document());
    assert_no_process_provider();
}
