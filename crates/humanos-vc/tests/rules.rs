//! CEL rule evaluation shaped like VerifyEvaluationEntity.
#![cfg(feature = "cel")]

use humanos_vc::rules::{
    EvaluationResult, Rule, VerifyEvaluation, evaluate_rules, user_params_from_mandate,
};
use serde_json::{Map, Value, json};

fn user() -> Map<String, Value> {
    json!({"maxAmount": 10000, "allowedCategories": ["BOOKS", "OFFICE"], "ratio": 0.5})
        .as_object()
        .unwrap()
        .clone()
}

fn eval(expr: &str, exec: Value) -> VerifyEvaluation {
    evaluate_rules(&[Rule::new(expr)], &user(), &exec).remove(0)
}

#[test]
fn the_readme_rules() {
    let amount = "executionParams.amount <= userParams.maxAmount";
    let category = "executionParams.category in userParams.allowedCategories";
    assert!(eval(amount, json!({"amount": 5000})).passed());
    assert!(eval(amount, json!({"amount": 10000})).passed());
    assert_eq!(
        eval(amount, json!({"amount": 10001})).result,
        EvaluationResult::Fail
    );
    assert!(eval(category, json!({"category": "BOOKS"})).passed());
    assert_eq!(
        eval(category, json!({"category": "FLIGHTS"})).result,
        EvaluationResult::Fail
    );
}

#[test]
fn numbers_compare_across_int_and_double() {
    assert!(
        eval(
            "executionParams.amount <= userParams.maxAmount",
            json!({"amount": 9999.5})
        )
        .passed()
    );
    assert_eq!(
        eval(
            "executionParams.amount <= userParams.maxAmount",
            json!({"amount": 10000.5})
        )
        .result,
        EvaluationResult::Fail
    );
    assert!(eval("executionParams.amount > 0", json!({"amount": 1})).passed());
    assert!(
        eval(
            "executionParams.share <= userParams.ratio",
            json!({"share": 0.25})
        )
        .passed()
    );
}

#[test]
fn errors_are_reported_not_raised() {
    let e = eval("executionParams.amount <= userParams.maxAmount", json!({}));
    assert_eq!(e.result, EvaluationResult::Error);
    assert!(e.reason.is_some());
    let e = eval("executionParams.amount <=", json!({"amount": 1}));
    assert_eq!(e.result, EvaluationResult::Error);
    assert!(e.reason.as_deref().unwrap().contains("compile"), "{e:?}");
    let e = eval("executionParams.amount", json!({"amount": 1}));
    assert_eq!(e.result, EvaluationResult::Error);
}

#[test]
fn wire_shape_matches_verify_evaluation_entity() {
    let pass = eval("true", json!({}));
    assert_eq!(
        serde_json::to_value(&pass).unwrap(),
        json!({"rule": "true", "result": "pass"})
    );
    let fail = eval("false", json!({}));
    assert_eq!(
        serde_json::to_value(&fail).unwrap(),
        json!({"rule": "false", "result": "fail", "reason": "rule evaluated to false"})
    );
    let back: VerifyEvaluation =
        serde_json::from_value(json!({"rule": "r", "result": "skipped"})).unwrap();
    assert_eq!(back.result, EvaluationResult::Unknown("skipped".into()));
    assert_eq!(serde_json::to_value(&back).unwrap()["result"], "skipped");
}

#[test]
fn rule_lists_and_wrapped_user_params() {
    let rules = Rule::parse_list(&json!([
        "a < b",
        {"name": "cap", "expression": "x <= y"},
        {"id": "cat", "rule": "c in d"},
        42
    ]));
    assert_eq!(
        rules.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
        ["a < b", "cap", "cat"]
    );
    let rules = Rule::parse_list(&json!({"cap": "x <= y"}));
    assert_eq!(rules, vec![Rule::named("cap", "x <= y")]);
    let vc = json!({"credentialSubject": {"mandate": {"userParams": {
        "maxAmount": {"description": "Cap", "value": 10},
        "raw": 5
    }}}});
    let p = user_params_from_mandate(&vc);
    assert_eq!(p["maxAmount"], 10);
    assert_eq!(p["raw"], 5);
}

#[test]
fn a_compiled_rule_is_reused_and_an_edited_expression_recompiled() {
    fn shareable<T: Send + Sync>(_: &T) {}
    let mut rules = vec![Rule::new("executionParams.amount <= userParams.maxAmount")];
    shareable(&rules);
    let exec = json!({"amount": 5000});
    for _ in 0..3 {
        assert!(evaluate_rules(&rules, &user(), &exec)[0].passed());
    }
    // A clone shares the compiled program and compares equal to a fresh rule.
    assert_eq!(
        rules[0].clone(),
        Rule::new("executionParams.amount <= userParams.maxAmount")
    );
    // The expression is a public field: editing it must not evaluate the old program.
    rules[0].expression = "executionParams.amount > userParams.maxAmount".into();
    assert_eq!(
        evaluate_rules(&rules, &user(), &exec)[0].result,
        EvaluationResult::Fail
    );
    rules[0].expression = "executionParams.amount <=".into();
    let broken = evaluate_rules(&rules, &user(), &exec).remove(0);
    assert_eq!(broken.result, EvaluationResult::Error);
    assert!(
        broken
            .reason
            .as_deref()
            .is_some_and(|r| r.starts_with("rule does not compile")),
        "{broken:?}"
    );
}

