//! The enum values the API description documents, read from `spec/` itself (not from the
//! generated models: an expectation independent of the code under test), and a walk that
//! checks every enum-typed member of an answer against them.
//!
//! Enum values come from two places of the description: the `enum_fields` table (schema ->
//! Python field name, the snake case of the wire name -> values) and enum schemas reached by
//! `$ref` (`EventType`, `CredentialStatus`, ...).

use std::sync::OnceLock;

use serde_json::Value;

/// The vendored API description.
pub fn spec() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../spec/humanos-api-2026-09-01.json"
        );
        serde_json::from_str(&std::fs::read_to_string(path).expect("read the spec"))
            .expect("the spec is JSON")
    })
}

/// The schema the description documents for the answer `status` of `method path` (a concrete
/// path: `{x}` segments of the templates match any segment). `None` when the endpoint or the
/// status is not documented, or documents no body.
pub fn answer_schema(method: &str, path: &str, status: u16) -> Option<String> {
    let path = path.split('?').next().unwrap_or(path);
    let concrete: Vec<&str> = path.split('/').collect();
    spec()["endpoints"]
        .as_array()?
        .iter()
        .filter(|e| e["http_method"].as_str() == Some(method))
        .filter(|e| {
            let template: Vec<&str> = e["path"].as_str().unwrap_or("").split('/').collect();
            template.len() == concrete.len()
                && template
                    .iter()
                    .zip(&concrete)
                    .all(|(t, c)| t == c || (t.starts_with('{') && t.ends_with('}')))
        })
        // A literal segment beats a template one (`/credential/verify` vs `/credential/{id}`).
        .max_by_key(|e| e["path"].as_str().unwrap_or("").matches('{').count() == 0)
        .and_then(|e| {
            e["responses"][status.to_string()]
                .as_str()
                .map(str::to_owned)
        })
}

/// The schema documenting the decrypted webhook event of `eventType` (the description's
/// `/_webhooks/*` endpoints).
pub fn event_schema(event_type: &str) -> Option<String> {
    let name = match event_type {
        "credential" => "CredentialEvent",
        "identity" => "IdentityEvent",
        "otp.failed" => "OtpFailedEvent",
        "test" => "TestEvent",
        _ => return None,
    };
    spec()["schemas"].get(name).map(|_| name.to_owned())
}

fn snake(wire: &str) -> String {
    let mut out = String::new();
    for c in wire.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn ref_name(r: &str) -> &str {
    r.rsplit('/').next().unwrap_or(r)
}

/// Every enum-typed member of `value` (an instance of schema `name`) that holds a value the
/// description does not list: `"<json path>: <value> is not one of [...] (<schema>.<member>)"`.
pub fn undocumented_values(name: &str, value: &Value) -> Vec<String> {
    let mut out = Vec::new();
    walk_named(name, value, "$", &mut out);
    out
}

fn walk_named(name: &str, value: &Value, at: &str, out: &mut Vec<String>) {
    let Some(schema) = spec()["schemas"].get(name) else {
        out.push(format!("{at}: schema {name} is not in the description"));
        return;
    };
    walk(schema, value, at, out);
    let Some(fields) = spec()["enum_fields"].get(name).and_then(Value::as_object) else {
        return;
    };
    let Some(obj) = value.as_object() else { return };
    for (wire, member) in obj {
        let Some(allowed) = fields.get(&snake(wire)).and_then(Value::as_array) else {
            continue;
        };
        if !member.is_null() && !allowed.contains(member) {
            out.push(format!(
                "{at}.{wire}: {member} is not one of {allowed:?} ({name}.{wire})"
            ));
        }
    }
}

fn walk(schema: &Value, value: &Value, at: &str, out: &mut Vec<String>) {
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array) {
        if !allowed.contains(value) {
            out.push(format!("{at}: {value} is not one of {allowed:?}"));
        }
        return;
    }
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        walk_named(ref_name(r), value, at, out);
        return;
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(branches) = schema.get(key).and_then(Value::as_array) {
            any_branch(branches, value, at, out);
            return;
        }
    }
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        for s in all {
            walk(s, value, at, out);
        }
        return;
    }
    match value {
        Value::Object(obj) => {
            let props = schema.get("properties").and_then(Value::as_object);
            for (k, v) in obj {
                match props.and_then(|p| p.get(k)) {
                    Some(s) => walk(s, v, &format!("{at}.{k}"), out),
                    None => {
                        if let Some(extra) =
                            schema.get("additionalProperties").filter(|a| a.is_object())
                        {
                            walk(extra, v, &format!("{at}.{k}"), out);
                        }
                    }
                }
            }
        }
        Value::Array(items) => {
            if let Some(item) = schema.get("items") {
                for (i, v) in items.iter().enumerate() {
                    walk(item, v, &format!("{at}[{i}]"), out);
                }
            }
        }
        _ => {}
    }
}

/// A value of an `anyOf` is documented when one branch takes it without an undocumented value
/// (`null` matches a `null` branch; a branch of another JSON type is no match).
fn any_branch(branches: &[Value], value: &Value, at: &str, out: &mut Vec<String>) {
    let mut best: Option<Vec<String>> = None;
    for b in branches {
        if !type_fits(b, value) {
            continue;
        }
        let mut errs = Vec::new();
        walk(b, value, at, &mut errs);
        if errs.is_empty() {
            return;
        }
        if best.as_ref().is_none_or(|e| errs.len() < e.len()) {
            best = Some(errs);
        }
    }
    if let Some(errs) = best {
        out.extend(errs);
    }
}

fn type_fits(schema: &Value, value: &Value) -> bool {
    let Some(t) = schema.get("type").and_then(Value::as_str) else {
        return true;
    };
    matches!(
        (t, value),
        ("null", Value::Null)
            | ("object", Value::Object(_))
            | ("array", Value::Array(_))
            | ("string", Value::String(_))
            | ("boolean", Value::Bool(_))
            | ("number" | "integer", Value::Number(_))
    )
}
