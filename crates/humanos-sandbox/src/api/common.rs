//! What the API handlers share: the state they take, body and query parsing, pagination.

use std::sync::Arc;

use axum::extract::State;
use serde::de::DeserializeOwned;
use serde_json::Number;

use crate::context::Context;
use crate::http::error::{ApiError, ApiResult};
use crate::util;

/// The sub-state the API handlers take.
pub(crate) type St = State<Arc<Context>>;

/// Parses a JSON body (empty = `{}`), answering 400 with the JSON path on failure.
pub(crate) fn body<T: DeserializeOwned>(bytes: &[u8]) -> ApiResult<T> {
    let bytes: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        bytes
    };
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de)
        .map_err(|e| ApiError::validation(vec![format!("{}: {}", e.path(), e.inner())]))
}

pub(crate) struct Query(pub(crate) Vec<(String, String)>);

impl Query {
    pub(crate) fn new(raw: Option<String>) -> Self {
        Self(util::parse_query(raw.as_deref()))
    }
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }
    pub(crate) fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name || k == &format!("{name}[]"))
            .flat_map(|(_, v)| v.split(',').map(str::to_owned).collect::<Vec<_>>())
            .filter(|v| !v.is_empty())
            .collect()
    }
    /// `(pageIndex, pageSize)`, validated like the API (0-based, size 5..=100, default 10).
    pub(crate) fn page(&self) -> ApiResult<(usize, usize)> {
        let mut errors = Vec::new();
        // Up to JavaScript's largest safe integer (the real server's numbers); `1e300` is an
        // integer to `parse::<f64>` but no page index.
        let index = match self.get("pageIndex").map(str::parse::<f64>) {
            None => 0,
            Some(Ok(i)) if (0.0..=MAX_SAFE_INTEGER).contains(&i) && i.fract() == 0.0 => i as usize,
            Some(_) => {
                errors.push("pageIndex must be a non-negative integer".to_owned());
                0
            }
        };
        let size = match self.get("pageSize").map(str::parse::<f64>) {
            None => 10,
            Some(Ok(s)) if (5.0..=100.0).contains(&s) && s.fract() == 0.0 => s as usize,
            Some(_) => {
                errors.push("pageSize must not be less than 5 and not greater than 100".to_owned());
                10
            }
        };
        if let Some(search) = self.get("search")
            && search.len() > 100
        {
            errors.push("search must be shorter than or equal to 100 characters".to_owned());
        }
        if errors.is_empty() {
            Ok((index, size))
        } else {
            Err(ApiError::validation(errors))
        }
    }
    pub(crate) fn active(&self) -> ApiResult<Option<bool>> {
        match self.get("active") {
            None => Ok(None),
            Some("true") => Ok(Some(true)),
            Some("false") => Ok(Some(false)),
            Some(_) => Err(ApiError::validation(vec![
                "active must be a boolean value".into(),
            ])),
        }
    }
}

/// `Number.MAX_SAFE_INTEGER`.
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

pub(crate) fn paginate<T>(items: Vec<T>, (index, size): (usize, usize)) -> (Vec<T>, Number) {
    let pages = items.len().div_ceil(size);
    let data = items
        .into_iter()
        .skip(index.saturating_mul(size))
        .take(size)
        .collect();
    (data, Number::from(pages as u64))
}

pub(crate) fn contains_ci(hay: &str, needle: &str) -> bool {
    hay.to_lowercase().contains(&needle.to_lowercase())
}
