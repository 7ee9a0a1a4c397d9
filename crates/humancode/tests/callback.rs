//! The callback parser: every code of the HumanCode table, unknown codes, hostile query strings.

use humancode::{Callback, CallbackError, CallbackOutcome, ErrorCode, MAX_CALLBACK_QUERY_LEN};

const SID: &str = "df20ea9666d3401780332e4aa26a460e";

fn parse(vcode: &str, code: &str) -> Result<Callback, CallbackError> {
    Callback::from_query(&format!("session_id={SID}&vcode={vcode}&error_code={code}"))
}

/// The whole table of the seed: code -> what the callback parser must make of it.
#[test]
fn every_code_of_the_table() {
    let table = seed_table();
    // The table covers every known code, once.
    let mut listed: Vec<i64> = table.iter().map(|(c, _)| *c).collect();
    let mut known: Vec<i64> = ErrorCode::KNOWN.iter().map(|c| c.code()).collect();
    listed.sort_unstable();
    known.sort_unstable();
    assert_eq!(listed, known);

    for (code, expected) in table {
        let vcode = if expected.vcode().is_some() {
            "413675"
        } else {
            "error"
        };
        let callback = parse(vcode, &code.to_string()).unwrap();
        assert_eq!(callback.session_id, SID);
        assert_eq!(callback.outcome, expected, "code {code}");
        assert_eq!(callback.outcome.code().code(), code);

        let code_obj = ErrorCode::from_code(code);
        if code_obj.carries_vcode() {
            // A success code without a usable vcode is refused, never turned into a success.
            for bad in ["error", "", "41 675", "%00", &"9".repeat(65)] {
                assert_eq!(
                    parse(bad, &code.to_string()),
                    Err(CallbackError::InvalidVcode { code: code_obj }),
                    "code {code} vcode {bad:?}"
                );
            }
            assert_eq!(
                Callback::from_query(&format!("session_id={SID}&error_code={code}")),
                Err(CallbackError::InvalidVcode { code: code_obj })
            );
        } else {
            // A failure stays a failure whatever the vcode says, even a plausible one.
            assert_eq!(
                parse("413675", &code.to_string()).unwrap().outcome,
                CallbackOutcome::Failed(code_obj)
            );
            assert_eq!(
                Callback::from_query(&format!("session_id={SID}&error_code={code}"))
                    .unwrap()
                    .outcome,
                CallbackOutcome::Failed(code_obj)
            );
        }
    }
}

/// The seed's table of callback codes and their outcomes.
fn seed_table() -> [(i64, CallbackOutcome); 16] {
    use CallbackOutcome::*;
    [
        (0, Failed(ErrorCode::Ok)),
        (
            11,
            Registered {
                vcode: "413675".into(),
                already: true,
            },
        ),
        (
            12,
            Registered {
                vcode: "413675".into(),
                already: false,
            },
        ),
        (13, Failed(ErrorCode::RegistrationFailed)),
        (
            20,
            Verified {
                vcode: "413675".into(),
            },
        ),
        (10001, Failed(ErrorCode::SignatureFailed)),
        (10002, Failed(ErrorCode::WrongAppId)),
        (10005, Failed(ErrorCode::ServerError)),
        (10006, Failed(ErrorCode::InvalidParameters)),
        (10010, Failed(ErrorCode::SessionNotFound)),
        (10011, Failed(ErrorCode::Expired)),
        (10012, Failed(ErrorCode::SessionClosed)),
        (10020, Failed(ErrorCode::InvalidVcodeOrHumanId)),
        (10021, Failed(ErrorCode::VerificationFailed)),
        (10030, Failed(ErrorCode::WebviewNotSupported)),
        (10040, Failed(ErrorCode::SpoofDetected)),
    ]
}

