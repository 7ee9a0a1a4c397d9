//! Local pre-check of an action's CEL rules (`executionParams.amount <= userParams.maxAmount`,
//! `executionParams.category in userParams.allowedCategories`, …).
//!
//! Evaluation needs the default-on `cel` feature; without it every rule evaluates to
//! [`EvaluationResult::Error`].

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

/// Longest rule expression evaluated (longer ones are an `error` evaluation).
pub const MAX_RULE_LEN: usize = 4 * 1024;

/// Deepest rule evaluated, as estimated by [`nesting_estimate`]: deeper ones are an `error`
/// evaluation. The `cel` crate parses and evaluates recursively, and a stack overflow aborts
/// the process (it cannot be caught): 64 chained additions (`1+1+…`) or indexes (`[1][0]…`),
/// or 13 nested parentheses, already overflow a 2 MiB thread stack in a debug build. Real rules
/// use a handful of operators (`executionParams.amount <= userParams.maxAmount` counts 4).
pub const MAX_RULE_DEPTH: usize = 40;

/// The stack the `cel` crate parses on, whatever the caller's thread has, and evaluates on when
/// the caller's stack is short. The depth estimate bounds well-formed rules, but the parser's
/// error recovery on malformed text recurses further: the `cel_rules` fuzz target found a
/// 188-byte rule estimated at 39 that needs between 3 and 4 MiB to compile in a debug build
/// (`fuzz/seeds/cel_rules/error_recovery_depth`), more than a tokio worker's 2 MiB. Twice that;
/// untouched pages cost nothing.
#[cfg(feature = "cel")]
const CEL_STACK_BYTES: usize = 8 * 1024 * 1024;

/// The stack left on the caller's thread under which a compiled rule is evaluated on a
/// [`CEL_STACK_BYTES`] stack of its own instead. The deepest rules the estimate accepts needed
/// under 1.6 MiB to evaluate in a debug build and under 128 KiB in a release build (measured
/// on 2026-12-03 with each shape of `tests/rules.rs` on threads of decreasing size); a fresh
/// stack costs about 8 µs, so an optimized build evaluates in place when 512 KiB are left.
#[cfg(feature = "cel")]
const EXECUTE_RED_ZONE_BYTES: usize = if cfg!(debug_assertions) {
    2 * 1024 * 1024
} else {
    512 * 1024
};

/// One CEL rule of an action.
///
/// The expression is compiled on its first evaluation and the program kept with the rule (and
/// its clones), so a rule list kept per action, as in a reused
/// [`RuleCheck`](crate::RuleCheck), is parsed once, not on every verification.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Rule {
    /// The name reported in evaluations (the expression itself when the action gives none).
    pub name: String,
    /// The CEL expression.
    pub expression: String,
    compiled: CompiledCache,
}

impl Rule {
    /// A rule named after its expression.
    pub fn new(expression: impl Into<String>) -> Self {
        let expression = expression.into();
        Self {
            name: expression.clone(),
            expression,
            compiled: CompiledCache::default(),
        }
    }

    /// A named rule.
    pub fn named(name: impl Into<String>, expression: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            expression: expression.into(),
            compiled: CompiledCache::default(),
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

/// The compiled program of a rule, filled on first use and shared by the rule's clones (also
/// by clones taken before the first use: a verifier may evaluate a copy). It remembers the
/// expression it was compiled from: `expression` is a public field, and a program for an
/// edited expression must not be reused.
#[derive(Clone, Default)]
struct CompiledCache {
    #[cfg(feature = "cel")]
    cell: std::sync::Arc<std::sync::OnceLock<(String, Compiled)>>,
}

#[cfg(feature = "cel")]
type Compiled = Result<cel::Program, String>;

impl std::fmt::Debug for CompiledCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("..")
    }
}

