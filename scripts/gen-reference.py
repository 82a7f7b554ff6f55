#!/usr/bin/env python3
"""Builds docs/reference.md, the method and event reference, from the per-method and per-event
schema files and schema/defs.json.

    scripts/gen-reference.py          write docs/reference.md
    scripts/gen-reference.py --check  exit 1 (writing nothing) when docs/reference.md is stale

The schema files are the single source; this page is derived from them so the two can never
disagree. docs/jsonrpc.md (written by hand) keeps the conventions: framing, error codes, data
encodings, configuration. Output is deterministic: methods grouped by namespace and sorted by
name, events and shared types sorted by name, members in source order, trailing newline.
Python 3 standard library only.
"""
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCHEMA_DIR = os.path.join(ROOT, "schema")
OUTPUT_PATH = os.path.join(ROOT, "docs", "reference.md")

DEFS_PREFIXES = ("defs.json#/$defs/", "#/$defs/")
METHOD_MEMBERS = ("name", "summary", "description", "params", "result", "errors", "examples")
EVENT_MEMBERS = ("name", "description", "result", "examples")
ERROR_MEMBERS = ("code", "kind", "when")

# The socket a daemon running as root listens on (DefaultPaths.rootSocket).
SOCKET = "/run/a2al.sock"
# How long socat keeps reading after sending: the longest `timeout_ms` (600000) plus a margin.
SLOW_SOCAT_WAIT_S = 660
# A subscription id to show in example notifications.
EXAMPLE_SUBSCRIPTION = "5f0c2a9e4b7d1c3a"

# Namespaces in the order docs/jsonrpc.md lists them; methods without a dot (subscribe,
# unsubscribe) belong with rpc.*. Any other namespace follows, sorted, under its own name.
GROUPS = (
    ("rpc", "rpc.* and subscriptions"),
    ("node", "node.* — the local node and single-peer RPCs"),
    ("query", "query.* — iterative lookups over the DHT"),
    ("store", "store.* — the local record store"),
    ("agent", "agent.* — identities held by the daemon"),
    ("publish", "publish.* — records the daemon signs, replicates and republishes"),
    ("mailbox", "mailbox.* — encrypted notes between agents"),
)


class SchemaError(Exception):
    pass


# ---------------------------------------------------------------------------------------------
# Loading and checking the schema files


def rel(path):
    return os.path.relpath(path, ROOT)


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        raise SchemaError(f"{rel(path)}: {e}")


def check_object_schema(schema, where, what):
    if not isinstance(schema, dict):
        raise SchemaError(f"{where}: {what} must be a JSON object (a schema), found {type(schema).__name__}")


def check_method(doc, where):
    for member in ("name", "summary", "description"):
        if not isinstance(doc[member], str) or not doc[member]:
            raise SchemaError(f"{where}: {member!r} must be a non-empty string")
    params = doc["params"]
    check_object_schema(params, where, "'params'")
    if params.get("type") != "object" or not isinstance(params.get("properties"), dict):
        raise SchemaError(f"{where}: 'params' must be an object schema with 'properties'")
    check_object_schema(doc["result"], where, "'result'")
    if not isinstance(doc["errors"], list):
        raise SchemaError(f"{where}: 'errors' must be an array")
    for i, e in enumerate(doc["errors"]):
        if not isinstance(e, dict):
            raise SchemaError(f"{where}: errors[{i}] must be an object")
        missing = [m for m in ERROR_MEMBERS if m not in e]
        if missing:
            raise SchemaError(f"{where}: errors[{i}] is missing {', '.join(missing)}")
        if not isinstance(e["code"], int) or isinstance(e["code"], bool):
            raise SchemaError(f"{where}: errors[{i}].code must be an integer")
    check_examples(doc, where, needs_params=True)


def check_event(doc, where):
    if not isinstance(doc["description"], str) or not doc["description"]:
        raise SchemaError(f"{where}: 'description' must be a non-empty string")
    check_object_schema(doc["result"], where, "'result'")
    check_examples(doc, where, needs_params=False)


