#!/usr/bin/env bash
# Load and soak (issue 10; not run by CI), all on 127.0.0.1:
#   1. wrk at 64 connections for 60 s against each example server (examples/axum_webhook and
#      examples/actix_webhook, release, HUMANOS_WEBHOOK_DEDUP=off so that every request is
#      verified, decrypted, decoded and handed to the callback), posting one valid sealed `test`
#      delivery: throughput, p99 latency, non-2xx answers, the server's RSS after the first
#      request, after WARMUP_S (10) seconds of load and at the end (VmRSS of /proc/PID/status;
#      VmHWM is the peak).
#   2. the sandbox soak (crates/humanos-sandbox/examples/webhook_soak.rs): 10,000 `test` events
#      delivered by the sandbox to a humanos-axum receiver with dedup that is down for 5 s of
#      the run and loses one acknowledgement in 500: delivered == sent, no duplicate reaches the
#      handler, time taken, RSS.
#
# Usage: bench/soak.sh   (as root it apt-get installs wrk if missing; needs python3 with
#        `cryptography` to seal the delivery, else creates target/bench-venv with it)
# Env:   DURATION (60s), CONNECTIONS (64), THREADS (2), SOAK_EVENTS (10000) and the other
#        SOAK_* variables of webhook_soak.rs, CARGO_TARGET_DIR (target)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
root="$PWD"
duration="${DURATION:-60s}"
connections="${CONNECTIONS:-64}"
threads="${THREADS:-2}"
target_dir="${CARGO_TARGET_DIR:-$root/target}"

if ! command -v wrk >/dev/null 2>&1; then
  echo "==> installing wrk (Debian package)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
python=python3
if ! python3 -c 'import cryptography' 2>/dev/null; then
  venv="$root/target/bench-venv"
  if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import cryptography' 2>/dev/null; then
    echo "==> creating $venv (cryptography)"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check cryptography
  fi
  python="$venv/bin/python"
fi

echo "==> building the example servers and the sandbox soak (release)"
cargo build --quiet --release -p humanos-examples --example axum_webhook --example actix_webhook
cargo build --quiet --release -p humanos-sandbox --example webhook_soak

export HUMANOS_WEBHOOK_SIGNATURE_SECRET="whsec_bench_soak"
export HUMANOS_WEBHOOK_ENCRYPTION_SECRET="YmVuY2gtc29hay1lbmNyeXB0aW9uLXNlY3JldA=="
export HUMANOS_WEBHOOK_ENCRYPTION_SALT="bench-soak-salt"
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


rss_kib() { # pid field
  awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"
}


load() { # name binary port
  PORT="$3" "$target_dir/release/examples/$2" >"$work/$1.log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  wait_port "$3"
  seal "$python" req_bench_soak "soak test"
  local url="http://127.0.0.1:$3/webhooks/humanos" status
  # One request first: it must be accepted, or the figure would measure refusals.
  status="$(curl -s -o /dev/null -w '%{http_code}' -X POST "$url" -H 'content-type: application/json' \
    -H "x-signature: $WEBHOOK_SIGNATURE" -H "x-timestamp: $WEBHOOK_TIMESTAMP" \
    --data-binary "@$WEBHOOK_BODY_FILE" 2>/dev/null || echo 000)"
  if [ "$status" != 200 ]; then echo "$1: the sealed delivery was answered $status" >&2; exit 1; fi
  local rss_start rss_warm line
  rss_start="$(rss_kib "$pid" VmRSS)"
  echo "==> $1: wrk -t$threads -c$connections -d$duration (load average $(cut -d' ' -f1-3 /proc/loadavg))"
  wrk -t"$threads" -c"$connections" -d"$duration" -s bench/webhook_load.lua "$url" >"$work/$1.wrk" &
  local wrk_pid=$!
  # RSS once all connections are open and their buffers allocated (warm-up), to tell a leak
  # (growth after this point) from the first-use allocations before it.
  sleep "${WARMUP_S:-10}"
  rss_warm="$(rss_kib "$pid" VmRSS)"
  wait "$wrk_pid"
  line="$(grep '^RESULT' "$work/$1.wrk")"
  echo "$1 $line rss_start_kib=$rss_start rss_warm_kib=$rss_warm rss_end_kib=$(rss_kib "$pid" VmRSS) rss_peak_kib=$(rss_kib "$pid" VmHWM)" \
    | tee -a "$work/results"
  kill "$pid"
}

echo "==> $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
load axum axum_webhook 18000
load actix actix_webhook 18001

echo "==> sandbox soak: ${SOAK_EVENTS:-10000} credential events of multi-contact requests to three replicas, one down for a while"
"$target_dir/release/examples/webhook_soak" | tee "$work/soak.log"

"$python" - "$work/results" "$work/soak.log" <<'PY'
import sys
def fields(line):
    return {k: float(v) for k, v in (f.split("=") for f in line.split() if "=" in f)}
print()
print("| server | requests | req/s | p99 (ms) | non-2xx | socket errors | RSS first request (MiB) | RSS at warm-up (MiB) | RSS end (MiB) | end / warm-up | RSS peak (MiB) |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
labels = {"axum": "examples/axum_webhook (humanos-axum)", "actix": "examples/actix_webhook (humanos-actix)"}
for line in open(sys.argv[1]):
    r = fields(line)
    print(f"| {labels[line.split()[0]]} | {r['requests']:,.0f} | {r['rps']:,.0f} | {r['p99_ms']:.2f} | "
          f"{r['non2xx']:.0f} | {r['socket_errors']:.0f} | {r['rss_start_kib'] / 1024:.1f} | "
          f"{r['rss_warm_kib'] / 1024:.1f} | {r['rss_end_kib'] / 1024:.1f} | "
          f"{(r['rss_end_kib'] / r['rss_warm_kib'] - 1) * 100:+.1f} % | {r['rss_peak_kib'] / 1024:.1f} |")
s = fields(next(l for l in open(sys.argv[2]) if l.startswith("RESULT")))
print()
print("| sent | delivered | handler runs | handled twice | 200 answers (ok + duplicate) | acks lost | replica down (s) | time (s) | RSS start (MiB) | RSS end (MiB) | RSS peak (MiB) |")
print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
print(f"| {s['sent']:,.0f} | {s['delivered']:,.0f} | {s['handler_runs']:,.0f} | {s['twice']:.0f} | {s['answered']:,.0f} | "
      f"{s['acks_lost']:.0f} | {s['down_s']:.1f} | {s['seconds']:.2f} | {s['rss_start_kib'] / 1024:.1f} | "
      f"{s['rss_end_kib'] / 1024:.1f} | {s['rss_peak_kib'] / 1024:.1f} |")
PY
