#!/usr/bin/env bash
# Where a fresh presentation of a known mandate spends its instructions, against one strict
# Ed25519 check in the same process (callgrind counts instructions the same under any load).
# Prints the two per-call counts, their ratio, and the inclusive profile of the verification.
#
# Usage: bench/vp_profile.sh [N]   (default 50 presentations)
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-50}"
bin="$(cargo bench -p humanos-vc --bench verify --no-run --message-format=json 2>/dev/null |
  python3 -c 'import json,sys
for l in sys.stdin:
    m = json.loads(l)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "verify" and m.get("executable"):
        print(m["executable"])')"
out="${VP_PROFILE_OUT:-$(mktemp)}"
HUMANOS_VC_PROBE="$n" valgrind --tool=callgrind --callgrind-out-file="$out" "$bin" >/dev/null 2>&1
callgrind_annotate --inclusive=yes "$out" 2>/dev/null | python3 -c '
import re, sys
n = int(sys.argv[1])
lines = sys.stdin.read().splitlines()
calls = {}
for line in lines:
    m = re.match(r"\s*([\d,]+) \(.*\)\s+=> \S*benches/verify.rs:verify::(probe_\w+) \((\d+)x\)", line)
    if m:
        calls.setdefault(m.group(2), (int(m.group(1).replace(",", "")), int(m.group(3))))
vp = calls["probe_fresh_vp"][0] / calls["probe_fresh_vp"][1]
ed = calls["probe_ed25519"][0] / calls["probe_ed25519"][1]
print(f"fresh VP, known mandate: {vp:,.0f} instructions per call")
print(f"one Ed25519 verify_strict: {ed:,.0f} instructions per call")
print(f"ratio: {vp / ed:.2f}x")
' "$n"
echo "profile: callgrind_annotate --inclusive=yes $out"
