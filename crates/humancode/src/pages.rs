//! The HumanCode base URL, callback URLs and the REGISTRATION / VERIFICATION page URLs.

use std::fmt;
use std::str::FromStr;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use url::Url;

use crate::{Error, HumanCodeBaseUrlProblem, HumanCodeConfigError, validate};

/// The production HumanCode host.
pub const DEFAULT_BASE_URL: &str = "https://humancodeai.com";
/// Path of the REGISTRATION page (first palm scan of a user).
pub const REGISTRATION_PATH: &str = "/registration/index.html";
/// Path of the VERIFICATION page (a known human_id scans again).
pub const VERIFICATION_PATH: &str = "/verification/index.html";

/// What JavaScript's `encodeURIComponent` leaves alone: `A-Z a-z 0-9 - _ . ! ~ * ' ( )`.
const URI_COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'!')
    .remove(b'~')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

/// Percent-encodes `value` exactly as JavaScript's `encodeURIComponent` does.
///
/// ```
/// assert_eq!(
///     humancode::encode_uri_component("https://example.com/cb path?x=ä"),
///     "https%3A%2F%2Fexample.com%2Fcb%20path%3Fx%3D%C3%A4"
/// );
/// assert_eq!(humancode::encode_uri_component("-_.!~*'()"), "-_.!~*'()");
/// ```
pub fn encode_uri_component(value: &str) -> String {
    utf8_percent_encode(value, URI_COMPONENT).to_string()
}

/// The root of a HumanCode deployment: `https://humancodeai.com` or an emulator.
///
/// An absolute `http` or `https` URL with a host, without query string, fragment or user
/// info; a path prefix is kept (`http://127.0.0.1:8080/humancode`).
#[derive(Clone, PartialEq, Eq)]
pub struct BaseUrl {
    /// Serialized without a trailing slash.
    root: String,
}

impl BaseUrl {
    /// Validates a base URL.
    pub fn parse(value: &str) -> Result<Self, Error> {
        let url = Url::parse(value.trim()).map_err(|e| {
            HumanCodeConfigError::BaseUrl(HumanCodeBaseUrlProblem::NotAbsolute(e.to_string()))
        })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(HumanCodeConfigError::BaseUrl(HumanCodeBaseUrlProblem::Scheme).into());
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(HumanCodeConfigError::BaseUrl(HumanCodeBaseUrlProblem::NoHost).into());
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(
                HumanCodeConfigError::BaseUrl(HumanCodeBaseUrlProblem::QueryOrFragment).into(),
            );
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(HumanCodeConfigError::BaseUrl(HumanCodeBaseUrlProblem::Credentials).into());
        }
        Ok(BaseUrl {
            root: url.as_str().trim_end_matches('/').to_owned(),
        })
    }

    /// The URL without a trailing slash.
    pub fn as_str(&self) -> &str {
        &self.root
    }

    /// `path` (starting with `/`) appended to the base.
    pub fn join(&self, path: &str) -> String {
        format!("{}{}", self.root, path)
    }
}

impl Default for BaseUrl {
    fn default() -> Self {
        BaseUrl {
            root: DEFAULT_BASE_URL.to_owned(),
        }
    }
}

impl FromStr for BaseUrl {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        BaseUrl::parse(s)
    }
}

impl fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.root)
    }
}

impl fmt::Debug for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("BaseUrl").field(&self.root).finish()
    }
}

/// A callback URL HumanCode accepts: absolute, `http` or `https`, with a host, no user info,
/// no query string and no fragment (HumanCode appends its own query string).
///
/// The URL is normalized as a browser would (`https://Example.com` becomes
/// `https://example.com/`).
///
/// ```
/// use humancode::CallbackUrl;
/// assert!(CallbackUrl::parse("https://app.example.com/humancode/callback").is_ok());
/// assert!(CallbackUrl::parse("https://app.example.com/cb?next=/").is_err());
/// assert!(CallbackUrl::parse("javascript:alert(1)").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackUrl(Url);

impl CallbackUrl {
    /// Validates a callback URL.
    pub fn parse(value: &str) -> Result<Self, Error> {
        let url = Url::parse(value.trim())
            .map_err(|e| Error::InvalidCallbackUrl(format!("not an absolute URL: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Error::InvalidCallbackUrl(
                "the protocol must be http or https".into(),
            ));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(Error::InvalidCallbackUrl("no host".into()));
        }
        if url.query().is_some() {
            return Err(Error::InvalidCallbackUrl(
                "must not include a query string: HumanCode appends its own parameters".into(),
            ));
        }
        if url.fragment().is_some() {
            return Err(Error::InvalidCallbackUrl(
                "must not include a fragment".into(),
            ));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(Error::InvalidCallbackUrl(
                "must not include credentials".into(),
            ));
        }
        Ok(CallbackUrl(url))
    }

    /// The normalized URL.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The parsed URL.
    pub fn as_url(&self) -> &Url {
        &self.0
    }
}

impl FromStr for CallbackUrl {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        CallbackUrl::parse(s)
    }
}

impl fmt::Display for CallbackUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_str())
    }
}

