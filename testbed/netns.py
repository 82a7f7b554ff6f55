"""Network plumbing of the testbed (docs/testbed.md): Linux network namespaces, an internet
between them emulated in user space by wan.py (delay, jitter and loss per link, partitions),
and NAT routers of four kinds built with nftables, each with a LAN bridge behind it.

Address plan, inside the namespaces only (nothing is routed anywhere else):
  internet segment  198.18.0.0/15 (RFC 2544's benchmarking range, which a node treats as
                    public): public host i at 198.18.(1 + i).10, NAT router j's outside at
                    198.19.(1 + j).1 — each in a /24 of its own, as peers on the internet are;
                    in one shared /24 a node's per-prefix routing limits (docs/security.md)
                    would keep all but ten of them out of its table
  NAT LANs          100.64.N.0/24: router .1, hosts from .10 (shared address space, which a
                    node treats as not public, as it does an ISP's carrier-grade NAT)

A Topology removes every namespace it made when it is closed, and registers that with atexit
and for SIGTERM/SIGINT, so a failing or interrupted run leaves nothing behind.
"""
from __future__ import annotations

import atexit
import itertools
import json
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

NAT_KINDS = ("full-cone", "restricted", "port-restricted", "symmetric")
INTERNET_PREFIX = 15


def public_ip(index: int) -> str:
    """Public host `index`'s address, alone in its /24."""
    if not 0 <= index < 250:
        raise ValueError("public host index must be 0..249")
    return f"198.18.{1 + index}.10"


def nat_ip(index: int) -> str:
    """NAT router `index`'s outside address, alone in its /24."""
    if not 0 <= index < 250:
        raise ValueError("NAT index must be 0..249")
    return f"198.19.{1 + index}.1"


def run(*args: str, input: str | None = None, check: bool = True) -> str:
    done = subprocess.run(args, input=input, capture_output=True, text=True)
    if check and done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)}: exit {done.returncode}: {done.stderr.strip()}")
    return done.stdout


@dataclass(frozen=True)
class Link:
    """What a host's link to the internet does to each packet crossing it, either way: one-way
    delay, jitter (normal) and loss. A packet between two hosts crosses both their links."""
    delay_ms: float = 0
    jitter_ms: float = 0
    loss_pct: float = 0

    def fields(self) -> dict:
        return {"delay_ms": self.delay_ms, "jitter_ms": self.jitter_ms, "loss_pct": self.loss_pct}


def nat_rules(kind: str, public_ip: str) -> str:
    """The nftables ruleset of one NAT kind whose outside address is public_ip.

    full-cone        endpoint-independent mapping and filtering: the inside port is kept, and
                     anyone may send to a mapped port once the inside host has sent from it
    restricted       endpoint-independent mapping; inbound only from IPs the host sent to
    port-restricted  endpoint-independent mapping; inbound only from the exact IP:port
    symmetric        a random outside port per destination; inbound only as replies
    """
    snat = f'oifname "wan" snat ip to {public_ip}'
    if kind == "symmetric":
        snat += " random"
    # The learned mapping: outside port -> inside host and port, so inbound packets to a mapped
    # port find their host (conntrack alone admits only replies to the exact 5-tuple).
    learn_map = ('map portmap { type inet_service : ipv4_addr . inet_service; '
                 'flags dynamic,timeout; timeout 5m; }')
    learn = 'iifname "lan" oifname "wan" meta l4proto udp update @portmap { udp sport : ip saddr . udp sport }'
    if kind == "full-cone":
        return f"""table ip tbnat {{
  {learn_map}
  chain learn {{ type filter hook forward priority filter; {learn}; }}
  chain pre {{ type nat hook prerouting priority dstnat;
    iifname "wan" ip daddr {public_ip} meta l4proto udp dnat ip to udp dport map @portmap; }}
  chain post {{ type nat hook postrouting priority srcnat; {snat}; }}
}}"""
    if kind == "restricted":
        return f"""table ip tbnat {{
  {learn_map}
  set peers {{ type inet_service . ipv4_addr; flags dynamic,timeout; timeout 5m; }}
  chain learn {{ type filter hook forward priority filter; {learn};
    iifname "lan" oifname "wan" meta l4proto udp update @peers {{ udp sport . ip daddr }}; }}
  chain pre {{ type nat hook prerouting priority dstnat;
    iifname "wan" ip daddr {public_ip} meta l4proto udp udp dport . ip saddr @peers dnat ip to udp dport map @portmap; }}
  chain post {{ type nat hook postrouting priority srcnat; {snat}; }}
}}"""
    if kind in ("port-restricted", "symmetric"):
        return f"""table ip tbnat {{
  chain post {{ type nat hook postrouting priority srcnat; {snat}; }}
}}"""
    raise ValueError(f"unknown NAT kind {kind!r}; one of {', '.join(NAT_KINDS)}")


