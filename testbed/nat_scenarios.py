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


def add_strangers(topo: Topology, binary: str, run_dir, seed_addrs: list[str], first_index: int, n: int = 4):
    """Public daemons that join no network themselves and only ping the seeds, so the seeds know
    them but nobody else has heard from them: the strangers a cold-inbound probe needs (in a
    real network most peers are)."""
    out = []
    for i in range(n):
        name = f"stranger{i}"
        topo.public_host(name, first_index + i, _link())
        # Passive: no bucket refills, so a stranger's own lookups do not reach the NATed
        # daemons (whose answers would make the stranger a peer they sent to).
        d = Daemon(topo, name, binary, run_dir, extra_args=["--passive"])
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
        # Passive (no bucket refills): in a network of a dozen nodes a node's refills dial every
        # peer within seconds, strangers included, and none would be left to probe through (in a
        # large network most peers stay strangers). Classification does not depend on it.
        nodes[name] = Daemon(topo, name, binary, run_dir, bootstrap=seed_addrs, extra_args=["--passive"])
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
            **({} if took is not None and address_ok else
               {"log": d.log_lines("nat probe", "nat classification", "bootstrap done")}),
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


def _first(sub, pred, bound_s: float, t0: float):
    """Seconds after t0 of the first event from sub satisfying pred, or None; events before
    t0 are skipped."""
    deadline = t0 + bound_s
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        got = sub.next(left)
        if got is None:
            return None
        at, ev = got
        if at >= t0 and pred(ev):
            return round(at - t0, 1)


def nat_change(topo: Topology, binary: str, run_dir, n: int, loss_pct: float, seed: int,
               behind: int = 2, change_bound_s: float = 90, resolve_bound_s: float = 120) -> dict:
    """The outside address of a NAT with `behind` daemons changes (move_nat): each emits
    observed_addr and exactly one public_addr change to the new address within change_bound_s,
    republishes its auto endpoint record, and a host outside resolves the new address within
    resolve_bound_s."""
    t_start = time.monotonic()
    seeds, seed_addrs = seeds_and_strangers(topo, binary, run_dir)
    topo.public_host("outside", 3, _link())
    outside = Daemon(topo, "outside", binary, run_dir, bootstrap=seed_addrs)
    outside.start()
    router = topo.nat("r0", "full-cone", 0, _link())
    nodes = []
    for i in range(behind):
        topo.lan_host(f"lan{i}", "r0", i)
        nodes.append(Daemon(topo, f"lan{i}", binary, run_dir, bootstrap=seed_addrs))
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda d: d.start(), nodes))
    old_ip = router.public_ip
    wait_until(lambda: all((d.call("node.info").get("public_addr") or "").startswith(old_ip + ":") for d in nodes), 60)
    agents = {}
    for d in nodes:
        agent = d.call("agent.create", {"label": d.host})["address"]
        d.call("publish.endpoint", {"agent": agent, "endpoints": "auto", "nat_type": "auto", "timeout_ms": 20000})
        agents[d.host] = agent

    def resolved_ip(agent: str) -> str | None:
        eps = outside.call("query.resolve", {"address": agent, "timeout_ms": 5000})["endpoint"].get("endpoints") or []
        return eps[0].removeprefix("udp://").rsplit(":", 1)[0] if eps else None

    before = {h: wait_until(lambda a=a: resolved_ip(a) == old_ip, 60) for h, a in agents.items()}
    subs = {d.host: {e: d.subscribe(e) for e in ("observed_addr", "public_addr")} for d in nodes}
    t0 = time.monotonic()
    new_ip = topo.move_nat("r0", 7)
    results = {}

    def watch(d: Daemon):
        s = subs[d.host]
        observed = _first(s["observed_addr"], lambda ev: ev["observed"].startswith(new_ip + ":"), change_bound_s, t0)
        public = _first(s["public_addr"], lambda ev: (ev.get("new") or "").startswith(new_ip + ":"), change_bound_s, t0)
        resolve = wait_until(lambda: resolved_ip(agents[d.host]) == new_ip, resolve_bound_s, step=1)
        return d.host, {"observed_addr_after_s": observed, "public_addr_after_s": public,
                        "outside_resolves_new_after_s": None if resolve is None else round(time.monotonic() - t0, 1)}

    with ThreadPoolExecutor(8) as pool:
        results = dict(pool.map(watch, nodes))
    # Settle, then count: exactly one public_addr change each since the move.
    time.sleep(10)
    for d in nodes:
        changes = []
        while (got := subs[d.host]["public_addr"].next(0.1)) is not None:
            changes.append(got)
        # _first consumed the first change; any left over are extra ones.
        r = results[d.host]
        r["public_addr_changes"] = (1 if r["public_addr_after_s"] is not None else 0) + len(
            [c for c in changes if c[0] >= t0])
        r["ok"] = (r["observed_addr_after_s"] is not None and r["public_addr_after_s"] is not None
                   and r["public_addr_changes"] == 1 and r["outside_resolves_new_after_s"] is not None)
        for sub in subs[d.host].values():
            sub.close()
    return {
        "scenario": "nat-change", "old_ip": old_ip, "new_ip": new_ip, "daemons": results,
        "resolved_old_before_move_s": before,
        "goal": f"each daemon behind the NAT: observed_addr and exactly one public_addr change within "
                f"{change_bound_s} s, its auto endpoint record resolves to the new address outside within "
                f"{resolve_bound_s} s",
        "ok": all(r["ok"] for r in results.values()), "seconds": round(time.monotonic() - t_start, 1),
    }


def hairpin(topo: Topology, binary: str, run_dir, n: int, loss_pct: float, seed: int,
            bound_s: float = 90) -> dict:
    """Two daemons behind one NAT: each recognises the other as a same-NAT peer (its public IP
    on another port, docs/node-behaviour.md §10.2) within bound_s, and neither takes the other for itself."""
    t_start = time.monotonic()
    seeds, seed_addrs = seeds_and_strangers(topo, binary, run_dir)
    router = topo.nat("r0", "full-cone", 0, _link())
    nodes = []
    for i in range(2):
        topo.lan_host(f"lan{i}", "r0", i)
        nodes.append(Daemon(topo, f"lan{i}", binary, run_dir, bootstrap=seed_addrs))
    t0 = time.monotonic()
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda d: d.start(), nodes))
    ids = {d.host: d.call("node.info")["node_id"] for d in nodes}
    results = {}
    for d in nodes:
        other = next(o for o in nodes if o is not d)

        def sees_other(d=d, other=other):
            # A lookup for the other node meets it at our public IP on another port.
            d.call("query.find_node", {"target": ids[other.host], "timeout_ms": 5000})
            return ids[other.host] in d.call("node.info")["same_nat_peers"]
        took = wait_until(sees_other, bound_s, step=2)
        info = d.call("node.info")
        results[d.host] = {"public_addr": info.get("public_addr"), "same_nat_peers": info["same_nat_peers"],
                           "detected_after_s": None if took is None else round(time.monotonic() - t0, 1),
                           "ok": took is not None and ids[d.host] not in info["same_nat_peers"]
                           and (info.get("public_addr") or "").startswith(router.public_ip + ":")}
    addrs = {r["public_addr"] for r in results.values()}
    return {
        "scenario": "hairpin", "nat_ip": router.public_ip, "daemons": results,
        "goal": f"both daemons list each other in node.info same_nat_peers within {bound_s} s of starting, "
                "with distinct public ports",
        "ok": all(r["ok"] for r in results.values()) and len(addrs) == 2,
        "seconds": round(time.monotonic() - t_start, 1),
    }
