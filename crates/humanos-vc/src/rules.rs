//! Local pre-check of an action's CEL rules (`executionParams.amount <= userParams.maxAmount`,
//! `executionParams.category in userParams.allowedCategories`, …).
//!
//! Evaluation needs the default-on `cel` feature; without it every rule evaluates to
//! [`EvaluationResult::Error`].

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

/// Longest rule expression evaluated (longer ones are an `error` evaluation).
pub const MAX_RULE_LEN: usize = 4 * 1024;

/// One CEL rule of an action.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Rule {
    /// The name reported in evaluations (the expression itself when the action gives none).
    pub name: String,
    /// The CEL expression.
    pub expression: String,
}

impl Rule {
    /// A rule named after its expression.
    pub fn new(expression: impl Into<String>) -> Self {
        let expression = expression.into();
        Self {
            name: expression.clone(),
            expression,
        }
    }

    /// A named rule.
    pub fn named(name: impl Into<String>, expression: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            expression: expression.into(),
        }
    }

    /// Reads the `rules` of an action definition: an array of expressions, an array of
    /// objects (`expression` / `rule` / `expr` / `cel`, optional `name` / `id`), or an object
    /// mapping names to expressions. Entries of no known shape are skipped.
    pub fn parse_list(rules: &Value) -> Vec<Rule> {
        let from_obj = |name: Option<&str>, o: &Map<String, Value>| -> Option<Rule> {
            let expr = ["expression", "rule", "expr", "cel"]
                .iter()
                .find_map(|k| o.get(*k).and_then(Value::as_str))?;
            let name = name
                .or_else(|| o.get("name").and_then(Value::as_str))
                .or_else(|| o.get("id").and_then(Value::as_str))
                .unwrap_or(expr);
            Some(Rule::named(name, expr))
        };
        match rules {
            Value::Array(items) => items
                .iter()
                .filter_map(|v| match v {
                    Value::String(s) => Some(Rule::new(s.clone())),
                    Value::Object(o) => from_obj(None, o),
                    _ => None,
                })
                .collect(),
            Value::Object(map) => map
                .iter()
                .filter_map(|(k, v)| match v {
                    Value::String(s) => Some(Rule::named(k.clone(), s.clone())),
                    Value::Object(o) => from_obj(Some(k), o),
                    _ => None,
                })
                .collect(),
            Value::String(s) => vec![Rule::new(s.clone())],
            _ => Vec::new(),
        }
    }
}

/// Per-rule outcome (`VerifyEvaluationEntity.result`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EvaluationResult {
    /// `pass`.
    Pass,
    /// `fail`: the rule evaluated to `false`.
    Fail,
    /// `error`: the rule could not be evaluated (syntax, missing field, wrong type).
    Error,
    /// A value this version does not know.
    Unknown(String),
}

impl EvaluationResult {
    /// The wire string.
    pub fn as_str(&self) -> &str {
        match self {
            EvaluationResult::Pass => "pass",
            EvaluationResult::Fail => "fail",
            EvaluationResult::Error => "error",
            EvaluationResult::Unknown(s) => s,
        }
    }
}

impl Serialize for EvaluationResult {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for EvaluationResult {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match String::deserialize(d)?.as_str() {
            "pass" => EvaluationResult::Pass,
            "fail" => EvaluationResult::Fail,
            "error" => EvaluationResult::Error,
            other => EvaluationResult::Unknown(other.to_owned()),
        })
    }
}

/// One rule's evaluation, with the wire names of `VerifyEvaluationEntity`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct VerifyEvaluation {
    /// The rule name.
    pub rule: String,
    /// `pass`, `fail` or `error`.
    pub result: EvaluationResult,
    /// Failure or error explanation; omitted on pass.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl VerifyEvaluation {
    /// Whether the rule passed.
    pub fn passed(&self) -> bool {
        self.result == EvaluationResult::Pass
    }
}

/// The `userParams` of a mandate credential as CEL sees them: each
/// `{"description": …, "value": v}` wrapper (`WrappedUserParam`) replaced by `v`.
pub fn user_params_from_mandate(credential: &Value) -> Map<String, Value> {
    let params = credential
        .pointer("/credentialSubject/mandate/userParams")
        .and_then(Value::as_object);
    let mut out = Map::new();
    for (k, v) in params.into_iter().flatten() {
        let value = match v {
            Value::Object(o) if o.contains_key("value") => {
                o.get("value").cloned().unwrap_or(Value::Null)
            }
            other => other.clone(),
        };
        out.insert(k.clone(), value);
    }
    out
}

