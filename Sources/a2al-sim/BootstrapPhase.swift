import A2ALDHT
import A2ALSimulation

/// Outcome of joining every node.
struct BootstrapResult: Sendable {
    var coreNodes = 0
    var corePingsOK = 0
    var joined = 0
    /// Nodes whose first bootstrap found no live seed and needed another try.
    var retried = 0
    /// The most tries any node needed (or was allowed, if it failed).
    var maxAttempts = 0
    /// Nodes that could not join at all (they stay up and may still be found by others).
    var failed = 0
    var meanRoutingTableSize = 0.0
}

/// Joins the network as a real deployment grows: a core of up to 8 nodes ping one another, then
/// every other node bootstraps through 1–3 random nodes that have already joined, with at most
/// `concurrency` joins in flight (an unbounded burst would measure the scheduler, not the DHT)
/// and up to `attempts` tries per node.
func bootstrapAll(_ cluster: SimCluster, concurrency: Int, attempts: Int, rng: inout SplitMix64) async -> BootstrapResult {
    var result = BootstrapResult()
    let n = cluster.nodes.count
    let core = min(8, n)
    result.coreNodes = core
    let nodes = cluster.nodes
    let corePairs = (0..<core).flatMap { i in (0..<core).filter { $0 != i }.map { (i, $0) } }
    result.corePingsOK = await withTaskGroup(of: Bool.self) { group in
        for (i, j) in corePairs {
            let target = cluster.address(j)
            group.addTask { (try? await nodes[i].ping(target)) != nil }
        }
        var ok = 0
        for await success in group where success { ok += 1 }
        return ok
    }
    var joined = Array(0..<core)
    result.joined = core

    struct Job: Sendable { let index: Int; let seedSets: [[PeerAddress]] }
    struct Done: Sendable { let index: Int; let ok: Bool; let attempts: Int }
    func pickSeeds(excluding index: Int) -> [PeerAddress] {
        let want = Int.random(in: 1...3, using: &rng)
        var picked = Set<Int>()
        while picked.count < min(want, joined.count) {
            let s = joined[Int.random(in: 0..<joined.count, using: &rng)]
            if s != index { picked.insert(s) }
        }
        return picked.sorted().map(cluster.address)
    }
    let started = ContinuousClock.now
    await boundedForEach(n - core, limit: concurrency, prepare: { k -> Job in
        let index = core + k
        return Job(index: index, seedSets: (0..<max(1, attempts)).map { _ in pickSeeds(excluding: index) })
    }, work: { job in
        // A join fails only when every seed's ping was lost; fresh seeds each time, as an
        // operator would retry with another bootstrap list.
        let node = nodes[job.index]
        for (attempt, seeds) in job.seedSets.enumerated() {
            if (try? await node.bootstrap(addresses: seeds)) != nil { return Done(index: job.index, ok: true, attempts: attempt + 1) }
        }
        return Done(index: job.index, ok: false, attempts: job.seedSets.count)
    }, finish: { done in
        if done.attempts > 1 { result.retried += 1 }
        result.maxAttempts = max(result.maxAttempts, done.attempts)
        if done.ok {
            joined.append(done.index)
            result.joined += 1
        } else {
            result.failed += 1
        }
        let finished = result.joined + result.failed
        if finished % 500 == 0 {
            let secs = (ContinuousClock.now - started).components.seconds
            progress("bootstrap: \(finished)/\(n) (\(secs) s)")
        }
    })
    result.meanRoutingTableSize = Double(nodes.reduce(0) { $0 + $1.debugStats().totalPeers }) / Double(n)
    return result
}
