#!/usr/bin/env bash
# Instruction counts (callgrind) of WebhookConfig::process, the lifecycle's keyed decoding, the
# Value paths they replaced, and each stage alone, per call, for each payload size: what
# docs/PERFORMANCE.md's "stages" table reports. Instruction counts do not move with the load
# on the machine, unlike times. Note: under valgrind, SHA-256 runs without SHA-NI (the HMAC
# stage counts several times what it costs natively); AES-NI is used.
#
# Usage: bench/webhook_stages.sh [ITERATIONS]   (default 100)
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-100}"
bin="$(cargo bench -p humanos-webhooks --bench process_webhook --no-run --message-format=json 2>/dev/null |
  python3 -c 'import json,sys
for l in sys.stdin:
    m = json.loads(l)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "process_webhook" and m.get("executable"):
        print(m["executable"])')"
out="$(mktemp)"
for size in 1024 16384 262144; do
  HUMANOS_WEBHOOK_PROBE="$n" HUMANOS_WEBHOOK_PROBE_SIZE="$size" \
    valgrind --tool=callgrind --callgrind-out-file="$out" "$bin" >/dev/null 2>&1
  callgrind_annotate --inclusive=yes "$out" 2>/dev/null | python3 -c '
import re, sys
n, size = int(sys.argv[1]), int(sys.argv[2])
counts = {}
for line in sys.stdin:
    # The calls from `probe`: "<inclusive> (..%)  => <file>:process_webhook::<name> (<n>x)".
    m = re.match(r"\s*([\d,]+) \(.*\)\s+=> \S*benches/process_webhook.rs:process_webhook::(\w+) \((\d+)x\)", line)
    if m:
        counts.setdefault(m.group(2), int(m.group(1).replace(",", "")) // int(m.group(3)))
stages = sum(counts[s] for s in ("stage_hmac", "stage_base64", "stage_aes_gcm", "stage_parse_value"))
print(f"payload {size}: instructions per call")
for name, c in counts.items():
    print(f"  {name:24} {c:>12,}  {c / stages:.2f}x the sum of the stages")
total = "sum of the stages"
print(f"  {total:24} {stages:>12,}")
' "$n" "$size"
done
rm -f "$out"
