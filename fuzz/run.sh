#!/usr/bin/env bash
# Runs every fuzz target for N seconds (default 30) and prints executions and crashes.
# Usage: fuzz/run.sh [seconds] [target...]   (all targets when none is named)
# Committed seeds (seeds/TARGET) are read alongside the local corpus (corpus/TARGET, not committed).
# FUZZ_SANITIZER=none runs without AddressSanitizer (for slow targets; default: address).
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-30}"
export RUSTC_BOOTSTRAP=1
command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked
targets=(webhook_process webhook_decrypt wire_json models humancode_callback vc_verify humancode_response bitstring did_document cel_rules api_error_body retry_after body_reading)
[ "$#" -gt 1 ] && targets=("${@:2}")
sanitizer="${FUZZ_SANITIZER:-address}"
cargo fuzz build --sanitizer "$sanitizer" --features libfuzzer >/dev/null
printf '| target | seconds | executions | exec/s | crashes |\n| --- | --- | --- | --- | --- |\n'
status=0
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t"
  seeds=(); [ -d "seeds/$t" ] && seeds=("seeds/$t")
  log="$(mktemp)"
  if cargo fuzz run --sanitizer "$sanitizer" --features libfuzzer "$t" "corpus/$t" "${seeds[@]}" -- -max_total_time="$seconds" -print_final_stats=1 >"$log" 2>&1; then crashes=0; else crashes=1; status=1; fi
  execs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' || echo 0)
  printf '| %s | %s | %s | %s | %s |\n' "$t" "$seconds" "$execs" "$((execs / seconds))" "$crashes"
  [ "$crashes" = 0 ] || tail -30 "$log" >&2
done
exit "$status"
