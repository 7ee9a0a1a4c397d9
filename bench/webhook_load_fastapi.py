"""The official Python SDK's FastAPI handler (humanos==1.2.0), as its README shows it, for
bench/webhook_load.sh. Secrets from the HUMANOS_WEBHOOK_* environment variables.

Run: uvicorn --app-dir bench webhook_load_fastapi:app --port 8002
"""
import os

from fastapi import FastAPI, Request
from humanos_sdk import WebhookConfig, create_fastapi_webhook_handler

app = FastAPI()

config = WebhookConfig(
    signature_secret=os.environ["HUMANOS_WEBHOOK_SIGNATURE_SECRET"],
    encryption_secret=os.environ["HUMANOS_WEBHOOK_ENCRYPTION_SECRET"],
    encryption_salt=os.environ["HUMANOS_WEBHOOK_ENCRYPTION_SALT"],
)


def on_event(payload):
    event_type = payload["eventType"]
    if event_type == "credential":
        pass
    elif event_type == "identity":
        pass
    elif event_type == "otp.failed":
        pass
    elif event_type == "test":
        pass


handler = create_fastapi_webhook_handler(config, on_event)


@app.post("/webhooks/humanos")
async def webhook(request: Request):
    return await handler(request)
