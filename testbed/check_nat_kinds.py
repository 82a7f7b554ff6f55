#!/usr/bin/env python3
"""Checks that each NAT kind of netns.py behaves as its name says, with plain UDP sockets: the
mapping (one outside port for two destinations, or one per destination) and the filtering (a
host the inside host never sent to; a known IP from another port). Prints a JSON line per kind
and exits 1 if any differs from the definition."""
import json
import subprocess
import sys
from pathlib import Path

from netns import NAT_KINDS, Topology, public_ip

HERE = Path(__file__).resolve().parent
PROBE = str(HERE / "udp_probe.py")

EXPECTED = {  # (same port for two destinations, stranger gets in, known IP other port gets in)
    "full-cone": (True, True, True),
    "restricted": (True, False, True),
    "port-restricted": (True, False, False),
    "symmetric": (False, False, False),
}


def main() -> int:
    failures = 0
    with Topology() as topo:
        topo.public_host("s1", 0)
        topo.public_host("s2", 1)
        echo = [subprocess.Popen(["ip", "netns", "exec", topo.ns(n), sys.executable, PROBE, "echo", ports, "20"],
                                 stdout=subprocess.PIPE, text=True) for n, ports in (("s1", "5000,5001"), ("s2", "5000"))]
        for p in echo:
            assert p.stdout.readline().strip() == "ready"
        for i, kind in enumerate(NAT_KINDS):
            r = topo.nat(f"r{i}", kind, i)
            topo.lan_host(f"h{i}", f"r{i}", 0)
            seen = json.loads(topo.exec(f"h{i}", sys.executable, PROBE, "ask", "4121",
                                        f"{public_ip(0)}:5000", f"{public_ip(0)}:5001"))
            ports = [v.rsplit(":", 1)[1] for v in seen.values()]
            outside = int(ports[0])

            def cold_from(host: str, src_port: int) -> bool:
                listener = subprocess.Popen(["ip", "netns", "exec", topo.ns(f"h{i}"), sys.executable, PROBE,
                                             "listen", "4121", "1.5"], stdout=subprocess.PIPE, text=True)
                assert listener.stdout.readline().strip() == "ready"
                topo.exec(host, sys.executable, "-c",
                          "import socket;s=socket.socket(2,2);"
                          f"s.bind(('0.0.0.0',{src_port}));s.sendto(b'c',('{r.public_ip}',{outside}))")
                got = listener.stdout.readline().strip()
                listener.wait()
                return got != "none"

            got = (ports[0] == ports[1], cold_from("s2", 6000), cold_from("s1", 5002))
            ok = got == EXPECTED[kind]
            failures += not ok
            print(json.dumps({"kind": kind, "outside_ports": ports, "stranger_in": got[1],
                              "known_ip_other_port_in": got[2], "ok": ok}))
        for p in echo:
            p.kill()
            p.wait()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