def check_examples(doc, where, needs_params):
    examples = doc["examples"]
    if not isinstance(examples, list) or not examples:
        raise SchemaError(f"{where}: 'examples' must be a non-empty array")
    for i, ex in enumerate(examples):
        if not isinstance(ex, dict) or "result" not in ex:
            raise SchemaError(f"{where}: examples[{i}] must be an object with a 'result'")
        if needs_params and not isinstance(ex.get("params", {}), dict):
            raise SchemaError(f"{where}: examples[{i}].params must be an object (params are by name)")


def load_dir(sub, required, check):
    folder = os.path.join(SCHEMA_DIR, sub)
    try:
        names = sorted(os.listdir(folder))
    except OSError as e:
        raise SchemaError(f"{rel(folder)}: {e}")
    docs = []
    for name in names:
        if not name.endswith(".json"):
            continue
        path = os.path.join(folder, name)
        doc = load(path)
        where = rel(path)
        if not isinstance(doc, dict):
            raise SchemaError(f"{where}: the file must hold a JSON object")
        missing = [m for m in required if m not in doc]
        if missing:
            raise SchemaError(f"{where}: missing member(s) {', '.join(missing)}")
        if doc["name"] + ".json" != name:
            raise SchemaError(f"{where}: name {doc['name']!r} does not match the file name")
        check(doc, where)
        docs.append((doc, where))
    return sorted(docs, key=lambda d: d[0]["name"])


def load_defs():
    path = os.path.join(SCHEMA_DIR, "defs.json")
    doc = load(path)
    defs = doc.get("$defs") if isinstance(doc, dict) else None
    if not isinstance(defs, dict):
        raise SchemaError(f"{rel(path)}: missing $defs")
    for name, schema in defs.items():
        check_object_schema(schema, f"{rel(path)}: $defs/{name}", "the definition")
    return defs


# ---------------------------------------------------------------------------------------------
# Markdown helpers


def slugify(text):
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to dashes."""
    out = []
    for c in text.lower():
        if c.isalnum() or c in "_-":
            out.append(c)
        elif c == " ":
            out.append("-")
    return "".join(out)


class Anchors:
    """Heading anchors in document order, numbered like GitHub's when a heading repeats."""

    def __init__(self):
        self.used = set()
        self.by_key = {}

    def add(self, key, heading_text):
        base = slugify(heading_text)
        slug, n = base, 0
        while slug in self.used:
            n += 1
            slug = f"{base}-{n}"
        self.used.add(slug)
        self.by_key[key] = slug
        return slug

    def __getitem__(self, key):
        return self.by_key[key]


def code(text):
    """An inline code span holding `text` exactly, whatever backticks it contains."""
    text = str(text)
    fence = "`"
    while fence in text:
        fence += "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def cell(text):
    """Text for a table cell: one line, pipes escaped (GitHub reads \\| in code spans too)."""
    return " ".join(str(text).split()).replace("|", "\\|")


def prose(text):
    """Schema text as Markdown: `<` and `>` outside code spans become entities, so GitHub does
    not take `<event>` for an HTML tag and drop it."""
    parts = str(text).split("`")
    for i in range(0, len(parts), 2):
        parts[i] = parts[i].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return "`".join(parts)


def literal(value):
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    for row in rows:
        lines.append("| " + " | ".join(cell(c) for c in row) + " |")
    return lines


def sentence(text):
    text = " ".join(text.split())
    return text if not text or text[-1] in ".!?" else text + "."


# ---------------------------------------------------------------------------------------------
# Reading schemas as a person would


