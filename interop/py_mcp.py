"""Drives an MCP server with the official Python MCP SDK (PyPI `mcp`, pinned in
requirements.txt), one command per line, for the humanos-mcp interop tests.

The first stdin line configures the connection:
  {"stdio": {"command": ..., "args": [...], "env": {...}}}  or  {"url": "http://127.0.0.1:P/mcp"}
  "elicit": null (declare no elicitation), "approve" or "decline" (answer URL elicitations:
  "approve" first approves the request through the sandbox's admin API, as the user would on
  the page the URL opens), "admin": {"base_url": ..., "token": ...}, "mode": "auto" | "legacy",
  "headers": {...} (HTTP only: sent with every request of the connection).
It prints {"ready": true, "protocol": <negotiated revision>, "tools": [...]}.

Then each line is {"tool": name, "args": {...}, "meta": {...} | null} and gets one line back:
{"isError", "text", "structured", "meta", "elicited": [elicitations since the last call]}.
"""

import json
import sys
import urllib.parse
import urllib.request

import anyio
import httpx2
import mcp
from mcp import types
from mcp.client.streamable_http import streamable_http_client

elicited = []


def approve(admin, url):
    """Approves the request the approval URL names (/approve/{requestId}) as the sandbox's admin."""
    request_id = urllib.parse.urlparse(url).path.rstrip("/").split("/")[-1]
    req = urllib.request.Request(
        f"{admin['base_url']}/admin/requests/{request_id}/approve",
        data=b"{}",
        method="POST",
        headers={"X-Sandbox-Admin-Token": admin["token"], "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req) as response:
        response.read()


def elicitation_callback(config):
    async def on_elicit(context, params):
        seen = {"mode": params.mode, "message": params.message}
        if params.mode == "url":
            seen["url"] = params.url
            seen["elicitationId"] = params.elicitation_id
        elicited.append(seen)
        if config["elicit"] == "approve" and params.mode == "url":
            await anyio.to_thread.run_sync(approve, config["admin"], params.url)
            return types.ElicitResult(action="accept")
        return types.ElicitResult(action="decline")

    return on_elicit


def server_of(config):
    if "stdio" in config:
        s = config["stdio"]
        return mcp.StdioServerParameters(command=s["command"], args=s.get("args", []), env=s.get("env"))
    if config.get("headers"):
        http = httpx2.AsyncClient(headers=config["headers"], timeout=httpx2.Timeout(30, read=300))
        return streamable_http_client(config["url"], http_client=http)
    return config["url"]


def answer(result):
    return {
        "isError": bool(result.is_error),
        "text": [c.text for c in result.content if getattr(c, "type", None) == "text"],
        "structured": result.structured_content,
        "meta": result.meta,
        "elicited": elicited[:],
    }


async def main():
    readline = lambda: anyio.to_thread.run_sync(sys.stdin.readline)
    config = json.loads(await readline())
    callback = elicitation_callback(config) if config.get("elicit") else None
    async with mcp.Client(
        server_of(config), elicitation_callback=callback, mode=config.get("mode", "auto")
    ) as client:
        tools = await client.list_tools()
        print(json.dumps({
            "ready": True,
            "protocol": client.session.protocol_version,
            "tools": [t.name for t in tools.tools],
        }), flush=True)
        while line := await readline():
            command = json.loads(line)
            elicited.clear()
            result = await client.call_tool(command["tool"], command.get("args") or {}, meta=command.get("meta"))
            print(json.dumps(answer(result)), flush=True)


anyio.run(main)