/// Deep expressions are refused before the recursive `cel` parser and evaluator see them: a
/// stack overflow aborts the process (it cannot be caught). Chained binary operators and
/// indexes of 64 levels, and 13 nested parentheses, overflowed a 2 MiB test thread before the
/// bound; unary chains, member chains and conditionals are bounded the same way.
#[test]
fn deep_expressions_are_an_error_not_a_crash() {
    use humanos_vc::rules::{MAX_RULE_DEPTH, MAX_RULE_LEN, nesting_estimate};
    type Shape = (&'static str, fn(usize) -> String);
    let shapes: [Shape; 8] = [
        ("not", |n| format!("{}true", "!".repeat(n))),
        ("neg", |n| format!("{}1 == 1", "-".repeat(n))),
        ("plus", |n| format!("1{} == 1", "+1".repeat(n))),
        ("and", |n| format!("true{}", " && true".repeat(n))),
        ("member", |n| format!("executionParams{}", ".a".repeat(n))),
        ("index", |n| format!("[1]{}", "[0]".repeat(n))),
        ("ternary", |n| format!("{}1 == 1", "true ? 1 : ".repeat(n))),
        ("brackets", |n| {
            format!("{}true{}", "(".repeat(n), ")".repeat(n))
        }),
    ];
    for (name, shape) in shapes {
        // The deepest accepted expression of each shape is evaluated without overflowing this
        // test thread's stack (2 MiB, debug build: the worst case).
        let deepest = (0..MAX_RULE_DEPTH)
            .map(shape)
            .take_while(|e| nesting_estimate(e) <= MAX_RULE_DEPTH)
            .last()
            .unwrap();
        let e = eval(&deepest, json!({}));
        assert!(
            !e.reason.unwrap_or_default().contains("nests deeper"),
            "{name}"
        );
        for n in [64, 200, 1_000, 4_000] {
            let expr = shape(n);
            if expr.len() > MAX_RULE_LEN {
                continue;
            }
            assert!(nesting_estimate(&expr) > MAX_RULE_DEPTH, "{name} {n}");
            let e = eval(&expr, json!({}));
            assert_eq!(e.result, EvaluationResult::Error, "{name} {n}");
            assert!(
                e.reason
                    .as_deref()
                    .unwrap_or_default()
                    .contains("nests deeper"),
                "{name} {n}: {e:?}"
            );
        }
    }
    // Brackets and operators together, at the bound.
    let mixed = format!(
        "{}1{}{} == 19",
        "(".repeat(5),
        "+1".repeat(18),
        ")".repeat(5)
    );
    assert_eq!(nesting_estimate(&mixed), MAX_RULE_DEPTH);
    assert!(eval(&mixed, json!({})).passed());
    // 13 nested parentheses overflowed the stack.
    let parens = format!("{}true{}", "(".repeat(13), ")".repeat(13));
    assert_eq!(eval(&parens, json!({})).result, EvaluationResult::Error);
    // Real rules are far below the bound and still evaluate.
    let real = "executionParams.amount <= userParams.maxAmount && \
                executionParams.category in userParams.allowedCategories && \
                !(executionParams.amount < 0) && executionParams.amount * 2 - 1 <= 20000";
    assert!(
        nesting_estimate(real) <= MAX_RULE_DEPTH,
        "{}",
        nesting_estimate(real)
    );
    assert!(eval(real, json!({"amount": 5000, "category": "BOOKS"})).passed());
    assert_eq!(
        nesting_estimate("executionParams.amount <= userParams.maxAmount"),
        4
    );
}

/// Malformed text within the depth estimate can still recurse deep in the parser's error
/// recovery: this 188-byte rule (found by the `cel_rules` fuzz target, estimated at 39) needed
/// between 3 and 4 MiB of stack in a debug build and aborted a 2 MiB thread, as a tokio worker
/// has. The `cel` crate now runs on a stack of its own, so it is an `error` evaluation on any
/// caller's thread.
#[test]
fn malformed_rules_within_the_estimate_do_not_overflow_a_small_thread_stack() {
    use humanos_vc::rules::{MAX_RULE_DEPTH, nesting_estimate};
    let expr = ")(e<g(@(q(t+++++]]]]dCa/{ge ]]teJad<g@((]]]]dCatm 1?\0MQQQQQQQQQQ\0{c\0\0\0ge{g{g\
                \0\0\0\0\0\0\0\0\0d\0ge\0RE\0?\0e\x08{ge{ge\0\0]]dJaate<g@((]]]]dCa\0\0\0\0\0\0\0\
                (<g@((]]]]dCate<g@(((((777]\0\0\0\0\0dJate<g@(;(]]]]aate<g@((";
    assert_eq!(expr.len(), 188);
    assert!(nesting_estimate(expr) <= MAX_RULE_DEPTH);
    let evaluation = std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(move || eval(expr, json!({})))
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(evaluation.result, EvaluationResult::Error);
}
