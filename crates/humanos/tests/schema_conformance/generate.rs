//! Random, seeded instances of the vendored API description's schemas, read at test time.
//!
//! Each [`Instance`] is the JSON a server may send (`wire`) and the JSON the SDK must give back
//! after decoding and re-encoding it (`expected`): the same, except that an optional member sent
//! as `null` reads as absent and an unknown member is dropped where the schema does not keep
//! extra members. Everything here is derived from the description alone, never from the SDK's
//! types: every required member; each optional member present or absent; `null` wherever the
//! description allows or mentions it; unknown enum values; unknown extra members; numbers as
//! integers and as floats where the schema says `number`.

use serde_json::{Map, Number, Value, json};

const SPEC_PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../spec/humanos-api-2026-09-01.json"
);

/// Below this depth every optional member is left out and arrays are empty, so recursive
/// schemas stay finite.
const MAX_DEPTH: usize = 8;

/// The parts of the description the generator reads.
pub(crate) struct Spec {
    pub(crate) schemas: Map<String, Value>,
    pub(crate) enum_fields: Map<String, Value>,
    pub(crate) endpoints: Vec<Value>,
}

impl Spec {
    /// Reads the vendored description from disk (at test time, not compiled in).
    pub(crate) fn load() -> Spec {
        let text = std::fs::read_to_string(SPEC_PATH)
            .unwrap_or_else(|e| panic!("cannot read {SPEC_PATH}: {e}"));
        let mut spec: Value = serde_json::from_str(&text).expect("the vendored spec parses");
        let mut take = |key: &str| spec[key].take();
        match (take("schemas"), take("enum_fields"), take("endpoints")) {
            (Value::Object(schemas), Value::Object(enum_fields), Value::Array(endpoints)) => Spec {
                schemas,
                enum_fields,
                endpoints,
            },
            _ => panic!("the description lacks schemas, enum_fields or endpoints"),
        }
    }

    fn enum_values(&self, schema: &str, wire: &str) -> Option<&Vec<Value>> {
        let key = wire.to_ascii_lowercase();
        self.enum_fields
            .get(schema)?
            .as_object()?
            .iter()
            .find(|(python, _)| python.replace('_', "") == key)
            .and_then(|(_, values)| values.as_array())
    }
}

/// SplitMix64: small, fast, and the same sequence on every platform.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// True with probability `1/n`.
    pub(crate) fn one_in(&mut self, n: u64) -> bool {
        self.next_u64().is_multiple_of(n)
    }

    fn pick<'v, T>(&mut self, items: &'v [T]) -> &'v T {
        &items[self.below(items.len())]
    }
}

/// Derives the seed of one instance from the run's seed and a label, so each instance can be
/// regenerated alone.
pub(crate) fn instance_seed(base: u64, label: &str, index: usize) -> u64 {
    // FNV-1a over the label, mixed with the base seed and the index.
    let mut h: u64 = 0xCBF2_9CE4_8422_2325;
    for b in label.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x100_0000_01B3);
    }
    Rng::new(base ^ h ^ (index as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)).next_u64()
}

/// One generated instance: what is sent, and what decoding must keep of it.
#[derive(Debug, Clone)]
pub(crate) struct Instance {
    pub(crate) wire: Value,
    pub(crate) expected: Value,
}

impl Instance {
    fn same(value: Value) -> Instance {
        Instance {
            wire: value.clone(),
            expected: value,
        }
    }
}

/// The rule for "may be null", this generator's own reading of the description: a `"null"`
/// type (in `type`, `anyOf`, `oneOf`), `nullable: true`, a `null` enum value, or the word
/// "null" anywhere in the prose, in any case.
pub(crate) fn mentions_null(prop: &Value) -> bool {
    let null_type = |v: &Value| v["type"] == "null";
    let in_list = |key: &str| {
        prop[key]
            .as_array()
            .is_some_and(|a| a.iter().any(null_type))
    };
    in_list("anyOf")
        || in_list("oneOf")
        || prop["nullable"].as_bool() == Some(true)
        || matches!(&prop["type"], Value::Array(types) if types.iter().any(|t| t == "null"))
        || matches!(&prop["enum"], Value::Array(values) if values.contains(&Value::Null))
        || prop["description"]
            .as_str()
            .is_some_and(|d| d.to_ascii_lowercase().contains("null"))
}

