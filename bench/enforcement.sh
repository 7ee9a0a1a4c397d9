#!/usr/bin/env bash
# MandateLayer: latency over a bare route, and the online calls the local pre-check saves on a
# half-in, half-out mix, against an in-process sandbox on 127.0.0.1 (one run, release build).
# Takes well under a minute once built. Figures: docs/PERFORMANCE.md.
#
# Usage: bench/enforcement.sh [REQUESTS]   (default 200 per measurement)
#        ENFORCE_BENCH_DELAY_MS=50 bench/enforcement.sh 20   (50 ms of latency per API call, in the proxy)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --quiet --release -p humanos-axum --example enforce_bench -- "${1:-200}"
