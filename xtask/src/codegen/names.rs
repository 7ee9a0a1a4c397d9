//! Rust names from wire names (fields, parameters, enum variants, renamed types), and string
//! literals.

use crate::config;

/// Schema name -> Rust type name, after [`config::TYPE_RENAMES`].
pub(super) fn rename_type(schema: &str) -> String {
    config::TYPE_RENAMES
        .iter()
        .find(|(s, _)| *s == schema)
        .map_or_else(|| schema.to_owned(), |(_, r)| (*r).to_owned())
}

/// Wire name -> Rust field name: `digestSRI` -> `digest_sri`, `authorizedDIDs` -> `authorized_dids`,
/// `@context` -> `context`, `type` -> `r#type`.
pub(super) fn snake_rust(wire: &str) -> String {
    let chars: Vec<char> = wire.trim_start_matches('@').chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            let prev = chars[i - 1];
            let next = chars.get(i + 1).copied();
            let plural_s =
                next == Some('s') && chars.get(i + 2).is_none_or(|c| c.is_ascii_uppercase());
            let starts_word = prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase()
                    && next.is_some_and(|n| n.is_ascii_lowercase())
                    && !plural_s);
            if starts_word && !out.ends_with('_') {
                out.push('_');
            }
        }
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    if is_keyword(&out) {
        format!("r#{out}")
    } else {
        out
    }
}

/// Parameter / method name for a field: `r#type` -> `type_`.
pub(super) fn param_name(rust: &str) -> String {
    match rust.strip_prefix("r#") {
        Some(k) => format!("{k}_"),
        None => rust.to_owned(),
    }
}

/// The Python SDK's field name (`enum_fields` keys): `eventType` -> `event_type`.
pub(super) fn snake_python(name: &str) -> String {
    let mut out = String::new();
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            if prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase() && next_lower)
            {
                out.push('_');
            }
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

fn is_keyword(s: &str) -> bool {
    const KEYWORDS: &[&str] = &[
        "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum",
        "extern", "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod",
        "move", "mut", "pub", "ref", "return", "static", "struct", "super", "trait", "true",
        "type", "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final",
        "macro", "override", "priv", "try", "typeof", "unsized", "virtual", "yield",
    ];
    KEYWORDS.contains(&s)
}

/// Enum value -> variant: `HUMANOS_KYC` -> `HumanosKyc`, `otp.failed` -> `OtpFailed`,
/// `eddsa-jcs-2022` -> `EddsaJcs2022`, `assertionMethod` -> `AssertionMethod`, `0.2` -> `V0_2`.
pub(super) fn variant_name(wire: &str) -> String {
    let mut words: Vec<String> = Vec::new();
    for part in wire
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|p| !p.is_empty())
    {
        let all_upper = !part.chars().any(|c| c.is_ascii_lowercase());
        if all_upper {
            words.push(part.to_ascii_lowercase());
        } else {
            for w in snake_python(part).split('_') {
                words.push(w.to_owned());
            }
        }
    }
    let mut out = String::new();
    for (i, w) in words.iter().enumerate() {
        let digit_run = w.chars().all(|c| c.is_ascii_digit());
        if digit_run && i > 0 && words[i - 1].chars().all(|c| c.is_ascii_digit()) {
            out.push('_');
        }
        let mut cs = w.chars();
        if let Some(f) = cs.next() {
            out.push(f.to_ascii_uppercase());
            out.extend(cs);
        }
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        format!("V{out}")
    } else {
        out
    }
}

pub(super) fn rust_str(s: &str) -> String {
    format!("{s:?}")
}
