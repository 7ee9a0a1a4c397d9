#!/usr/bin/env bash
# simd-json and sonic-rs against serde_json (float_roundtrip): agreement with Node's JSON.parse on
# the 40,460 number texts of the signing crate's Node test, then parse time of the webhook
# credential plaintext, in one process. The probe is its own Cargo project (not in the
# workspace, not built by CI): see bench/json_readers/src/main.rs.
#
# Usage: bench/json_readers.sh
set -euo pipefail
cd "$(dirname "$0")/.."
fixtures="$(mktemp -d)"
HUMANOS_BENCH_FIXTURES="$fixtures" HUMANOS_WEBHOOK_PROBE=1 \
  cargo bench -p humanos-webhooks --bench process_webhook >/dev/null 2>&1
uptime
cargo run --quiet --release --manifest-path bench/json_readers/Cargo.toml \
  --target-dir target/json_readers -- "$(command -v node)" "$fixtures/plaintext-1024.json"
