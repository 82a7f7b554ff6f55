"""Testbed scenarios (docs/testbed.md). Each takes a Testbed (topology + daemons), runs, and
returns a dict for the JSON report with its goal, its measured figures and "ok"."""
from __future__ import annotations

import random
import time
from concurrent.futures import ThreadPoolExecutor

from daemons import Daemon, RPCError
from netns import Link, Topology


def percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    s = sorted(values)
    return round(s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))], 1)


def link_for(rng: random.Random, loss_pct: float, rtt_lo: float, rtt_hi: float) -> Link:
    """A link whose share of a path gives one-way 20–80 ms between two such hosts and the
    given end-to-end loss (a packet crosses two links)."""
    per_link_loss = 100 * (1 - (1 - loss_pct / 100) ** 0.5)
    return Link(delay_ms=rng.uniform(rtt_lo / 2, rtt_hi / 2), jitter_ms=2, loss_pct=per_link_loss)


class Network:
    """N daemons: a few public seeds, the rest public or behind full-cone NATs, each daemon
    bootstrapping from the seeds."""

    def __init__(self, topo: Topology, binary: str, run_dir, n: int, loss_pct: float, seed: int,
                 nat_fraction: float = 0.2, seeds: int = 3):
        self.topo, self.binary, self.run_dir = topo, binary, run_dir
        self.rng = random.Random(seed)
        self.daemons: list[Daemon] = []
        nats = 0
        for i in range(n):
            link = link_for(self.rng, loss_pct, 20, 80)
            name = f"h{i}"
            if i >= seeds and self.rng.random() < nat_fraction and nats < 50:
                topo.nat(f"r{nats}", "full-cone", nats, link)
                topo.lan_host(name, f"r{nats}", 0)
                nats += 1
            else:
                topo.public_host(name, i, link)
        seed_addrs: list[str] = []
        for i in range(n):
            d = Daemon(topo, f"h{i}", binary, run_dir, bootstrap=list(seed_addrs))
            self.daemons.append(d)
            if i < seeds:
                d.start()
                seed_addrs.append(d.udp_addr)
        # The seeds know each other; everyone else starts from the seeds, several at a time.
        for d in self.daemons[:seeds]:
            d.call("node.bootstrap", {"peers": [a for a in seed_addrs if a != d.udp_addr]})
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda d: d.start(), self.daemons[seeds:]))

    def alive(self) -> list[Daemon]:
        return [d for d in self.daemons if d.alive]

    def publish_all(self, daemons: list[Daemon]) -> dict[str, Daemon]:
        """Every daemon publishes one endpoint record for a new agent; returns agent → daemon."""
        def one(d: Daemon):
            agent = d.call("agent.create", {"label": d.host})["address"]
            d.call("publish.endpoint", {"agent": agent, "endpoints": [f"udp://{d.udp_addr}"],
                                        "timeout_ms": 20000})
            return agent, d
        with ThreadPoolExecutor(8) as pool:
            return dict(pool.map(one, daemons))

    def resolve_matrix(self, queriers: list[Daemon], agents: list[str], timeout_ms: int = 10000):
        """Each querier resolves each agent; returns (successes, attempts, latencies_ms, failures)."""
        latencies: list[float] = []
        failures: list[dict] = []

        def one(pair):
            q, agent = pair
            t0 = time.monotonic()
            try:
                q.call("query.resolve", {"address": agent, "timeout_ms": timeout_ms})
                return True, (time.monotonic() - t0) * 1000, None
            except (RPCError, ConnectionError, OSError) as e:
                return False, None, {"querier": q.host, "agent": agent, "error": str(e)}

        pairs = [(q, a) for q in queriers for a in agents]
        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(one, pairs))
        ok = 0
        for good, ms, failure in results:
            if good:
                ok += 1
                latencies.append(ms)
            else:
                failures.append(failure)
        return ok, len(pairs), latencies, failures