class Renderer:
    def __init__(self, defs, anchors):
        self.defs = defs
        self.anchors = anchors

    def def_name(self, ref, where):
        if not isinstance(ref, str):
            raise SchemaError(f"{where}: $ref must be a string, found {ref!r}")
        for prefix in DEFS_PREFIXES:
            if ref.startswith(prefix):
                name = ref[len(prefix):]
                if name not in self.defs:
                    raise SchemaError(f"{where}: $ref {ref!r} names no definition in schema/defs.json")
                return name
        raise SchemaError(f"{where}: unsupported $ref {ref!r} (expected defs.json#/$defs/NAME)")

    def def_link(self, name):
        return f"[{code(name)}](#{self.anchors[('def', name)]})"

    def resolve(self, schema, where):
        """The schema a bare `$ref` points at (one level), else the schema itself."""
        if isinstance(schema, dict) and "$ref" in schema:
            return self.defs[self.def_name(schema["$ref"], where)]
        return schema

    @staticmethod
    def bounds(low, high, unit=""):
        if low is not None and high is not None:
            return f"{low} … {high}{unit}"
        if low is not None:
            return f"≥ {low}{unit}"
        if high is not None:
            return f"≤ {high}{unit}"
        return ""

    def numeric_bounds(self, schema, where):
        """"1 … 600000", or alternatives from an anyOf of plain ranges ("32 … 127 or 144 … 255")."""
        own = self.bounds(schema.get("minimum"), schema.get("maximum"))
        alts = schema.get("anyOf") or schema.get("oneOf")
        if isinstance(alts, list) and alts and all(
                isinstance(a, dict) and set(a) <= {"minimum", "maximum"} for a in alts):
            ranges = " or ".join(self.bounds(a.get("minimum"), a.get("maximum")) for a in alts)
            return f"{own}; {ranges}" if own else ranges
        return own

    def base_type(self, name, schema, where):
        if name in ("integer", "number"):
            b = self.numeric_bounds(schema, where)
            return f"{name} ({b})" if b else name
        if name == "string":
            lo, hi = schema.get("minLength"), schema.get("maxLength")
            if lo == 1 and hi is None:
                return "non-empty string"
            b = self.bounds(lo, hi, " chars")
            return f"string ({b})" if b else "string"
        if name == "array":
            items = schema.get("items")
            lo, hi = schema.get("minItems"), schema.get("maxItems")
            if lo == 1 and hi is None:
                text, lo = "non-empty array", None
            else:
                text = "array"
            b = self.bounds(lo, hi, " items")
            if b:
                text += f" ({b})"
            return text + " of " + self.type_text(items, where + ".items") if isinstance(items, dict) else text
        if name in ("object", "boolean", "null"):
            return name
        raise SchemaError(f"{where}: unknown type {name!r}")

    def type_text(self, schema, where):
        """A readable type: a def link, a base type with its bounds, enum values, a constant."""
        if schema is True or schema == {}:
            return "any"
        if not isinstance(schema, dict):
            raise SchemaError(f"{where}: a schema must be an object, found {schema!r}")
        if "$ref" in schema:
            return self.def_link(self.def_name(schema["$ref"], where))
        if "const" in schema:
            return f"const {code(literal(schema['const']))}"
        if "enum" in schema:
            values = schema["enum"]
            if not isinstance(values, list) or not values:
                raise SchemaError(f"{where}: enum must be a non-empty array")
            return "one of " + ", ".join(code(literal(v)) for v in values)
        kind = schema.get("type")
        if kind is None:
            for key in ("anyOf", "oneOf"):
                alts = schema.get(key)
                if isinstance(alts, list) and alts:
                    parts = []
                    for i, alt in enumerate(alts):
                        text = self.type_text(alt, f"{where}.{key}[{i}]")
                        if text not in parts:
                            parts.append(text)
                    return " or ".join(parts)
            return "any"
        if isinstance(kind, list):
            if not kind:
                raise SchemaError(f"{where}: type must not be an empty array")
            return " or ".join(self.base_type(k, schema, where) for k in kind)
        return self.base_type(kind, schema, where)

    def description(self, schema, where):
        """The schema's description and default; a bare `$ref` without its own falls back to the
        definition's."""
        if not isinstance(schema, dict):
            return ""
        target = self.defs[self.def_name(schema["$ref"], where)] if "$ref" in schema else {}
        text = prose(schema.get("description") or target.get("description", ""))
        source = schema if "default" in schema else target
        if "default" in source:
            text = (sentence(text) + " " if text else "") + f"Default: {code(literal(source['default']))}."
        return text

    def rows(self, schema, where, prefix=""):
        """Table rows (name, type, required, description) for an object's properties; inline
        nested objects (and arrays of them) add rows named `outer.inner` / `outer[].inner`."""
        props = schema.get("properties", {})
        if not isinstance(props, dict):
            raise SchemaError(f"{where}: properties must be an object")
        required = schema.get("required", [])
        if not isinstance(required, list):
            raise SchemaError(f"{where}: required must be an array")
        out = []
        for name, prop in props.items():
            at = f"{where}.{name}"
            if not isinstance(prop, dict):
                raise SchemaError(f"{at}: a schema must be an object")
            out.append((code(prefix + name), self.type_text(prop, at),
                        "yes" if name in required else "no", self.description(prop, at)))
            if prop.get("type") == "object" and isinstance(prop.get("properties"), dict) and prop["properties"]:
                out.extend(self.rows(prop, at, prefix + name + "."))
            items = prop.get("items")
            if (prop.get("type") == "array" and isinstance(items, dict) and items.get("type") == "object"
                    and isinstance(items.get("properties"), dict) and items["properties"]):
                out.extend(self.rows(items, at + ".items", prefix + name + "[]."))
        return out

    def object_lines(self, schema, where, required_header, open_note):
        """A table of an object schema's members (and a note when other members may appear)."""
        lines = []
        rows = self.rows(schema, where)
        if rows:
            lines += table(("name", "type", required_header, "description"), rows)
        else:
            lines.append("An empty object.")
        if schema.get("additionalProperties", True) is not False and open_note:
            lines += ["", open_note]
        return lines

    def constraint_lines(self, params, where):
        """Constraints across parameters (`oneOf` / `anyOf` of required sets) as sentences."""
        lines = []
        for key, phrase in (("oneOf", "Exactly one of"), ("anyOf", "At least one of"), ("allOf", "All of")):
            alts = params.get(key)
            if alts is None:
                continue
            if not isinstance(alts, list) or not alts:
                raise SchemaError(f"{where}.{key}: must be a non-empty array")
            if all(isinstance(a, dict) and set(a) == {"required"} and isinstance(a["required"], list)
                   and len(a["required"]) == 1 for a in alts) and key != "allOf":
                names = ", ".join(code(a["required"][0]) for a in alts)
                lines.append(f"{phrase} {names} must be given.")
            else:
                lines.append(f"The params must also match {key} {code(literal(alts))}.")
        return lines