#[test]
fn unknown_codes_are_kept_as_failures() {
    for code in [
        1_i64,
        10,
        14,
        21,
        10000,
        10003,
        10041,
        99_999,
        -1,
        -10011,
        i64::MAX,
        i64::MIN + 1,
    ] {
        let callback = parse("413675", &code.to_string()).unwrap();
        assert_eq!(
            callback.outcome,
            CallbackOutcome::Failed(ErrorCode::Unknown(code))
        );
        assert_eq!(callback.outcome.code().code(), code);
        assert_eq!(callback.outcome.vcode(), None);
    }
}

#[test]
fn missing_parameters() {
    let cases = [
        ("", CallbackError::Missing("error_code")),
        ("?", CallbackError::Missing("error_code")),
        ("&&&", CallbackError::Missing("error_code")),
        ("=", CallbackError::Missing("error_code")),
        (
            &*format!("session_id={SID}&vcode=1"),
            CallbackError::Missing("error_code"),
        ),
        (
            "vcode=413675&error_code=12",
            CallbackError::Missing("session_id"),
        ),
        (
            "vcode=error&error_code=10011",
            CallbackError::Missing("session_id"),
        ),
        (
            &*format!("session_id={SID}&error_code="),
            CallbackError::InvalidErrorCode,
        ),
        (
            &*format!("session_id={SID}&error_code"),
            CallbackError::InvalidErrorCode,
        ),
        (
            "session_id=&vcode=1&error_code=20",
            CallbackError::InvalidSessionId,
        ),
    ];
    for (query, expected) in cases {
        assert_eq!(Callback::from_query(query), Err(expected), "{query:?}");
    }
}

#[test]
fn duplicate_parameters_are_refused() {
    let cases = [
        (
            format!("session_id={SID}&session_id=evil&vcode=1&error_code=12"),
            "session_id",
        ),
        (
            format!("session_id={SID}&vcode=1&vcode=2&error_code=12"),
            "vcode",
        ),
        (
            format!("session_id={SID}&vcode=1&error_code=12&error_code=20"),
            "error_code",
        ),
        // The same name, percent-encoded, is the same parameter.
        (
            format!("session_id={SID}&vcode=1&error_code=12&error%5Fcode=10040"),
            "error_code",
        ),
        (
            format!("session_id={SID}&vcode=error&error_code=10040&error_code=12"),
            "error_code",
        ),
    ];
    for (query, name) in cases {
        assert_eq!(
            Callback::from_query(&query),
            Err(CallbackError::Duplicate(name)),
            "{query}"
        );
    }
}

#[test]
fn malformed_error_codes() {
    for code in [
        "twelve",
        "12abc",
        "1e3",
        "+12",
        " 12",
        "12 ",
        "0x14",
        "12.0",
        "--1",
        "-",
        "%31%32%00",
        "99999999999999999999",
        "١٢",
        "%FF",
    ] {
        let result = parse("413675", code);
        assert!(
            matches!(
                result,
                Err(CallbackError::InvalidErrorCode | CallbackError::InvalidEncoding(_))
            ),
            "{code:?}: {result:?}"
        );
    }
    // Percent-encoded digits are digits.
    assert_eq!(
        parse("413675", "%31%32").unwrap().outcome.code(),
        ErrorCode::PalmRegistered
    );
}

#[test]
fn percent_garbage() {
    let cases = [
        format!("session_id={SID}%ff&vcode=1&error_code=12"),
        format!("session_id={SID}&vcode=%C3%28&error_code=12"),
        format!("session_id={SID}&vcode=1&error_code=%E2%82"),
    ];
    for query in &cases {
        assert!(
            matches!(
                Callback::from_query(query),
                Err(CallbackError::InvalidEncoding(_))
            ),
            "{query}"
        );
    }
    // Invalid escapes stay literal and then fail the value checks.
    for (query, expected) in [
        (
            format!("session_id=%zz{SID}&vcode=1&error_code=12"),
            CallbackError::InvalidSessionId,
        ),
        (
            format!("session_id={SID}&vcode=%%&error_code=12"),
            CallbackError::InvalidVcode {
                code: ErrorCode::PalmRegistered,
            },
        ),
        (
            format!("session_id={SID}%00&vcode=1&error_code=12"),
            CallbackError::InvalidSessionId,
        ),
        (
            format!("session_id={SID}%26vcode%3D1&error_code=12"),
            CallbackError::InvalidSessionId,
        ),
        (
            "session_id=<script>&vcode=1&error_code=12".to_owned(),
            CallbackError::InvalidSessionId,
        ),
        (
            format!("session_id={SID}&vcode=1+2&error_code=12"),
            CallbackError::InvalidVcode {
                code: ErrorCode::PalmRegistered,
            },
        ),
    ] {
        assert_eq!(Callback::from_query(&query), Err(expected), "{query}");
    }
    // An undecodable unknown parameter name is ignored like any unknown parameter.
    assert!(Callback::from_query(&format!("%ff=1&session_id={SID}&vcode=1&error_code=12")).is_ok());
}