/// The REGISTRATION page URL: `{base}/registration/index.html?session_id=…&callback_url=…&ts=…`.
///
/// `callback_url` is encoded as `encodeURIComponent` does and `ts` (Unix milliseconds) comes
/// last, as HumanCode requires. The result is a string, byte for byte what to redirect to.
///
/// ```
/// use humancode::{BaseUrl, CallbackUrl, registration_url};
/// let url = registration_url(
///     &BaseUrl::default(),
///     "df20ea9666d3401780332e4aa26a460e",
///     &CallbackUrl::parse("https://app.example.com/cb")?,
///     1716259499345,
/// )?;
/// assert_eq!(
///     url,
///     "https://humancodeai.com/registration/index.html?session_id=df20ea9666d3401780332e4aa26a460e\
///      &callback_url=https%3A%2F%2Fapp.example.com%2Fcb&ts=1716259499345"
/// );
/// # Ok::<(), humancode::Error>(())
/// ```
pub fn registration_url(
    base: &BaseUrl,
    session_id: &str,
    callback_url: &CallbackUrl,
    ts_ms: u64,
) -> Result<String, Error> {
    validate::session_id(session_id)?;
    Ok(format!(
        "{}?session_id={}&callback_url={}&ts={ts_ms}",
        base.join(REGISTRATION_PATH),
        encode_uri_component(session_id),
        encode_uri_component(callback_url.as_str()),
    ))
}

/// The VERIFICATION page URL:
/// `{base}/verification/index.html?session_id=…&callback_url=…&human_id=…&ts=…`.
///
/// ```
/// use humancode::{BaseUrl, CallbackUrl, verification_url};
/// let url = verification_url(
///     &BaseUrl::parse("http://127.0.0.1:8080")?,
///     "df20ea9666d3401780332e4aa26a460e",
///     &CallbackUrl::parse("http://127.0.0.1:3000/callback")?,
///     "u_a31cad3531f08787a0f00d973882418f",
///     1716259499345,
/// )?;
/// assert!(url.starts_with("http://127.0.0.1:8080/verification/index.html?session_id="));
/// assert!(url.ends_with("&human_id=u_a31cad3531f08787a0f00d973882418f&ts=1716259499345"));
/// # Ok::<(), humancode::Error>(())
/// ```
pub fn verification_url(
    base: &BaseUrl,
    session_id: &str,
    callback_url: &CallbackUrl,
    human_id: &str,
    ts_ms: u64,
) -> Result<String, Error> {
    validate::session_id(session_id)?;
    validate::human_id(human_id)?;
    Ok(format!(
        "{}?session_id={}&callback_url={}&human_id={}&ts={ts_ms}",
        base.join(VERIFICATION_PATH),
        encode_uri_component(session_id),
        encode_uri_component(callback_url.as_str()),
        encode_uri_component(human_id),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_uri_component_matches_javascript() {
        // Expected values from `encodeURIComponent` in a JavaScript engine.
        let cases = [
            (
                "https://your_call_back_url",
                "https%3A%2F%2Fyour_call_back_url",
            ),
            ("a b+c&d=e/f?g#h", "a%20b%2Bc%26d%3De%2Ff%3Fg%23h"),
            ("~!*'()-_.", "~!*'()-_."),
            ("@:;,$[]", "%40%3A%3B%2C%24%5B%5D"),
            ("é€😀", "%C3%A9%E2%82%AC%F0%9F%98%80"),
            ("%41", "%2541"),
        ];
        for (input, expected) in cases {
            assert_eq!(encode_uri_component(input), expected, "{input}");
        }
    }

    #[test]
    fn callback_url_rules() {
        for bad in [
            "your_call_back_url",
            "/relative",
            "ftp://example.com/cb",
            "javascript:alert(1)",
            "data:text/html,x",
            "https://example.com/cb?a=1",
            "https://example.com/cb?",
            "https://example.com/cb#frag",
            "https://user:pw@example.com/cb",
            "file:///etc/passwd",
            "",
        ] {
            assert!(
                matches!(CallbackUrl::parse(bad), Err(Error::InvalidCallbackUrl(_))),
                "{bad}"
            );
        }
        assert_eq!(
            CallbackUrl::parse("HTTPS://Example.COM").unwrap().as_str(),
            "https://example.com/"
        );
        assert_eq!(
            CallbackUrl::parse("http://127.0.0.1:3000/humancode/callback")
                .unwrap()
                .as_str(),
            "http://127.0.0.1:3000/humancode/callback"
        );
    }

    #[test]
    fn base_url_rules() {
        assert_eq!(BaseUrl::default().as_str(), DEFAULT_BASE_URL);
        assert_eq!(
            BaseUrl::parse("https://humancodeai.com/").unwrap(),
            BaseUrl::default()
        );
        assert_eq!(
            BaseUrl::parse("http://127.0.0.1:9/prefix/")
                .unwrap()
                .join("/x"),
            "http://127.0.0.1:9/prefix/x"
        );
        for bad in [
            "",
            "humancodeai.com",
            "ftp://h",
            "https://h/?q",
            "https://h/#f",
            "https://u:p@h",
        ] {
            assert!(
                matches!(BaseUrl::parse(bad), Err(Error::Config(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn page_urls_put_ts_last_and_encode_the_callback() {
        let base = BaseUrl::default();
        let cb = CallbackUrl::parse("https://app.example.com/a b/cb").unwrap();
        let reg = registration_url(&base, "sid", &cb, 5).unwrap();
        assert_eq!(
            reg,
            "https://humancodeai.com/registration/index.html?session_id=sid\
             &callback_url=https%3A%2F%2Fapp.example.com%2Fa%2520b%2Fcb&ts=5"
        );
        let ver = verification_url(&base, "sid", &cb, "u_1", 6).unwrap();
        assert!(ver.starts_with("https://humancodeai.com/verification/index.html?session_id=sid&"));
        assert!(ver.ends_with("&human_id=u_1&ts=6"));
        assert!(registration_url(&base, "s&x=1", &cb, 5).is_err());
        assert!(verification_url(&base, "sid", &cb, "u 1", 5).is_err());
    }
}
