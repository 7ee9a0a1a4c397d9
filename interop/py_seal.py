"""Seals webhook deliveries the way the Humanos server does, using only `cryptography`.

The server derives key = PBKDF2-HMAC-SHA256(base64decode(encryption_secret),
utf8(encryption_salt), 10000, 32), encrypts the JSON event with AES-256-GCM under a random
12-byte IV and no AAD, sends {"iv","data","tag"} in standard base64 (tag split off the
ciphertext), and signs hex(HMAC-SHA256(signature_secret, f"{ts}.{body}")).

Input lines: {"config": {...}, "plaintext": str, "timestamp": int}
Output lines: {"headers": {"x-signature", "x-timestamp"}, "body": str}
"""
import base64
import hashlib
import hmac
import json
import os
import sys

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

def seal(cfg, plaintext, ts, iv=None):
    """The delivery of `plaintext` (str) at `ts` (Unix ms): (headers, body)."""
    key = PBKDF2HMAC(
        algorithm=hashes.SHA256(),
        length=32,
        salt=cfg["encryption_salt"].encode("utf-8"),
        iterations=10000,
    ).derive(base64.b64decode(cfg["encryption_secret"]))
    iv = os.urandom(12) if iv is None else iv
    sealed = AESGCM(key).encrypt(iv, plaintext.encode("utf-8"), None)
    ciphertext, tag = sealed[:-16], sealed[-16:]
    body = json.dumps(
        {
            "iv": base64.b64encode(iv).decode(),
            "data": base64.b64encode(ciphertext).decode(),
            "tag": base64.b64encode(tag).decode(),
        }
    )
    signature = hmac.new(
        cfg["signature_secret"].encode("utf-8"),
        f"{ts}.{body}".encode("utf-8"),
        hashlib.sha256,
    ).hexdigest()
    return {"x-signature": signature, "x-timestamp": str(ts)}, body


if __name__ == "__main__":
    for line in sys.stdin:
        case = json.loads(line)
        headers, body = seal(case["config"], case["plaintext"], case["timestamp"])
        print(json.dumps({"headers": headers, "body": body}), flush=True)