/// A cache never makes two rules different.
impl PartialEq for CompiledCache {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for CompiledCache {}

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
///
/// The parameters are converted to CEL values once for all the rules; each rule's program is
/// compiled on its first evaluation and reused afterwards (see [`Rule`]).
pub fn evaluate_rules(
    rules: &[Rule],
    user_params: &Map<String, Value>,
    execution_params: &Value,
) -> Vec<VerifyEvaluation> {
    #[cfg(feature = "cel")]
    {
        thread_local! {
            // The standard library environment, built once per thread (building it is most
            // of the cost of a fresh context); each call binds its variables in a child scope.
            static STDLIB: cel::Context<'static, 'static> = cel::Context::default();
        }
        STDLIB.with(|stdlib| {
            let mut ctx = stdlib.new_inner_scope();
            ctx.add_variable_from_value("userParams", object_to_cel(user_params, 0));
            ctx.add_variable_from_value("executionParams", to_cel(execution_params, 0));
            rules.iter().map(|r| evaluate_rule(r, &ctx)).collect()
        })
    }
    #[cfg(not(feature = "cel"))]
    {
        let _ = (user_params, execution_params);
        rules
            .iter()
            .map(|r| {
                error(
                    r,
                    "CEL evaluation is not compiled in (enable the `cel` feature of humanos-vc)",
                )
            })
            .collect()
    }
}

fn error(rule: &Rule, reason: impl Into<String>) -> VerifyEvaluation {
    VerifyEvaluation {
        rule: rule.name.clone(),
        result: EvaluationResult::Error,
        reason: Some(reason.into()),
    }
}

/// Compiles `expression`, containing any panic of the third-party parser.
#[cfg(feature = "cel")]
fn compile(expression: &str) -> Compiled {
    if expression.len() > MAX_RULE_LEN {
        return Err(format!("rule is longer than {MAX_RULE_LEN} bytes"));
    }
    if nesting_estimate(expression) > MAX_RULE_DEPTH {
        return Err(format!(
            "rule nests deeper than {MAX_RULE_DEPTH} levels (brackets, operators and unary \
             chains counted)"
        ));
    }
    stacker::grow(CEL_STACK_BYTES, || {
        std::panic::catch_unwind(|| cel::Program::compile(expression))
    })
    .map_err(|_| "the CEL parser failed internally".to_owned())?
    .map_err(|e| format!("rule does not compile: {e}"))
}

#[cfg(feature = "cel")]
fn evaluate_rule(rule: &Rule, ctx: &cel::Context<'_, '_>) -> VerifyEvaluation {
    let cached = rule
        .compiled
        .cell
        .get_or_init(|| (rule.expression.clone(), compile(&rule.expression)));
    let recompiled;
    let program = if cached.0 == rule.expression {
        &cached.1
    } else {
        recompiled = compile(&rule.expression);
        &recompiled
    };
    let program = match program {
        Ok(program) => program,
        Err(msg) => return error(rule, msg.clone()),
    };
    // The cel crate is third-party code fed with agent-supplied values: contain any panic.
    let outcome = stacker::maybe_grow(EXECUTE_RED_ZONE_BYTES, CEL_STACK_BYTES, || {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            program
                .execute(ctx)
                .map_err(|e| format!("evaluation error: {e}"))
        }))
    });
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

/// A weighted estimate of how deep the `cel` crate recurses on `expr`: one level per operator
/// character (`!` and `-` chains, binary operators, `.` member and `[` index chains, `?`
/// conditionals each add a level in the worst case) and [`BRACKET_WEIGHT`] per level of
/// bracket nesting (a parenthesis costs the parser several frames: 13 nested ones overflowed a
/// 2 MiB debug-build stack, against 64 chained additions). String literals are not skipped:
/// telling them apart would take CEL's full lexer (raw and triple-quoted strings), and counting
/// their characters only errs on the safe side.
pub fn nesting_estimate(expr: &str) -> usize {
    let (mut depth, mut max, mut operators) = (0usize, 0usize, 0usize);
    for c in expr.chars() {
        match c {
            '(' | '[' | '{' => {
                depth += 1;
                max = max.max(depth);
                if c == '[' {
                    operators += 1;
                }
            }
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            '!' | '-' | '+' | '*' | '/' | '%' | '<' | '>' | '=' | '&' | '|' | '?' | '.' => {
                operators += 1;
            }
            _ => {}
        }
    }
    max.saturating_mul(BRACKET_WEIGHT).saturating_add(operators)
}

/// What one level of bracket nesting counts in [`nesting_estimate`].
pub const BRACKET_WEIGHT: usize = 4;

/// JSON -> CEL with integral numbers as `int` (so `amount <= 10000` and
/// `amount <= userParams.maxAmount` compare like the API's evaluator), depth-limited.
#[cfg(feature = "cel")]
fn to_cel(v: &Value, depth: usize) -> cel::Value {
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
        Value::Object(o) => object_to_cel(o, depth),
    }
}

#[cfg(feature = "cel")]
fn object_to_cel(o: &Map<String, Value>, depth: usize) -> cel::Value {
    let m: std::collections::HashMap<String, cel::Value> = o
        .iter()
        .map(|(k, x)| (k.clone(), to_cel(x, depth + 1)))
        .collect();
    cel::Value::from(m)
}
