"""Opens webhook deliveries with the official SDK's process_webhook.

Input lines: {"config": {"signature_secret", "encryption_secret", "encryption_salt"},
              "headers": {name: value}, "body": str}
Output lines: {"ok": <decrypted payload>} or {"error": "<ExceptionType>: <message>"}
"""
import json
import sys

from humanos_sdk.webhooks import WebhookConfig, process_webhook

for line in sys.stdin:
    case = json.loads(line)
    config = WebhookConfig(**case["config"])
    try:
        payload = process_webhook(case["body"], case["headers"], config)
        print(json.dumps({"ok": payload}, ensure_ascii=False), flush=True)
    except Exception as exc:  # report every failure as data
        print(json.dumps({"error": f"{type(exc).__name__}: {exc}"}), flush=True)
