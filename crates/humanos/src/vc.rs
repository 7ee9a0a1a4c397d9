//! Local verification (feature `vc`): DID resolution through the API and a verifier that
//! trusts Humanos' issuer.

use humanos_vc::Verifier;
use humanos_vc::did::{DidDocument, DidResolver, ResolveError, ResolveFuture};

use crate::{Error, HumanosClient};

/// Resolves DIDs through `GET /did/resolve/{did}` (signed, retried like any `GET`), so that
/// `humanos_vc` can check mandate and presentation proofs locally. Wrap it in
/// `humanos_vc::did::CachingResolver` to avoid one call per verification.
///
/// A `404` is [`ResolveError::NotFound`], a document for another DID is
/// [`ResolveError::InvalidDocument`]; every other failure is [`ResolveError::Transport`] with
/// the client error's message (never a secret).
///
/// ```no_run
/// # async fn run(client: humanos::HumanosClient) -> Result<(), Box<dyn std::error::Error>> {
/// use humanos_vc::did::DidResolver;
///
/// let document = client.resolve("did:web:humanos.tech:org:7d0c6f1e").await?;
/// # let _ = document; Ok(()) }
/// ```
impl DidResolver for HumanosClient {
    fn resolve<'a>(&'a self, did: &'a str) -> ResolveFuture<'a> {
        Box::pin(async move {
            let json = self
                .did()
                .resolve_as::<serde_json::Value>(did)
                .await
                .map_err(|e| match e {
                    Error::Api { status: 404, .. } => ResolveError::NotFound(did.to_owned()),
                    other => ResolveError::Transport(other.to_string()),
                })?;
            let document = DidDocument::from_json(json)?;
            if document.id != did {
                return Err(ResolveError::InvalidDocument(format!(
                    "asked for `{did}`, the API answered the document of `{}`",
                    document.id
                )));
            }
            Ok(document)
        })
    }
}

/// The DID Humanos issues mandates with: the `issuer` that [`HumanosClient::verifier`]
/// trusts (the same `did:web:humanos.id` that webhook events carry as `issuerDid`).
pub const HUMANOS_ISSUER_DID: &str = "did:web:humanos.id";

impl HumanosClient {
    /// A local [`Verifier`] with the secure defaults that trusts Humanos' issuer
    /// ([`HUMANOS_ISSUER_DID`]) and no other: holder binding is on and a credential whose
    /// status list cannot be had is denied. Add another issuer you rely on (the local
    /// sandbox's, say) with [`Verifier::trust_issuer`]; pass this client as the
    /// [`DidResolver`] of [`Verifier::verify_presentation`].
    ///
    /// ```no_run
    /// # async fn run(client: humanos::HumanosClient, vp: serde_json::Value) {
    /// use humanos_vc::VerifyRequest;
    ///
    /// let verifier = client.verifier();
    /// let verdict = verifier.verify_presentation(&vp, &client, &VerifyRequest::new()).await;
    /// # let _ = verdict; }
    /// ```
    pub fn verifier(&self) -> Verifier {
        Verifier::new().trusted_issuers([HUMANOS_ISSUER_DID])
    }
}
