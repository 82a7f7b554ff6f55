#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets (docs/testing.md).

    fuzz/make-seeds.py OUTDIR [--vectors DIR]

Creates OUTDIR/packet, OUTDIR/cbor, OUTDIR/record and OUTDIR/rpc, one file per seed:
- packet: every datagram (wire_hex) of the reference vectors, accepted and refused ones;
- cbor:   every CBOR blob of the vectors (datagrams, headers, bodies, records, payloads,
          delegation proofs, mailbox plaintexts, STORE_RESP bodies) and hand-written items
          for the lenient forms (indefinite lengths, tags, floats, simple values, deep nesting);
- record: signed records, payloads, delegation proofs and mailbox plaintexts, plus a
          delegation message text;
- rpc:    hand-written JSON-RPC lines and short multi-line sessions.

The vectors are the reference implementation's golden files, by default
../shared/vectors beside the checkout. Generated corpora are scratch data; only
regression inputs (fuzz/regressions/) are committed. Standard library only.
"""
import argparse
import hashlib
import json
import os
import re
import sys

HEX = re.compile(r"^(?:[0-9a-f]{2})+$")

# Vector keys holding CBOR, by the targets that take them.
PACKET_KEYS = {"wire_hex"}
RECORD_KEYS = {"signed_record_cbor_hex", "cbor_hex", "payload_cbor_hex", "mailbox_payload_cbor_hex",
               "plaintext_cbor_hex", "minimal_profile_payload_hex"}
CBOR_KEYS = PACKET_KEYS | RECORD_KEYS | {"header_cbor_hex", "body_cbor_hex", "sign_fields_cbor_hex",
                                         "store_resp_body_hex"}

HAND_CBOR = [
    "00", "17", "1818", "19ffff", "1bffffffffffffffff", "20", "3bffffffffffffffff",
    "40", "5f4101420203ff", "60", "7f616161626163ff", "6568656c6c6f",
    "80", "9f0102ff", "83010203", "9f9f9f9fffffffff", "a0", "bf0102ff", "a201020304",
    "a2613101613202", "a20101010a", "c074323031332d30332d32315432303a30343a30305a", "d9d9f7a10101",
    "d82a4100", "f4", "f5", "f6", "f7", "f0", "f820", "f93c00", "f97e00", "f97c00", "f98000", "f90001",
    "fa47c35000", "fb3ff199999999999a", "fb7ff8000000000001", "ff", "1c", "5b7fffffffffffffff",
    "81" * 40 + "00", "a1" + "01a1" * 20 + "0100",
]

RPC_LINES = [
    '{"jsonrpc":"2.0","id":1,"method":"echo","params":{"a":1,"b":[true,null,"x"],"c":{"d":-1.5e3}}}',
    '{"jsonrpc":"2.0","id":"s","method":"echo"}',
    '{"jsonrpc":"2.0","method":"echo","params":{}}',
    '{"jsonrpc":"2.0","id":2,"method":"params","params":{"s":"x","b":true,"i":-7,"timeout_ms":10,"c":"y",'
    '"h":"00ff","h32":"' + "ab" * 32 + '","b64":"AAEC","l":["a","b"],"n":{"s":"t"},"o":[{"k":1}]}}',
    '{"jsonrpc":"2.0","id":3,"method":"params","params":{"unknown":1}}',
    '{"jsonrpc":"2.0","id":4,"method":"params","params":[1,2]}',
    '{"jsonrpc":"2.0","id":5,"method":"fail.rpc"}',
    '{"jsonrpc":"2.0","id":6,"method":"fail.other"}',
    '{"jsonrpc":"2.0","id":7,"method":"yield","params":{"x":1}}',
    '{"jsonrpc":"2.0","id":8,"method":"blocking"}',
    '{"jsonrpc":"2.0","id":9,"method":"subscribe","params":{"event":"e1"}}',
    '{"jsonrpc":"2.0","id":10,"method":"unsubscribe","params":{"subscription":"0000000000000000"}}',
    '{"jsonrpc":"2.0","id":11,"method":"emit","params":{"event":"e1","data":{"k":"v"}}}',
    '{"jsonrpc":"2.0","id":12,"method":"no.such.method"}',
    '[{"jsonrpc":"2.0","id":1,"method":"echo"},{"jsonrpc":"2.0","method":"echo"},{"id":3},5,'
    '{"jsonrpc":"2.0","id":4,"method":"yield"}]',
    '[]', '[1]', '[{"jsonrpc":"2.0","method":"echo"}]',
    '{"jsonrpc":"1.0","id":1,"method":"echo"}', '{"jsonrpc":"2.0","id":{},"method":"echo"}',
    '{"jsonrpc":"2.0","id":1.25,"method":"echo","extra":0}', '{"jsonrpc":"2.0","id":null,"method":7}',
    '{"jsonrpc":"2.0","id":1,"method":"echo","params":"x"}', '{"a":1,"a":2}',
    '{"jsonrpc":"2.0","id":1,"method":"echo","params":{"s":"\\u00e9\\ud83d\\ude00\\n\\t\\"\\\\"}}',
    '[1e308,-0,0.5,123456789012345678901234567890,-9223372036854775808]',
    '{', '', 'null', 'tru', '"\\ud800"', '[' * 70 + ']' * 70, 'AAEC', '00ff',
]

RPC_SESSIONS = [
    '{"jsonrpc":"2.0","id":1,"method":"subscribe","params":{"event":"e1"}}\n'
    + '{"jsonrpc":"2.0","id":2,"method":"emit","params":{"event":"e1"}}\n' * 6
    + '{"jsonrpc":"2.0","id":3,"method":"echo"}',
    '{"jsonrpc":"2.0","id":1,"method":"echo"}\r\n{"jsonrpc":"2.0","id":2,"method":"yield"}\r\n',
    '{"jsonrpc":"2.0","id":1,"method":"subscribe","params":{"event":"e2"}}\n',
    '{"jsonrpc":"2.0","id":1,"method":"echo","params":{"s":"' + "x" * 1100 + '"}}\n',
]

DELEGATION_MESSAGE = (
    "a2al delegation\nop_key: 0x" + "11" * 32 + "\nagent: 0xa3" + "22" * 20
    + "\nscope: 1\nissued_at: 1700000000\nexpires_at: 0\n"
)


def vector_blobs(path):
    """(key, bytes) for every hex string under a key we know, in file order."""
    with open(path) as f:
        data = json.load(f)
    out = []

    def walk(x):
        if isinstance(x, dict):
            for k, v in x.items():
                if isinstance(v, str) and k in CBOR_KEYS and HEX.match(v):
                    out.append((k, bytes.fromhex(v)))
                else:
                    walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    walk(data)
    return out


def write_seeds(directory, seeds):
    os.makedirs(directory, exist_ok=True)
    seen = set()
    for name, blob in seeds:
        digest = hashlib.sha1(blob).hexdigest()
        if digest in seen:
            continue
        seen.add(digest)
        with open(os.path.join(directory, "%s-%s" % (name, digest[:12])), "wb") as f:
            f.write(blob)
    return len(seen)


def main():
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("outdir")
    parser.add_argument("--vectors", default=os.path.join(os.path.dirname(repo), "shared", "vectors"))
    args = parser.parse_args()

    blobs = []
    for name in ("reference-v0.1.7.json", "reference-v0.2.9.json"):
        path = os.path.join(args.vectors, name)
        if not os.path.exists(path):
            sys.exit("make-seeds.py: %s is missing (the reference vectors live in ../shared/vectors)" % path)
        blobs += vector_blobs(path)

    seeds = {
        "packet": [(k, b) for k, b in blobs if k in PACKET_KEYS],
        "cbor": [(k, b) for k, b in blobs] + [("hand", bytes.fromhex(h)) for h in HAND_CBOR],
        "record": [(k, b) for k, b in blobs if k in RECORD_KEYS] + [("message", DELEGATION_MESSAGE.encode())],
        "rpc": [("line", l.encode()) for l in RPC_LINES] + [("session", s.encode()) for s in RPC_SESSIONS],
    }
    for target, items in seeds.items():
        n = write_seeds(os.path.join(args.outdir, target), items)
        print("%s: %d seeds" % (target, n))


if __name__ == "__main__":
    main()
