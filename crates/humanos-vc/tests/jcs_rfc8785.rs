//! RFC 8785 examples against the JCS implementation used for eddsa-jcs-2022, and a comparison
//! with `serde_jcs` (the implementation this crate used before) on the W3C vectors' documents.

mod common;

use humanos_vc::jcs::canonicalize;
use serde_json::Value;

#[test]
fn section_3_2_2_combined_sample() {
    let input = r#"{
      "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
      "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
      "literals": [null, true, false]
    }"#;
    let v: Value = serde_json::from_str(input).unwrap();
    let out = canonicalize(&v).unwrap();
    assert_eq!(
        String::from_utf8(out.clone()).unwrap(),
        "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],\"string\":\"€$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}"
    );
    // The RFC also lists the UTF-8 bytes; spot-check the start, the euro sign and the end.
    assert_eq!(&out[..4], &[0x7b, 0x22, 0x6c, 0x69]);
    assert!(out.windows(3).any(|w| w == [0xe2, 0x82, 0xac]));
    assert_eq!(&out[out.len() - 3..], &[0x2f, 0x22, 0x7d]);
}

#[test]
fn section_3_2_3_sorting_by_utf16_code_units() {
    let input = r#"{
      "\u20ac": "Euro Sign",
      "\r": "Carriage Return",
      "\ufb33": "Hebrew Letter Dalet With Dagesh",
      "1": "One",
      "\ud83d\ude00": "Emoji: Grinning Face",
      "\u0080": "Control",
      "\u00f6": "Latin Small Letter O With Diaeresis"
    }"#;
    let v: Value = serde_json::from_str(input).unwrap();
    let out = String::from_utf8(canonicalize(&v).unwrap()).unwrap();
    assert_eq!(
        out,
        "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u{80}\":\"Control\",\"ö\":\"Latin Small Letter O With Diaeresis\",\"€\":\"Euro Sign\",\"😀\":\"Emoji: Grinning Face\",\"\u{fb33}\":\"Hebrew Letter Dalet With Dagesh\"}"
    );
}

#[test]
fn appendix_b_number_serialization() {
    let table = [
        ("0000000000000000", "0"),
        ("8000000000000000", "0"),
        ("0000000000000001", "5e-324"),
        ("8000000000000001", "-5e-324"),
        ("7fefffffffffffff", "1.7976931348623157e+308"),
        ("ffefffffffffffff", "-1.7976931348623157e+308"),
        ("4340000000000000", "9007199254740992"),
        ("c340000000000000", "-9007199254740992"),
        ("4430000000000000", "295147905179352830000"),
        ("44b52d02c7e14af5", "9.999999999999997e+22"),
        ("44b52d02c7e14af6", "1e+23"),
        ("44b52d02c7e14af7", "1.0000000000000001e+23"),
        ("444b1ae4d6e2ef4e", "999999999999999700000"),
        ("444b1ae4d6e2ef4f", "999999999999999900000"),
        ("444b1ae4d6e2ef50", "1e+21"),
        ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"),
        ("3eb0c6f7a0b5ed8d", "0.000001"),
        ("41b3de4355555553", "333333333.3333332"),
        ("41b3de4355555554", "333333333.33333325"),
        ("41b3de4355555555", "333333333.3333333"),
        ("41b3de4355555556", "333333333.3333334"),
        ("41b3de4355555557", "333333333.33333343"),
        ("becbf647612f3696", "-0.0000033333333333333333"),
        ("43143ff3c1cb0959", "1424953923781206.2"),
    ];
    for (bits, expected) in table {
        let f = f64::from_bits(u64::from_str_radix(bits, 16).unwrap());
        let out = String::from_utf8(canonicalize(&serde_json::json!(f)).unwrap()).unwrap();
        assert_eq!(out, expected, "0x{bits}");
        // The same number inside a parsed JSON document.
        let v: Value = serde_json::from_str(&format!("[{expected}]")).unwrap();
        assert_eq!(
            String::from_utf8(canonicalize(&v).unwrap()).unwrap(),
            format!("[{expected}]"),
            "0x{bits} via JSON"
        );
    }
}

#[test]
fn integers_are_written_as_ecmascript_numbers() {
    let v: Value = serde_json::from_str(r#"{"a":5000.0,"b":-0.0,"c":1e21,"d":100}"#).unwrap();
    assert_eq!(
        canonicalize(&v).unwrap(),
        br#"{"a":5000,"b":0,"c":1e+21,"d":100}"#
    );
}

/// Every JSON document of the W3C test vectors and a signed VP of this crate's fixtures,
/// canonicalized by both implementations, whole and at every nested value.
#[test]
fn same_bytes_as_serde_jcs() {
    let vectors = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors");
    let mut stack: Vec<Value> = ["editors-draft", "rec-b3"]
        .iter()
        .flat_map(|dir| std::fs::read_dir(format!("{vectors}/{dir}")).unwrap())
        .filter_map(|e| {
            let path = e.unwrap().path();
            (path.extension()? == "json")
                .then(|| serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap())
        })
        .collect();
    assert_eq!(stack.len(), 6, "the vectors' JSON files");
    stack.push(common::vp());
    let mut checked = 0;
    stack.push(serde_json::json!({"n": [9007199254740993_u64, -0.0, 1e-7, 123456789.125], "\u{1f600}": 1, "\u{fb33}": 2}));
    while let Some(v) = stack.pop() {
        assert_eq!(
            canonicalize(&v).unwrap(),
            serde_jcs::to_vec(&v).unwrap(),
            "{v}"
        );
        checked += 1;
        match v {
            Value::Object(map) => stack.extend(map.into_iter().map(|(_, v)| v)),
            Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    assert!(checked > 100, "{checked}");
}
