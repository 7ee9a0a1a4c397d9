"""Times the official Python SDK's process_webhook (humanos==1.2.0) on the bodies the Rust
benchmark sealed, re-signed with a fresh timestamp (the SDK checks a 5-minute window).

Usage: python bench/webhooks_python.py <fixtures dir>
Prints one JSON line per size: {"size": int, "per_call_us": float, "calls": int}
"""
import hashlib
import hmac
import json
import pathlib
import sys
import time

from humanos_sdk.webhooks import WebhookConfig, process_webhook

# The same secrets as crates/humanos-webhooks/benches/process_webhook.rs.
config = WebhookConfig(
    signature_secret="whsec_bench",
    encryption_secret="YmVuY2gtZW5jcnlwdGlvbi1zZWNyZXQ=",
    encryption_salt="bench-salt",
)

for size in (1024, 16 * 1024, 256 * 1024):
    body = (pathlib.Path(sys.argv[1]) / f"{size}.json").read_text()
    calls, elapsed = 0, 0.0
    while elapsed < 3.0:
        ts = int(time.time() * 1000)
        sig = hmac.new(b"whsec_bench", f"{ts}.{body}".encode(), hashlib.sha256).hexdigest()
        headers = {"x-signature": sig, "x-timestamp": str(ts)}
        start = time.perf_counter()
        process_webhook(body, headers, config)
        elapsed += time.perf_counter() - start
        calls += 1
    print(json.dumps({"size": size, "per_call_us": elapsed / calls * 1e6, "calls": calls}), flush=True)
