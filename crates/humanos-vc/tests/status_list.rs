//! Bitstring Status List decoding: bit order, encodings, size caps, a revoked bit.

mod common;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::*;
use humanos_vc::status::{Bitstring, StatusError};
use humanos_vc::{Reason, VerifyRequest};
use std::io::Write as _;

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

#[test]
fn index_zero_is_the_leftmost_bit() {
    let mut raw = vec![0u8; 16 * 1024];
    raw[0] = 0b1000_0001;
    raw[2] = 0b0010_0000;
    let encoded = format!("u{}", URL_SAFE_NO_PAD.encode(gzip(&raw)));
    let bits = Bitstring::decode(&encoded, 1 << 20).unwrap();
    assert_eq!(bits.len(), 131_072);
    assert_eq!(bits.get(0), Some(true));
    assert_eq!(bits.get(1), Some(false));
    assert_eq!(bits.get(7), Some(true));
    assert_eq!(bits.get(18), Some(true));
    assert_eq!(bits.get(131_071), Some(false));
    assert_eq!(bits.get(131_072), None);
    // StatusList2021 style: base64url without the multibase prefix.
    let bare = URL_SAFE_NO_PAD.encode(gzip(&raw));
    assert_eq!(Bitstring::decode(&bare, 1 << 20).unwrap(), bits);
}

#[test]
fn encode_decode_round_trip() {
    let mut bits = Bitstring::zeros(131_072);
    for i in [0, 5, 94_567, 131_071] {
        assert!(bits.set(i, true));
    }
    assert!(!bits.set(131_072, true));
    let encoded = bits.encode();
    assert!(encoded.starts_with("uH4sI"), "{encoded}");
    let back = Bitstring::decode(&encoded, 1 << 20).unwrap();
    assert_eq!(back, bits);
    assert_eq!(back.get(94_567), Some(true));
    assert_eq!(back.get(94_566), Some(false));
}

#[test]
fn a_gzip_bomb_is_capped() {
    // 64 MiB of zeros compress to ~64 KiB.
    let bomb = gzip(&vec![0u8; 64 * 1024 * 1024]);
    assert!(bomb.len() < 200 * 1024);
    let encoded = format!("u{}", URL_SAFE_NO_PAD.encode(bomb));
    assert_eq!(
        Bitstring::decode(&encoded, 2 * 1024 * 1024),
        Err(StatusError::TooLarge(2 * 1024 * 1024))
    );
    // And the verifier refuses such a list with its configured cap.
    let list = status_list("revocation", &[], &issuer());
    let v = verifier().max_status_list_bytes(1024);
    assert_eq!(
        v.verify_status_list(&list, &keys()).unwrap_err().reason,
        Reason::StatusUnavailable
    );
}

#[test]
fn garbage_is_an_error() {
    for bad in [
        "",
        "u",
        "!!!",
        "uH4sI",
        "H4sIAAAA",
        "u////",
        &"A".repeat(5 * 1024 * 1024),
    ] {
        assert!(
            Bitstring::decode(bad, 1 << 20).is_err(),
            "{}",
            &bad[..bad.len().min(10)]
        );
    }
    let not_gzip = format!("u{}", URL_SAFE_NO_PAD.encode(b"plain bytes"));
    assert_eq!(
        Bitstring::decode(&not_gzip, 1 << 20),
        Err(StatusError::NotGzip)
    );
}

#[test]
fn a_revoked_bit_in_a_real_status_list_denies() {
    // A full 16 KiB list (the spec's minimum), signed by the issuer, a few bits set.
    let list = status_list("revocation", &[3, 94_567, 100_000], &issuer());
    assert!(
        list["credentialSubject"]["encodedList"]
            .as_str()
            .unwrap()
            .starts_with("uH4sI")
    );
    let verified = verifier().verify_status_list(&list, &keys()).unwrap();
    assert_eq!(verified.bits.len(), 131_072);
    assert_eq!(verified.bits.get(STATUS_INDEX), Some(true));
    let f = verifier()
        .verify_presentation_with(&vp(), &keys(), &VerifyRequest::new().status_list(verified))
        .unwrap_err();
    assert_eq!(f.reason, Reason::CredentialRevoked);
    assert_eq!(f.to_deny_response(true)["reason"], "credential_revoked");
}

#[test]
fn an_index_outside_the_list_is_unavailable_not_valid() {
    let mut unsigned = mandate_unsigned();
    unsigned["credentialStatus"]["statusListIndex"] = "999999999".into();
    let vp = vp_of(vec![sign_mandate(&unsigned)], &holder(), None, None);
    let list = verifier()
        .verify_status_list(&status_list("revocation", &[], &issuer()), &keys())
        .unwrap();
    let f = verifier()
        .verify_presentation_with(&vp, &keys(), &VerifyRequest::new().status_list(list))
        .unwrap_err();
    assert_eq!(f.reason, Reason::StatusUnavailable);
}
