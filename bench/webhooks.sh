#!/usr/bin/env bash
# process_webhook: Rust full path vs the bare floor (criterion, same run) vs the official Python
# SDK on the same bodies. Prints a table of per-call times and ratios.
#
# Usage: bench/webhooks.sh            (creates .venv with the official SDK if needed)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import humanos_sdk' 2>/dev/null; then
  python3 -m venv .venv && .venv/bin/pip install --quiet -r interop/requirements.txt
fi
fixtures="$(mktemp -d)"
out="$(mktemp)"
HUMANOS_BENCH_FIXTURES="$fixtures" cargo bench -p humanos-webhooks --bench process_webhook -- \
  --warm-up-time 2 --measurement-time 5 --noplot 2>/dev/null | tee "$out"
.venv/bin/python bench/webhooks_python.py "$fixtures" > "$fixtures/python.jsonl"
python3 - "$out" "$fixtures/python.jsonl" <<'PY'
import json, re, sys
units = {"ns": 1e-3, "µs": 1.0, "us": 1.0, "ms": 1e3, "s": 1e6}
rust, name = {}, None
for line in open(sys.argv[1], encoding="utf-8"):
    m = re.match(r"^webhook/(\w+)/(\d+)", line)
    if m:
        name = (m.group(1), int(m.group(2)))
    m = re.search(r"time:\s+\[\S+ \S+ (\S+) (\S+) \S+ \S+\]", line)
    if m and name:
        rust[name] = float(m.group(1)) * units[m.group(2)]
        name = None
py = {d["size"]: d["per_call_us"] for d in map(json.loads, open(sys.argv[2]))}
print()
print("| payload | process_webhook (Rust) | floor (HMAC+AES-GCM+parse) | Rust / floor | Python SDK | Python / Rust |")
print("| --- | --- | --- | --- | --- | --- |")
for size in (1024, 16384, 262144):
    r, f, p = rust[("process_webhook", size)], rust[("floor", size)], py[size]
    print(f"| {size // 1024} KiB | {r:.1f} µs | {f:.1f} µs | {r / f:.2f}x | {p:.0f} µs | {p / r:,.0f}x |")
PY
