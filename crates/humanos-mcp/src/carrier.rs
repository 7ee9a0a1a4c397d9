//! Where a tool call names its mandate: the request's `_meta` member `"humanos/mandate"` (any
//! transport), or the `Humanos-Mandate` header of the HTTP request that carried it (Streamable
//! HTTP only).

use rmcp::RoleServer;
use rmcp::service::RequestContext;
use serde_json::Value;

/// The `_meta` member of a `tools/call` request that names the mandate:
/// `{"_meta": {"humanos/mandate": "urn:via:credential:<uuid>"}}`. Works over every transport.
pub const MANDATE_META: &str = "humanos/mandate";

/// The `_meta` member of a result in which the gate hands back the mandate it used when the
/// call did not name one (one approved from inside the session): store it and send it next
/// time. Same key as [`MANDATE_META`].
pub const MANDATE_RESULT_META: &str = MANDATE_META;

/// Why the mandate a call names cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CarrierError {
    /// `_meta["humanos/mandate"]` is not a non-empty string.
    #[error("`_meta.\"humanos/mandate\"` must be a mandate id (a non-empty string)")]
    MalformedMeta,
    /// The `Humanos-Mandate` header is repeated, empty or not UTF-8.
    #[error("send one Humanos-Mandate header with the mandate id")]
    MalformedHeader,
    /// `_meta` and the header name two different mandates.
    #[error("the call names two different mandates (`_meta` and the Humanos-Mandate header)")]
    Conflicting,
}

/// The mandate id a call names, if any.
pub(crate) fn carried_mandate(
    context: &RequestContext<RoleServer>,
) -> Result<Option<String>, CarrierError> {
    let meta = match context.meta.get(MANDATE_META) {
        None | Some(Value::Null) => None,
        Some(Value::String(id)) if !id.trim().is_empty() => Some(id.trim().to_owned()),
        Some(_) => return Err(CarrierError::MalformedMeta),
    };
    let header = header_mandate(context)?;
    match (meta, header) {
        (Some(m), Some(h)) if m != h => Err(CarrierError::Conflicting),
        (Some(m), _) => Ok(Some(m)),
        (None, h) => Ok(h),
    }
}

#[cfg(feature = "http")]
fn header_mandate(context: &RequestContext<RoleServer>) -> Result<Option<String>, CarrierError> {
    let Some(parts) = context.extensions.get::<http::request::Parts>() else {
        return Ok(None);
    };
    let mut values = parts
        .headers
        .get_all(humanos::enforce::MANDATE_HEADER)
        .iter();
    let (Some(value), None) = (values.next(), values.next()) else {
        return if parts.headers.contains_key(humanos::enforce::MANDATE_HEADER) {
            Err(CarrierError::MalformedHeader)
        } else {
            Ok(None)
        };
    };
    match value.to_str().map(str::trim) {
        Ok(id) if !id.is_empty() => Ok(Some(id.to_owned())),
        _ => Err(CarrierError::MalformedHeader),
    }
}

#[cfg(not(feature = "http"))]
fn header_mandate(_: &RequestContext<RoleServer>) -> Result<Option<String>, CarrierError> {
    Ok(None)
}