#[test]
fn huge_values() {
    let long = "a".repeat(MAX_CALLBACK_QUERY_LEN);
    let query = format!("session_id={long}&vcode=1&error_code=12");
    assert_eq!(
        Callback::from_query(&query),
        Err(CallbackError::TooLong { len: query.len() })
    );
    let query = format!("session_id={}&vcode=1&error_code=12", "a".repeat(200));
    assert_eq!(
        Callback::from_query(&query),
        Err(CallbackError::InvalidSessionId)
    );
    let query = format!("session_id={SID}&vcode={}&error_code=20", "1".repeat(100));
    assert_eq!(
        Callback::from_query(&query),
        Err(CallbackError::InvalidVcode {
            code: ErrorCode::VerificationSucceeded
        })
    );
    let query = format!("session_id={SID}&vcode=1&error_code={}", "1".repeat(400));
    assert_eq!(
        Callback::from_query(&query),
        Err(CallbackError::InvalidErrorCode)
    );
    let many = "x=1&".repeat(1100);
    assert!(matches!(
        Callback::from_query(&format!("{many}session_id={SID}&vcode=1&error_code=12")),
        Err(CallbackError::TooLong { .. })
    ));
}

#[test]
fn full_urls_and_fragments() {
    let callback = Callback::from_url(&format!(
        "https://app.example.com/cb?session_id={SID}&vcode=413675&error_code=20#frag"
    ))
    .unwrap();
    assert_eq!(
        callback.outcome,
        CallbackOutcome::Verified {
            vcode: "413675".into()
        }
    );
    assert_eq!(
        Callback::from_url("https://app.example.com/cb"),
        Err(CallbackError::Missing("error_code"))
    );
}

#[test]
fn errors_read_well() {
    assert_eq!(
        CallbackError::InvalidVcode {
            code: ErrorCode::PalmRegistered
        }
        .to_string(),
        "callback reports 12 (new palm registered (a valid vcode is returned)) but carries no valid vcode"
    );
    assert_eq!(
        CallbackError::Duplicate("vcode").to_string(),
        "callback parameter `vcode` appears more than once"
    );
}

/// Random queries built from hostile pieces: the parser answers, never panics.
#[test]
fn never_panics_on_random_queries() {
    let pieces = [
        "session_id=",
        SID,
        "&",
        "=",
        "vcode=",
        "error",
        "413675",
        "error_code=",
        "12",
        "20",
        "10011",
        "-",
        "%",
        "%2",
        "%ff",
        "%C3",
        "%26",
        "%3D",
        "+",
        "?",
        "#",
        "\u{0}",
        "é",
        "😀",
        "99999999999999999999",
        "session%5Fid=",
        "&&",
        "a",
    ];
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut accepted = 0;
    for _ in 0..20_000 {
        let len = (next() % 12) as usize;
        let query: String = (0..len)
            .map(|_| pieces[(next() % pieces.len() as u64) as usize])
            .collect();
        if let Ok(callback) = Callback::from_query(&query) {
            accepted += 1;
            assert!(!callback.session_id.is_empty());
            if let Some(vcode) = callback.outcome.vcode() {
                assert_ne!(vcode, "error");
                assert!(callback.outcome.code().carries_vcode());
            }
        }
    }
    assert!(accepted < 20_000);
}
