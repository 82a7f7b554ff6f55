import A2ALDHT
import A2ALSimulation

/// Per-resolve measurements, collected in order.
struct LookupResult: Sendable {
    var attempted = 0
    var succeeded = 0
    /// Resolves that returned a record whose endpoint was not the one published (must stay 0).
    var wrongAnswer = 0
    var errors: [String: Int] = [:]
    /// Latency in ms of successful resolves only (a timeout's latency is the timeout).
    var latenciesMs: [Double] = []
    /// Datagrams the querying node sent during each resolve (all resolves, failed included).
    var packets: [Double] = []
    /// Datagrams the whole network carried during each resolve (requests and replies).
    var networkDatagrams: [Double] = []
    /// Resolves answered from the querier's own store (it was a replica holder): zero packets.
    var answeredLocally = 0
    /// The resolves that lost a datagram to or from the querier, and what it cost them.
    var loss = LossTally()
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
        if let error = measured.error { r.errors[error, default: 0] += 1 } else if !ok { r.wrongAnswer += 1 }
        r.attempted += 1
        r.packets.append(Double(measured.packets))
        r.networkDatagrams.append(Double(cluster.network.stats.sent - net0))
        if closed.contains(t) { r.targetsClosed += 1 }
        if ok {
            r.succeeded += 1
            r.latenciesMs.append(measured.ms)
            if measured.packets == 0 { r.answeredLocally += 1 }
            if closed.contains(t) { r.succeededClosedTargets += 1 }
        }
        await r.loss.add(measured, succeeded: ok, cluster: cluster, querier: q, repeating: resolve)
        if (m + 1) % 100 == 0 {
            progress("lookups: \(m + 1)/\(count), \(r.succeeded) ok (\((ContinuousClock.now - started).components.seconds) s)")
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
