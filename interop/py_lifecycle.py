"""Drives a Humanos API (the sandbox, in the tests) through the official SDK, humanos==1.2.0:
the six steps of a mandate's life and every read endpoint, each answer decoded by the SDK's own
models.

Input line: {"base_url", "api_key", "signature_secret", "admin_token", "org_did", "agent_did"}
Output lines: {"call": str, "ok": bool, "status": int|null, "error": str|null, "null_only":
bool (decoding failures only)} per call below, in order. "ok" is true when the SDK returned (or, for an expected refusal, when the refusal's
body decoded as the schema the description documents for it); "error" carries the SDK's
exception otherwise (a pydantic ValidationError is a body the SDK could not decode).
"""
import json
import sys
import urllib.request
from datetime import datetime, timedelta, timezone

from humanos_sdk import ApiException, HumanosClient, HumanosClientConfig
from humanos_sdk_generated.models import (
    ActionDto,
    CreatePresentationDto,
    CredentialsIssueVP403Response,
    CredentialDto,
    GenerateRequestDto,
    GenerateRequestUserDto,
    RevokeCredentialDto,
    VerifyDenyResponseEntity,
    VerifyPresentationDto,
)

args = json.loads(sys.stdin.readline())
client = HumanosClient(
    HumanosClientConfig(
        base_path=args["base_url"],
        api_key=args["api_key"],
        signature_secret=args["signature_secret"],
    )
)


def report(call, thunk, refusal=None):
    """Runs thunk; with refusal=(status, model), an ApiException of that status whose body
    decodes as model counts as ok."""
    out = {"call": call, "ok": True, "status": None, "error": None}
    result = None
    try:
        result = thunk()
    except ApiException as e:
        out["status"] = e.status
        if refusal and e.status == refusal[0]:
            try:
                refusal[1].from_json(e.body)
            except Exception as d:  # the refusal's body did not decode
                out.update(ok=False, error=f"{type(d).__name__}: {d}")
        else:
            out.update(ok=False, error=f"ApiException {e.status}: {e.body}")
    except Exception as e:  # the answer did not decode
        out.update(ok=False, error=f"{type(e).__name__}: {e}")
        if hasattr(e, "errors"):
            # Every member the SDK refused holds null (the SDK types some members the
            # description documents as nullable as required).
            out["null_only"] = all(err.get("input") is None for err in e.errors())
    print(json.dumps(out), flush=True)
    return result


def admin_approve(request_id):
    req = urllib.request.Request(
        f"{args['base_url']}/admin/requests/{request_id}/approve",
        method="POST",
        headers={"X-Sandbox-Admin-Token": args["admin_token"]},
    )
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read())["credentialIds"][0]


# Step 1: the action, as the listing hands it out.
actions = report("actions.list", lambda: client.actions.list())
action = actions.data[0]
version_urn = action.versions[0].id
report("actions.versions", lambda: client.actions.versions(action.id))
report("approval.list", lambda: client.approval.list())
report("approval.workflows", lambda: client.approval.workflows())
report(
    "intelligence.action",
    lambda: client.intelligence.action(org_did=args["org_did"], urn=version_urn),
)

# Step 2: a request for a bounded mandate (a number in executionsRemaining, not the documented
# null of an unlimited one, which this SDK refuses).
mandate = CredentialDto(
    type="POLICY",
    name="Purchase mandate",
    maxExecutions=5,
    action=ActionDto(id=action.id, userParams={"maxAmount": 100}),
)
dto = GenerateRequestDto(
    users=[GenerateRequestUserDto(contact="ana@example.com")], credentials=[mandate]
)
created = report("requests.create", lambda: client.requests.create(dto))
report("requests.list", lambda: client.requests.list())
report("requests.detail", lambda: client.requests.detail(created.id))

# Step 3: the user accepts (the sandbox stands in for her).
vc_id = admin_approve(created.id)
detail = report("credentials.detail", lambda: client.credentials.detail(vc_id))
report("users.detail", lambda: client.users.detail(contact="ana@example.com"))

# Steps 4 and 5: a presentation, verified within and outside the rule.
vp = report(
    "credentials.issue_vp", lambda: client.credentials.issue_vp(vc_id, CreatePresentationDto())
)
allow = VerifyPresentationDto(
    presentationEncoded=vp.presentation_encoded, executionParams={"amount": 50}
)
report("credentials.verify allow", lambda: client.credentials.verify(allow))
deny = VerifyPresentationDto(
    presentationEncoded=vp.presentation_encoded, executionParams={"amount": 500}
)
report(
    "credentials.verify deny",
    lambda: client.credentials.verify(deny),
    refusal=(403, VerifyDenyResponseEntity),
)

# Step 6: revoked, then refused, and the chain that records it all.
report(
    "credentials.revoke",
    lambda: client.credentials.revoke(
        vc_id, revoke_credential_dto=RevokeCredentialDto(reason="user_initiated")
    ),
)
report(
    "credentials.issue_vp after revoke",
    lambda: client.credentials.issue_vp(vc_id, CreatePresentationDto()),
    refusal=(403, CredentialsIssueVP403Response),
)
report("credentials.detail revoked", lambda: client.credentials.detail(vc_id))
report("credentials.audit_events", lambda: client.credentials.audit_events(vc_id))
evidence_id = detail.w3c_credential["evidence"][0]["id"]
report("credentials.evidence", lambda: client.credentials.evidence(evidence_id))
report("did.resolve", lambda: client.did.resolve(args["agent_did"]))
report(
    "intelligence.snapshot",
    lambda: client.intelligence.snapshot(org_did=args["org_did"], did=args["agent_did"]),
)
now = datetime.now(timezone.utc)
report(
    "intelligence.window",
    lambda: client.intelligence.window(
        org_did=args["org_did"],
        did=args["agent_did"],
        var_from=(now - timedelta(days=1)).isoformat(timespec="milliseconds"),
        to=(now + timedelta(days=1)).isoformat(timespec="milliseconds"),
    ),
)
report("requests.cancel", lambda: client.requests.cancel(created.id))
