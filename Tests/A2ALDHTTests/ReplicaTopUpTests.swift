import A2ALCore
import A2ALProtocol
import A2ALTestSupport
import Testing
@testable import A2ALDHT

/// A replica set left short of its target is renewed again with back-off (docs/routing.md
/// §5.6), not left short until its half-life renewal: its members answer their probes, so
/// nothing else would refill it.
@Suite(.serialized) struct ReplicaTopUpTests {
    private func topUpDelay(_ node: DHTNode) -> Duration? {
        node.replication.withLock { $0.values.first?.topUpDelay }
    }

    @Test func aShortSetReachesTheTargetOncePeersAppear() async throws {
        try await withCluster(TestCluster(size: 14)) { c in
            // A five-node network: the publisher can only find four replicas.
            for i in 1..<5 { try await c.nodes[i].bootstrap(addresses: [c.address(0)]) }
            try c.nodes[0].publishOwnEndpoint(EndpointPayload(endpoints: ["quic://10.8.4.1:4433"]))
            try await waitUntil({ c.nodes[0].replicationSummary.replicas == 4 && topUpDelay(c.nodes[0]) == .seconds(4) })
            // Nine more nodes join through someone else; no probe fails and no half-life passes.
            for i in 5..<14 { try await c.nodes[i].bootstrap(addresses: [c.address(1)]) }
            try await waitUntil(seconds: 30, { c.nodes[0].replicationSummary.replicas >= ReplicationConstants.target })
            // A full set resets the back-off for the next time it falls short.
            try await waitUntil({ topUpDelay(c.nodes[0]) == ReplicationConstants.topUpInitialDelay })
            let holders = Set(c.nodes[0].replicaHolders(key: c.nodes[0].nodeID, publisher: c.nodes[0].nodeID,
                                                        recType: RecordType.endpoint))
            #expect(holders.isSubset(of: Set(c.nodes.dropFirst().map(\.nodeID))))
            let resolved = try await c.nodes[13].resolve(c.nodes[0].address)
            #expect(resolved.payload.endpoints == ["quic://10.8.4.1:4433"])
        }
    }

    @Test func aNetworkTooSmallForTheTargetIsRetriedLessAndLessOften() async throws {
        try await withCluster(TestCluster(size: 3), joined: true) { c in
            let sent0 = c.network.stats.sent
            try c.nodes[0].publishOwnEndpoint(EndpointPayload(endpoints: ["quic://10.8.4.2:4433"]))
            // The first round, then top-ups after 2 s and 4 s, all short: the next waits 16 s.
            try await waitUntil(seconds: 30, { topUpDelay(c.nodes[0]) == .seconds(16) })
            #expect(c.nodes[0].replicationSummary.replicas == 2)
            // Each round is a lookup and two STOREs, not a flood.
            let sent = c.network.stats.sent - sent0
            #expect(sent < 100, "sent \(sent) datagrams in three rounds")
        }
    }
}
