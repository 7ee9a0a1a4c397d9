//! The TLS stack of the client the builder makes (features `rustls`, `rustls-aws-lc`,
//! `native-tls`; see the crate docs, "TLS").
//!
//! With `rustls` alone (the default) reqwest is built with `rustls-no-provider`: it has no
//! crypto provider of its own and would panic at `Client::build` unless the process had
//! installed one. This crate does not install one (that would change every other rustls user of
//! the process); it hands reqwest a finished `rustls::ClientConfig` instead, built as reqwest's
//! own `rustls` feature builds it: the provider the process installed if there is one, else
//! ring's (passed, not installed); TLS 1.2 and 1.3; the platform's roots through
//! rustls-platform-verifier, with the builder's extra roots; ALPN `h2` (feature `http2`) and
//! `http/1.1`. reqwest then ignores its own root and ALPN settings, so the extra roots are
//! given here as bytes: a `reqwest::Certificate` cannot be read back.
//!
//! With `rustls-aws-lc` or `native-tls`, reqwest configures TLS itself, as before.

use crate::error::ClientConfigError;

/// A root certificate given to the builder, as it was given.
pub(crate) enum ExtraRoot {
    /// A `reqwest::Certificate` (the deprecated `add_root_certificate`): opaque, usable only
    /// where reqwest configures TLS itself.
    #[cfg_attr(
        all(
            feature = "rustls",
            not(feature = "rustls-aws-lc"),
            not(feature = "native-tls")
        ),
        allow(dead_code)
    )]
    Reqwest(reqwest::Certificate),
    /// One certificate, DER.
    Der(Vec<u8>),
    /// One or more certificates, PEM.
    Pem(Vec<u8>),
}

fn unusable(e: impl std::fmt::Display) -> ClientConfigError {
    ClientConfigError::RootCertificate(e.to_string())
}

const NO_PEM_CERTIFICATE: &str = "the PEM text holds no CERTIFICATE block";

/// The rustls configuration of the built-in client with ring (feature `rustls` without
/// `rustls-aws-lc` or `native-tls`).
#[cfg(all(
    feature = "rustls",
    not(feature = "rustls-aws-lc"),
    not(feature = "native-tls")
))]
pub(crate) fn ring_config(
    roots: Vec<ExtraRoot>,
    http2: bool,
) -> Result<rustls::ClientConfig, ClientConfigError> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    use std::sync::Arc;

    let mut extra = Vec::new();
    for root in roots {
        match root {
            ExtraRoot::Reqwest(_) => return Err(ClientConfigError::OpaqueRootCertificate),
            ExtraRoot::Der(der) => extra.push(CertificateDer::from(der)),
            ExtraRoot::Pem(pem) => {
                let before = extra.len();
                for cert in CertificateDer::pem_slice_iter(&pem) {
                    extra.push(cert.map_err(unusable)?);
                }
                if extra.len() == before {
                    return Err(unusable(NO_PEM_CERTIFICATE));
                }
            }
        }
    }
    // The provider the application installed for the process, if any (as reqwest does), else
    // ring's, passed to this configuration only.
    let provider = rustls::crypto::CryptoProvider::get_default()
        .cloned()
        .unwrap_or_else(|| Arc::new(rustls::crypto::ring::default_provider()));
    let verifier = platform_verifier(extra, provider.clone())?;
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(rustls::ALL_VERSIONS)
        .map_err(|e| ClientConfigError::HttpClient(format!("TLS versions: {e}")))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    config.alpn_protocols = if http2 {
        vec![b"h2".to_vec(), b"http/1.1".to_vec()]
    } else {
        vec![b"http/1.1".to_vec()]
    };
    Ok(config)
}

/// The platform's verifier (its root store, revocation where the platform checks it) with
/// `extra` roots, as reqwest's `rustls` feature makes it.
#[cfg(all(
    feature = "rustls",
    not(feature = "rustls-aws-lc"),
    not(feature = "native-tls")
))]
fn platform_verifier(
    extra: Vec<rustls::pki_types::CertificateDer<'static>>,
    provider: std::sync::Arc<rustls::crypto::CryptoProvider>,
) -> Result<rustls_platform_verifier::Verifier, ClientConfigError> {
    let platform = |e: rustls::Error| ClientConfigError::HttpClient(format!("TLS roots: {e}"));
    if extra.is_empty() {
        return rustls_platform_verifier::Verifier::new(provider).map_err(platform);
    }
    #[cfg(not(target_os = "android"))]
    {
        rustls_platform_verifier::Verifier::new_with_extra_roots(extra, provider).map_err(unusable)
    }
    #[cfg(target_os = "android")]
    {
        Err(unusable(
            "extra roots are not supported by the Android platform verifier",
        ))
    }
}

/// The roots as `reqwest::Certificate`s, where reqwest configures TLS itself (`rustls-aws-lc`,
/// `native-tls`).
#[cfg(any(feature = "rustls-aws-lc", feature = "native-tls"))]
pub(crate) fn reqwest_roots(
    roots: Vec<ExtraRoot>,
) -> Result<Vec<reqwest::Certificate>, ClientConfigError> {
    let mut certs = Vec::with_capacity(roots.len());
    for root in roots {
        match root {
            ExtraRoot::Reqwest(cert) => certs.push(cert),
            ExtraRoot::Der(der) => {
                certs.push(reqwest::Certificate::from_der(&der).map_err(unusable)?)
            }
            ExtraRoot::Pem(pem) => {
                let bundle = reqwest::Certificate::from_pem_bundle(&pem).map_err(unusable)?;
                if bundle.is_empty() {
                    return Err(unusable(NO_PEM_CERTIFICATE));
                }
                certs.extend(bundle);
            }
        }
    }
    Ok(certs)
}
