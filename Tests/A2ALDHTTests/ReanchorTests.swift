import A2ALCore
import A2ALProtocol
import A2ALTestSupport
import Testing
@testable import A2ALDHT

/// Re-anchoring replica sets after a partition heals (docs/protocol.md, "Partitions"): a record
/// published while only part of the network was reachable lives on that part; once the rest is
/// back, `reanchorReplicaSets` stores it at the nodes now closest to its key.
@Suite(.serialized) struct ReanchorTests {
    @Test func aRecordPublishedOnOneSideReachesTheClosestNodesOfTheWholeNetworkAfterReanchoring() async throws {
        let c = try TestCluster(size: 40)
        try await c.start()
        // Side A: nodes 0..<20 form the network; side B (20..<40) is not reachable yet.
        for i in 1..<20 { try await c.nodes[i].bootstrap(addresses: [c.address(0)]) }
        let publisher = 3
        let record = try endpointRecord(c.keys[publisher], now: c.clock.unixSeconds())
        let key = c.nodes[publisher].nodeID
        try c.nodes[publisher].publish(record, at: key)
        #expect(try await eventually { c.nodes[publisher].replicationSummary.replicas >= ReplicationConstants.target })
        // The heal: side B joins through side A, and side A's routing maintenance (a refresh
        // lookup of its own id each) meets side B.
        for i in 20..<40 { try await c.nodes[i].bootstrap(addresses: [c.address(0)]) }
        for i in 0..<20 { _ = await c.nodes[i].lookup(c.nodes[i].nodeID) }
        let closest = (0..<40).filter { $0 != publisher }
            .sorted { c.nodes[$0].nodeID.distance(to: key) < c.nodes[$1].nodeID.distance(to: key) }
            .prefix(ReplicationConstants.target)
        let missingBefore = closest.filter { c.nodes[$0].localGet(key).isEmpty }
        // At least one of the now-closest nodes is from side B and never got the record
        // (random ids: the chance that side A holds all 8 closest is C(19,8)/C(39,8), about 10⁻³).
        #expect(!missingBefore.isEmpty)

        await c.nodes[publisher].reanchorReplicaSets()
        let missingAfter = closest.filter { c.nodes[$0].localGet(key).isEmpty }
        #expect(missingAfter.isEmpty, "closest nodes without the record: \(missingAfter)")
        await c.close()
    }
}
