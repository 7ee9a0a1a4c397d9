"""Signs request bodies with the official SDK.

Input lines: {"secret": str, "timestamp": int, "body": str | null, "as_dict": bool}
  body null      -> generate_signature(None, ...)       (no body)
  as_dict true   -> generate_signature(json.loads(body)) (the SDK's own serialization)
  otherwise      -> generate_signature(body)             (the exact string)
Output lines: {"signature": hex}
"""
import json
import sys

from humanos_sdk.signature import generate_signature

for line in sys.stdin:
    case = json.loads(line)
    body = case["body"]
    if body is not None and case.get("as_dict"):
        body = json.loads(body)
    sig = generate_signature(body, case["secret"], case["timestamp"])
    print(json.dumps({"signature": sig}), flush=True)
