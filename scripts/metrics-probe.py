#!/usr/bin/env python3
"""Probes a2ald's metrics listener for the end-to-end tests (docs/metrics.md).

  metrics-probe.py scrape HOST:PORT
      GET /metrics, parse it with prometheus_client's text parser (which fails on anything
      not in the exposition format) and print JSON: the Content-Type and every family with
      its type and samples.
  metrics-probe.py refusals HOST:PORT
      Print JSON of the status codes for a wrong path, a wrong method, an oversized body and
      HEAD; whether connections past the cap are refused while the cap is held, whether the
      endpoint answers again afterwards, and how long an idle connection is kept.
"""
import http.client
import json
import socket
import sys
import time

from prometheus_client.parser import text_string_to_metric_families


def split(address):
    host, _, port = address.rpartition(":")
    return host.strip("[]"), int(port)


def request(address, method, path, body=None, headers=None):
    host, port = split(address)
    conn = http.client.HTTPConnection(host, port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        return response.status, response.getheader("Content-Type"), data
    finally:
        conn.close()


def scrape(address):
    status, content_type, body = request(address, "GET", "/metrics")
    families = {}
    for family in text_string_to_metric_families(body.decode("utf-8")):
        families[family.name] = {
            "type": family.type,
            "samples": [{"name": s.name, "labels": s.labels, "value": s.value} for s in family.samples],
        }
    return {"status": status, "content_type": content_type, "families": families}


def answered(sock):
    """True when a GET on `sock` got an HTTP status line, False when the server closed it."""
    try:
        sock.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        return sock.recv(12).startswith(b"HTTP/1.1 200")
    except OSError:
        return False


def refusals(address, cap=16):
    out = {}
    out["wrong_path"] = request(address, "GET", "/nope")[0]
    out["wrong_method"] = request(address, "POST", "/metrics", body=b"x")[0]
    out["oversized_body"] = request(address, "GET", "/metrics", body=b"x" * 65536)[0]
    try:
        out["oversized_headers"] = request(address, "GET", "/metrics", headers={"X-Big": "a" * 20000})[0]
    except (ConnectionError, http.client.HTTPException):
        out["oversized_headers"] = "closed"
    status, content_type, body = request(address, "HEAD", "/metrics")
    out["head"] = [status, len(body)]
    host, port = split(address)
    # Hold the cap with idle connections (each answered once, so each is surely admitted).
    held = []
    for _ in range(cap):
        s = socket.create_connection((host, port), timeout=10)
        if not answered(s):
            out["held_not_admitted"] = out.get("held_not_admitted", 0) + 1
        held.append(s)
    extra = socket.create_connection((host, port), timeout=10)
    out["past_cap_answered"] = answered(extra)
    extra.close()
    for s in held:
        s.close()
    # The server forgets closed connections asynchronously: retry briefly until admitted.
    deadline = time.monotonic() + 5
    again = False
    while not again and time.monotonic() < deadline:
        s = socket.create_connection((host, port), timeout=10)
        again = answered(s)
        s.close()
    out["answered_after_release"] = again
    # An idle connection is closed by the server (its read timeout), not kept forever.
    s = socket.create_connection((host, port), timeout=30)
    started = time.monotonic()
    try:
        closed = s.recv(1) == b""
    except OSError:
        closed = True
    out["idle_closed_after_s"] = time.monotonic() - started if closed else None
    s.close()
    return out


def main():
    mode, address = sys.argv[1], sys.argv[2]
    result = scrape(address) if mode == "scrape" else refusals(address)
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