def churn(topo: Topology, binary: str, run_dir, n: int, loss_pct: float, seed: int,
          kill_fraction: float = 0.2, restart_fraction: float = 0.5, goal: float = 0.99) -> dict:
    """N daemons, 5% loss, 20–80 ms: publish one record each, kill -9 a fifth of them (never a
    seed), restart half of those with their data directories and no seeds (they must rejoin from
    their peer cache), then every live daemon resolves every record."""
    t_start = time.monotonic()
    net = Network(topo, binary, run_dir, n, loss_pct, seed)
    agents = net.publish_all(net.daemons)
    rng = random.Random(seed + 1)
    victims = rng.sample(net.daemons[3:], max(1, int(n * kill_fraction)))
    for d in victims:
        d.kill9()
    killed_at = time.monotonic()
    restarted = victims[: int(len(victims) * restart_fraction)]
    rejoined = 0
    for d in restarted:
        d.bootstrap = []          # only the peer cache can bring it back
        d.start()
    warm = []
    for d in restarted:
        # Rejoined from the cache, strictly: it has no seeds, its log shows the warm start with
        # cached peers answering, and its table fills again.
        log = d.dir / f"a2ald.{d.starts}.log"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            text = log.read_text(errors="replace") if log.exists() else ""
            line = next((ln for ln in text.splitlines() if "joined from the peer cache" in ln), None)
            answered = int(line.split("answered=")[1].split()[0]) if line and "answered=" in line else 0
            if answered > 0 and d.call("node.info")["routing_table_size"] > 0:
                rejoined += 1
                warm.append({"host": d.host, "cached_peers_answered": answered,
                             "behind_nat": topo.hosts[d.host].router is not None})
                break
            time.sleep(0.2)
    queriers = [d for d in net.alive()]
    ok, attempts, lat, failures = net.resolve_matrix(queriers, list(agents))
    rate = ok / attempts if attempts else 0.0
    return {
        "scenario": "churn", "nodes": n, "loss_pct": loss_pct, "killed": len(victims),
        "restarted": len(restarted), "rejoined_from_cache": rejoined, "warm_starts": warm,
        "killed_after_start_s": round(killed_at - t_start, 1),
        "resolves": attempts, "resolve_success": round(rate, 4),
        "resolve_ms_p50": percentile(lat, 50), "resolve_ms_p99": percentile(lat, 99),
        "failures": failures[:10], "goal": f"resolve success >= {goal}, every restarted node rejoins from its peer cache (no seeds, "
                "warm start logged with cached peers answering)",
        "ok": rate >= goal and rejoined == len(restarted),
        "seconds": round(time.monotonic() - t_start, 1), "wan": topo.wan_stats(),
    }


def partition(topo: Topology, binary: str, run_dir, n: int, loss_pct: float, seed: int,
              split_s: float = 60, heal_bound_s: float = 120) -> dict:
    """Split the network in two for split_s, publish on both sides during the split, heal, and
    measure how long until every daemon resolves every record published during the split."""
    t_start = time.monotonic()
    net = Network(topo, binary, run_dir, n, loss_pct, seed, nat_fraction=0)
    half = n // 2
    side_a, side_b = net.daemons[:half], net.daemons[half:]
    topo.split([d.host for d in side_a], [d.host for d in side_b])
    split_at = time.monotonic()
    during = net.publish_all(side_a[1:3] + side_b[1:3])
    # The split lasts its full length whatever the publishing took.
    time.sleep(max(0.0, split_s - (time.monotonic() - split_at)))
    topo.heal()
    healed_at = time.monotonic()
    converged_after = None
    last = (0, 0, [])
    while time.monotonic() - healed_at < heal_bound_s:
        ok, attempts, _, failures = net.resolve_matrix(net.daemons, list(during), timeout_ms=5000)
        last = (ok, attempts, failures[:10])
        if ok == attempts:
            converged_after = time.monotonic() - healed_at
            break
    return {
        "scenario": "partition", "nodes": n, "loss_pct": loss_pct, "split_s": split_s,
        "records_published_during_split": len(during), "last_round": {"ok": last[0], "attempts": last[1], "failures": last[2]},
        "sides": {"a": [d.host for d in side_a], "b": [d.host for d in side_b]},
        "published_by": {a: d.host for a, d in during.items()},
        "converged_after_heal_s": None if converged_after is None else round(converged_after, 1),
        "goal": f"every record published during the split resolves everywhere within {heal_bound_s} s of healing",
        "ok": converged_after is not None, "seconds": round(time.monotonic() - t_start, 1),
        "wan": topo.wan_stats(),
    }