/// Builds instances of the description's schemas from one seeded generator.
pub(crate) struct Generator<'s> {
    spec: &'s Spec,
    rng: Rng,
    /// Whether unknown enum values may be produced for `eventType` at the root (a webhook
    /// event's type selects its variant, so a valid event keeps its documented type).
    pub(crate) root_event_type_fixed: bool,
}

impl<'s> Generator<'s> {
    pub(crate) fn new(spec: &'s Spec, seed: u64) -> Generator<'s> {
        Generator {
            spec,
            rng: Rng::new(seed),
            root_event_type_fixed: false,
        }
    }

    /// An instance of schema `name`.
    pub(crate) fn schema(&mut self, name: &str) -> Instance {
        self.named(name, 0)
    }

    /// A JSON array of 0 to 3 instances of schema `name` (`List[...]` responses).
    pub(crate) fn list_of(&mut self, name: &str) -> Instance {
        let n = self.rng.below(4);
        let items: Vec<Instance> = (0..n).map(|_| self.named(name, 1)).collect();
        Instance {
            wire: Value::Array(items.iter().map(|i| i.wire.clone()).collect()),
            expected: Value::Array(items.into_iter().map(|i| i.expected).collect()),
        }
    }

    /// A random text, as a `str` response body.
    pub(crate) fn text(&mut self) -> String {
        self.string(&Value::Null)
    }

    fn named(&mut self, name: &str, depth: usize) -> Instance {
        let spec = self.spec;
        let schema = spec
            .schemas
            .get(name)
            .unwrap_or_else(|| panic!("the description has no schema {name}"));
        if let Some(values) = schema["enum"].as_array() {
            return Instance::same(self.enum_value(values));
        }
        let props = schema["properties"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        if props.contains_key("actual_instance") {
            // A Python oneOf/anyOf wrapper: on the wire it is one of its alternatives.
            let alternatives: Vec<Value> = props
                .iter()
                .filter(|(k, _)| k.ends_with("_validator"))
                .map(|(_, v)| without_null(v))
                .collect();
            let alternative = self.rng.pick(&alternatives).clone();
            return self.value(&alternative, depth + 1);
        }
        let required = schema["required"].as_array().cloned().unwrap_or_default();
        let keeps_extra = props.contains_key("additional_properties") || is_error_body(&props);
        let mut wire = Map::new();
        let mut expected = Map::new();
        for (member, prop) in &props {
            if member == "additional_properties" {
                continue;
            }
            let is_required = required.iter().any(|r| r == member.as_str());
            if !is_required && (depth >= MAX_DEPTH || self.rng.one_in(2)) {
                continue;
            }
            if mentions_null(prop) && self.rng.one_in(4) {
                wire.insert(member.clone(), Value::Null);
                if is_required {
                    expected.insert(member.clone(), Value::Null);
                }
                continue;
            }
            let fixed = depth == 0 && self.root_event_type_fixed && member == "eventType";
            let instance = match spec.enum_values(name, member) {
                Some(values) if fixed => Instance::same(self.rng.pick(values).clone()),
                Some(values) => Instance::same(self.enum_value(values)),
                None => self.value(prop, depth + 1),
            };
            wire.insert(member.clone(), instance.wire);
            // An "any" member sent as `null` is `None` when optional.
            if is_required || !instance.expected.is_null() {
                expected.insert(member.clone(), instance.expected);
            }
        }
        if self.rng.one_in(3) {
            let member = format!("addedLater{}", self.rng.below(1000));
            let value = self.any_json(2);
            if keeps_extra {
                expected.insert(member.clone(), value.clone());
            }
            wire.insert(member, value);
        }
        Instance {
            wire: Value::Object(wire),
            expected: Value::Object(expected),
        }
    }

    fn value(&mut self, prop: &Value, depth: usize) -> Instance {
        if let Some(r) = prop["$ref"].as_str() {
            return self.named(r.rsplit('/').next().unwrap_or_default(), depth);
        }
        if let Some(any) = prop["anyOf"].as_array() {
            let rest: Vec<&Value> = any.iter().filter(|v| v["type"] != "null").collect();
            if rest
                .iter()
                .all(|v| v["type"] == "number" || v["type"] == "integer")
            {
                return Instance::same(self.number(rest.iter().any(|v| v["type"] == "number")));
            }
            let one = (*self.rng.pick(&rest)).clone();
            return self.value(&one, depth);
        }
        match prop["type"].as_str() {
            Some("string") => Instance::same(Value::String(self.string(prop))),
            Some("boolean") => Instance::same(Value::Bool(self.rng.one_in(2))),
            Some("number") => Instance::same(self.number(true)),
            Some("integer") => Instance::same(self.number(false)),
            Some("array") => {
                let n = if depth >= MAX_DEPTH {
                    0
                } else {
                    self.rng.below(3)
                };
                let items: Vec<Instance> =
                    (0..n).map(|_| self.value(&prop["items"], depth)).collect();
                Instance {
                    wire: Value::Array(items.iter().map(|i| i.wire.clone()).collect()),
                    expected: Value::Array(items.into_iter().map(|i| i.expected).collect()),
                }
            }
            Some("object") => match &prop["additionalProperties"] {
                Value::Object(inner) if !inner.is_empty() => {
                    let inner = Value::Object(inner.clone());
                    let mut wire = Map::new();
                    let mut expected = Map::new();
                    let n = if depth >= MAX_DEPTH {
                        0
                    } else {
                        self.rng.below(3)
                    };
                    for k in 0..n {
                        let key = format!("key{k}-{}", self.rng.below(100));
                        let item = self.value(&inner, depth);
                        wire.insert(key.clone(), item.wire);
                        expected.insert(key, item.expected);
                    }
                    Instance {
                        wire: Value::Object(wire),
                        expected: Value::Object(expected),
                    }
                }
                // A free-form object is kept verbatim.
                _ => Instance::same(Value::Object(self.any_object(2))),
            },
            // No type: any JSON, kept verbatim (`null` included).
            None => Instance::same(self.any_json(2)),
            Some(other) => panic!("the generator does not know type {other}"),
        }
    }

    /// A documented value, or (one time in five) a value no version documents.
    fn enum_value(&mut self, values: &[Value]) -> Value {
        if !self.rng.one_in(5) {
            return self.rng.pick(values).clone();
        }
        if values.iter().all(Value::is_number) {
            loop {
                let n = 100 + self.rng.below(500) as u64;
                if !values.iter().any(|v| v.as_u64() == Some(n)) {
                    return json!(n);
                }
            }
        }
        json!(format!("FUTURE_VALUE_{}", self.rng.below(1000)))
    }

    /// An integer, or (where the schema says `number`) possibly a float.
    fn number(&mut self, may_be_float: bool) -> Value {
        if may_be_float && self.rng.one_in(2) {
            let floats = [0.5, 12.5, -3.25, 0.1, 1e-7, 99.99, 1.5e300, 0.0];
            let f = *self.rng.pick(&floats);
            return Value::Number(Number::from_f64(f).unwrap_or_else(|| Number::from(0)));
        }
        let ints: [i64; 6] = [0, 1, 7, 100, -5, 9_007_199_254_740_993];
        let n = *self.rng.pick(&ints);
        if self.rng.one_in(2) {
            json!(self.rng.below(10_000))
        } else {
            json!(n)
        }
    }

    fn string(&mut self, prop: &Value) -> String {
        match prop["format"].as_str() {
            Some("date-time") => format!(
                "20{:02}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
                20 + self.rng.below(10),
                1 + self.rng.below(12),
                1 + self.rng.below(28),
                self.rng.below(24),
                self.rng.below(60),
                self.rng.below(60),
                self.rng.below(1000)
            ),
            Some("date") => format!(
                "20{:02}-{:02}-{:02}",
                20 + self.rng.below(10),
                1 + self.rng.below(12),
                1 + self.rng.below(28)
            ),
            _ => {
                let pool = [
                    "",
                    "plain",
                    "urn:via:credential:8f0c",
                    "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
                    "café ✓ 🙂",
                    "\"quoted\" \\ back\nslash\ttab",
                    "\u{0}\u{1f}\u{7f}",
                    "2026-09-01T12:00:00Z",
                    "  spaced  ",
                ];
                (*self.rng.pick(&pool)).to_owned()
            }
        }
    }

    fn any_object(&mut self, depth: usize) -> Map<String, Value> {
        let mut object = Map::new();
        for k in 0..self.rng.below(3) {
            object.insert(format!("m{k}"), self.any_json(depth.saturating_sub(1)));
        }
        object
    }

    fn any_json(&mut self, depth: usize) -> Value {
        match self.rng.below(if depth == 0 { 5 } else { 7 }) {
            0 => Value::Null,
            1 => Value::Bool(self.rng.one_in(2)),
            2 => self.number(true),
            3 => Value::String(self.text()),
            4 => json!(self.rng.below(3)),
            5 => Value::Array(
                (0..self.rng.below(3))
                    .map(|_| self.any_json(depth - 1))
                    .collect(),
            ),
            _ => Value::Object(self.any_object(depth)),
        }
    }
}

/// The `*NNNResponse` error wrappers: `{statusCode, message, error}`, decoded by a type that
/// keeps every other member.
fn is_error_body(props: &Map<String, Value>) -> bool {
    let mut names: Vec<&str> = props.keys().map(String::as_str).collect();
    names.sort_unstable();
    names == ["error", "message", "statusCode"]
}

/// A property without its `null` alternative.
fn without_null(prop: &Value) -> Value {
    match prop["anyOf"].as_array() {
        Some(any) => {
            let rest: Vec<Value> = any
                .iter()
                .filter(|v| v["type"] != "null")
                .cloned()
                .collect();
            match rest.as_slice() {
                [one] => one.clone(),
                _ => json!({ "anyOf": rest }),
            }
        }
        None => prop.clone(),
    }
}

/// The schema member a JSON path of an instance of `root` lands on (`VerificationsBlock.approvalRate`
/// for `usage.verifications.approvalRate` in an `IntelligenceWindowEntity`), for failure messages.
pub(crate) fn member_at(spec: &Spec, root: &str, path: &str) -> String {
    let mut prop = json!({ "$ref": root });
    let mut found = root.to_owned();
    let segments = path
        .trim_start_matches('$')
        .split(['.', '['])
        .filter(|s| !s.is_empty());
    for segment in segments {
        if segment.ends_with(']') {
            prop = resolve_array_items(spec, &prop);
            continue;
        }
        let Some((name, member)) = schema_with_member(spec, &prop, segment) else {
            // A key of a map or of a free-form object: the map's value type, if typed.
            prop = prop["additionalProperties"].clone();
            continue;
        };
        found = format!("{name}.{segment}");
        prop = member;
    }
    found
}

/// The (schema name, member) of `segment` in the schema `prop` refers to, through `$ref`,
/// `anyOf` alternatives and Python wrapper alternatives.
fn schema_with_member(spec: &Spec, prop: &Value, segment: &str) -> Option<(String, Value)> {
    if let Some(any) = prop["anyOf"].as_array() {
        return any
            .iter()
            .find_map(|alternative| schema_with_member(spec, alternative, segment));
    }
    let name = prop["$ref"].as_str()?.rsplit('/').next()?;
    let props = spec.schemas.get(name)?["properties"].as_object()?;
    if let Some(member) = props.get(segment) {
        return Some((name.to_owned(), member.clone()));
    }
    props
        .iter()
        .filter(|(k, _)| k.ends_with("_validator"))
        .find_map(|(_, alternative)| schema_with_member(spec, alternative, segment))
}

fn resolve_array_items(spec: &Spec, prop: &Value) -> Value {
    if let Some(items) = prop.get("items") {
        return items.clone();
    }
    prop["anyOf"]
        .as_array()
        .into_iter()
        .flatten()
        .find_map(|alternative| alternative.get("items").cloned())
        .or_else(|| {
            // `List[X]` answers: the root is an array of X.
            let name = prop["$ref"].as_str()?;
            spec.schemas.contains_key(name).then(|| prop.clone())
        })
        .unwrap_or(Value::Null)
}
