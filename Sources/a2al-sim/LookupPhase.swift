import A2ALDHT
import A2ALSimulation

/// Per-resolve measurements, collected in order.
struct LookupResult: Sendable {
    /// Success, wrong answers (`unexpected`, must stay 0), errors, latency, querier packets, loss.
    var tally = ResolveTally()
    /// Datagrams the whole network carried during each resolve (requests and replies).
    var networkDatagrams: [Double] = []
    var targetsClosed = 0
    var succeededClosedTargets = 0
}

/// Runs `count` resolves one after another: a random live querier resolves a random other node
/// (live or closed — its record lives on at the replicas). Sequential, so the querier's
/// transmit counter delta during a resolve is that resolve's traffic and nothing else's.
func runLookups(_ cluster: SimCluster, count: Int, closed: Set<Int>, timeout: Duration,
                rng: inout SplitMix64) async -> LookupResult {
    var r = LookupResult()
    let n = cluster.nodes.count
    let live = (0..<n).filter { !closed.contains($0) }
    guard live.count >= 1, n >= 2 else { return r }
    let started = ContinuousClock.now
    for m in 0..<count {
        let q = live[Int.random(in: 0..<live.count, using: &rng)]
        var t = Int.random(in: 0..<(n - 1), using: &rng)
        if t >= q { t += 1 }
        let querier = cluster.nodes[q]
        let target = cluster.nodes[t].address
        let net0 = cluster.network.stats.sent
        let resolve = { try await querier.resolve(target, timeout: timeout) }
        let measured = await measureResolve(cluster, querier: q, resolve)
        let ok = measured.found?.payload.endpoints == [SimCluster.publishedEndpoint(t)]
        r.networkDatagrams.append(Double(cluster.network.stats.sent - net0))
        if closed.contains(t) {
            r.targetsClosed += 1
            if ok { r.succeededClosedTargets += 1 }
        }
        await r.tally.add(measured, ok: ok, cluster: cluster, querier: q, repeating: resolve)
        if (m + 1) % 100 == 0 {
            progress("lookups: \(m + 1)/\(count), \(r.tally.succeeded) ok (\((ContinuousClock.now - started).components.seconds) s)")
        }
    }
    return r
}

/// Closes `fraction` of the nodes, chosen at random, before lookups: departed peers look like
/// silence to everyone else (their datagrams are dropped as unreachable).
func churn(_ cluster: SimCluster, fraction: Double, rng: inout SplitMix64) async -> Set<Int> {
    let n = cluster.nodes.count
    let victims = min(n - 1, Int((fraction * Double(n)).rounded(.down)))
    guard victims > 0 else { return [] }
    var order = Array(0..<n)
    order.shuffle(using: &rng)
    let closed = Set(order.prefix(victims))
    for i in closed.sorted() { await cluster.nodes[i].close() }
    return closed
}