# ---------------------------------------------------------------------------------------------
# The document


def namespace(name):
    return name.split(".", 1)[0] if "." in name else "rpc"


def grouped(methods):
    known = dict(GROUPS)
    found = {}
    for doc, where in methods:
        found.setdefault(namespace(doc["name"]), []).append((doc, where))
    order = [ns for ns, _ in GROUPS if ns in found] + sorted(ns for ns in found if ns not in known)
    return [(ns, known.get(ns, f"{ns}.*"), found[ns]) for ns in order]


def request_line(name, params, slow):
    req = {"jsonrpc": "2.0", "id": 1, "method": name}
    if params:
        req["params"] = params
    text = literal(req).replace("'", "'\\''")
    wait = f"-t {SLOW_SOCAT_WAIT_S} " if slow else ""
    return f"echo '{text}' | socat {wait}- UNIX-CONNECT:{SOCKET}"


SHELL_PLAIN = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.:=/@,+%")


def shell_word(word):
    return word if word and set(word) <= SHELL_PLAIN else "'" + word.replace("'", "'\\''") + "'"


def cli_line(name, params):
    """The same call with a2al-cli: strings as key=value, anything else as key:=JSON (the
    forms docs/cli.md describes)."""
    words = ["a2al-cli", name]
    for key, value in params.items():
        if isinstance(value, str):
            words.append(shell_word(f"{key}={value}"))
        else:
            words.append(shell_word(f"{key}:={literal(value)}"))
    return " ".join(words)


