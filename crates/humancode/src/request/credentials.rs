//! APP_ID and APP_KEY.

use std::fmt;

use humanos_signing::secrecy::{ExposeSecret, SecretString};

use crate::{Error, HumanCodeConfigError};

/// APP_ID and APP_KEY. The key is held as a [`SecretString`] and redacted in `Debug`.
#[derive(Clone)]
pub struct Credentials {
    app_id: String,
    app_key: SecretString,
}

impl Credentials {
    /// Checks that both are present and printable (no whitespace or control characters).
    pub fn new(app_id: impl Into<String>, app_key: impl Into<String>) -> Result<Self, Error> {
        let app_id = app_id.into();
        let app_key = SecretString::from(app_key.into());
        let printable = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_graphic());
        if !printable(&app_id) {
            return Err(HumanCodeConfigError::InvalidAppId.into());
        }
        if app_key.expose_secret().trim().is_empty() {
            return Err(HumanCodeConfigError::EmptyAppKey.into());
        }
        Ok(Credentials { app_id, app_key })
    }

    /// The APP_ID (public: it travels in every request URL).
    pub fn app_id(&self) -> &str {
        &self.app_id
    }

    /// The APP_KEY.
    pub fn app_key(&self) -> &SecretString {
        &self.app_key
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("app_id", &self.app_id)
            .field("app_key", &"[REDACTED]")
            .finish()
    }
}
