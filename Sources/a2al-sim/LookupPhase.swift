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
    /// Latency of the successful resolves that lost at least one datagram to or from the
    /// querier on the way: what a lost datagram costs a resolve.
    var latenciesWithLossMs: [Double] = []
    /// Resolves (failed ones included) that lost at least one such datagram.
    var withLoss = 0
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
        let tx0 = querier.debugStats().txPackets
        let net0 = cluster.network.stats.sent
        let querierName = PeerAddress.udp(SimCluster.endpoint(q)).description
        let lost0 = cluster.network.lost(involving: querierName)
        let t0 = cluster.clock.now()
        var ok = false
        do {
            let found = try await querier.resolve(target, timeout: timeout)
            if found.payload.endpoints == [SimCluster.publishedEndpoint(t)] { ok = true } else { r.wrongAnswer += 1 }
        } catch {
            r.errors["\(error)", default: 0] += 1
        }
        let ms = (cluster.clock.now() - t0).seconds * 1000
        let tx = querier.debugStats().txPackets - tx0
        let metLoss = cluster.network.lost(involving: querierName) > lost0
        if metLoss { r.withLoss += 1 }
        r.attempted += 1
        r.packets.append(Double(tx))
        r.networkDatagrams.append(Double(cluster.network.stats.sent - net0))
        if closed.contains(t) { r.targetsClosed += 1 }
        if ok {
            r.succeeded += 1
            r.latenciesMs.append(ms)
            if metLoss { r.latenciesWithLossMs.append(ms) }
            if tx == 0 { r.answeredLocally += 1 }
            if closed.contains(t) { r.succeededClosedTargets += 1 }
        }
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
