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

/// Runs `count` iterative FIND_NODE lookups (`DHTNode.lookup`) one after another, each from a
/// random live querier towards a random 256-bit target, and scores each against the K live
/// nodes truly closest to the target (the querier left out: a lookup never returns its own node).
/// Sequential for the same reason as resolves: the querier's transmit counter then counts one
/// lookup's traffic.
func runFindNodes(_ cluster: SimCluster, count: Int, closed: Set<Int>, rng: inout SplitMix64) async -> FindNodeResult {
    var r = FindNodeResult()
    let live = (0..<cluster.nodes.count).filter { !closed.contains($0) }
    guard live.count >= 2 else { return r }
    let liveIDs = live.map { cluster.nodes[$0].nodeID }
    let k = NodeConstants.k
    for m in 0..<count {
        let q = live[Int.random(in: 0..<live.count, using: &rng)]
        let target = randomNodeID(&rng)
        let querier = cluster.nodes[q]
        let truth = Set(liveIDs.filter { $0 != querier.nodeID }
            .sorted { $0.distance(to: target) < $1.distance(to: target) }.prefix(k))
        let tx0 = querier.debugStats().txPackets
        let t0 = cluster.clock.now()
        let found = await querier.lookup(target)
        let ms = (cluster.clock.now() - t0).seconds * 1000
        r.attempted += 1
        if found.isEmpty { r.empty += 1 }
        r.packets.append(Double(querier.debugStats().txPackets - tx0))
        r.latenciesMs.append(ms)
        let hits = found.prefix(k).filter { truth.contains($0.nodeID) }.count
        r.recalls.append(Double(hits) / Double(min(k, truth.count)))
        if (m + 1) % 100 == 0 { progress("find_node: \(m + 1)/\(count)") }
    }
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