/// Evaluates every rule with `userParams` and `executionParams` bound, never panicking.
pub fn evaluate_rules(
    rules: &[Rule],
    user_params: &Map<String, Value>,
    execution_params: &Value,
) -> Vec<VerifyEvaluation> {
    rules
        .iter()
        .map(|r| evaluate_rule(r, user_params, execution_params))
        .collect()
}

fn error(rule: &Rule, reason: impl Into<String>) -> VerifyEvaluation {
    VerifyEvaluation {
        rule: rule.name.clone(),
        result: EvaluationResult::Error,
        reason: Some(reason.into()),
    }
}

#[cfg(not(feature = "cel"))]
fn evaluate_rule(rule: &Rule, _: &Map<String, Value>, _: &Value) -> VerifyEvaluation {
    error(
        rule,
        "CEL evaluation is not compiled in (enable the `cel` feature of humanos-vc)",
    )
}

#[cfg(feature = "cel")]
fn evaluate_rule(
    rule: &Rule,
    user_params: &Map<String, Value>,
    execution_params: &Value,
) -> VerifyEvaluation {
    if rule.expression.len() > MAX_RULE_LEN {
        return error(rule, format!("rule is longer than {MAX_RULE_LEN} bytes"));
    }
    if nesting_depth(&rule.expression) > 64 {
        return error(rule, "rule nests deeper than 64 levels");
    }
    let user = Value::Object(user_params.clone());
    // The cel crate is third-party code fed with agent-supplied values: contain any panic.
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let program = cel::Program::compile(&rule.expression)
            .map_err(|e| format!("rule does not compile: {e}"))?;
        let mut ctx = cel::Context::default();
        ctx.add_variable_from_value("userParams", to_cel(&user, 0));
        ctx.add_variable_from_value("executionParams", to_cel(execution_params, 0));
        program
            .execute(&ctx)
            .map_err(|e| format!("evaluation error: {e}"))
    }));
    match outcome {
        Ok(Ok(cel::Value::Bool(true))) => VerifyEvaluation {
            rule: rule.name.clone(),
            result: EvaluationResult::Pass,
            reason: None,
        },
        Ok(Ok(cel::Value::Bool(false))) => VerifyEvaluation {
            rule: rule.name.clone(),
            result: EvaluationResult::Fail,
            reason: Some("rule evaluated to false".into()),
        },
        Ok(Ok(other)) => error(
            rule,
            format!("rule evaluated to {:?}, not a boolean", other.type_of()),
        ),
        Ok(Err(msg)) => error(rule, msg),
        Err(_) => error(rule, "the CEL evaluator failed internally"),
    }
}

#[cfg(feature = "cel")]
fn nesting_depth(expr: &str) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    for c in expr.chars() {
        match c {
            '(' | '[' | '{' => {
                depth += 1;
                max = max.max(depth);
            }
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

/// JSON -> CEL with integral numbers as `int` (so `amount <= 10000` and
/// `amount <= userParams.maxAmount` compare like the API's evaluator), depth-limited.
#[cfg(feature = "cel")]
fn to_cel(v: &Value, depth: usize) -> cel::Value {
    use std::collections::HashMap;
    use std::sync::Arc;
    if depth > 32 {
        return cel::Value::Null;
    }
    match v {
        Value::Null => cel::Value::Null,
        Value::Bool(b) => cel::Value::Bool(*b),
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => cel::Value::Int(i),
            (None, Some(u)) => cel::Value::UInt(u),
            _ => cel::Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => cel::Value::String(Arc::new(s.clone())),
        Value::Array(a) => {
            cel::Value::List(Arc::new(a.iter().map(|x| to_cel(x, depth + 1)).collect()))
        }
        Value::Object(o) => {
            let m: HashMap<String, cel::Value> = o
                .iter()
                .map(|(k, x)| (k.clone(), to_cel(x, depth + 1)))
                .collect();
            cel::Value::from(m)
        }
    }
}
