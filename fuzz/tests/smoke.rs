//! The fuzz targets on the stable toolchain, without coverage guidance: random and mutated
//! inputs, a few thousand per target, plus any saved corpus. `.ci/run` runs this as the fuzzing
//! smoke test; `fuzz/run.sh` runs the real fuzzer.

use std::path::Path;

/// xorshift64*: deterministic inputs, no dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn bytes(&mut self, max: usize, alphabet: &[u8]) -> Vec<u8> {
        let len = (self.next() % max as u64) as usize;
        (0..len)
            .map(|_| alphabet[(self.next() % alphabet.len() as u64) as usize])
            .collect()
    }
}

const JSONISH: &[u8] = b"{}[]\":,.-+0123456789eEtruefalsnl \\/u\nabcxyz\xc3\xa9\xff\x00";

/// The committed seeds (`seeds/TARGET`) and any local corpus (`corpus/TARGET`).
fn corpus(target: &str) -> Vec<Vec<u8>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    ["seeds", "corpus"]
        .iter()
        .flat_map(|dir| {
            std::fs::read_dir(root.join(dir).join(target))
                .map(|entries| {
                    entries.flatten().filter_map(|e| std::fs::read(e.path()).ok()).collect()
                })
                .unwrap_or_else(|_| Vec::new())
        })
        .collect()
}

/// The committed seeds of `target`, which must exist: they are mutated like the inline seeds.
fn seeds(target: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds").join(target);
    let seeds: Vec<Vec<u8>> = std::fs::read_dir(&dir)
        .map(|entries| entries.flatten().filter_map(|e| std::fs::read(e.path()).ok()).collect())
        .unwrap_or_default();
    assert!(!seeds.is_empty(), "no seeds in {}", dir.display());
    seeds
}

fn run(target: &str, seeds: &[Vec<u8>], alphabet: &[u8], max_len: usize, f: fn(&[u8])) {
    let mut rng = Rng(0x5EED ^ target.len() as u64);
    let mut inputs: Vec<Vec<u8>> = corpus(target);
    inputs.extend(seeds.iter().cloned());
    for _ in 0..3_000 {
        inputs.push(rng.bytes(max_len, alphabet));
    }
    // Mutations of the seeds: byte flips, truncations, insertions.
    for seed in seeds {
        for _ in 0..300 {
            let mut s = seed.clone();
            if s.is_empty() {
                continue;
            }
            match rng.next() % 3 {
                0 => {
                    let i = (rng.next() % s.len() as u64) as usize;
                    s[i] = alphabet[(rng.next() % alphabet.len() as u64) as usize];
                }
                1 => s.truncate((rng.next() % s.len() as u64) as usize),
                _ => {
                    let i = (rng.next() % s.len() as u64) as usize;
                    s.insert(i, alphabet[(rng.next() % alphabet.len() as u64) as usize]);
                }
            }
            inputs.push(s);
        }
    }
    for input in &inputs {
        f(input);
    }
}

fn sealed_delivery_input() -> Vec<u8> {
    let config = humanos_fuzz::webhook_config();
    let event = humanos_webhooks::sample::credential("req_fuzz");
    let sealed = config.seal(&event).unwrap();
    let mut input = vec![1u8];
    input.extend_from_slice(b"x-signature:");
    input.extend_from_slice(sealed.signature.as_bytes());
    input.extend_from_slice(b"\nx-timestamp:");
    input.extend_from_slice(sealed.timestamp.to_string().as_bytes());
    input.push(0xff);
    input.extend_from_slice(&sealed.body);
    input
}

#[test]
fn webhook_process() {
    run("webhook_process", &[sealed_delivery_input()], JSONISH, 200, humanos_fuzz::webhook_process);
}

#[test]
fn webhook_decrypt() {
    let seeds: Vec<Vec<u8>> = ["credential", "identity", "otp.failed", "test"]
        .iter()
        .map(|t| humanos_webhooks::sample::of_type(t, "r").unwrap().to_string().into_bytes())
        .collect();
    run("webhook_decrypt", &seeds, JSONISH, 200, humanos_fuzz::webhook_decrypt);
}

#[test]
fn wire_json() {
    let seeds = vec![br#"{"a":[1,2.5,-0,1e21,"\u00e9\n"],"10":null,"2":{"x":true}}"#.to_vec()];
    run("wire_json", &seeds, JSONISH, 120, humanos_fuzz::wire_json);
}

#[test]
fn models() {
    let mut seeds: Vec<Vec<u8>> = Vec::new();
    for which in 0..10u8 {
        let mut s = vec![which];
        s.extend(humanos_webhooks::sample::credential("r").to_string().into_bytes());
        seeds.push(s);
    }
    run("models", &seeds, JSONISH, 200, humanos_fuzz::models);
}

#[test]
fn humancode_callback() {
    let seeds = vec![b"session_id=abc&vcode=12345678&error_code=20".to_vec(), b"https://x.example/cb?session_id=a&vcode=error&error_code=10040#f".to_vec()];
    run("humancode_callback", &seeds, b"=&%?#session_idvcodeerror0123456789abcdef+\xc3\xa9", 120, humanos_fuzz::humancode_callback);
}

#[test]
fn vc_verify() {
    run("vc_verify", &[vec![]], &[0, 1, 7, 34, 44, 58, 91, 93, 123, 125, 48, 97, 122, 255], 30, humanos_fuzz::vc_verify);
}

#[test]
fn humancode_response() {
    run("humancode_response", &seeds("humancode_response"), JSONISH, 160, humanos_fuzz::humancode_response);
}

#[test]
fn bitstring() {
    let alphabet = b"uH4sIAAAAAAAA-_0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ=";
    run("bitstring", &seeds("bitstring"), alphabet, 120, humanos_fuzz::bitstring);
}

#[test]
fn did_document() {
    run("did_document", &seeds("did_document"), JSONISH, 200, humanos_fuzz::did_document);
}

#[test]
fn cel_rules() {
    let alphabet = b"()[]{}!-+*/%<>=&|?.:,\"' 0123456789abcxyzinsizetrueexecutionParamsuserParams";
    run("cel_rules", &seeds("cel_rules"), alphabet, 200, humanos_fuzz::cel_rules);
}

#[test]
fn api_error_body() {
    run("api_error_body", &seeds("api_error_body"), JSONISH, 200, humanos_fuzz::api_error_body);
}

#[test]
fn retry_after() {
    let alphabet = b"0123456789 \t,:-+.MonTueWedThuFriSatSunJanFebMarAprMayJunJulAugSepOctNovDecGMT";
    run("retry_after", &seeds("retry_after"), alphabet, 40, humanos_fuzz::retry_after);
}

#[test]
fn body_reading() {
    let alphabet: Vec<u8> = (0..=255).collect();
    run("body_reading", &seeds("body_reading"), &alphabet, 64, humanos_fuzz::body_reading);
}