def build():
    defs = load_defs()
    methods = load_dir("methods", METHOD_MEMBERS, check_method)
    events = load_dir("events", EVENT_MEMBERS, check_event)
    groups = grouped(methods)
    def_names = sorted(defs)

    # Headings in document order, so anchors come out as GitHub numbers them.
    title = "a2ald method and event reference"
    anchors = Anchors()
    anchors.add("title", title)
    anchors.add("contents", "Contents")
    for ns, heading, members in groups:
        anchors.add(("group", ns), heading)
        for doc, _ in members:
            anchors.add(("method", doc["name"]), doc["name"])
    anchors.add("events", "Events")
    for doc, _ in events:
        anchors.add(("event", doc["name"]), doc["name"])
    anchors.add("defs", "Shared types")
    for name in def_names:
        anchors.add(("def", name), name)
    r = Renderer(defs, anchors)

    out = [
        f"# {title}",
        "",
        "<!-- Generated by scripts/gen-reference.py from schema/. Do not edit: change the schema",
        "     files and run scripts/gen-reference.py. -->",
        "",
        "> **Generated file — do not edit.** Made from `schema/methods/*.json`, `schema/events/*.json`",
        "> and `schema/defs.json` by `scripts/gen-reference.py`; change the schema files and run",
        "> `scripts/gen-reference.py` (`--check` tells whether this page is stale).",
        "",
        "Every JSON-RPC method and subscription event of `a2ald`, as the schema files define them.",
        "The conventions — framing, batches, the error codes, how bytes, addresses and times are",
        "written, configuration — are in [jsonrpc.md](jsonrpc.md). Params are by name, or by position",
        "in the order each method lists them below; a parameter not listed for a method is refused",
        "with `invalid_params` (-32602) naming the closest one. A `u64` value (`seq`, `cursor`) is a",
        "decimal string, so jq and JavaScript keep every digit. Besides the errors listed",
        "for each method, any call may fail with `overloaded` (-32007), `unavailable` (-32010) or",
        "internal error (-32603).",
        "",
        f"The examples talk to a daemon running as root, whose socket is `{SOCKET}`; a daemon run by",
        "another user listens on `$XDG_RUNTIME_DIR/a2al.sock` (else `/tmp/a2al-<euid>/a2al.sock`;",
        "`a2al-cli --print-socket` prints the path).",
        "Methods that take `timeout_ms` may answer only when it elapses, so their example lines give",
        f"socat `-t {SLOW_SOCAT_WAIT_S}` to keep reading that long (by default socat stops reading",
        "0.5 s after sending); socat still exits as soon as the daemon has answered and closed.",
        "Below each socat line is the same call with [`a2al-cli`](cli.md), which finds the socket",
        "by itself.",
        "",
        "## Contents",
        "",
    ]
    for ns, heading, members in groups:
        out.append(f"- [{heading}](#{anchors[('group', ns)]})")
        for doc, _ in members:
            out.append(f"  - [{code(doc['name'])}](#{anchors[('method', doc['name'])]}) — {prose(doc['summary'])}")
    out.append(f"- [Events](#{anchors['events']})")
    for doc, _ in events:
        out.append(f"  - [{code(doc['name'])}](#{anchors[('event', doc['name'])]}) — {prose(doc['description'])}")
    out.append(f"- [Shared types](#{anchors['defs']})")
    out.append("")

    for ns, heading, members in groups:
        out += [f"## {heading}", ""]
        for doc, where in members:
            out += method_section(r, doc, where)

    def link(key, text):
        return f"[{code(text)}](#{anchors[key]})" if key in anchors.by_key else code(text)

    out += [
        "## Events",
        "",
        f"A connection receives an event after calling {link(('method', 'subscribe'), 'subscribe')} with"
        " its name. It arrives on that connection as a `subscription` notification"
        f" ({link(('def', 'event_notification'), 'event_notification')}) whose `params.result` is the"
        " event as described below. A connection with more than 1024 undelivered lines gets a final"
        f" {link(('def', 'slow_subscriber_notice'), 'slow_subscriber_notice')} and loses all its"
        " subscriptions; it stays open for calls. To watch events, keep the connection open: run"
        f" `socat - UNIX-CONNECT:{SOCKET}` and type a `subscribe` request line.",
        "",
    ]
    for doc, where in events:
        out += event_section(r, doc, where)

    out += [
        "## Shared types",
        "",
        "The definitions in `schema/defs.json`, referenced from the method and event schemas as",
        "`defs.json#/$defs/NAME`.",
        "",
    ]
    for name in def_names:
        out += def_section(r, name, defs[name])

    while out and out[-1] == "":
        out.pop()
    return "\n".join(out) + "\n"


