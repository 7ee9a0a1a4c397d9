"""Calls a Humanos API (the sandbox, in the tests) through the official SDK, humanos==1.2.0.

The SDK signs json.dumps(body, separators=(",", ":")) but sends the body with json.dumps'
default spaces, so a server that checks signatures over the raw bytes refuses it; the service
checks them over JSON.stringify(JSON.parse(body)), which accepts it, except where Python's JSON
and JavaScript's differ (5000.0 is written 5000 by JavaScript).

Input line: {"base_url", "api_key", "signature_secret"}
Output lines: {"call": str, "status": int} for each call below, in order (an ApiException
counts as its status).
"""
import json
import sys

from humanos_sdk import ApiException, HumanosClient, HumanosClientConfig, SignedSession
from humanos_sdk_generated.models import CreateSubjectDto

args = json.loads(sys.stdin.readline())
client = HumanosClient(
    HumanosClientConfig(
        base_path=args["base_url"],
        api_key=args["api_key"],
        signature_secret=args["signature_secret"],
    )
)
session = SignedSession(args["api_key"], args["signature_secret"])


def report(call, thunk):
    try:
        status = thunk()
    except ApiException as e:
        status = e.status
    print(json.dumps({"call": call, "status": status}), flush=True)


# The typed client: a body (sent with spaces, signed without) and a GET without one.
report(
    "users.create",
    lambda: client.users.create_with_http_info(
        [CreateSubjectDto(contact="bo@example.com", internalId="py-1")]
    ).status_code,
)
report("requests.list", lambda: client.requests.list_with_http_info().status_code)
# The SDK's requests-based session: the same signing, json= sends with spaces.
report(
    "session.post",
    lambda: session.post(
        args["base_url"] + "/user",
        json=[{"contact": "al@example.com", "internalId": "py-2"}],
    ).status_code,
)
# A float Python writes 5000.0 and JavaScript 5000: the signed text is not what the service
# re-serializes, so production answers 401, and so must the sandbox.
report(
    "session.post 5000.0",
    lambda: session.post(
        args["base_url"] + "/user",
        json=[{"contact": "cy@example.com", "internalId": "py-3", "score": 5000.0}],
    ).status_code,
)
