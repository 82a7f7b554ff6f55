import A2ALCore
import A2ALDHT
import A2ALSimulation

/// Per-lookup measurements of the FIND_NODE phase, collected in order.
struct FindNodeResult: Sendable {
    var attempted = 0
    /// Lookups that returned no node at all.
    var empty = 0
    /// Datagrams the querier sent during each lookup.
    var packets: [Double] = []
    /// Simulated duration of each lookup in ms.
    var latenciesMs: [Double] = []
    /// |found ∩ true K closest live nodes| / K of each lookup.
    var recalls: [Double] = []
}

/// Runs `count` iterative FIND_NODE lookups (`DHTNode.lookup`), each from a random live
/// querier towards a random 256-bit target, and scores each against the K live nodes truly
/// closest to the target (the querier left out: a lookup never returns its own node). Up to
/// `concurrency` run at once, never two from the same querier, so the querier's transmit
/// counter still counts one lookup's traffic (plus its own maintenance, as for resolves);
/// one at a time, the lookups of a lossy network would keep all N nodes' maintenance running
/// for minutes of simulated time.
func runFindNodes(_ cluster: SimCluster, count: Int, concurrency: Int, closed: Set<Int>,
                  rng: inout SplitMix64) async -> FindNodeResult {
    var r = FindNodeResult()
    let live = (0..<cluster.nodes.count).filter { !closed.contains($0) }
    guard live.count >= 2 else { return r }
    let liveIDs = live.map { cluster.nodes[$0].nodeID }
    let k = NodeConstants.k
    let limit = max(1, min(concurrency, live.count / 2))
    struct Job: Sendable { let querier: Int; let target: NodeID }
    struct Done: Sendable { let querier: Int; let packets: Double; let ms: Double; let recall: Double; let empty: Bool }
    var busy = Set<Int>()
    let nodes = cluster.nodes
    let clock = cluster.clock
    await boundedForEach(count, limit: limit, prepare: { _ -> Job in
        var q = live[Int.random(in: 0..<live.count, using: &rng)]
        while busy.contains(q) { q = live[Int.random(in: 0..<live.count, using: &rng)] }
        busy.insert(q)
        return Job(querier: q, target: randomNodeID(&rng))
    }, work: { job in
        let querier = nodes[job.querier]
        let truth = Set(liveIDs.filter { $0 != querier.nodeID }
            .sorted { $0.distance(to: job.target) < $1.distance(to: job.target) }.prefix(k))
        let tx0 = querier.debugStats().txPackets
        let t0 = clock.now()
        let found = await querier.lookup(job.target)
        let ms = (clock.now() - t0).seconds * 1000
        let packets = Double(querier.debugStats().txPackets - tx0)
        let hits = found.prefix(k).filter { truth.contains($0.nodeID) }.count
        return Done(querier: job.querier, packets: packets, ms: ms,
                    recall: Double(hits) / Double(max(1, min(k, truth.count))), empty: found.isEmpty)
    }, finish: { done in
        busy.remove(done.querier)
        r.attempted += 1
        if done.empty { r.empty += 1 }
        r.packets.append(done.packets)
        r.latenciesMs.append(done.ms)
        r.recalls.append(done.recall)
        if r.attempted % 100 == 0 { progress("find_node: \(r.attempted)/\(count)") }
    })
    return r
}

/// A uniformly random target drawn from the run's seeded generator, so runs replay.
func randomNodeID(_ rng: inout SplitMix64) -> NodeID {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(NodeID.byteCount)
    for _ in 0..<(NodeID.byteCount / 8) {
        let word = rng.next()
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
    }
    return NodeID(bytes: bytes) ?? .zero
}
