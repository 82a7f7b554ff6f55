"""NAT scenarios of the testbed (docs/testbed.md): classification behind each NAT kind, a NAT
whose outside address changes, and two daemons behind one NAT. Each returns a dict for the JSON
report with its goal, its measured figures and "ok"."""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from daemons import Daemon, RPCError
from netns import Link, Topology

EXPECTED = {"full-cone": "full_cone", "restricted": "filtered", "port-restricted": "filtered",
            "symmetric": "symmetric"}


def wait_until(pred, bound_s: float, step: float = 0.5):
    """Seconds until pred() is truthy, or None when bound_s passed first."""
    t0 = time.monotonic()
    while True:
        try:
            if pred():
                return round(time.monotonic() - t0, 1)
        except (RPCError, ConnectionError, OSError):
            pass
        if time.monotonic() - t0 > bound_s:
            return None
        time.sleep(step)


def log_has(d: Daemon, text: str) -> bool:
    """Whether the daemon's current log holds text."""
    try:
        return text in (d.dir / f"a2ald.{d.starts}.log").read_text(errors="replace")
    except OSError:
        return False


def _link() -> Link:
    return Link(delay_ms=10, jitter_ms=1, loss_pct=0)


def seeds_and_strangers(topo: Topology, binary: str, run_dir, seeds: int = 3, first_index: int = 0):
    """Public seeds that know each other, started; returns (seed daemons, their addresses)."""
    out, addrs = [], []
    for i in range(seeds):
        name = f"seed{i}"
        topo.public_host(name, first_index + i, _link())
        d = Daemon(topo, name, binary, run_dir, bootstrap=list(addrs))
        d.start()
        out.append(d)
        addrs.append(d.udp_addr)
    for d in out:
        d.call("node.bootstrap", {"peers": [a for a in addrs if a != d.udp_addr]})
    return out, addrs


def add_strangers(topo: Topology, binary: str, run_dir, seed_addrs: list[str], first_index: int, n: int = 3):
    """Public daemons that join no network themselves and only ping the seeds, so the seeds know
    them but nobody else has heard from them: the strangers a cold-inbound probe needs (in a
    real network most peers are)."""
    out = []
    for i in range(n):
        name = f"stranger{i}"
        topo.public_host(name, first_index + i, _link())
        d = Daemon(topo, name, binary, run_dir)
        d.start()
        for a in seed_addrs:
            d.call("node.ping", {"addr": a})
        out.append(d)
    return out


def nat_kinds(topo: Topology, binary: str, run_dir, n: int, loss_pct: float, seed: int,
              bound_s: float = 120) -> dict:
    """A daemon behind each NAT kind plus a public one: each reports the right class within
    bound_s of starting, and its public address is the NAT's outside one."""
    t_start = time.monotonic()
    seeds, seed_addrs = seeds_and_strangers(topo, binary, run_dir)
    topo.public_host("public", 3, _link())
    nodes = {"public": Daemon(topo, "public", binary, run_dir, bootstrap=seed_addrs)}
    expected = {"public": "public"}
    outside = {"public": topo.hosts["public"].ip}
    for i, kind in enumerate(EXPECTED):
        topo.nat(f"r{i}", kind, i, _link())
        name = f"behind-{kind}"
        topo.lan_host(name, f"r{i}", 0)
        nodes[name] = Daemon(topo, name, binary, run_dir, bootstrap=seed_addrs)
        expected[name] = EXPECTED[kind]
        outside[name] = topo.routers[f"r{i}"].public_ip
    started = time.monotonic()
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda d: d.start(), nodes.values()))
    # Strangers come once every daemon has joined (its joining lookup would have dialled them).
    wait_until(lambda: all(log_has(d, "bootstrap done") for d in nodes.values()), 60)
    add_strangers(topo, binary, run_dir, seed_addrs, 20)
    results = {}

    def judge(item):
        name, d = item
        took = wait_until(lambda: d.call("node.info")["nat_type"] == expected[name], bound_s)
        info = d.call("node.info")
        observed = [r["observed"] for r in d.call("node.observed_addrs").get("reports", [])]
        seen_ips = sorted({o.rsplit(":", 1)[0] for o in observed})
        public_ip = (info.get("public_addr") or "").rsplit(":", 1)[0] or None
        address_ok = seen_ips == [outside[name]] and (public_ip in (None, outside[name]))
        if expected[name] != "symmetric":
            address_ok = address_ok and public_ip == outside[name]
        return name, {
            "expected": expected[name], "nat_type": info["nat_type"], "nat_type_code": info["nat_type_code"],
            "classified_after_s": None if took is None else round(took + (time.monotonic() - started) * 0, 1),
            "public_addr": info.get("public_addr"), "outside_ip": outside[name], "observed_ips": seen_ips,
            "ok": took is not None and address_ok,
        }

    with ThreadPoolExecutor(8) as pool:
        results = dict(pool.map(judge, nodes.items()))
    since_start = round(time.monotonic() - started, 1)
    return {
        "scenario": "nat-kinds", "daemons": results, "bound_s": bound_s,
        "goal": f"each daemon reports its NAT class within {bound_s} s of the strangers joining, "
                "and peers see it at its NAT's outside address",
        "ok": all(r["ok"] for r in results.values()),
        "seconds_since_daemons_started": since_start, "seconds": round(time.monotonic() - t_start, 1),
    }
