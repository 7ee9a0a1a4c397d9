#!/usr/bin/env bash
# Instructions per request of the webhook example servers (issue 25): each server of BIN_DIR
# (axum_webhook, actix_webhook) runs under valgrind --tool=callgrind; for its plain 200 route
# (POST /healthz, the framework floor) and its webhook route, wrk -t1 -c4 warms up 2 s, the
# counters are zeroed, wrk runs DURATION, the counters are dumped, and the user-space
# instructions of the whole process are divided by the requests served. Unlike req/s on this
# shared 2-core machine, the figure does not move with other engineers' builds. The dumps are
# kept in target/webhook-load-ir/ for callgrind_annotate --inclusive=yes.
#
# Usage: bench/webhook_load_ir.sh [BIN_DIR ...]   (default: target/release/examples; run
#        bench/webhook_load.sh once first: it builds the examples and target/bench-venv)
# Env:   DURATION (5s)
# Note:  under valgrind, SHA-256 runs in software (no SHA-NI): the HMAC is about 30,000 of the
#        webhook route's instructions, natively a small part of its time.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
root="$PWD"
duration="${DURATION:-5s}"
export HUMANOS_WEBHOOK_SIGNATURE_SECRET="whsec_bench_load"
export HUMANOS_WEBHOOK_ENCRYPTION_SECRET="YmVuY2gtbG9hZC1lbmNyeXB0aW9uLXNlY3JldA=="
export HUMANOS_WEBHOOK_ENCRYPTION_SALT="bench-load-salt"
export HUMANOS_WEBHOOK_DEDUP=off
export RUST_LOG=warn
work="$(mktemp -d)"
out="$root/target/webhook-load-ir"
mkdir -p "$out"
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill -INT "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

[ "$#" -gt 0 ] || set -- "${CARGO_TARGET_DIR:-$root/target}/release/examples"
port=8400
for dir in "$@"; do
  for server in axum_webhook actix_webhook; do
    port=$((port + 1))
    PORT=$port valgrind --tool=callgrind --callgrind-out-file="$work/cg.%p" "$dir/$server" \
      >"$work/server.log" 2>&1 & pid=$!
    for _ in $(seq 1 300); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
    wait_port "$port"
    seal "$root/target/bench-venv/bin/python" req_bench_load "load test"
    for path in /healthz /webhooks/humanos; do
      url="http://127.0.0.1:$port$path"
      wrk -t1 -c4 -d2s -s bench/webhook_load.lua "$url" >/dev/null
      callgrind_control -z "$pid" >/dev/null 2>&1
      line="$(wrk -t1 -c4 -d"$duration" -s bench/webhook_load.lua "$url" | grep '^RESULT')"
      callgrind_control -d "$pid" >/dev/null 2>&1
      requests="$(echo "$line" | sed 's/.*requests=\([0-9]*\).*/\1/')"
      dump="$(ls -t "$work"/cg."$pid".* | head -1)"
      ir="$(callgrind_annotate "$dump" | grep -m1 'PROGRAM TOTALS' | awk '{gsub(",", "", $1); print $1}')"
      name="$(basename "$dir")-$server$(echo "$path" | tr / _)"
      cp "$dump" "$out/$name.callgrind"
      echo "$dir $server $path requests=$requests instructions_per_request=$((ir / requests))"
    done
    kill -INT "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; pid=""
  done
done
