#!/usr/bin/env python3
"""Writes the man pages a2ald(8), a2al-cli(1) and a2al-mcp(1) from the programs themselves, so they cannot
drift from the binaries they ship with (scripts/package-deb.sh; docs/systemd.md).

  gen-manpages.py BIN_DIR SCHEMA OUT_DIR

a2ald(8): from `a2ald --experimental-dump-help` (swift-argument-parser's description of its
options). a2al-cli(1): from `a2al-cli --help` (its own help text; the part listing a running
daemon's methods is cut off) and the methods in SCHEMA (schema/openrpc.json). a2al-mcp(1):
from `a2al-mcp --help`.
"""
import json
import os
import subprocess
import sys
import time

FLAGS_WITHOUT_VARIABLE = {"print-config", "version", "help", "config"}


def esc(text):
    """Text for a roff line: backslashes and hyphens escaped, no leading control character."""
    out = text.replace("\\", "\\e").replace("-", "\\-")
    if out.startswith((".", "'")):
        out = "\\&" + out
    return out


def paragraphs(text):
    chunks, cur = [], []
    for line in text.splitlines():
        if line.strip():
            cur.append(line.strip())
        elif cur:
            chunks.append(" ".join(cur))
            cur = []
    if cur:
        chunks.append(" ".join(cur))
    return chunks


def header(name, section, version, title):
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", time.time()))
    date = time.strftime("%Y-%m-%d", time.gmtime(epoch))
    return [f'.TH {name.upper()} {section} "{date}" "{esc(name)} {esc(version)}" "{title}"']


def a2ald_page(binary, version):
    info = json.loads(subprocess.run([binary, "--experimental-dump-help"], check=True,
                                     capture_output=True, text=True).stdout)["command"]
    lines = header("a2ald", 8, version, "System Administration")
    lines += [".SH NAME", "a2ald \\- " + esc(info["abstract"]),
              ".SH SYNOPSIS", ".B a2ald", "[\\fIOPTIONS\\fR]", ".SH DESCRIPTION"]
    for i, para in enumerate(paragraphs(info.get("discussion", ""))):
        if i:
            lines.append(".PP")
        lines.append(esc(para))
    lines.append(".SH OPTIONS")
    variables = []
    for arg in info["arguments"]:
        if not arg.get("shouldDisplay", True) and arg["names"][0]["name"] not in ("help", "version"):
            continue
        names = []
        for n in arg["names"]:
            prefix = "-" if n["kind"] == "short" else "--"
            names.append("\\fB" + esc(prefix + n["name"]) + "\\fR")
        head = ", ".join(names)
        if arg["kind"] == "option":
            head += " \\fI" + esc(arg.get("valueName", "value")) + "\\fR"
        lines += [".TP", head, esc(arg.get("abstract", ""))]
        long_name = next((n["name"] for n in arg["names"] if n["kind"] == "long"), None)
        if long_name and long_name not in FLAGS_WITHOUT_VARIABLE:
            variables.append((long_name, "A2AL_" + long_name.upper().replace("-", "_")))
    lines += [".SH SIGNALS",
              ".TP", "\\fBSIGTERM\\fR, \\fBSIGINT\\fR",
              esc("Stop: calls in flight are answered \"unavailable\", state is flushed, exit status 0."),
              ".TP", "\\fBSIGHUP\\fR",
              esc("Reload the config file. log_level, log_format, passive, max_store_keys, store_max_bytes, "
                  "store_max_bytes_per_source and bootstrap "
                  "change at once; other changed settings are logged as needing a restart. A config file "
                  "that does not load is logged and the running settings are kept."),
              ".SH ENVIRONMENT",
              ".TP", "\\fBA2AL_CONFIG\\fR", esc("The config file, as --config.")]
    for flag, var in variables:
        lines += [".TP", "\\fB" + esc(var) + "\\fR", esc(f"As --{flag}.")]
    lines += [".TP", "\\fBNOTIFY_SOCKET\\fR, \\fBWATCHDOG_USEC\\fR, \\fBWATCHDOG_PID\\fR",
              esc("Set by systemd (Type=notify, WatchdogSec=): readiness, reload and stop notifications, "
                  "and watchdog pings at half the interval."),
              ".TP", "\\fBJOURNAL_STREAM\\fR",
              esc("Set by systemd: when it names standard error, log lines carry <N> syslog priorities "
                  "and no timestamps."),
              ".TP", "\\fBLISTEN_PID\\fR, \\fBLISTEN_FDS\\fR", esc("Socket activation: the listening socket."),
              ".SH FILES",
              ".TP", "\\fI/etc/a2al/a2ald.json\\fR", esc("The config file the packaged service names."),
              ".TP", "\\fI/var/lib/a2al\\fR", esc("The data directory as root (identity, agents, publications)."),
              ".TP", "\\fI/run/a2al.sock\\fR", esc("The JSON-RPC socket as root."),
              ".SH EXIT STATUS",
              esc("0 after a clean stop; 1 when the daemon could not start (the message names the address, "
                  "path or file); 64 for a bad setting."),
              ".SH SEE ALSO",
              "\\fBa2al-cli\\fR(1), \\fBsystemd.service\\fR(5), \\fBjournalctl\\fR(1)"]
    return "\n".join(lines) + "\n"


