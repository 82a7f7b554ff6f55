#!/usr/bin/env python3
"""A line-oriented proxy from a test to real MCP sessions, using the official MCP Python SDK.

The Swift tests (Tests/A2ALMCPTests) drive a2al-mcp through this script so that what
talks to the server is the reference client, not a hand-written one. One JSON request per
line on stdin, one JSON answer per line on stdout, matched by "id":

    {"id": 1, "op": "open", "name": "a", "command": [".../a2al-mcp", "--socket", "S"]}
        -> {"id": 1, "result": <initialize result>}
    {"id": 2, "op": "list", "name": "a"}          -> {"id": 2, "result": {"tools": [...]}}
    {"id": 3, "op": "call", "name": "a", "tool": "node_info", "args": {}}
        -> {"id": 3, "result": <CallToolResult: content, structuredContent, isError>}

A failure (the server answered with a protocol error, or could not start) is
{"id": n, "exception": "<type>: <message>"}. Calls run concurrently, so a test can start
wait_for_event and trigger the event while it waits. End of stdin closes every session
(closing each server's stdin) once the calls in flight have answered.
"""
import json
import sys
from contextlib import AsyncExitStack

import anyio
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client


def dump(model):
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)


async def main():
    sessions = {}
    write_lock = anyio.Lock()

    async def reply(obj):
        async with write_lock:
            sys.stdout.write(json.dumps(obj) + "\n")
            sys.stdout.flush()

    async def handle(req):
        rid = req.get("id")
        try:
            session = sessions[req["name"]]
            if req["op"] == "list":
                out = dump(await session.list_tools())
            elif req["op"] == "call":
                out = dump(await session.call_tool(req["tool"], req.get("args")))
            else:
                raise ValueError(f"unknown op {req['op']!r}")
            await reply({"id": rid, "result": out})
        except Exception as e:  # reported to the test, which decides whether it is a failure
            await reply({"id": rid, "exception": f"{type(e).__name__}: {e}"})

    async with AsyncExitStack() as stack:
        errlog = stack.enter_context(open(sys.argv[1], "a")) if len(sys.argv) > 1 else sys.stderr
        # Entered first, so the sessions (entered later, in this task) close before it:
        # anyio needs the scopes to nest.
        calls = await stack.enter_async_context(anyio.create_task_group())
        while True:
            line = await anyio.to_thread.run_sync(sys.stdin.readline)
            if not line:
                break
            req = json.loads(line)
            if req.get("op") != "open":
                calls.start_soon(handle, req)
                continue
            try:
                params = StdioServerParameters(command=req["command"][0], args=req["command"][1:])
                read, write = await stack.enter_async_context(stdio_client(params, errlog=errlog))
                session = await stack.enter_async_context(ClientSession(read, write))
                init = await session.initialize()
                sessions[req["name"]] = session
                await reply({"id": req["id"], "result": dump(init)})
            except Exception as e:
                await reply({"id": req["id"], "exception": f"{type(e).__name__}: {e}"})


if __name__ == "__main__":
    anyio.run(main)
