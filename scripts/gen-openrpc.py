#!/usr/bin/env python3
"""Builds schema/openrpc.json from the per-method and per-event schema files and
schema/defs.json.

    scripts/gen-openrpc.py          write the document
    scripts/gen-openrpc.py --check  exit 1 (writing nothing) when it is stale

The schema files are the single source; the OpenRPC document is derived from them so the two
can never disagree. The daemon embeds the document as a package resource
(Sources/A2ALDaemon/Resources/openrpc.json links to it) so `rpc.discover` needs no files at run
time. Output is deterministic: methods and events sorted by name, members in source order,
2-space indent, trailing newline. Python 3 standard library only.
"""
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCHEMA_DIR = os.path.join(ROOT, "schema")
OPENRPC_PATH = os.path.join(SCHEMA_DIR, "openrpc.json")
VERSION_PATH = os.path.join(ROOT, "Sources", "A2ALDaemon", "DaemonVersion.swift")

OPENRPC_VERSION = "1.3.2"
DEFS_PREFIXES = ("defs.json#/$defs/", "#/$defs/")
COMPONENTS_PREFIX = "#/components/schemas/"
METHOD_MEMBERS = ("name", "summary", "description", "params", "result", "errors", "examples")
EVENT_MEMBERS = ("name", "description", "result", "examples")


class SchemaError(Exception):
    pass


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        raise SchemaError(f"{os.path.relpath(path, ROOT)}: {e}")


def load_dir(sub, required):
    folder = os.path.join(SCHEMA_DIR, sub)
    docs = []
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".json"):
            continue
        path = os.path.join(folder, name)
        doc = load(path)
        rel = os.path.relpath(path, ROOT)
        missing = [m for m in required if m not in doc]
        if missing:
            raise SchemaError(f"{rel}: missing member(s) {', '.join(missing)}")
        if doc["name"] + ".json" != name:
            raise SchemaError(f"{rel}: name {doc['name']!r} does not match the file name")
        docs.append(doc)
    return sorted(docs, key=lambda d: d["name"])


def rewrite_refs(value):
    """Points references at the OpenRPC document's own components."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if k == "$ref" and isinstance(v, str):
                for prefix in DEFS_PREFIXES:
                    if v.startswith(prefix):
                        v = COMPONENTS_PREFIX + v[len(prefix):]
                        break
                else:
                    raise SchemaError(f"unsupported $ref {v!r}")
                out[k] = v
            else:
                out[k] = rewrite_refs(v)
        return out
    if isinstance(value, list):
        return [rewrite_refs(v) for v in value]
    return value


def daemon_version():
    try:
        with open(VERSION_PATH, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        raise SchemaError(f"cannot read the daemon version: {e}")
    m = re.search(r'static let string = "([^"]+)"', text)
    if not m:
        raise SchemaError(f"{os.path.relpath(VERSION_PATH, ROOT)}: no `static let string = \"...\"`")
    return m.group(1)


def error_object(e):
    obj = {"code": e["code"], "message": f"{e['kind']}: {e['when']}"}
    # Application errors (-32099 ... -32000) carry data.kind on the wire; standard ones do not.
    if -32099 <= e["code"] <= -32000:
        obj["data"] = {"kind": e["kind"]}
    return obj


def content_descriptors(params):
    required = set(params.get("required", []))
    out = []
    for name, schema in params.get("properties", {}).items():
        d = {"name": name}
        if "description" in schema:
            d["description"] = schema["description"]
        d["required"] = name in required
        d["schema"] = rewrite_refs(schema)
        out.append(d)
    return out


def example_pairings(m):
    out = []
    for i, ex in enumerate(m["examples"], 1):
        out.append({
            "name": f"{m['name']} example {i}",
            "params": [{"name": k, "value": v} for k, v in ex.get("params", {}).items()],
            "result": {"name": "result", "value": ex["result"]},
        })
    return out


def openrpc_method(m):
    codes = [e["code"] for e in m["errors"]]
    if len(set(codes)) != len(codes):
        raise SchemaError(f"schema/methods/{m['name']}.json: an error code is listed twice (OpenRPC needs unique codes)")
    out = {
        "name": m["name"],
        "summary": m["summary"],
        "description": m["description"],
        "paramStructure": "either",
        "params": content_descriptors(m["params"]),
        "result": {"name": "result", "schema": rewrite_refs(m["result"])},
        "errors": [error_object(e) for e in m["errors"]],
        "examples": example_pairings(m),
    }
    # Constraints across parameters (e.g. "exactly one of text and data") do not fit
    # per-parameter descriptors; the whole params schema is kept alongside.
    extra = {k: v for k, v in m["params"].items() if k in ("oneOf", "anyOf", "allOf")}
    if extra:
        out["x-params-schema"] = rewrite_refs(m["params"])
    return out


def openrpc_event(e):
    return {
        "name": e["name"],
        "description": e["description"],
        "result": {"name": "result", "schema": rewrite_refs(e["result"])},
        "examples": [{"name": f"{e['name']} example {i}", "value": ex["result"]}
                     for i, ex in enumerate(e["examples"], 1)],
    }


def build():
    defs = load(os.path.join(SCHEMA_DIR, "defs.json"))
    if "$defs" not in defs:
        raise SchemaError("schema/defs.json: missing $defs")
    methods = load_dir("methods", METHOD_MEMBERS)
    events = load_dir("events", EVENT_MEMBERS)
    doc = {
        "openrpc": OPENRPC_VERSION,
        "info": {
            "title": "a2ald",
            "version": daemon_version(),
            "description": ("JSON-RPC 2.0 API of the a2ald daemon, newline-delimited on a Unix socket "
                            "(docs/jsonrpc.md). Params by name or by position (the order of each method's params list); 64-bit integers that can pass 2^53 (seq, cursors) are decimal strings; results are objects. Any call may "
                            "also fail with overloaded (-32007), unavailable (-32010) or internal "
                            "error (-32603). Events are delivered as `subscription` notifications "
                            "(see x-events and components.schemas.event_notification)."),
        },
        "methods": [openrpc_method(m) for m in methods],
        "components": {"schemas": rewrite_refs(defs["$defs"])},
        "x-events": [openrpc_event(e) for e in events],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def main(argv):
    check = "--check" in argv[1:]
    unknown = [a for a in argv[1:] if a != "--check"]
    if unknown:
        print(f"usage: {argv[0]} [--check]", file=sys.stderr)
        return 2
    try:
        text = build()
    except SchemaError as e:
        print(f"gen-openrpc: {e}", file=sys.stderr)
        return 1
    outputs = [(OPENRPC_PATH, text)]
    stale = []
    for path, content in outputs:
        try:
            with open(path, encoding="utf-8") as f:
                current = f.read()
        except OSError:
            current = None
        if current != content:
            stale.append(path)
    if check:
        for path in stale:
            print(f"gen-openrpc: {os.path.relpath(path, ROOT)} is stale; run scripts/gen-openrpc.py", file=sys.stderr)
        return 1 if stale else 0
    for path, content in outputs:
        if path not in stale:
            continue
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(content)
        os.replace(tmp, path)
        print(f"wrote {os.path.relpath(path, ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
