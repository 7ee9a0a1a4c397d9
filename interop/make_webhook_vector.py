"""Writes crates/humanos-webhooks/tests/vectors/python_sealed.json: one webhook delivery sealed
by py_seal.seal (Python `cryptography`, no Rust involved), for a test that opens it in every
`cargo test` without Python.

Run once; the committed file is the vector (the IV is random, so a new run gives another, equally
valid, delivery):

    .venv/bin/python interop/make_webhook_vector.py
"""
import json
import os
from importlib.metadata import version

from py_seal import seal

CONFIG = {
    "signature_secret": "whsec_vector_Sïgnature",
    "encryption_secret": "dmVjdG9yLWVuY3J5cHRpb24tc2VjcmV0LTIwMjYtMDktMDE=",
    "encryption_salt": "vector-salt-✓",
}
TIMESTAMP = 1788256800123  # 2026-09-01T10:00:00.123Z
# The event as the server would write it (JSON.stringify: compact, raw UTF-8), with a double
# that only a correctly rounded parser reads back exactly.
PLAINTEXT = json.dumps(
    {
        "eventType": "credential",
        "requestId": "req_vector_1",
        "internalId": "order-7731",
        "user": {"contact": "josé@example.com", "id": "usr_vector"},
        "credential": {
            "id": "urn:via:credential:vector",
            "status": "ACTIVE",
            "userParams": {"maxAmount": 90713.01334386505, "note": "Zürich — 東京 👍🏽"},
        },
    },
    ensure_ascii=False,
    separators=(",", ":"),
)

headers, body = seal(CONFIG, PLAINTEXT, TIMESTAMP)
vector = {
    "generator": f"interop/make_webhook_vector.py, cryptography {version('cryptography')}",
    **CONFIG,
    "timestamp": TIMESTAMP,
    "headers": headers,
    "body": body,
    "plaintext": PLAINTEXT,
}
out = os.path.join(
    os.path.dirname(__file__), "../crates/humanos-webhooks/tests/vectors/python_sealed.json"
)
os.makedirs(os.path.dirname(out), exist_ok=True)
with open(out, "w", encoding="utf-8") as f:
    json.dump(vector, f, ensure_ascii=False, indent=2)
    f.write("\n")
print(f"wrote {os.path.normpath(out)}")
