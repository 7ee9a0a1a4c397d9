#!/usr/bin/env bash
# Load figure for the webhook adapters (issue 5): wrk at 64 connections for 10 s against
#   1. examples/axum_webhook    (humanos-axum webhook_handler: verify + decrypt + decode + callback)
#   2. examples/actix_webhook   (humanos-actix webhook_handler, same work)
#   3. the plain axum 200 route   (POST /healthz of the axum example: the framework floor)
#   4. the plain actix 200 route  (POST /healthz of the actix example: the framework floor)
#   5. the official SDK's FastAPI handler (humanos==1.2.0 create_fastapi_webhook_handler, uvicorn)
# all on 127.0.0.1, in the same run, each posting ONE valid sealed `test` delivery sealed right
# before its run (the servers accept timestamps within 5 minutes).
#
# The Rust servers run with HUMANOS_WEBHOOK_DEDUP=off: with dedup on, every request after the
# first would be a duplicate answered 200 without decrypting or calling the handler, which
# measures the cheap path instead of the real one. Logging is at `warn` everywhere.
#
# Usage: bench/webhook_load.sh   (as root it apt-get installs wrk if missing; creates
#        target/bench-venv with humanos==1.2.0, fastapi, uvicorn)
# Env:   DURATION (10s), CONNECTIONS (64), THREADS (2), ROUNDS (1: with more, each figure is the
#        median over the rounds and non-2xx the sum), CARGO_TARGET_DIR (target),
#        BEFORE_DIR (a directory holding axum_webhook and actix_webhook binaries of an earlier
#        build: they run too, on ports 8003/8004, each right after the current ones, so that a
#        change is measured before/after in the same run).
# Besides req/s, each line has the server's CPU time per request (user+sys of its process from
# /proc, in us): wrk shares the 2 cores, so req/s ratios understate what a route costs.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
root="$PWD"
duration="${DURATION:-10s}"
connections="${CONNECTIONS:-64}"
threads="${THREADS:-2}"
rounds="${ROUNDS:-1}"
target_dir="${CARGO_TARGET_DIR:-$root/target}"

if ! command -v wrk >/dev/null 2>&1; then
  echo "==> installing wrk (Debian package)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
venv="$root/target/bench-venv"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import humanos_sdk, fastapi, uvicorn, cryptography' 2>/dev/null; then
  echo "==> creating $venv (humanos==1.2.0, fastapi, uvicorn)"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check humanos==1.2.0 fastapi uvicorn cryptography
fi

echo "==> building the examples (release)"
cargo build --quiet --release -p humanos-examples --example axum_webhook --example actix_webhook

export HUMANOS_WEBHOOK_SIGNATURE_SECRET="whsec_bench_load"
export HUMANOS_WEBHOOK_ENCRYPTION_SECRET="YmVuY2gtbG9hZC1lbmNyeXB0aW9uLXNlY3JldA=="
export HUMANOS_WEBHOOK_ENCRYPTION_SALT="bench-load-salt"
export HUMANOS_WEBHOOK_DEDUP=off
export RUST_LOG=warn

work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

PORT=8000 "$target_dir/release/examples/axum_webhook" >"$work/axum.log" 2>&1 & pids+=($!)
PORT=8001 "$target_dir/release/examples/actix_webhook" >"$work/actix.log" 2>&1 & pids+=($!)
"$venv/bin/uvicorn" --app-dir bench webhook_load_fastapi:app --host 127.0.0.1 --port 8002 \
  --log-level warning --no-access-log >"$work/fastapi.log" 2>&1 & pids+=($!)

wait_port 8000; wait_port 8001; wait_port 8002
declare -A server_pid=([8000]="${pids[0]}" [8001]="${pids[1]}")
if [ -n "${BEFORE_DIR:-}" ]; then
  PORT=8003 "$BEFORE_DIR/axum_webhook" >"$work/axum_before.log" 2>&1 & pids+=($!)
  server_pid[8003]=$!
  PORT=8004 "$BEFORE_DIR/actix_webhook" >"$work/actix_before.log" 2>&1 & pids+=($!)
  server_pid[8004]=$!
  wait_port 8003; wait_port 8004
fi