def method_section(r, doc, where):
    name = doc["name"]
    params = doc["params"]
    out = [f"### {code(name)}", "", f"**{sentence(prose(doc['summary']))}**", "", sentence(prose(doc["description"])), ""]

    out += ["**Params**", ""]
    rows = r.rows(params, f"{where}: params")
    if rows:
        out += table(("name", "type", "required", "description"), rows)
    else:
        out.append("None.")
    extra = r.constraint_lines(params, f"{where}: params")
    if extra:
        out += [""] + extra
    out.append("")

    out += ["**Result**", ""]
    out += result_lines(r, doc["result"], f"{where}: result")
    out.append("")

    out += ["**Errors**", ""]
    if doc["errors"]:
        out += table(("code", "kind", "when"),
                     [(str(e["code"]), code(e["kind"]), prose(e["when"])) for e in doc["errors"]])
    else:
        out.append("None besides those any call may return.")
    out.append("")

    ex = doc["examples"][0]
    slow = "timeout_ms" in params["properties"]
    out += ["**Example**", "", "```sh", request_line(name, ex.get("params", {}), slow),
            cli_line(name, ex.get("params", {})), "```", "",
            "Result:", "", "```json", json.dumps(ex["result"], indent=2, ensure_ascii=False), "```"]
    more = len(doc["examples"]) - 1
    if more:
        out += ["", f"{more} more example{'s' if more > 1 else ''} in `{where}`."]
    out.append("")
    return out


def result_lines(r, schema, where):
    lines = []
    if schema.get("description"):
        lines += [sentence(prose(schema["description"])), ""]
    target = schema
    if "$ref" in schema:
        name = r.def_name(schema["$ref"], where)
        target = r.defs[name]
        desc = target.get("description", "")
        lines.append(r.def_link(name) + (f": {sentence(prose(desc))}" if desc else ""))
        if not is_object(target):
            return lines
        lines.append("")
    if is_object(target):
        lines += r.object_lines(target, where, "always present", "Other members may be present.")
    else:
        lines.append(f"Type: {r.type_text(schema, where)}.")
    return lines


def is_object(schema):
    return schema.get("type") == "object" and isinstance(schema.get("properties"), dict)


def event_section(r, doc, where):
    name = doc["name"]
    schema = doc["result"]
    out = [f"### {code(name)}", "", sentence(prose(doc["description"])), "", "**Fields**", ""]
    target = r.resolve(schema, where)
    if is_object(target):
        out += r.object_lines(target, f"{where}: result", "always present", "Other members may be present.")
    else:
        out.append(f"Type: {r.type_text(schema, where + ': result')}.")
    note = {"jsonrpc": "2.0", "method": "subscription",
            "params": {"subscription": EXAMPLE_SUBSCRIPTION, "result": doc["examples"][0]["result"]}}
    out += ["", "**Example notification**", "", "```json", literal(note), "```", ""]
    return out


def def_section(r, name, schema):
    where = f"schema/defs.json: $defs/{name}"
    out = [f"### {code(name)}", ""]
    if schema.get("description"):
        out += [sentence(prose(schema["description"])), ""]
    facts = [f"Type: {r.type_text(schema, where)}."]
    if "pattern" in schema:
        facts.append(f"Pattern: {code(schema['pattern'])}.")
    if "default" in schema:
        facts.append(f"Default: {code(literal(schema['default']))}.")
    if is_object(schema):
        out += r.object_lines(schema, where, "always present", "Other members may be present.")
    else:
        out += [" ".join(facts)]
    out.append("")
    return out


def main(argv):
    check = "--check" in argv[1:]
    unknown = [a for a in argv[1:] if a != "--check"]
    if unknown:
        print(f"usage: {argv[0]} [--check]", file=sys.stderr)
        return 2
    try:
        text = build()
    except SchemaError as e:
        print(f"gen-reference: {e}", file=sys.stderr)
        return 1
    try:
        with open(OUTPUT_PATH, encoding="utf-8") as f:
            current = f.read()
    except OSError:
        current = None
    stale = current != text
    if check:
        if stale:
            state = "is missing" if current is None else "is stale"
            print(f"gen-reference: {rel(OUTPUT_PATH)} {state}; run scripts/gen-reference.py", file=sys.stderr)
        return 1 if stale else 0
    if stale:
        os.makedirs(os.path.dirname(OUTPUT_PATH), exist_ok=True)
        tmp = OUTPUT_PATH + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, OUTPUT_PATH)
        print(f"wrote {rel(OUTPUT_PATH)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
