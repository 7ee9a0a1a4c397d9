//! Decoding an answer never makes an error bigger than the bounds: serde quotes the value it
//! refused (`invalid type: string "…"`), so a huge value in the envelope or the `result` must
//! not reach the message whole (found by the `humancode_response` fuzz target, issue 15).

use humancode::{AppSigner, Credentials, Error, SNIPPET_MAX_CHARS};
use humanos_signing::FixedClock;

#[test]
fn a_huge_refused_value_is_not_quoted_whole() {
    let signer = AppSigner::new(Credentials::new("a_1", "key").unwrap())
        .with_clock(FixedClock(1_767_225_600_000));
    let huge = "x".repeat(100_000);
    for body in [
        format!(r#"{{"code":"{huge}"}}"#),
        format!(r#"{{"code":0,"msg":"ok","result":"{huge}"}}"#),
        format!(r#"{{"code":0,"msg":"ok","result":{{"session_id":["{huge}"]}}}}"#),
    ] {
        let err = signer
            .session_request()
            .unwrap()
            .decode(200, body.as_bytes())
            .unwrap_err();
        assert!(matches!(err, Error::Decode { .. }), "{err:?}");
        let text = err.to_string();
        // The body snippet and the reason: each at most SNIPPET_MAX_CHARS characters.
        assert!(
            text.chars().count() <= 2 * SNIPPET_MAX_CHARS + 128,
            "{} chars",
            text.chars().count()
        );
    }
}
