#!/usr/bin/env python3
"""The testbed's internet: a userspace WAN emulator (docs/testbed.md).

Every host on the internet segment (public hosts and NAT routers' outsides) gets a TUN device
made by this process inside the host's network namespace. Packets a host sends come here; the
emulator finds the host that holds the destination address and writes the packet into that
host's TUN after the delay of both links (each link: one-way delay, jitter, loss), unless a
link's loss or a partition drops it. It stands in for `tc netem` and a bridge, so the testbed
needs no qdisc module (some kernels are built without sch_netem).

Control: one JSON command per line on stdin, one JSON answer per line on stdout:
  {"op": "link", "name": N, "netns": PATH, "dev": "wan", "addr": "198.18.1.10",
   "delay_ms": 10, "jitter_ms": 2, "loss_pct": 5}     make a TUN in that namespace
  {"op": "readdr", "name": N, "addr": A}               the link now holds address A
  {"op": "shape", "name": N, "delay_ms", "jitter_ms", "loss_pct"}
  {"op": "split", "a": [addr], "b": [addr]}           drop everything between the two sides
  {"op": "heal"}
  {"op": "stats"}                                      counters so far
  {"op": "quit"}
"""
from __future__ import annotations

import ctypes
import fcntl
import heapq
import json
import os
import random
import selectors
import struct
import sys
import time
from dataclasses import dataclass, field

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000
CLONE_NEWNET = 0x40000000
MTU = 1500

libc = ctypes.CDLL(None, use_errno=True)


def setns(fd: int) -> None:
    if libc.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


@dataclass
class Link:
    name: str
    fd: int
    addr: str
    delay_ms: float
    jitter_ms: float
    loss_pct: float

    def latency(self, rng: random.Random) -> float:
        if not self.jitter_ms:
            return self.delay_ms / 1000
        return max(0.0, rng.gauss(self.delay_ms, self.jitter_ms)) / 1000


@dataclass
class Counters:
    forwarded: int = 0
    lost: int = 0
    partitioned: int = 0
    unroutable: int = 0
    not_ipv4: int = 0
    by_link: dict = field(default_factory=dict)


class Emulator:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.links: dict[str, Link] = {}
        self.by_addr: dict[str, Link] = {}
        self.side_a: set[str] = set()
        self.side_b: set[str] = set()
        self.queue: list[tuple[float, int, int, bytes]] = []
        self.seq = 0
        self.counters = Counters()
        self.sel = selectors.DefaultSelector()
        self.home = os.open("/proc/self/ns/net", os.O_RDONLY)
        self.sel.register(sys.stdin, selectors.EVENT_READ, None)

    def make_link(self, cmd: dict) -> dict:
        ns_fd = os.open(cmd["netns"], os.O_RDONLY)
        try:
            setns(ns_fd)
            fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
            fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", cmd["dev"].encode(), IFF_TUN | IFF_NO_PI))
        finally:
            setns(self.home)
            os.close(ns_fd)
        link = Link(cmd["name"], fd, cmd["addr"], cmd.get("delay_ms", 0), cmd.get("jitter_ms", 0),
                    cmd.get("loss_pct", 0))
        self.links[link.name] = link
        self.by_addr[link.addr] = link
        self.sel.register(fd, selectors.EVENT_READ, link)
        return {"ok": True}

    def handle(self, cmd: dict) -> dict:
        op = cmd.get("op")
        if op == "link":
            return self.make_link(cmd)
        if op == "readdr":
            link = self.links[cmd["name"]]
            self.by_addr.pop(link.addr, None)
            link.addr = cmd["addr"]
            self.by_addr[link.addr] = link
            return {"ok": True}
        if op == "shape":
            link = self.links[cmd["name"]]
            for k in ("delay_ms", "jitter_ms", "loss_pct"):
                if k in cmd:
                    setattr(link, k, cmd[k])
            return {"ok": True}
        if op == "split":
            self.side_a, self.side_b = set(cmd["a"]), set(cmd["b"])
            return {"ok": True}
        if op == "heal":
            self.side_a, self.side_b = set(), set()
            return {"ok": True}
        if op == "stats":
            c = self.counters
            return {"ok": True, "forwarded": c.forwarded, "lost": c.lost, "partitioned": c.partitioned,
                    "unroutable": c.unroutable, "not_ipv4": c.not_ipv4}
        if op == "quit":
            return {"ok": True, "quit": True}
        return {"ok": False, "error": f"unknown op {op!r}"}

    def split_drops(self, src: str, dst: str) -> bool:
        return (src in self.side_a and dst in self.side_b) or (src in self.side_b and dst in self.side_a)

    def on_packet(self, link: Link, packet: bytes, now: float) -> None:
        if len(packet) < 20 or packet[0] >> 4 != 4:
            self.counters.not_ipv4 += 1      # only IPv4 crosses this internet
            return
        src = ".".join(map(str, packet[12:16]))
        dst = ".".join(map(str, packet[16:20]))
        to = self.by_addr.get(dst)
        if to is None:
            self.counters.unroutable += 1
            return
        if self.split_drops(src, dst) or self.split_drops(link.addr, to.addr):
            self.counters.partitioned += 1
            return
        for hop in (link, to):
            if hop.loss_pct and self.rng.random() * 100 < hop.loss_pct:
                self.counters.lost += 1
                return
        due = now + link.latency(self.rng) + to.latency(self.rng)
        self.seq += 1
        heapq.heappush(self.queue, (due, self.seq, to.fd, packet))

    def flush_due(self, now: float) -> None:
        while self.queue and self.queue[0][0] <= now:
            _, _, fd, packet = heapq.heappop(self.queue)
            try:
                os.write(fd, packet)
                self.counters.forwarded += 1
            except OSError:
                self.counters.unroutable += 1   # the device is down (its host is gone)

    def reply(self, answer: dict) -> None:
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()

    def run(self) -> None:
        self.reply({"ok": True, "ready": True})
        while True:
            now = time.monotonic()
            self.flush_due(now)
            timeout = max(0.0, self.queue[0][0] - time.monotonic()) if self.queue else None
            for key, _ in self.sel.select(timeout):
                if key.data is None:
                    line = sys.stdin.readline()
                    if not line:
                        return
                    try:
                        answer = self.handle(json.loads(line))
                    except Exception as e:  # a bad command is answered, never fatal
                        answer = {"ok": False, "error": f"{type(e).__name__}: {e}"}
                    self.reply(answer)
                    if answer.get("quit"):
                        return
                    continue
                link = key.data
                now = time.monotonic()
                for _ in range(64):   # drain a burst, then let other links and the clock in
                    try:
                        packet = os.read(link.fd, MTU + 64)
                    except BlockingIOError:
                        break
                    except OSError:
                        self.sel.unregister(link.fd)
                        break
                    self.on_packet(link, packet, now)


if __name__ == "__main__":
    Emulator(int(os.environ.get("TB_SEED", "1"))).run()