def cli_help(binary):
    env = dict(os.environ, A2AL_SOCKET="/nonexistent/a2al.sock")
    run = subprocess.run([binary, "--help"], capture_output=True, text=True, env=env)
    text = run.stdout or run.stderr
    kept = []
    for line in text.splitlines():
        if line.startswith("methods:"):
            break
        kept.append(line.rstrip())
    while kept and not kept[-1]:
        kept.pop()
    return kept


def cli_page(binary, schema, version):
    methods = json.load(open(schema))["methods"]
    lines = header("a2al-cli", 1, version, "User Commands")
    lines += [".SH NAME", "a2al-cli \\- call a method of the a2ald daemon (JSON\\-RPC over its Unix socket)",
              ".SH SYNOPSIS", ".B a2al-cli", "[\\fIoptions\\fR] \\fIMETHOD\\fR [\\fIPARAM\\fR ...]",
              ".SH DESCRIPTION", esc("The text of a2al-cli --help:"), ".PP", ".nf"]
    lines += [esc(l) if l else "" for l in cli_help(binary)]
    lines += [".fi", ".SH METHODS",
              esc("The methods of this version of the daemon (schema/openrpc.json); "
                  "a2al-cli METHOD --help describes one.")]
    for m in methods:
        params = " ".join(p["name"] + "=" for p in m.get("params", []))
        lines += [".TP", "\\fB" + esc(m["name"]) + "\\fR" + (" \\fI" + esc(params) + "\\fR" if params else ""),
                  esc(m.get("summary", ""))]
    lines += [".SH SEE ALSO", "\\fBa2ald\\fR(8)"]
    return "\n".join(lines) + "\n"


def mcp_page(binary, version):
    text = subprocess.run([binary, "--help"], check=True, capture_output=True, text=True).stdout
    lines = header("a2al-mcp", 1, version, "User Commands")
    lines += [".SH NAME", "a2al-mcp \\- Model Context Protocol server for the a2ald daemon",
              ".SH SYNOPSIS", ".B a2al-mcp", "[\\fIoptions\\fR]",
              ".SH DESCRIPTION",
              esc("Serves the Model Context Protocol on standard input and output, so that an AI assistant "
                  "can call the daemon's methods as tools. The tools and their input schemas come from the "
                  "daemon's rpc.discover when the server starts; agent.export and any other method that "
                  "reveals a secret is never offered. The text of a2al-mcp --help:"),
              ".PP", ".nf"]
    lines += [esc(l.rstrip()) if l.strip() else "" for l in text.splitlines()]
    lines += [".fi", ".SH EXIT STATUS", esc("0 when the client closes the session; 2 for bad options."),
              ".SH SEE ALSO", "\\fBa2al-cli\\fR(1), \\fBa2ald\\fR(8)"]
    return "\n".join(lines) + "\n"


def main():
    bin_dir, schema, out = sys.argv[1:4]
    version = subprocess.run([os.path.join(bin_dir, "a2ald"), "--version"], check=True,
                             capture_output=True, text=True).stdout.strip()
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "a2ald.8"), "w") as f:
        f.write(a2ald_page(os.path.join(bin_dir, "a2ald"), version))
    with open(os.path.join(out, "a2al-cli.1"), "w") as f:
        f.write(cli_page(os.path.join(bin_dir, "a2al-cli"), schema, version))
    with open(os.path.join(out, "a2al-mcp.1"), "w") as f:
        f.write(mcp_page(os.path.join(bin_dir, "a2al-mcp"), version))


if __name__ == "__main__":
    main()
