//! Query strings and path segments.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Serialize;
use serde_json::Value;

use crate::Error;
use crate::error::ClientConfigError;

/// Everything but RFC 3986 unreserved characters is escaped in a path segment, `:` and `/`
/// included (a DID such as `did:web:humanos.tech:org:1` travels as one segment).
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// One path segment, percent-encoded.
pub(crate) fn segment(value: &str) -> String {
    utf8_percent_encode(value, SEGMENT).to_string()
}

/// The `(wire name, value)` pairs of a query type of the models crate.
///
/// Members are taken in declaration order with their wire names; `None` members are absent;
/// arrays repeat the key (`types=FORM&types=JSON`), which the API reads as "a single value or
/// an array"; booleans are `true` / `false`; numbers are written as JSON writes them.
pub(crate) fn pairs<Q: Serialize + ?Sized>(query: &Q) -> Result<Vec<(String, String)>, Error> {
    let value = serde_json::to_value(query).map_err(|e| ClientConfigError::Query(e.to_string()))?;
    let mut out = Vec::new();
    match value {
        Value::Object(members) => {
            for (name, value) in members {
                push(&mut out, &name, value);
            }
        }
        Value::Null => {}
        _ => {
            return Err(
                ClientConfigError::Query("a query must be a struct or a map".into()).into(),
            );
        }
    }
    Ok(out)
}

fn push(out: &mut Vec<(String, String)>, name: &str, value: Value) {
    match value {
        Value::Null => {}
        Value::String(s) => out.push((name.to_owned(), s)),
        Value::Bool(b) => out.push((name.to_owned(), b.to_string())),
        Value::Number(n) => out.push((name.to_owned(), n.to_string())),
        Value::Array(items) => {
            for item in items {
                push(out, name, item);
            }
        }
        object @ Value::Object(_) => out.push((name.to_owned(), object.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use humanos_models::{RequestQuery, ResourceQuery, ResourceType, SecurityLevel};

    #[test]
    fn wire_names_and_repeated_arrays() {
        let q = ResourceQuery::new()
            .page_index(2)
            .active(false)
            .types(vec![ResourceType::Form, ResourceType::Json])
            .internal_id("crm-1");
        assert_eq!(
            pairs(&q).unwrap(),
            [
                ("pageIndex", "2"),
                ("active", "false"),
                ("types", "FORM"),
                ("types", "JSON"),
                ("internalId", "crm-1"),
            ]
            .map(|(a, b)| (a.to_owned(), b.to_owned()))
        );
        let q = RequestQuery::new()
            .security_level(vec![SecurityLevel::Contact])
            .date_from("2026-01-01");
        assert_eq!(pairs(&q).unwrap().len(), 2);
        assert!(pairs(&RequestQuery::new()).unwrap().is_empty());
    }

    #[test]
    fn segments_escape_did_separators() {
        assert_eq!(
            segment("did:web:humanos.tech:org:1/x y"),
            "did%3Aweb%3Ahumanos.tech%3Aorg%3A1%2Fx%20y"
        );
        assert_eq!(
            segment("urn:via:credential:ab-1"),
            "urn%3Avia%3Acredential%3Aab-1"
        );
    }
}
