//! Bodies, signatures, nonces and envelopes.

use humanos_signing::FixedClock;

use super::{AppSigner, Credentials, NonceSource, RandomNonce};
use crate::{BaseUrl, Error, ErrorCode};

fn signer() -> AppSigner {
    AppSigner::new(Credentials::new("a_8dcee8bb7963e46c", "k").unwrap())
        .with_clock(FixedClock(1706096769589))
        .with_nonce_source(|| "ibuaiVcKdpRxkhJA".to_owned())
}

#[test]
fn bodies_are_compact_in_documented_order_and_signed_as_sent() {
    let s = signer();
    let v = s.vcode_request("sid", "879453").unwrap();
    assert_eq!(
        v.body(),
        br#"{"session_id":"sid","vcode":"879453","timestamp":"1706096769589","nonce_str":"ibuaiVcKdpRxkhJA"}"#
    );
    assert!(humanos_signing::app_signature::verify(b"k", v.body(), v.sign().as_bytes()).is_ok());
    let sh = s.show_id_request("u_1").unwrap();
    assert_eq!(
        sh.body(),
        br#"{"timestamp":"1706096769589","nonce_str":"ibuaiVcKdpRxkhJA","human_id":"u_1"}"#
    );
    assert_eq!(
        sh.url(&BaseUrl::default()),
        format!(
            "https://humancodeai.com/api/vcode/v2/get_show_id?app_id=a_8dcee8bb7963e46c&sign={}",
            sh.sign()
        )
    );
}

#[test]
fn random_nonces_are_16_alphanumerics_and_differ() {
    let a = RandomNonce.nonce_str();
    let b = RandomNonce.nonce_str();
    assert_eq!(a.len(), 16);
    assert!(a.bytes().all(|c| c.is_ascii_alphanumeric()));
    assert_ne!(a, b);
}

#[test]
fn bad_inputs_are_refused_before_signing() {
    let s = signer();
    assert!(matches!(
        s.vcode_request("sid", "error"),
        Err(Error::InvalidInput { field: "vcode", .. })
    ));
    assert!(matches!(
        s.vcode_request("s\"id", "1"),
        Err(Error::InvalidInput {
            field: "session_id",
            ..
        })
    ));
    let bad_nonce = signer().with_nonce_source(|| "short".to_owned());
    assert!(matches!(bad_nonce.session_request(), Err(Error::Config(_))));
    assert!(Credentials::new("", "k").is_err());
    assert!(Credentials::new("a b", "k").is_err());
    assert!(Credentials::new("a", " ").is_err());
}

#[test]
fn debug_redacts_the_key() {
    let c = Credentials::new("app", "super-secret-key").unwrap();
    let dbg = format!("{:?} {:?}", c, AppSigner::new(c.clone()));
    assert!(!dbg.contains("super-secret-key"));
    assert!(dbg.contains("REDACTED"));
}

#[test]
fn decode_envelopes() {
    let s = signer();
    let r = s.show_id_request("u_1").unwrap();
    let ok = r
        .decode(
            200,
            br#"{"code":0,"msg":"ok","result":{"show_id":"H123","create_time":1700}}"#,
        )
        .unwrap();
    assert_eq!(ok.show_id, "H123");
    assert_eq!(ok.create_time.as_deref(), Some("1700"));
    let err = r
        .decode(200, br#"{"code":10020,"msg":"invalid vcode","result":{}}"#)
        .unwrap_err();
    assert!(
        matches!(err, Error::Api { code: ErrorCode::InvalidVcodeOrHumanId, ref msg } if msg == "invalid vcode")
    );
    let unknown = r.decode(200, br#"{"code":777}"#).unwrap_err();
    assert_eq!(unknown.code(), Some(ErrorCode::Unknown(777)));
    assert!(matches!(
        r.decode(200, b"<html>"),
        Err(Error::Decode { .. })
    ));
    assert!(matches!(
        r.decode(200, br#"{"code":0,"result":{}}"#),
        Err(Error::Decode { .. })
    ));
    assert!(matches!(
        r.decode(200, br#"{"code":0}"#),
        Err(Error::Decode { .. })
    ));
    assert!(matches!(
        r.decode(502, b"bad gateway"),
        Err(Error::Http { status: 502, .. })
    ));
    let v = s.vcode_request("sid", "1").unwrap();
    assert!(matches!(
        v.decode(200, br#"{"code":0,"result":{"human_id":"x y"}}"#),
        Err(Error::Decode { .. })
    ));
}
