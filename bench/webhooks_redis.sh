#!/usr/bin/env bash
# The shared dedup store's cost (issue 14): deliveries per second and p99 latency for one
# humanos-axum replica with the in-memory store, one replica with Redis and three replicas with
# Redis, in one run (crates/humanos-webhooks-redis/examples/replica_load.rs), then the ratios.
# Starts a throwaway redis-server (Debian's; installed as root when missing) on a free port of
# 127.0.0.1 in a temporary directory, and stops it afterwards. Well under a minute of load.
#
# Usage: bench/webhooks_redis.sh
# Env:   LOAD_DELIVERIES (20000 per setup), LOAD_CONCURRENCY (32), CARGO_TARGET_DIR (target)
set -euo pipefail
cd "$(dirname "$0")/.."
target_dir="${CARGO_TARGET_DIR:-$PWD/target}"

if ! command -v redis-server >/dev/null 2>&1; then
  echo "==> installing Debian's redis-server"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
fi

echo "==> building the load driver (release)"
cargo build --quiet --release -p humanos-webhooks-redis --example replica_load

work="$(mktemp -d)"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" >"$work/redis.log" 2>&1 &
redis_pid=$!
trap 'kill "$redis_pid" 2>/dev/null || true; wait "$redis_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
  sleep 0.1
done

echo "==> $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(redis-server --version | cut -d' ' -f1-3)"
REDIS_URL="redis://127.0.0.1:$port/0" RUST_LOG=warn "$target_dir/release/examples/replica_load" | tee "$work/results"

python3 - "$work/results" <<'PY'
import sys
rows = {}
for line in open(sys.argv[1]):
    if line.startswith("RESULT"):
        f = dict(kv.split("=") for kv in line.split()[1:])
        rows[f["setup"]] = f
base = float(rows["memory_1"]["rps"])
labels = {"memory_1": "1 replica, in-memory store", "redis_1": "1 replica, Redis",
          "redis_3": "3 replicas, Redis (round-robin)"}
print()
print("| setup | deliveries/s | vs in-memory | p50 (ms) | p99 (ms) |")
print("| --- | ---: | ---: | ---: | ---: |")
for key in ("memory_1", "redis_1", "redis_3"):
    r = rows[key]
    print(f"| {labels[key]} | {float(r['rps']):,.0f} | {float(r['rps']) / base:.2f}x | "
          f"{float(r['p50_ms']):.2f} | {float(r['p99_ms']):.2f} |")
PY