run() { # name url
  seal "$venv/bin/python" req_bench_load "load test"
  # One request first: it must be accepted, or the figure would measure refusals.
  local status
  status="$(curl -s -o /dev/null -w '%{http_code}' -X POST "$2" -H 'content-type: application/json' \
    -H "x-signature: $WEBHOOK_SIGNATURE" -H "x-timestamp: $WEBHOOK_TIMESTAMP" \
    --data-binary "@$WEBHOOK_BODY_FILE" 2>/dev/null || echo 000)"
  if [ "$status" != 200 ]; then echo "$1: the sealed delivery was answered $status" >&2; exit 1; fi
  local line port pid t0 t1 cpu=""
  port="${2#http://127.0.0.1:}"; port="${port%%/*}"; pid="${server_pid[$port]:-}"
  [ -n "$pid" ] && t0="$(awk '{print $14 + $15}' "/proc/$pid/stat")"
  line="$(wrk -t"$threads" -c"$connections" -d"$duration" -s bench/webhook_load.lua "$2" | grep '^RESULT')"
  if [ -n "$pid" ]; then
    t1="$(awk '{print $14 + $15}' "/proc/$pid/stat")"
    cpu=" cpu_us=$(python3 -c "import sys; t0, t1, hz, req = map(float, sys.argv[1:]); print(f'{(t1 - t0) * 1e6 / hz / req:.2f}')" \
      "$t0" "$t1" "$(getconf CLK_TCK)" "$(echo "$line" | sed 's/.*requests=\([0-9]*\).*/\1/')")"
  fi
  echo "$1 $line$cpu round=$round load=$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$work/results"
}

echo "==> wrk -t$threads -c$connections -d$duration, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
# Each adapter runs right after its floor, so both see the same background load.
for round in $(seq 1 "$rounds"); do
  echo "--- round $round of $rounds"
  run axum_floor http://127.0.0.1:8000/healthz
  run axum_webhook http://127.0.0.1:8000/webhooks/humanos
  run actix_floor http://127.0.0.1:8001/healthz
  run actix_webhook http://127.0.0.1:8001/webhooks/humanos
  if [ -n "${BEFORE_DIR:-}" ]; then
    run before_axum_floor http://127.0.0.1:8003/healthz
    run before_axum_webhook http://127.0.0.1:8003/webhooks/humanos
    run before_actix_floor http://127.0.0.1:8004/healthz
    run before_actix_webhook http://127.0.0.1:8004/webhooks/humanos
  fi
  run fastapi_official http://127.0.0.1:8002/webhooks/humanos
done

python3 - "$work/results" <<'PY'
import sys
import statistics
runs = {}
for line in open(sys.argv[1]):
    name, _, *fields = line.split()
    runs.setdefault(name, []).append({k: float(v) for k, v in (f.split("=") for f in fields)})
print()
print("Per round, adapter / its floor measured back to back (req/s ratio; server CPU us per request, floor -> adapter):")
for prefix in ["", "before_"]:
    for fw in ["axum", "actix"]:
        if prefix + fw + "_webhook" not in runs:
            continue
        cells = []
        for f, w in zip(runs[prefix + fw + "_floor"], runs[prefix + fw + "_webhook"]):
            cpu = f" ({f['cpu_us']:.2f} -> {w['cpu_us']:.2f} us)" if "cpu_us" in f else ""
            cells.append(f"{w['rps'] / f['rps']:.2f}x{cpu}")
        print(f"  {prefix}{fw}: " + ", ".join(cells))
rows = {
    name: {
        "rps": statistics.median(r["rps"] for r in rs),
        "p99_ms": statistics.median(r["p99_ms"] for r in rs),
        "non2xx": sum(r["non2xx"] for r in rs),
        "socket_errors": sum(r["socket_errors"] for r in rs),
    }
    for name, rs in runs.items()
}
def row(name, label, floor=None):
    r = rows[name]
    vs_floor = f"{r['rps'] / rows[floor]['rps']:.2f}x" if floor else ""
    vs_py = f"{r['rps'] / rows['fastapi_official']['rps']:.0f}x"
    print(f"| {label} | {r['rps']:,.0f} | {r['p99_ms']:.2f} | {int(r['non2xx'])} | {vs_floor} | {vs_py} |")
print()
print("| server | req/s | p99 (ms) | non-2xx | vs framework floor | vs FastAPI (official SDK) |")
print("| --- | ---: | ---: | ---: | ---: | ---: |")
row("axum_webhook", "humanos-axum webhook_handler", "axum_floor")
row("actix_webhook", "humanos-actix webhook_handler", "actix_floor")
if "before_axum_webhook" in rows:
    row("before_axum_webhook", "humanos-axum webhook_handler (BEFORE_DIR)", "before_axum_floor")
    row("before_actix_webhook", "humanos-actix webhook_handler (BEFORE_DIR)", "before_actix_floor")
row("axum_floor", "axum plain 200 route (floor)")
row("actix_floor", "actix-web plain 200 route (floor)")
row("fastapi_official", "FastAPI + humanos==1.2.0 create_fastapi_webhook_handler")
bad = [n for n, r in rows.items() if r["non2xx"] or r["socket_errors"]]
if bad:
    print(f"\nnon-2xx or socket errors in: {', '.join(bad)}")
    sys.exit(1)
PY