@dataclass
class Host:
    name: str
    ns: str
    ip: str              # its own interface address
    router: str | None   # the NAT router's name, for hosts behind one


@dataclass
class Router:
    name: str
    ns: str
    kind: str
    public_ip: str
    lan: int


class Topology:
    """Namespaces for one run, all named PREFIX-NAME; close() removes them."""

    def __init__(self, prefix: str | None = None):
        if os.geteuid() != 0:
            raise PermissionError("the testbed needs root (network namespaces)")
        self.prefix = prefix or f"tb{os.getpid()}"
        self.namespaces: list[str] = []
        self.hosts: dict[str, Host] = {}
        self.routers: dict[str, Router] = {}
        self._ports = itertools.count()
        self._closed = False
        atexit.register(self.close)
        for sig in (signal.SIGTERM, signal.SIGINT):
            previous = signal.getsignal(sig)
            signal.signal(sig, self._on_signal(previous))
        self.wan = subprocess.Popen([sys.executable, str(Path(__file__).with_name("wan.py"))],
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self._wan_ready()

    def _wan_ready(self) -> None:
        line = self.wan.stdout.readline()
        if not json.loads(line or "{}").get("ready"):
            raise RuntimeError("the WAN emulator (wan.py) did not start")

    def _wan_ask(self, cmd: dict) -> dict:
        self.wan.stdin.write(json.dumps(cmd) + "\n")
        self.wan.stdin.flush()
        answer = json.loads(self.wan.stdout.readline() or "{}")
        if not answer.get("ok"):
            raise RuntimeError(f"WAN emulator: {cmd.get('op')}: {answer.get('error', 'no answer')}")
        return answer

    def wan_stats(self) -> dict:
        return self._wan_ask({"op": "stats"})

    def _attach_wan(self, name: str, dev: str, ip: str, link: "Link") -> None:
        self._wan_ask({"op": "link", "name": name, "netns": f"/run/netns/{self.ns(name)}", "dev": dev,
                       "addr": ip, **link.fields()})
        self.exec(name, "ip", "addr", "add", f"{ip}/{INTERNET_PREFIX}", "dev", dev)
        self.exec(name, "ip", "link", "set", dev, "mtu", "1500", "up")

    def shape(self, name: str, link: "Link") -> None:
        self._wan_ask({"op": "shape", "name": name, **link.fields()})

    def _on_signal(self, previous):
        def handler(signum, frame):
            self.close()
            if callable(previous):
                previous(signum, frame)
            else:
                raise SystemExit(128 + signum)
        return handler

    def __enter__(self) -> "Topology":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def ns(self, name: str) -> str:
        return f"{self.prefix}-{name}"

    def exec(self, name: str, *args: str, input: str | None = None, check: bool = True) -> str:
        return run("ip", "netns", "exec", self.ns(name), *args, input=input, check=check)

    def _new_ns(self, name: str) -> str:
        ns = self.ns(name)
        run("ip", "netns", "add", ns)
        self.namespaces.append(ns)
        run("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up")
        return ns

    def _plug(self, name: str, bridge_ns: str, bridge: str, dev: str) -> None:
        peer = f"v{next(self._ports)}"
        run("ip", "link", "add", dev, "netns", self.ns(name), "type", "veth",
            "peer", "name", peer, "netns", self.ns(bridge_ns))
        self.exec(bridge_ns, "ip", "link", "set", peer, "master", bridge, "up")
        self.exec(name, "ip", "link", "set", dev, "up")

    def public_host(self, name: str, index: int, link: Link = Link()) -> Host:
        """A host on the internet segment at public_ip(index)."""
        ip = public_ip(index)
        ns = self._new_ns(name)
        self._attach_wan(name, "eth0", ip, link)
        self.hosts[name] = Host(name, ns, ip, None)
        return self.hosts[name]

    def nat(self, name: str, kind: str, index: int, link: Link = Link()) -> Router:
        """A NAT router with outside address nat_ip(index) and LAN 100.64.index.0/24."""
        if not 0 <= index < 50:
            raise ValueError("NAT index must be 0..49")
        outside = nat_ip(index)
        ns = self._new_ns(name)
        self._attach_wan(name, "wan", outside, link)
        self.exec(name, "ip", "link", "add", "lan", "type", "bridge")
        self.exec(name, "ip", "link", "set", "lan", "up")
        self.exec(name, "ip", "addr", "add", f"100.64.{index}.1/24", "dev", "lan")
        self.exec(name, "sysctl", "-qw", "net.ipv4.ip_forward=1")
        self.exec(name, "nft", "-f", "-", input=nat_rules(kind, outside))
        self.routers[name] = Router(name, ns, kind, outside, index)
        return self.routers[name]

    def lan_host(self, name: str, router: str, index: int) -> Host:
        """A host behind router at 100.64.LAN.(10 + index)."""
        r = self.routers[router]
        ip = f"100.64.{r.lan}.{10 + index}"
        ns = self._new_ns(name)
        self._plug(name, router, "lan", "eth0")
        self.exec(name, "ip", "addr", "add", f"{ip}/24", "dev", "eth0")
        self.exec(name, "ip", "route", "add", "default", "via", f"100.64.{r.lan}.1")
        self.hosts[name] = Host(name, ns, ip, router)
        return self.hosts[name]

    def move_nat(self, router: str, new_index: int) -> str:
        """The router's outside address changes (an ISP reassigning it); its mappings die with
        the old address, as on a real router. Returns the new address."""
        r = self.routers[router]
        new_ip = nat_ip(new_index)
        # Old address out first: deleting a primary address also drops the secondaries of its
        # subnet (promote_secondaries is off by default), which would leave the router without one.
        self.exec(router, "ip", "addr", "del", f"{r.public_ip}/{INTERNET_PREFIX}", "dev", "wan")
        self.exec(router, "ip", "addr", "add", f"{new_ip}/{INTERNET_PREFIX}", "dev", "wan")
        self.exec(router, "nft", "delete", "table", "ip", "tbnat")
        self.exec(router, "nft", "-f", "-", input=nat_rules(r.kind, new_ip))
        self.exec(router, "conntrack", "-F", check=False)
        self._wan_ask({"op": "readdr", "name": router, "addr": new_ip})
        r.public_ip = new_ip
        return new_ip

    def split(self, side_a: list[str], side_b: list[str]) -> None:
        """Partition the internet segment: nothing passes between the two sides' addresses
        (a NATed host is on the side of its router's outside address)."""
        def addrs(names):
            out = set()
            for n in names:
                if n in self.routers:
                    out.add(self.routers[n].public_ip)
                else:
                    h = self.hosts[n]
                    out.add(self.routers[h.router].public_ip if h.router else h.ip)
            return out
        self._wan_ask({"op": "split", "a": sorted(addrs(side_a)), "b": sorted(addrs(side_b))})

    def heal(self) -> None:
        self._wan_ask({"op": "heal"})

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self.wan.poll() is None:
            try:
                self.wan.stdin.write(json.dumps({"op": "quit"}) + "\n")
                self.wan.stdin.flush()
                self.wan.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                self.wan.kill()
                self.wan.wait()
        for ns in reversed(self.namespaces):
            pids = run("ip", "netns", "pids", ns, check=False).split()
            for pid in pids:
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except (ProcessLookupError, ValueError):
                    pass
            run("ip", "netns", "del", ns, check=False)
        self.namespaces.clear()
