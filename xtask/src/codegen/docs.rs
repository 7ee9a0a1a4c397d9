//! Rustdoc text: docs from the API description (or from `config` where it has none), turned into
//! Markdown that rustdoc reads as written, and wrapped as `///` lines.

use std::fmt::Write as _;

use serde_json::Value;

use super::names::snake_python;
use crate::config;
use crate::layout;

pub(super) fn enum_doc(name: &str, schema: &Value) -> String {
    let d = schema["description"].as_str().unwrap_or_default();
    if !d.is_empty() && d != name {
        return spec_prose(d);
    }
    config::ENUM_DOCS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, d)| (*d).to_owned())
        .unwrap_or_default()
}

pub(super) fn type_doc(name: &str, schema: &Value) -> String {
    if let Some((_, d)) = config::TYPE_DOCS.iter().find(|(n, _)| *n == name) {
        return (*d).to_owned();
    }
    let d = schema["description"].as_str().unwrap_or_default();
    if !d.is_empty() && d != name {
        return spec_prose(d);
    }
    format!("`{name}` schema of the API description.")
}

fn matches_pattern(pattern: &str, name: &str) -> bool {
    match pattern.strip_prefix('*') {
        Some(suffix) => name.ends_with(suffix),
        None => pattern == name,
    }
}

pub(super) fn field_doc(schema: &str, wire: &str, description: &str) -> String {
    if !description.trim().is_empty() {
        return spec_prose(description);
    }
    if let Some((_, _, d)) = config::FIELD_DOCS
        .iter()
        .find(|(s, w, _)| *w == wire && matches_pattern(s, schema))
    {
        return (*d).to_owned();
    }
    // Fall back to the wire name in words: `maxAttestationStaleness` -> "Max attestation staleness".
    let words = snake_python(wire.trim_start_matches('@')).replace('_', " ");
    let mut cs = words.chars();
    let sentence = cs
        .next()
        .map(|f| f.to_ascii_uppercase().to_string() + cs.as_str())
        .unwrap_or_default();
    format!("{sentence} (`{wire}`).")
}

/// Whether a description says the member can be `null`: the word "null" or "nullable" in any
/// case ("Null when none are bounded.", "`null` means unlimited", "null-valued at the root").
pub(super) fn documents_null(description: &str) -> bool {
    description
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| w.eq_ignore_ascii_case("null") || w.eq_ignore_ascii_case("nullable"))
}

pub(super) fn first_sentence(doc: &str) -> String {
    let flat = doc.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut in_code = false;
    let mut end = flat.len();
    let bytes: Vec<char> = flat.chars().collect();
    let mut idx = 0;
    for (i, c) in bytes.iter().enumerate() {
        if *c == '`' {
            in_code = !in_code;
        }
        if !in_code && *c == '.' && bytes.get(i + 1).is_none_or(|n| *n == ' ') {
            end = idx + 1;
            break;
        }
        idx += c.len_utf8();
    }
    let mut s = flat[..end.min(flat.len())].to_owned();
    if !s.ends_with('.') {
        s.push('.');
    }
    s
}

/// Renders doc text as `///` lines (paragraphs separated by blank lines), wrapped at 100 columns.
pub(super) fn doc_comment(text: &str, indent: &str) -> String {
    let width = layout::MAX_WIDTH.saturating_sub(indent.len() + 4).max(40);
    let mut out = String::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            let _ = writeln!(out, "{indent}///");
            continue;
        }
        // Continuation lines of a list item are indented so they stay in the item.
        let cont = if line.starts_with("- ") {
            "  "
        } else if let Some((n, _)) = line
            .split_once(". ")
            .filter(|(n, _)| n.chars().all(|c| c.is_ascii_digit()))
        {
            &"      "[..n.len() + 2]
        } else {
            ""
        };
        let mut current = String::new();
        for word in line.split_whitespace() {
            if !current.is_empty() && current.len() + 1 + word.len() > width {
                let _ = writeln!(out, "{indent}/// {current}");
                current = cont.to_owned();
            } else if !current.is_empty() && current != cont {
                current.push(' ');
            }
            current.push_str(word);
        }
        let _ = writeln!(out, "{indent}/// {current}");
    }
    out
}

/// Prose from the API description as Markdown: escapes what rustdoc would read as links or HTML,
/// and turns the description's "  - item" / "  1. item" runs into list items on their own lines.
fn spec_prose(text: &str) -> String {
    let chunks: Vec<&str> = text
        .split("  ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    let mut lines: Vec<String> = Vec::new();
    for chunk in chunks {
        let numbered = chunk
            .split_once(". ")
            .is_some_and(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
        let is_item = chunk.starts_with("- ") || numbered;
        match lines.last_mut() {
            Some(last) if !is_item => {
                last.push(' ');
                last.push_str(chunk);
            }
            _ => lines.push(chunk.to_owned()),
        }
    }
    lines
        .iter()
        .map(|l| escape_markdown(l))
        .collect::<Vec<_>>()
        .join("\n")
}

fn escape_markdown(line: &str) -> String {
    let mut out = String::new();
    let mut in_code = false;
    let ticks = line.matches('`').count();
    for c in line.chars() {
        if c == '`' && ticks.is_multiple_of(2) {
            in_code = !in_code;
        }
        if !in_code && matches!(c, '[' | ']' | '<' | '>' | '*') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
