//! Building and signing the body of each API call.

use std::fmt;
use std::sync::Arc;

use humanos_signing::secrecy::ExposeSecret;
use humanos_signing::{Clock, SystemClock, wire_json};
use rand::distr::{Alphanumeric, SampleString};
use serde::Serialize;

use super::{Api, Credentials, HumanId, NONCE_LEN, Session, ShowId, SignedRequest};
use crate::{Error, HumanCodeConfigError, validate};

/// A source of `nonce_str` values: 16 ASCII letters or digits, fresh for every request.
///
/// Any `Fn() -> String` closure is a nonce source, for deterministic tests.
pub trait NonceSource: Send + Sync {
    /// A new nonce.
    fn nonce_str(&self) -> String;
}

/// 16 random alphanumerics from the thread-local CSPRNG.
#[derive(Debug, Clone, Copy, Default)]
pub struct RandomNonce;

impl NonceSource for RandomNonce {
    fn nonce_str(&self) -> String {
        Alphanumeric.sample_string(&mut rand::rng(), NONCE_LEN)
    }
}

impl<F> NonceSource for F
where
    F: Fn() -> String + Send + Sync,
{
    fn nonce_str(&self) -> String {
        self()
    }
}

/// Builds and signs HumanCode request bodies. Cheap to clone.
#[derive(Clone)]
pub struct AppSigner {
    credentials: Credentials,
    clock: Arc<dyn Clock>,
    nonce: Arc<dyn NonceSource>,
}

impl fmt::Debug for AppSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppSigner")
            .field("credentials", &self.credentials)
            .finish_non_exhaustive()
    }
}

#[derive(Serialize)]
struct SessionBody<'a> {
    timestamp: &'a str,
    nonce_str: &'a str,
}

#[derive(Serialize)]
struct VcodeBody<'a> {
    session_id: &'a str,
    vcode: &'a str,
    timestamp: &'a str,
    nonce_str: &'a str,
}

#[derive(Serialize)]
struct ShowIdBody<'a> {
    timestamp: &'a str,
    nonce_str: &'a str,
    human_id: &'a str,
}

impl AppSigner {
    /// A signer on the system clock with random nonces.
    pub fn new(credentials: Credentials) -> Self {
        AppSigner {
            credentials,
            clock: Arc::new(SystemClock),
            nonce: Arc::new(RandomNonce),
        }
    }

    /// Uses `clock` for the `timestamp` of bodies and the `ts` of page URLs.
    pub fn with_clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Uses a shared clock.
    pub fn with_shared_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Uses `nonce` for `nonce_str`; it must produce 16 ASCII letters or digits.
    pub fn with_nonce_source(mut self, nonce: impl NonceSource + 'static) -> Self {
        self.nonce = Arc::new(nonce);
        self
    }

    /// The credentials.
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// The clock.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    fn stamp(&self) -> Result<(u64, String), Error> {
        let nonce = self.nonce.nonce_str();
        if nonce.len() != NONCE_LEN || !nonce.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(HumanCodeConfigError::InvalidNonce.into());
        }
        Ok((self.clock.now_unix_ms(), nonce))
    }

    fn finish<T>(&self, api: Api, timestamp_ms: u64, body: Vec<u8>) -> SignedRequest<T> {
        let sign = humanos_signing::app_signature::sign(
            self.credentials.app_key().expose_secret().as_bytes(),
            &body,
        );
        SignedRequest::new(
            api,
            self.credentials.app_id().to_owned(),
            body,
            sign,
            timestamp_ms,
        )
    }

    /// SESSION_ID API: `{"timestamp","nonce_str"}`.
    pub fn session_request(&self) -> Result<SignedRequest<Session>, Error> {
        let (ts, nonce) = self.stamp()?;
        let timestamp = ts.to_string();
        let body = wire_json::to_vec(&SessionBody {
            timestamp: &timestamp,
            nonce_str: &nonce,
        })?;
        Ok(self.finish(Api::GetSessionId, ts, body))
    }

    /// VCODE API: `{"session_id","vcode","timestamp","nonce_str"}`.
    pub fn vcode_request(
        &self,
        session_id: &str,
        vcode: &str,
    ) -> Result<SignedRequest<HumanId>, Error> {
        validate::session_id(session_id)?;
        validate::vcode(vcode)?;
        let (ts, nonce) = self.stamp()?;
        let timestamp = ts.to_string();
        let body = wire_json::to_vec(&VcodeBody {
            session_id,
            vcode,
            timestamp: &timestamp,
            nonce_str: &nonce,
        })?;
        Ok(self.finish(Api::VerifyVcode, ts, body))
    }

    /// get_show_id API: `{"timestamp","nonce_str","human_id"}`.
    pub fn show_id_request(&self, human_id: &str) -> Result<SignedRequest<ShowId>, Error> {
        validate::human_id(human_id)?;
        let (ts, nonce) = self.stamp()?;
        let timestamp = ts.to_string();
        let body = wire_json::to_vec(&ShowIdBody {
            timestamp: &timestamp,
            nonce_str: &nonce,
            human_id,
        })?;
        Ok(self.finish(Api::GetShowId, ts, body))
    }
}
